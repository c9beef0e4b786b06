"""A network's parameters: where they live, by name, and their one check.

Every network keeps its arrays in plain places: ``weights[l]`` and ``biases[l]`` (Network,
MatrixNetwork), ``layers[l].w`` and ``.b`` (ConvNetwork), the affine layers' ``W`` and ``b``
(TwoLayerNet). Training updates them in place, so an array read from ``params`` stays the one
trained. Assigning an array (``net.weights[0] = w``, ``layer.w = w``, ``net.params["w0"] = w``)
shares it: the network trains that very array. ``check_parameters`` checks the arrays, once, at
each public method's door (shape, dtype, finite numbers); ``params`` is a live view whose
assignment checks the array first.
"""
from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Sequence

import numpy as np

from . import files


def by_name(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """Layer-by-layer lists as one dict: w0, b0, w1, b1, ..."""
    named = {}
    for l, (w, b) in enumerate(zip(weights, biases)):
        named[f"w{l}"], named[f"b{l}"] = w, b
    return named


@dataclass(frozen=True)
class Slot:
    """Where one parameter array lives, ``owner.attr`` or ``owner.attr[index]``, and what it must be."""

    name: str                 # its name in ``params``
    label: str                # how messages call it, e.g. "weights[0]" or "layers[1].w"
    owner: Any
    attr: str
    index: Optional[int]
    shape: tuple
    dtype: np.dtype

    def get(self) -> Any:
        value = getattr(self.owner, self.attr)
        return value if self.index is None else value[self.index]

    def put(self, array: np.ndarray) -> None:
        if self.index is None:
            setattr(self.owner, self.attr, array)
        else:
            getattr(self.owner, self.attr)[self.index] = array


def check_array(a: Any, label: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """A parameter array as the network computes with it: a numpy array of ``shape`` and
    ``dtype``, all finite. Raises ValueError naming ``label`` and what is wrong."""
    if not isinstance(a, np.ndarray):
        raise ValueError(f"{label} is a {type(a).__name__}, expected a numpy array of shape {shape}")
    if a.shape != shape:
        raise ValueError(f"{label} has shape {a.shape}, the network's sizes need {shape}")
    if a.dtype != dtype:
        raise ValueError(f"{label} has dtype {a.dtype}, the network computes in {dtype.name} "
                         f"(assign a.astype(np.{dtype.name}), a copy)")
    if not np.isfinite(a).all():
        raise ValueError(f"{label} contains non-finite values (nan or inf)")
    return a


def check_parameters(slots: Sequence[Slot]) -> None:
    """Every parameter array where it lives, checked (``check_array``): the door check."""
    for slot in slots:
        check_array(slot.get(), slot.label, slot.shape, slot.dtype)


def check_lists(owner: Any, counts: int) -> None:
    """``owner.weights`` and ``owner.biases`` are lists of ``counts`` arrays each (Nielsen's layout)."""
    for kind in ("weights", "biases"):
        arrays = getattr(owner, kind)
        if not isinstance(arrays, list):
            raise ValueError(f"{kind} must be a list of {counts} arrays, got {type(arrays).__name__}")
        if len(arrays) != counts:
            raise ValueError(f"{kind}: expected {counts} arrays, got {len(arrays)}")


class ParameterView(MutableMapping):
    """``params``: the network's arrays by name, live. ``params[name]`` is the network's own
    array; ``params[name] = a`` puts ``a`` in its place (shared, not copied), after checking it
    has the shape and dtype that place needs; names are neither added nor removed."""

    def __init__(self, slots: Sequence[Slot]) -> None:
        self._slots = {s.name: s for s in slots}

    def _slot(self, name: str) -> Slot:
        try:
            return self._slots[name]
        except (KeyError, TypeError):
            raise KeyError(f"params has no {name!r}; its names are {', '.join(self._slots)}") from None

    def __getitem__(self, name: str) -> np.ndarray:
        return self._slot(name).get()

    def __setitem__(self, name: str, array: np.ndarray) -> None:
        slot = self._slot(name)
        if array is slot.get():                 # params[k] -= step: the array in place, already there
            return
        slot.put(check_array(array, f"params[{name!r}]", slot.shape, slot.dtype))

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"params' names are fixed by the network: {name!r} cannot be removed")

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    def __repr__(self) -> str:
        return "params(" + ", ".join(f"{n}: {s.shape}" for n, s in self._slots.items()) + ")"


class NielsenParameters:
    """What Network and MatrixNetwork share: ``weights`` and ``biases`` in Nielsen's layout,
    (n_out, n_in) and (n_out, 1) per layer of ``sizes``, plain lists of the network's arrays;
    ``params``; ``save``."""

    sizes: list[int]
    dtype: np.dtype
    weights: list[np.ndarray]
    biases: list[np.ndarray]

    def _slots(self) -> list[Slot]:
        sizes, slots = self.sizes, []
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            slots.append(Slot(f"w{l}", f"weights[{l}]", self, "weights", l, (n_out, n_in), self.dtype))
            slots.append(Slot(f"b{l}", f"biases[{l}]", self, "biases", l, (n_out, 1), self.dtype))
        return slots

    def _check_parameters(self) -> None:
        """The door check of the weights and biases: lists of the right arrays (``check_array``)."""
        check_lists(self, len(self.sizes) - 1)
        check_parameters(self._slots())

    @property
    def params(self) -> ParameterView:
        """The parameter arrays by name (w0, b0, w1, b1, ...): the network's own arrays, the
        ones training updates in place; assigning one shares the array (``ParameterView``)."""
        return ParameterView(self._slots())

    def save(self, path: str | os.PathLike) -> None:
        """Write the network to ``path`` as JSON, atomically; read it back with ``network.load``.
        It is checked first (shapes, finite numbers): what save writes, load reads."""
        files.save(self, path)

    def _file_header(self) -> dict:
        return dict(sizes=list(self.sizes), cost=self.cost.name, activation=self.activation.name, init=self.init,
                    dtype=self.dtype.name)

    def _file_arrays(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return self.weights, self.biases

    def _load_arrays(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        self.weights, self.biases = list(weights), list(biases)
