"""The network file: JSON, as ``network2.py`` writes it, but written atomically and read validated.

``save`` writes any network that has ``sizes``, ``weights``, ``biases``, ``cost``,
``activation``, ``init`` and ``dtype``; ``parse`` checks a file's contents without building
anything; ``network.load`` (loading.py) builds the network. The file holds the format version, the class, sizes, cost, activation, init and dtype, and the
weights and biases in Nielsen's layout. Floats are written with Python's shortest round-trip
repr, so a loaded network computes bit-identical outputs. Saving writes a temp file, fsyncs it
and renames it over the target: a crash leaves either the old file or the new one, never half.
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .activations import HIDDEN_ACTIVATIONS
from .atomic import write_atomic
from .costs import COSTS
from .initialization import INITS
from .validation import check_sizes

FORMAT = "nielsen-backprop network"
FORMAT_VERSION = 1
REQUIRED = ("format", "format_version", "class", "sizes", "weights", "biases")
CLASSES = ("Network", "MatrixNetwork")


class NetworkFileError(ValueError):
    """A saved network file is not JSON, or misses a key, or has wrong values or shapes."""


def to_dict(net) -> dict[str, Any]:
    data = {"format": FORMAT, "format_version": FORMAT_VERSION, "class": type(net).__name__,
            "sizes": list(net.sizes), "cost": net.cost.name, "activation": net.activation.name,
            "init": net.init, "dtype": net.dtype.name}
    for kind in ("weights", "biases"):
        arrays = getattr(net, kind)
        if not all(np.isfinite(a).all() for a in arrays):
            raise ValueError(f"cannot save: the network's {kind} contain non-finite values")
        data[kind] = [np.asarray(a, dtype=np.float64).tolist() for a in arrays]
    return data


def save(net, path: str | os.PathLike) -> None:
    """Write ``net`` to ``path`` as JSON, atomically (temp file, fsync, rename)."""
    text = json.dumps(to_dict(net), allow_nan=False)
    write_atomic(path, lambda f: f.write(text), mode="w")


def read(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check a network file; return ``parse``'s description of it."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise NetworkFileError(f"{path}: not a JSON network file ({exc})") from None
    return parse(data, str(path))


def parse(data: Any, source: str = "<dict>") -> dict[str, Any]:
    """Check the contents of a network file; return its class name, ``sizes``, the options
    (cost, activation, init, dtype) and the weights and biases as float64 arrays."""
    def fail(msg: str) -> NetworkFileError:
        return NetworkFileError(f"{source}: {msg}")

    if not isinstance(data, dict):
        raise fail(f"expected a JSON object, got {type(data).__name__}")
    for key in REQUIRED:
        if key not in data:
            raise fail(f"missing key {key!r}")
    if data["format"] != FORMAT:
        raise fail(f"format is {data['format']!r}, expected {FORMAT!r}")
    if data["format_version"] != FORMAT_VERSION:
        raise fail(f"format_version {data['format_version']!r} is not supported (this library reads {FORMAT_VERSION})")
    try:
        sizes = check_sizes(data["sizes"])
    except ValueError as exc:
        raise fail(str(exc)) from None
    cls_name = data["class"]
    cost, activation = data.get("cost", "quadratic"), data.get("activation", "sigmoid")
    init, dtype = data.get("init", "large"), data.get("dtype", "float64")
    if cost not in COSTS:
        raise fail(f"unknown cost {cost!r}; expected one of {sorted(COSTS)}")
    if activation not in HIDDEN_ACTIVATIONS:
        raise fail(f"unknown activation {activation!r}; expected one of {sorted(HIDDEN_ACTIVATIONS)}")
    if init not in INITS:
        raise fail(f"unknown init {init!r}; expected one of {list(INITS)}")
    if dtype not in ("float32", "float64"):
        raise fail(f"dtype {dtype!r} must be float32 or float64")
    if cls_name not in CLASSES:
        raise fail(f"unknown class {cls_name!r}; expected one of {', '.join(CLASSES)}")
    if cls_name == "Network" and (cost, activation, init, dtype) != ("quadratic", "sigmoid", "large", "float64"):
        raise fail("a per-sample Network is quadratic, sigmoid, large init and float64")
    params = {}
    for kind, shape_of in (("weights", lambda i: (sizes[i + 1], sizes[i])), ("biases", lambda i: (sizes[i + 1], 1))):
        values = data[kind]
        if not isinstance(values, list) or len(values) != len(sizes) - 1:
            raise fail(f"{kind} must be a list of {len(sizes) - 1} arrays")
        arrays = []
        for i, v in enumerate(values):
            try:
                a = np.array(v, dtype=np.float64)
            except (TypeError, ValueError):
                raise fail(f"{kind}[{i}] is not a rectangular array of numbers") from None
            if a.shape != shape_of(i):
                raise fail(f"{kind}[{i}] has shape {a.shape}, sizes {sizes} need {shape_of(i)}")
            if not np.isfinite(a).all():
                raise fail(f"{kind}[{i}] contains non-finite values")
            arrays.append(a)
        params[kind] = arrays
    return dict(cls=cls_name, sizes=sizes, cost=cost, activation=activation, init=init, dtype=dtype, **params)
