"""Random number generators for every network, and the initial weights of Nielsen's networks (chapters 1 and 3).

ConvNetwork's layers draw network3's weights themselves (conv_layers.py), TwoLayerNet its book's.
"""
from __future__ import annotations

import numbers
from typing import Sequence

import numpy as np
from numpy.typing import DTypeLike

from .validation import short

INITS = ("large", "scaled")  # N(0, 1) weights (chapter 1), or N(0, 1/n_in) (chapter 3)


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A Generator from a seed (None, or an integer >= 0), or the Generator itself; anything else
    (a string, a float, a negative number) is refused by name."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ValueError(f"seed must be None, an integer >= 0 or a numpy Generator, got {short(seed)}")
    return np.random.default_rng(seed)


def gaussian_parameters(sizes: Sequence[int], rng: np.random.Generator, dtype: DTypeLike=np.float64,
                        scaled: bool = False) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The book's initialisation ("large", or "scaled" with ``scaled=True``): all biases, then all weights, drawn from N(0, 1).

    Biases have shape (n_out, 1) and weights (n_out, n_in), Nielsen's layout. ``scaled=True``
    draws weights from N(0, 1/n_in) instead (chapter 3). Network and MatrixNetwork both call this,
    so the same seed gives them the same starting point (in float32, the float64 draws rounded).
    """
    biases = [rng.standard_normal((y, 1)).astype(dtype, copy=False) for y in sizes[1:]]
    weights = []
    for x, y in zip(sizes[:-1], sizes[1:]):
        w = rng.standard_normal((y, x))
        if scaled:
            w /= np.sqrt(x)
        weights.append(w.astype(dtype, copy=False))
    return biases, weights
