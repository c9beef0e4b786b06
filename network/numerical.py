"""The numerical gradient: what backpropagation replaces, and what it is checked against.

Central differences, df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h, with error O(h^2). One
partial derivative costs two evaluations of f, so a network with P parameters costs 2P forward
passes per gradient; backprop gets all P for about the price of two.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .reports import Progress


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4,
                       verbose: bool = True, label: str = "numerical gradient") -> np.ndarray:
    """Gradient of the scalar function ``f`` at ``x`` by central differences.

    ``x`` may have any shape and must be a float array; it is perturbed in place, one entry at a
    time, so ``f`` may read ``x`` itself (the usual way: ``f`` ignores its argument and computes a
    network's loss, whose parameters ``x`` is). Every entry is restored after use, also when
    ``f`` raises. Returns an array shaped like ``x``. A computation that takes more than a few
    seconds reports its progress on stderr, unless ``verbose=False``.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise ValueError(f"numerical_gradient needs a float numpy array, got "
                         f"{type(x).__name__}{'' if not isinstance(x, np.ndarray) else ' of dtype ' + str(x.dtype)}")
    if not h > 0:
        raise ValueError(f"step h must be > 0, got {h!r}")
    grad = np.zeros(x.shape, dtype=np.float64)
    progress = Progress(x.size, f"{label}, entries") if verbose else None
    for k, idx in enumerate(np.ndindex(x.shape), start=1):
        original = x[idx].copy()
        try:
            x[idx] = original + h
            f_plus = float(f(x))
            x[idx] = original - h
            f_minus = float(f(x))
        finally:
            x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
        if progress is not None:
            progress.update(k)
    return grad.astype(x.dtype, copy=False)
