"""The network file: JSON, as ``network2.py`` writes it, but written atomically and read within bounds.

One layout for every network: a header, then the arrays, in Nielsen's words::

    {"format": "nielsen-backprop network", "format_version": 2, "class": "MatrixNetwork",
     "sizes": [784, 30, 10], "cost": ..., "activation": ..., "init": ..., "dtype": "float64",
     "weights": [[[...], ...], ...], "biases": [[[...], ...], ...]}

The header says what the arrays must be: ``sizes`` (Network, MatrixNetwork, TwoLayerNet) or the
``layers``' descriptions (ConvNetwork). Floats are written with Python's shortest round-trip repr,
so a loaded network computes bit-identical outputs.

Reading a file from elsewhere is bounded before the work: a regular file of ASCII (no byte-order
mark) of at most ``MAX_FILE_BYTES``, the one size limit: ``MAX_PARAMETERS`` is derived from it, so
that whatever ``save`` writes (it checks the network by the same rules first), ``load`` reads. The
header is read first, and before the arrays are read the rest of the file must fit what the
declared arrays could need; the arrays are then parsed row by row into their numpy arrays, so a
load takes about the file's size and its arrays' (never a Python float per number). A key may not
appear twice in any object. What the declared network costs to run per sample (activations,
FLOPs: ``limits.py``) is bounded before its arrays are read; after, its outputs must be finite for
every input in [0, 1]. Every field's type, every shape and every value (finite in the file's
dtype) is checked; any fault is a ``NetworkFileError`` naming the file.
"""
from __future__ import annotations

import json
import os
import re
import stat
from typing import Any, Callable

import numpy as np

from .activations import HIDDEN_ACTIVATIONS
from .atomic import write_atomic
from .costs import COSTS
from .initialization import INITS
from .limits import check_run_cost
from .validation import check_real, short as _short

FORMAT = "nielsen-backprop network"
FORMAT_VERSION = 2          # 2: every class as header + weights + biases; Network/MatrixNetwork files of 1 are read too
MAX_FILE_BYTES = 256 * 2**20  # the one size limit; what save may write follows from it:
HEADER_BYTES = 64 * 2**10     # a header longer than this is refused: the largest valid one is a few KiB
WRITTEN_PER_NUMBER = 26       # the longest repr of a float64 (24 characters, as -2.2250738585072014e-308) and ", "
WRITTEN_PER_ROW = 4           # a row's "[", "]" and ", " (a row holds at least one number)
MAX_PARAMETERS = (MAX_FILE_BYTES - HEADER_BYTES) // (WRITTEN_PER_NUMBER + WRITTEN_PER_ROW)
                              # numbers a file may declare (8.9 million): whatever save writes, load reads
MAX_SIZE = 100_000            # the largest layer size, filter count or image side a file may declare
BYTES_PER_NUMBER = 32         # what load allows a number (a file written by hand may have more spaces)
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
    _check_outputs_finite(header, weights, biases, fail)
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

    data = _read_bytes(path, fail)
    try:
        header, arrays = _scan(data, fail)
    except MemoryError:
        raise fail("too large to read in the memory available") from None
    except RecursionError:
        raise fail("not a network file (JSON nested too deeply)") from None
    del data                                      # the file's text: gone before anything more is made
    _check_outputs_finite(header, arrays["weights"], arrays["biases"], fail)
    return header, arrays["weights"], arrays["biases"]


def _read_bytes(path, fail) -> bytes:
    """The file's bytes, read within bounds: a regular file of at most ``MAX_FILE_BYTES``; when
    it is longer than a header, the header is read first, and the rest only if it is no larger
    than the arrays the header declares could need. Only ASCII, as ``save`` writes it."""
    try:
        info = os.stat(path)                         # before opening: opening a pipe would wait for a writer
        if not stat.S_ISREG(info.st_mode):
            raise fail("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise fail(f"{info.st_size} bytes, more than the {MAX_FILE_BYTES // 2**20} MiB a network file may have")
        with open(path, "rb") as f:
            head = f.read(HEADER_BYTES)
            _check_ascii(head, fail)
            if len(head) == HEADER_BYTES:              # the rest's size, before it is read
                _check_header_first(head, info.st_size, fail)
            f.seek(0)
            data = f.read(MAX_FILE_BYTES + 1)              # one buffer: head + rest would be two
    except OSError as exc:
        raise fail(f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"more than {MAX_FILE_BYTES // 2**20} MiB")
    _check_ascii(data, fail)
    return data


def _check_ascii(data: bytes, fail) -> None:
    """A network file is plain ASCII JSON (save writes every string escaped): no byte-order mark,
    no other bytes, so positions in the bytes are positions in the text."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise fail("starts with a byte-order mark (BOM): a network file is plain ASCII JSON, save it without one")
    if not data.isascii():
        at = next(i for i, b in enumerate(data) if b > 127)
        raise fail(f"not a JSON network file (byte {at} is {data[at]:#04x}, not ASCII, which is all a network file holds)")


def _check_header_first(head: bytes, size: int, fail) -> None:
    """Of a file longer than ``HEADER_BYTES``: its header, from the first ``HEADER_BYTES``, must
    declare arrays that could need the whole rest of the file (its ``size``); nothing more is
    read otherwise."""
    try:
        _scan(head, fail, header_only=True, file_size=size)
    except NetworkFileError as exc:
        if "(the header ends at" in str(exc):
            raise fail(f"no arrays in its first {HEADER_BYTES // 2**10} KiB: a network file's header is shorter") from None
        raise
    except RecursionError:
        raise fail("not a network file (JSON nested too deeply)") from None


_WHITESPACE = re.compile(rb"[ \t\n\r]*")


def _skip(data: bytes, pos: int) -> int:
    return _WHITESPACE.match(data, pos).end()


class _Duplicate(ValueError):
    """A key that appears twice in one JSON object."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise _Duplicate(k)
    return dict(pairs)


def _scan(data: bytes, fail, header_only: bool = False, file_size: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """The top-level object, key by key: the header's small values as they come (no key twice,
    at any depth); the arrays ("weights", "biases") only after the header has declared them, and
    only if the rest of the file fits what they could need, row by row into their arrays.
    ``header_only``: ``data`` is the start of a file of ``file_size`` bytes; stop at the first
    array, once the rest is found to fit."""
    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates)

    def value_at(pos: int, what: str) -> tuple[Any, int]:
        window = data[pos:pos + HEADER_BYTES].decode("ascii")        # a header value is shorter
        try:
            value, end = decoder.raw_decode(window)
        except _Duplicate as exc:
            raise fail(f"key {str(exc)!r} appears twice in one object of {what}") from None
        except ValueError as exc:                    # JSONDecodeError, or an integer of 5,000 digits
            if header_only:
                raise fail(f"not a JSON network file (the header ends at {pos})") from None
            raise fail(f"not a JSON network file ({exc}, after character {pos})") from None
        return value, pos + end

    pos = _skip(data, 0)
    if not data.startswith(b"{", pos):                # named by its first character: nothing is parsed
        first = data[pos:pos + 1].decode("ascii")
        kind = {"[": "a JSON array", '"': "a JSON string", "t": "true", "f": "false", "n": "null"}.get(
            first, "a number" if first and first in "-0123456789" else "")
        raise fail(f"expected a JSON object, got {kind}" if kind else "not a JSON network file (no JSON object)")
    header: dict[str, Any] = {}
    arrays: dict[str, Any] = {}
    pos = _skip(data, pos + 1)
    while not data.startswith(b"}", pos):
        key, pos = value_at(pos, "the file")
        if not isinstance(key, str):
            raise fail("not a JSON network file (an object key is not a string)")
        pos = _skip(data, pos)
        if not data.startswith(b":", pos):
            raise fail(f"not a JSON network file (':' expected at character {pos})")
        pos = _skip(data, pos + 1)
        if key in header or key in arrays:
            raise fail(f"key {key!r} appears twice")
        if key in ("weights", "biases"):
            shapes = declared_shapes(header, "", fail)
            _check_room((file_size if header_only else len(data)) - pos, shapes, key, fail)
            if header_only:
                return header, arrays
            arrays[key], pos = _arrays_at(data, pos, [s[key == "biases"] for s in shapes], key, header["dtype"], fail)
        elif key in HEADER_KEYS.get(header.get("class"), COMMON_KEYS) or key in COMMON_KEYS:
            header[key], pos = value_at(pos, repr(key))
            if key in COMMON_KEYS:
                _check_common(header, key, fail)
        else:
            raise fail(f"unexpected key {key!r}" + ("" if "class" in header else " before 'class'"))
        pos = _skip(data, pos)
        if data.startswith(b",", pos):
            pos = _skip(data, pos + 1)
        elif not data.startswith(b"}", pos):
            if header_only and pos >= len(data):
                raise fail(f"not a JSON network file (the header ends at {pos})")
            raise fail(f"not a JSON network file (',' or '}}' expected at character {pos})")
    if _skip(data, pos + 1) != len(data):
        raise fail("not a JSON network file (extra data after the object)")
    for key in ("format", "format_version", "class", "weights", "biases"):
        if key not in header and key not in arrays:
            raise fail(f"missing key {key!r}")
    return header, arrays


def _check_room(rest: int, shapes: list[tuple[tuple, tuple]], key: str, fail) -> None:
    """Before the arrays are read: the ``rest`` of the file is no larger than the declared arrays
    (both kinds, with their rows) could need, written at up to ``BYTES_PER_NUMBER`` a number."""
    numbers = sum(int(np.prod(w)) + int(np.prod(b)) for w, b in shapes)
    rows = sum((w[0] if len(w) > 1 else 0) + (b[0] if len(b) > 1 else 0) for w, b in shapes) + 2 * len(shapes) + 2
    if rest > BYTES_PER_NUMBER * numbers + 4 * rows + 4096:
        raise fail(f"{rest:,} bytes of {key} and more: more than the {numbers:,} numbers its header declares could need")


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
    try:                                  # what it costs to run, per sample: activations, FLOPs (limits.py)
        check_run_cost(header["layers"] if cls == "ConvNetwork" else
                       [dict(n_in=a, n_out=b) for a, b in zip(header["sizes"], header["sizes"][1:])])
    except ValueError as exc:
        raise fail(str(exc)) from None
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
def _arrays_at(data: bytes, pos: int, shapes: list[tuple], kind: str, dtype: str, fail) -> tuple[list[np.ndarray], int]:
    """The list of ``len(shapes)`` arrays at ``pos``, and the position after it."""
    def expect(pos: int, char: bytes) -> int:
        pos = _skip(data, pos)
        if not data.startswith(char, pos):
            raise fail(f"{kind} must be a list of {len(shapes)} arrays")
        return pos + 1

    pos, found = expect(pos, b"["), []
    for i, shape in enumerate(shapes):
        if i:
            pos = expect(pos, b",")
        a, pos = _array_at(data, pos, shape, f"{kind}[{i}]", kind, dtype, fail)
        found.append(a)
    return found, expect(pos, b"]")


def _array_at(data: bytes, pos: int, shape: tuple, what: str, kind: str, dtype: str, fail) -> tuple[np.ndarray, int]:
    """An array of ``shape`` and ``dtype`` read row by row (the parser never holds more than one
    row's numbers), every value a finite number in ``dtype``; and the position after it."""
    rows, cols = shape if len(shape) == 2 else (1, shape[0])
    wrong = fail(f"{what} is not {rows} rows of {cols} numbers, as the header's sizes need" if len(shape) == 2
                 else f"{what} is not a list of {cols} numbers, as the header's sizes need")
    a = np.empty((rows, cols), np.float64)

    def row_at(pos: int, i: int) -> int:
        pos = _skip(data, pos)
        if not data.startswith(b"[", pos):
            raise wrong
        end = data.find(b"]", pos, pos + BYTES_PER_NUMBER * cols + 64)
        if end < 0 and data.find(b"]", pos) >= 0:
            raise fail(f"{what}'s row {i} is longer than {cols} numbers can be")
        if end < 0 or data.find(b"[", pos + 1, end) >= 0:
            raise wrong                              # no row, or lists in it
        chunk = data[pos:end + 1]
        if any(c in chunk for c in (b'"', b"t", b"f", b"n", b"{")):    # a string, true, false, null, an object
            raise fail(f"{kind} hold something that is not a number")
        try:
            values = json.loads(chunk)
        except ValueError as exc:                    # not JSON, or an integer of 5,000 digits
            raise fail(f"not a JSON network file ({what}: {exc})") from None
        if len(values) != cols:
            raise wrong
        try:
            a[i] = values
        except (TypeError, ValueError, OverflowError):
            raise fail(f"{what} holds something that is not a number (or a number too large)") from None
        return end + 1

    if len(shape) == 1:
        pos = row_at(pos, 0)
    else:
        pos = _skip(data, pos)
        if not data.startswith(b"[", pos):
            raise wrong
        pos += 1
        for i in range(rows):
            if i:
                pos = _skip(data, pos)
                if not data.startswith(b",", pos):
                    raise wrong
                pos += 1
            pos = row_at(pos, i)
        pos = _skip(data, pos)
        if not data.startswith(b"]", pos):
            raise wrong
        pos += 1
    with np.errstate(over="ignore"):
        a = a.reshape(shape).astype(dtype, copy=False)
    if not np.isfinite(a).all():
        raise fail(f"{what} holds values that are not finite numbers in {dtype} (nan, inf, or too large)")
    return a, pos


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


def _check_outputs_finite(header: dict[str, Any], weights: list, biases: list, fail) -> None:
    """Every output is a number, for every input in [0, 1] (MNIST's pixels): finite weights of
    +-1e308 would make inf - inf = nan of any digit. A bound on each layer's weighted inputs,
    |z| <= max over units of sum |w| * B + max |b| (B the bound on its inputs: 1 for pixels and after
    sigmoid, tanh and softmax, |z|'s bound after relu; a max-pool keeps it), must be finite in the
    file's dtype with a factor 4 to spare."""
    cls = header["class"]
    if cls == "ConvNetwork":
        fns = [d.get("activation_fn", "softmax") for d in header["layers"]]
    elif cls == "TwoLayerNet":
        fns = ["relu", "softmax"]
    else:
        fns = [header.get("activation", "sigmoid")] * (len(weights) - 1) + ["sigmoid"]
    axis = 1 if cls in ("Network", "MatrixNetwork") else 0            # w (out, in), or (in, out)
    limit = float(np.finfo(header["dtype"]).max) / 4
    bound = 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        for l, (w, b, fn) in enumerate(zip(weights, biases, fns)):
            w, b = np.asarray(w), np.asarray(b)
            sums = np.zeros(w.shape[1 - axis])
            for k in range(0, w.shape[axis], 1024):      # a block at a time: no copy of the whole array
                block = w[k:k + 1024] if axis == 0 else w[:, k:k + 1024]
                sums += np.abs(block, dtype=np.float64).sum(axis=axis)
            z = float(sums.max()) * bound + float(np.abs(b, dtype=np.float64).max())
            if not z <= limit:
                raise fail(f"layer {l}'s weighted inputs could reach {z:.3g} on inputs in [0, 1], more than "
                           f"{header['dtype']} holds: its outputs would be inf or nan (weights or biases too large)")
            bound = z if fn == "relu" else 1.0
