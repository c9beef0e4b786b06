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
import stat
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
CLASSES = ("Network", "MatrixNetwork")  # and ConvNetwork, read by conv_network.from_dict
MAX_FILE_BYTES = 256 * 2**20  # [784, 1000, 1000, 10] in JSON is about 40 MB


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
    write_json(to_dict(net), path)


def write_json(data: dict[str, Any], path: str | os.PathLike) -> None:
    """Write a network file's contents, atomically."""
    text = json.dumps(data, allow_nan=False)
    write_atomic(path, lambda f: f.write(text), mode="w")


def read_json(path: str | os.PathLike) -> Any:
    """The JSON in a network file, read within bounds: a regular file of at most
    ``MAX_FILE_BYTES``; JSON nested too deeply, an integer too long to parse or any other fault
    is a NetworkFileError naming the file."""
    info = os.stat(path)                         # before opening: opening a pipe would wait for a writer
    if not stat.S_ISREG(info.st_mode):
        raise NetworkFileError(f"{path}: not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise NetworkFileError(f"{path}: {info.st_size} bytes, more than the {MAX_FILE_BYTES // 2**20} MiB "
                               f"a network file may have")
    with open(path, "rb") as f:
        text = f.read(MAX_FILE_BYTES + 1)
    if len(text) > MAX_FILE_BYTES:
        raise NetworkFileError(f"{path}: more than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        data = json.loads(text.decode("utf-8"))
    except RecursionError:
        raise NetworkFileError(f"{path}: not a network file (JSON nested too deeply)") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, or an integer of 5,000 digits
        raise NetworkFileError(f"{path}: not a JSON network file ({exc})") from None
    return data


def checked_array(values: Any, shape: tuple[int, ...], what: str, fail) -> np.ndarray:
    """A float64 array of ``shape`` (one or two axes) from nested lists, their lengths checked
    before anything is made; ``fail(message)`` makes the error."""
    rows, cols = shape if len(shape) == 2 else (shape[0], None)
    if not isinstance(values, list) or len(values) != rows or (cols is not None and not all(
            isinstance(r, list) and len(r) == cols for r in values)):
        raise fail(f"{what} is not {rows} rows of {cols} numbers, as the layer sizes need" if cols is not None
                   else f"{what} is not a list of {rows} numbers, as the layer sizes need")
    try:
        a = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise fail(f"{what} holds something that is not a number") from None
    if a.shape != shape:
        raise fail(f"{what} has shape {a.shape}, sizes need {shape}")
    if not np.isfinite(a).all():
        raise fail(f"{what} contains non-finite values")
    return a


def check_header(data: Any, source: str) -> None:
    """A network file is a JSON object of this library's format and version."""
    if not isinstance(data, dict):
        raise NetworkFileError(f"{source}: expected a JSON object, got {type(data).__name__}")
    for key in ("format", "format_version", "class"):
        if key not in data:
            raise NetworkFileError(f"{source}: missing key {key!r}")
    if data["format"] != FORMAT:
        raise NetworkFileError(f"{source}: format is {data['format']!r}, expected {FORMAT!r}")
    if data["format_version"] != FORMAT_VERSION or isinstance(data["format_version"], bool):
        raise NetworkFileError(f"{source}: format_version {data['format_version']!r} is not supported "
                               f"(this library reads {FORMAT_VERSION})")


def parse(data: Any, source: str = "<dict>") -> dict[str, Any]:
    """Check the contents of a network file; return its class name, ``sizes``, the options
    (cost, activation, init, dtype) and the weights and biases as float64 arrays. Every field's
    type and every array's shape is checked before any array is made."""
    def fail(msg: str) -> NetworkFileError:
        return NetworkFileError(f"{source}: {msg}")

    check_header(data, source)
    for key in REQUIRED:
        if key not in data:
            raise fail(f"missing key {key!r}")
    names = {key: data.get(key, default) for key, default in
             (("class", None), ("cost", "quadratic"), ("activation", "sigmoid"),
              ("init", "large"), ("dtype", "float64"))}
    for key, value in names.items():
        if not isinstance(value, str):
            raise fail(f"{key} must be a string, got {type(value).__name__}")
    if not isinstance(data["sizes"], list):
        raise fail(f"sizes must be a list of layer sizes, got {type(data['sizes']).__name__}")
    try:
        sizes = check_sizes(data["sizes"])
    except ValueError as exc:
        raise fail(str(exc)) from None
    cls_name, cost, activation, init, dtype = (names[k] for k in ("class", "cost", "activation", "init", "dtype"))
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
        params[kind] = [checked_array(v, shape_of(i), f"{kind}[{i}]", fail) for i, v in enumerate(values)]
    return dict(cls=cls_name, sizes=sizes, cost=cost, activation=activation, init=init, dtype=dtype, **params)
