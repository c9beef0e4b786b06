"""A network's parameters: named, and owned by the network.

``by_name`` names the layer-by-layer lists w0, b0, w1, b1, ... (the names of ``params`` and
``gradient`` in every network but TwoLayerNet, which keeps its book's W1, b1, W2, b2).
``take_over`` keeps a network's arrays its own: training updates them in place, so an array
that ``params`` handed out stays the one the network trains; an array assigned from elsewhere
(``net.weights = other.weights``, ``net.weights[0] = w``) is checked once and copied once.
"""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from .files import save


def by_name(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Layer-by-layer lists as one dict: w0, b0, w1, b1, ..."""
    named = {}
    for l, (w, b) in enumerate(zip(weights, biases)):
        named[f"w{l}"], named[f"b{l}"] = w, b
    return named


def take_over(arrays: Sequence[np.ndarray], own: Sequence[np.ndarray], shapes: Sequence[tuple], dtype: np.dtype, kind: str,
              in_place: bool = False) -> list[np.ndarray]:
    """``arrays`` as the network's own: entry i stays as it is if it is ``own[i]`` (the array the
    network made or took over before) with its shape; any other is checked (real numbers, the
    shape ``shapes[i]``, finite in ``dtype``) and copied into ``dtype``. The list returned is
    ``arrays`` itself if ``in_place`` (the network's own list), else a new one. Raises ValueError
    naming the entry."""
    if isinstance(arrays, np.ndarray) or not isinstance(arrays, (list, tuple)):
        raise ValueError(f"{kind} must be a list of {len(shapes)} arrays, got {type(arrays).__name__}")
    if len(arrays) != len(shapes):
        raise ValueError(f"{kind}: expected {len(shapes)} arrays, got {len(arrays)}")
    out = arrays if in_place else list(arrays)
    for i, (a, shape) in enumerate(zip(arrays, shapes)):
        if i < len(own) and a is own[i] and a.shape == shape:
            continue
        a = np.asarray(a)
        if a.dtype.kind not in "fiu":
            raise ValueError(f"{kind}[{i}] has dtype {a.dtype}: parameters must be real numbers")
        if a.shape != shape:
            raise ValueError(f"{kind}[{i}] has shape {a.shape}, the network's sizes need {shape}")
        with np.errstate(over="ignore"):
            copy = np.array(a, dtype=dtype)
        if not np.isfinite(copy).all():
            raise ValueError(f"{kind}[{i}] contains values that are not finite in {np.dtype(dtype).name} "
                             f"(nan, inf, or too large)")
        out[i] = copy
    return out


class NielsenParameters:
    """What Network and MatrixNetwork share: ``weights`` and ``biases`` in Nielsen's layout, (n_out,
    n_in) and (n_out, 1) per layer of ``sizes``, owned by the network; ``params``; ``save``.

    Assigning ``net.weights = other.weights`` checks the arrays and copies them at once, so that
    training one network never changes another; an array put into the list itself
    (``net.weights[0] = w``) is checked and copied at the next call.
    """

    sizes: list[int]
    dtype: np.dtype
    _own: tuple[list, list] = ([], [])

    @property
    def weights(self) -> list[np.ndarray]:
        return self._weights

    @weights.setter
    def weights(self, arrays: Sequence[np.ndarray]) -> None:
        self._weights = take_over(arrays, self._own[0], self._shapes()[0], self.dtype, "weights")
        self._own = (list(self._weights), self._own[1])

    @property
    def biases(self) -> list[np.ndarray]:
        return self._biases

    @biases.setter
    def biases(self, arrays: Sequence[np.ndarray]) -> None:
        self._biases = take_over(arrays, self._own[1], self._shapes()[1], self.dtype, "biases")
        self._own = (self._own[0], list(self._biases))

    def _shapes(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        sizes = self.sizes
        return [(b, a) for a, b in zip(sizes[:-1], sizes[1:])], [(b, 1) for b in sizes[1:]]

    def _own_parameters(self) -> None:
        """The weights and biases as the network's own arrays (see ``take_over``), before any work."""
        shapes = self._shapes()
        for kind, arrays, own, shape in (("weights", self._weights, self._own[0], shapes[0]),
                                         ("biases", self._biases, self._own[1], shapes[1])):
            take_over(arrays, own, shape, self.dtype, kind, in_place=isinstance(arrays, list))
        self._own = (list(self._weights), list(self._biases))

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameter arrays by name (w0, b0, w1, b1, ...): the network's own arrays, the
        ones training updates in place."""
        self._own_parameters()
        return by_name(self.weights, self.biases)

    def save(self, path: str | os.PathLike) -> None:
        """Write the network to ``path`` as JSON, atomically; read it back with ``network.load``.
        It is checked first (shapes, finite numbers): what save writes, load reads."""
        self._own_parameters()
        save(self, path)

    def _file_header(self) -> dict:
        return dict(sizes=list(self.sizes), cost=self.cost.name, activation=self.activation.name, init=self.init,
                    dtype=self.dtype.name)

    def _file_arrays(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return self.weights, self.biases

    def _load_arrays(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        self.weights, self.biases = weights, biases
        self._own_parameters()
