"""The network file: JSON, as ``network2.py`` writes it, but written atomically and read within bounds.

One layout for every network: a header, then the arrays, in Nielsen's words::

    {"format": "nielsen-backprop network", "format_version": 2, "class": "MatrixNetwork",
     "sizes": [784, 30, 10], "cost": ..., "activation": ..., "init": ..., "dtype": "float64",
     "weights": [[[...], ...], ...], "biases": [[[...], ...], ...]}

The header says what the arrays must be: ``sizes`` (Network, MatrixNetwork, TwoLayerNet) or the
``layers``' descriptions (ConvNetwork). Floats are written with Python's shortest round-trip repr,
so a loaded network computes bit-identical outputs.

Reading a file from elsewhere is bounded before the work: a regular file of at most
``MAX_FILE_BYTES``; the header is read first, and before the arrays are parsed the rest of the
file must fit what the declared arrays could need (at most ``MAX_PARAMETERS`` numbers, a few dozen
bytes each, one bracket pair per row), so the parser never builds more than a small multiple of
the declared arrays. Every field's type, every shape and every value (finite in the file's dtype)
is checked; any fault is a ``NetworkFileError`` naming the file. ``save`` checks the network by
the same rules before it writes: whatever save writes, load reads.
"""
from __future__ import annotations

import json
import os
import stat
from typing import Any, Callable

import numpy as np

from .activations import HIDDEN_ACTIVATIONS
from .atomic import write_atomic
from .costs import COSTS
from .initialization import INITS
from .validation import check_real, short as _short

FORMAT = "nielsen-backprop network"
FORMAT_VERSION = 2          # 2: every class as header + weights + biases; Network/MatrixNetwork files of 1 are read too
MAX_FILE_BYTES = 256 * 2**20
MAX_PARAMETERS = 20_000_000  # numbers a file may declare: chapter 6's largest network has 1.7 million
MAX_SIZE = 100_000           # the largest layer size, filter count or image side a file may declare
BYTES_PER_NUMBER = 32        # the longest float repr (24 characters) and its separator, with room to spare
DTYPES = ("float32", "float64")
LAYER_TYPES = ("ConvPoolLayer", "FullyConnectedLayer", "SoftmaxLayer")


class NetworkFileError(ValueError):
    """A saved network file is not JSON, or misses a key, or has wrong values or shapes."""


# ---------------------------------------------------------------------- writing
def save(net: Any, path: str | os.PathLike) -> None:
    """Write ``net`` to ``path`` as JSON, atomically (temp file, fsync, rename), after checking
    it by the rules ``read`` applies: header fields, shapes, dtype, finite values."""
    header = dict(format=FORMAT, format_version=FORMAT_VERSION, **{"class": type(net).__name__}, **net._file_header())
    weights, biases = net._file_arrays()

    def fail(message: str) -> ValueError:
        return ValueError(f"cannot save this {type(net).__name__}: {message}")

    _check_arrays(weights, biases, declared_shapes(header, "", fail), header["dtype"], fail)
    data = dict(header, weights=[np.asarray(a, np.float64).tolist() for a in weights],
                biases=[np.asarray(a, np.float64).tolist() for a in biases])
    text = json.dumps(data, allow_nan=False)
    write_atomic(path, lambda f: f.write(text), mode="w")


# ---------------------------------------------------------------------- reading
def read(path: str | os.PathLike) -> tuple[dict[str, Any], list[np.ndarray], list[np.ndarray]]:
    """The header, weights and biases of a network file, every field checked (see the module's docstring)."""
    source = str(path)

    def fail(message: str) -> NetworkFileError:
        return NetworkFileError(f"{source}: {message}")

    text = _read_text(path, fail)
    try:
        header, raw = _scan(text, fail)
        shapes = declared_shapes(header, source)
        weights, biases = (_arrays(raw.get(kind), [s[i] for s in shapes], kind, header["dtype"], fail)
                           for i, kind in enumerate(("weights", "biases")))
    except MemoryError:
        raise fail("too large to read in the memory available") from None
    except RecursionError:
        raise fail("not a network file (JSON nested too deeply)") from None
    return header, weights, biases


HEADER_BYTES = 64 * 2**10   # a header longer than this is refused: the largest valid one is a few KiB


def _read_text(path, fail) -> str:
    """The file's text, read within bounds: a regular file of at most ``MAX_FILE_BYTES``; when
    it is longer than a header, the header is read first, and the rest only if it is no larger
    than the arrays the header declares could need."""
    try:
        info = os.stat(path)                         # before opening: opening a pipe would wait for a writer
        if not stat.S_ISREG(info.st_mode):
            raise fail("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise fail(f"{info.st_size} bytes, more than the {MAX_FILE_BYTES // 2**20} MiB a network file may have")
        with open(path, "rb") as f:
            head = f.read(HEADER_BYTES)
            if len(head) == HEADER_BYTES:              # the rest's size, before it is read
                _check_header_first(head.decode("utf-8", errors="replace"), info.st_size, None, fail)
            f.seek(0)
            data = f.read(MAX_FILE_BYTES + 1)              # one buffer: head + rest would be two
    except OSError as exc:
        raise fail(f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"more than {MAX_FILE_BYTES // 2**20} MiB")
    if len(head) == HEADER_BYTES:                      # the rest's lists and commas, before it is decoded
        _check_header_first(head.decode("utf-8", errors="replace"), len(data), data, fail)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"not a JSON network file ({exc})") from None


def _check_header_first(head: str, size: int, data: bytes | None, fail) -> None:
    """Of a file longer than ``HEADER_BYTES``: its header, from the first ``HEADER_BYTES``, must
    declare arrays that could need the whole rest of the file (its ``size``; with the file's
    ``data``, also its lists and commas); nothing more is read or decoded otherwise."""
    try:
        _scan(head, fail, header_only=True, file_size=size, raw=data)
    except NetworkFileError as exc:
        if "(the header ends at" in str(exc):
            raise fail(f"no arrays in its first {HEADER_BYTES // 2**10} KiB: a network file's header is shorter") from None
        raise
    except RecursionError:
        raise fail("not a network file (JSON nested too deeply)") from None


_WHITESPACE = " \t\n\r"


def _scan(text: str, fail, header_only: bool = False, file_size: int = 0,
          raw: bytes | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The top-level object, key by key: the header's small values as they come; the arrays
    ("weights", "biases") only after the header has declared them, and only if the rest of the
    file fits what they could need. ``header_only``: ``text`` is the start of a file of
    ``file_size`` bytes (``raw``, if read); stop at the first array, once the rest is found to fit."""
    decoder = json.JSONDecoder()

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        return pos

    def value_at(pos: int) -> tuple[Any, int]:
        try:
            return decoder.raw_decode(text, pos)
        except ValueError as exc:                    # JSONDecodeError, or an integer of 5,000 digits
            if header_only:
                raise fail(f"not a JSON network file (the header ends at {pos})") from None
            raise fail(f"not a JSON network file ({exc})") from None

    pos = skip(0)
    if not text.startswith("{", pos):                # named by its first character: nothing is parsed
        kind = {"[": "a JSON array", '"': "a JSON string", "t": "true", "f": "false", "n": "null"}.get(
            text[pos:pos + 1], "a number" if text[pos:pos + 1] in "-0123456789" and pos < len(text) else "")
        raise fail(f"expected a JSON object, got {kind}" if kind else "not a JSON network file (no JSON object)")
    header: dict[str, Any] = {}
    arrays: dict[str, Any] = {}
    pos = skip(pos + 1)
    while not text.startswith("}", pos):
        key, pos = value_at(pos)
        if not isinstance(key, str):
            raise fail("not a JSON network file (an object key is not a string)")
        pos = skip(pos)
        if not text.startswith(":", pos):
            raise fail(f"not a JSON network file (':' expected at character {pos})")
        pos = skip(pos + 1)
        if key in header or key in arrays:
            raise fail(f"key {key!r} appears twice")
        if key in ("weights", "biases"):
            shapes = declared_shapes(header, "", fail)
            if header_only:
                at = len(text[:pos].encode())
                _check_room(file_size - at, raw, at, shapes, key, fail)
                return header, arrays
            _check_room(len(text) - pos, text, pos, shapes, key, fail)
            start = pos
            arrays[key], pos = value_at(pos)
            if any(text.count(c, start, pos) for c in '"tfn'):      # a string, true, false or null among them
                raise fail(f"{key} hold something that is not a number")
        elif key in HEADER_KEYS.get(header.get("class"), COMMON_KEYS) or key in COMMON_KEYS:
            header[key], pos = value_at(pos)
            if key in COMMON_KEYS:
                _check_common(header, key, fail)
        else:
            raise fail(f"unexpected key {key!r}" + ("" if "class" in header else " before 'class'"))
        pos = skip(pos)
        if text.startswith(",", pos):
            pos = skip(pos + 1)
        elif not text.startswith("}", pos):
            raise fail(f"not a JSON network file (',' or '}}' expected at character {pos})")
    if skip(pos + 1) != len(text):
        raise fail("not a JSON network file (extra data after the object)")
    for key in ("format", "format_version", "class", "weights", "biases"):
        if key not in header and key not in arrays:
            raise fail(f"missing key {key!r}")
    return header, arrays


def _check_room(rest: int, text: str | bytes | None, pos: int, shapes: list[tuple[tuple, tuple]], key: str,
                fail) -> None:
    """Before the arrays are parsed: the ``rest`` of the file (``text`` from ``pos``, if read) is no
    larger, and has no more brackets and commas, than the declared arrays (both kinds, with their
    rows) could need: the parser's lists never hold more numbers than the header declares."""
    numbers = sum(int(np.prod(w)) + int(np.prod(b)) for w, b in shapes)
    rows = sum((w[0] if len(w) > 1 else 0) + (b[0] if len(b) > 1 else 0) for w, b in shapes) + 2 * len(shapes) + 2
    if rest > BYTES_PER_NUMBER * numbers + 4 * rows + 4096:
        raise fail(f"{rest:,} bytes of {key} and more: more than the {numbers:,} numbers its header declares could need")
    if text is not None:
        def count(c: str) -> int:
            return text.count(c.encode() if isinstance(text, bytes) else c, pos)

        brackets = count("[") + count("{")
        if brackets > rows + 16:
            raise fail(f"{brackets:,} lists and objects where the {numbers:,} numbers its header declares need {rows:,}")
        commas = count(",")
        if commas > numbers + rows + 64:
            raise fail(f"{commas:,} commas where the {numbers:,} numbers its header declares need {numbers + rows:,}")


# ---------------------------------------------------------------------- the header
COMMON_KEYS = ("format", "format_version", "class", "dtype")
HEADER_KEYS = {
    "Network": ("sizes", "cost", "activation", "init"),
    "MatrixNetwork": ("sizes", "cost", "activation", "init"),
    "TwoLayerNet": ("sizes", "weight_init_std"),
    "ConvNetwork": ("mini_batch_size", "init", "layers"),
}


def _check_common(header: dict[str, Any], key: str, fail) -> None:
    value = header[key]
    if key == "format" and value != FORMAT:
        raise fail(f"format is {value!r}, expected {FORMAT!r}")
    if key == "format_version" and (isinstance(value, bool) or value not in (1, FORMAT_VERSION)):
        raise fail(f"format_version {value!r} is not supported (this library reads 1 and {FORMAT_VERSION})")
    if key == "class" and (not isinstance(value, str) or value not in HEADER_KEYS):
        raise fail(f"unknown class {value!r}; expected one of {', '.join(HEADER_KEYS)}")
    if key == "dtype" and (not isinstance(value, str) or value not in DTYPES):
        raise fail(f"dtype {value!r} must be float32 or float64")


def declared_shapes(header: dict[str, Any], source: str, fail: Callable | None = None) -> list[tuple[tuple, tuple]]:
    """The (weight shape, bias shape) of every layer, from a checked header; fills in the
    defaults of a format-1 file. Raises NetworkFileError naming what is wrong."""
    if fail is None:
        def fail(message: str) -> NetworkFileError:
            return NetworkFileError(f"{source}: {message}")
    for key in ("format", "format_version", "class"):
        if key not in header:
            raise fail(f"missing key {key!r}" + (" before the arrays" if key != "format" else ""))
        _check_common(header, key, fail)
    cls = header["class"]
    if header["format_version"] == 1 and cls not in ("Network", "MatrixNetwork"):
        raise fail(f"a {cls} file of format_version 1 is not read: save it again with this version")
    defaults = dict(dtype="float64", cost="quadratic", activation="sigmoid", init="large") \
        if header["format_version"] == 1 else {}
    for key, value in defaults.items():
        header.setdefault(key, value)
    for key in ("dtype",) + HEADER_KEYS[cls]:
        if key not in header:
            raise fail(f"missing key {key!r} (the header comes before the arrays)")
    _check_common(header, "dtype", fail)
    if cls == "ConvNetwork":
        shapes = _conv_shapes(header, fail)
    else:
        sizes = header["sizes"]
        if not isinstance(sizes, list) or not all(_is_int(n, 1, MAX_SIZE) for n in sizes) or len(sizes) < 2:
            raise fail(f"sizes must be a list of at least 2 layer sizes from 1 to {MAX_SIZE}, got {_short(sizes)}")
        if cls == "TwoLayerNet":
            if len(sizes) != 3:
                raise fail(f"a TwoLayerNet has sizes [input, hidden, output], got {sizes}")
            try:
                check_real(header["weight_init_std"], "weight_init_std", "a finite number > 0", lambda v: v > 0)
            except ValueError as exc:
                raise fail(str(exc)) from None
            shapes = [((a, b), (b,)) for a, b in zip(sizes[:-1], sizes[1:])]
        else:
            _check_names(header, fail)
            shapes = [((b, a), (b, 1)) for a, b in zip(sizes[:-1], sizes[1:])]
    numbers = sum(int(np.prod(w)) + int(np.prod(b)) for w, b in shapes)
    if numbers > MAX_PARAMETERS:
        raise fail(f"declares {numbers:,} parameters, more than the {MAX_PARAMETERS:,} a network file may have")
    return shapes


def _check_names(header: dict[str, Any], fail) -> None:
    for key, known in (("cost", COSTS), ("activation", HIDDEN_ACTIVATIONS), ("init", INITS)):
        if not isinstance(header[key], str) or header[key] not in known:
            raise fail(f"unknown {key} {_short(header[key])}; expected one of {sorted(known)}")
    if header["class"] == "Network" and (header["cost"], header["activation"], header["init"], header["dtype"]) != \
            ("quadratic", "sigmoid", "large", "float64"):
        raise fail("a per-sample Network is quadratic, sigmoid, large init and float64")


def _conv_shapes(header: dict[str, Any], fail) -> list[tuple[tuple, tuple]]:
    if header["init"] not in ("network3", "he"):
        raise fail(f"init must be 'network3' or 'he', got {_short(header['init'])}")
    if not _is_int(header["mini_batch_size"], 1, MAX_SIZE):
        raise fail(f"mini_batch_size must be an integer from 1 to {MAX_SIZE}, got {_short(header['mini_batch_size'])}")
    layers = header["layers"]
    if not isinstance(layers, list) or not layers or len(layers) > 100:
        raise fail("layers must be a list of 1 to 100 layer descriptions")
    shapes = []
    for i, d in enumerate(layers):
        where = f"layers[{i}]"
        if not isinstance(d, dict) or not isinstance(d.get("type"), str) or d["type"] not in LAYER_TYPES:
            raise fail(f"{where} must be an object whose type is one of {', '.join(LAYER_TYPES)}")
        keys = {"ConvPoolLayer": ("filter_shape", "image_shape", "poolsize", "activation_fn"),
                "FullyConnectedLayer": ("n_in", "n_out", "p_dropout", "activation_fn"),
                "SoftmaxLayer": ("n_in", "n_out", "p_dropout")}[d["type"]]
        if set(d) != {"type", *keys}:
            raise fail(f"{where} ({d['type']}) must have exactly the keys {', '.join(keys)}, got {', '.join(sorted(d))}")
        for key in keys:
            value = d[key]
            ok = {"filter_shape": lambda v: _ints(v, 4), "image_shape": lambda v: _ints(v, 3),
                  "poolsize": lambda v: _ints(v, 2), "n_in": lambda v: _is_int(v, 1, MAX_SIZE),
                  "n_out": lambda v: _is_int(v, 1, MAX_SIZE),
                  "p_dropout": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1,
                  "activation_fn": lambda v: isinstance(v, str) and v in HIDDEN_ACTIVATIONS}[key](value)
            if not ok:
                raise fail(f"{where}.{key} is not valid: {_short(value)}")
        if d["type"] == "ConvPoolLayer":
            f, c, kh, kw = d["filter_shape"]
            shapes.append(((c * kh * kw, f), (f,)))
        else:
            shapes.append(((d["n_in"], d["n_out"]), (d["n_out"],)))
    return shapes


def _is_int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _ints(values: Any, n: int) -> bool:
    return isinstance(values, list) and len(values) == n and all(_is_int(v, 1, MAX_SIZE) for v in values)


# ---------------------------------------------------------------------- the arrays
def _arrays(values: Any, shapes: list[tuple], kind: str, dtype: str, fail) -> list[np.ndarray]:
    if not isinstance(values, list) or len(values) != len(shapes):
        raise fail(f"{kind} must be a list of {len(shapes)} arrays")
    return [_array(v, shape, f"{kind}[{i}]", dtype, fail) for i, (v, shape) in enumerate(zip(values, shapes))]


def _array(values: Any, shape: tuple, what: str, dtype: str, fail) -> np.ndarray:
    """An array of ``shape`` and ``dtype`` from nested lists, their lengths checked before
    anything is made; every value a finite number in ``dtype``."""
    rows, cols = shape if len(shape) == 2 else (shape[0], None)
    if not isinstance(values, list) or len(values) != rows or (cols is not None and not all(
            isinstance(r, list) and len(r) == cols for r in values)):
        raise fail(f"{what} is not {rows} rows of {cols} numbers, as the header's sizes need" if cols is not None
                   else f"{what} is not a list of {rows} numbers, as the header's sizes need")
    try:
        a = np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise fail(f"{what} holds something that is not a number (or a number too large)") from None
    if a.shape != shape:
        raise fail(f"{what} has shape {a.shape}, the header's sizes need {shape}")
    with np.errstate(over="ignore"):
        a = a.astype(dtype)
    if not np.isfinite(a).all():
        raise fail(f"{what} holds values that are not finite numbers in {dtype} (nan, inf, or too large)")
    return a


def _check_arrays(weights, biases, shapes, dtype: str, fail) -> None:
    """What ``save`` is about to write fits its header: shapes, real numbers, finite in ``dtype``."""
    for kind, arrays, i in (("weights", weights, 0), ("biases", biases, 1)):
        if len(arrays) != len(shapes):
            raise fail(f"{kind}: {len(arrays)} arrays where the sizes need {len(shapes)}")
        for l, (a, s) in enumerate(zip(arrays, shapes)):
            a = np.asarray(a)
            if a.dtype.kind not in "fiu" or a.shape != s[i]:
                raise fail(f"{kind}[{l}] has shape {a.shape} and dtype {a.dtype}; the sizes need {s[i]} of real numbers")
            with np.errstate(over="ignore"):
                if not np.isfinite(a.astype(dtype)).all():
                    raise fail(f"{kind}[{l}] holds values that are not finite in {dtype} (nan, inf, or too large)")
