"""Reading pickles without running their code, in bounded memory.

A pickle can name any importable callable and have it called on load (``os.system`` is the
classic). A dataset of numpy arrays needs only numpy's array reconstructors, the dtype type and,
in protocols 0-2, ``_codecs.encode`` (how Python 3 writes bytes there). ``RestrictedUnpickler``
resolves those to checked stand-ins and refuses every other name before it is looked up, so a
malicious payload never runs. The stand-ins refuse what a forged file could use to make memory
out of nothing: the ``ndarray`` constructor called on a small buffer with zero strides, object
or structured dtypes, and array states whose data is not exactly as long as their shape says.

Every read goes through a ``LimitedReader``: a pickle that asks for more bytes than the budget
left (a gzip bomb, or a length field of 4 GB) is refused before anything of that size is made,
also by the opcodes that allocate before they read (BYTEARRAY8). What the opcodes build is
bounded too: at most ``MAX_OPCODES`` opcodes run (the dataset needs about 60), the stack (with
what MARK sets aside) and the memo hold at most ``MAX_ITEMS`` entries, the arrays and bytes the
stand-ins make add up to at most the stream's budget (so one memoised buffer turned into arrays
again and again is refused), and the whole load stops after ``MAX_SECONDS``. In all, a load holds
at most about twice the budget: what it read, and what it made of it.
"""
from __future__ import annotations

import codecs
import io
import math
import pickle
import struct
import time
from typing import Any, BinaryIO

import numpy as np

from .errors import DatasetError, UnsafePickleError

# The real dataset unpickles from about 220 MB; Nielsen's Python 2 file is about the same.
MAX_PICKLE_BYTES = 320 * 2**20
# dtypes an image or label array can have: booleans, integers, floats
ARRAY_KINDS = "biuf"
# what the opcodes may build: the dataset is about 60 opcodes, a handful of stack and memo entries
MAX_OPCODES = 10_000
MAX_ITEMS = 1_000
MAX_SECONDS = 60.0


class LimitedReader:
    """A read-only stream over ``raw`` that refuses to deliver more than ``limit`` bytes in all.

    A request larger than what is left of the budget is refused *before* it is read, so no
    buffer of that size is made.
    """

    def __init__(self, raw: BinaryIO, limit: int, source: str) -> None:
        self.raw, self.left, self.source, self.limit = raw, limit, source, limit

    def _take(self, n: int) -> None:
        if n > self.left:
            raise DatasetError(f"{self.source}: holds more than {self.limit / 2**20:.0f} MiB of data once "
                               f"decompressed, far more than MNIST needs (a corrupt or hostile file)")
        self.left -= n

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:  # to the end, but never past the budget
            data = self.raw.read(self.left + 1)
            self._take(len(data))
            return data
        self._take(n)
        data = self.raw.read(n)
        self.left += n - len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        line = self.raw.readline(self.left + 1 if size is None or size < 0 else min(size, self.left + 1))
        self._take(len(line))
        return line


def _refuse(source: str, what: str) -> UnsafePickleError:
    return UnsafePickleError(f"{source}: refused to load: {what} (possibly malicious; nothing was run)")


class _ArrayBuilder:
    """What ``_reconstruct`` returns: an empty array-to-be, made real by ``__setstate__`` once
    the state (shape, dtype, data) has been checked."""

    def __init__(self, unpickler: "RestrictedUnpickler") -> None:
        self.unpickler, self.source, self.array = unpickler, unpickler.source, None

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise _refuse(self.source, "an array state that is not numpy's (shape, dtype, order, data)")
        shape, dtype, _, data = state[-4:]
        if isinstance(data, str):  # a Python 2 pickle's str, read as latin1
            data = data.encode("latin1")
        _check_array(self.source, shape, dtype, data)
        self.unpickler._make(memoryview(data).nbytes)
        array = np.ndarray.__new__(np.ndarray, (0,), np.uint8)
        array.__setstate__(state[:-1] + (data,))
        self.array = array


def _check_dtype(source: str, dtype: Any) -> np.dtype:
    if not isinstance(dtype, np.dtype) or dtype.kind not in ARRAY_KINDS or dtype.hasobject or dtype.fields:
        raise _refuse(source, f"an array of dtype {dtype!r}; a dataset holds numbers only")
    return dtype


def _check_array(source: str, shape: Any, dtype: Any, data: Any) -> None:
    """The state of one array: numbers only, and exactly as many bytes of data as the shape needs."""
    dtype = _check_dtype(source, dtype)
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise _refuse(source, f"an array of shape {shape!r}")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _refuse(source, f"array data of type {type(data).__name__}")
    need = math.prod(shape) * dtype.itemsize
    if need != memoryview(data).nbytes:
        raise _refuse(source, f"an array of shape {shape} {dtype} ({need} bytes) over "
                              f"{memoryview(data).nbytes} bytes of data")


class RestrictedUnpickler(pickle._Unpickler):
    """An unpickler that resolves only the names a pickled tuple of numpy arrays needs, each to a
    checked stand-in. It is the pure-Python unpickler, so every read goes through the stream's
    own ``read``: with a ``LimitedReader`` no object larger than the budget is ever allocated."""

    def __init__(self, file: BinaryIO, source: str = "<pickle>", encoding: str = "latin1") -> None:
        super().__init__(file, encoding=encoding)
        self.source = source
        self._reader = file if isinstance(file, LimitedReader) else LimitedReader(file, MAX_PICKLE_BYTES, source)
        self.metastack: list = []
        self._set_aside, self._made_left = 0, self._reader.limit

        def refuse(cls, *args: Any, **kwargs: Any) -> None:
            raise _refuse(source, "the pickle calls numpy.ndarray directly on a buffer (a forged array)")
        # stands for numpy.ndarray: only _reconstruct may take it; called as a constructor (an
        # array over a tiny buffer with zero strides, say) it refuses
        self._ndarray = type("ndarray", (), {"__new__": refuse})

    def _bounded(opcode):
        """An opcode's handler that first counts it against the bounds on what a pickle may build."""
        def run(self) -> None:
            self._opcodes += 1
            if self._opcodes > MAX_OPCODES:
                raise DatasetError(f"{self.source}: more than {MAX_OPCODES:,} pickle opcodes, far more than a "
                                   f"dataset of arrays needs (a corrupt or hostile file)")
            if len(self.stack) + self._set_aside > MAX_ITEMS or len(self.memo) > MAX_ITEMS:
                raise DatasetError(f"{self.source}: the pickle builds more than {MAX_ITEMS:,} objects at once "
                                   f"(a corrupt or hostile file)")
            if self._opcodes % 100 == 0 and time.monotonic() > self._deadline:
                raise DatasetError(f"{self.source}: unpickling took more than {MAX_SECONDS:.0f} s (a hostile file)")
            opcode(self)
        return run

    def load_bytearray8(self) -> None:
        """BYTEARRAY8: the length is checked against the budget before the bytearray is made."""
        (length,) = struct.unpack("<Q", self.read(8))
        if length > self._reader.left:
            self._reader._take(length)                        # refuses, naming the budget
        self.append(bytearray(self.read(length)))

    def load_mark(self) -> None:
        """MARK: the stack so far is set aside for a new one; its items still count as built."""
        self._set_aside += len(self.stack)
        pickle._Unpickler.load_mark(self)

    def pop_mark(self) -> list:
        items = pickle._Unpickler.pop_mark(self)
        self._set_aside -= len(self.stack)
        return items

    def _make(self, nbytes: int) -> None:
        """Count ``nbytes`` that a stand-in is about to make against what a load may make."""
        if nbytes > self._made_left:
            raise DatasetError(f"{self.source}: the pickle makes more than {self._reader.limit / 2**20:.0f} MiB "
                               f"of arrays, far more than MNIST needs (a corrupt or hostile file)")
        self._made_left -= nbytes

    dispatch = dict(pickle._Unpickler.dispatch)
    for _code in dispatch:                                       # a loop: a class body's comprehension
        dispatch[_code] = _bounded(dispatch[_code])              # could not see _bounded
    dispatch[pickle.BYTEARRAY8[0]] = _bounded(load_bytearray8)
    dispatch[pickle.MARK[0]] = _bounded(load_mark)

    def load(self) -> Any:
        self._opcodes, self._deadline = 0, time.monotonic() + MAX_SECONDS
        self.metastack, self._set_aside, self._made_left = [], 0, self._reader.limit
        return super().load()

    def load_build(self) -> None:
        """BUILD (``obj.__setstate__(state)``) only on an array-to-be or a dtype: numpy's own
        ``__setstate__`` of a finished array would allocate what the state says, unchecked."""
        target = self.stack[-2] if len(self.stack) >= 2 else None
        if not isinstance(target, (_ArrayBuilder, np.dtype)):
            raise _refuse(self.source, f"setting the state of a {type(target).__name__}")
        pickle._Unpickler.load_build(self)

    dispatch[pickle.BUILD[0]] = _bounded(load_build)

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("numpy.core."):
            module = "numpy._core." + module[len("numpy.core."):]  # numpy 2 moved numpy.core
        stand_in = {
            ("numpy._core.multiarray", "_reconstruct"): self._reconstruct,
            ("numpy._core.numeric", "_frombuffer"): self._frombuffer,
            ("numpy", "ndarray"): self._ndarray,
            ("numpy", "dtype"): self._dtype,
            ("_codecs", "encode"): self._encode,
        }.get((module, name))
        if stand_in is None:
            raise _refuse(self.source, f"the pickle asks for {module}.{name}, which a dataset of numpy "
                                       f"arrays does not need")
        return stand_in

    def _reconstruct(self, subtype: Any, shape: Any, dtype_code: Any) -> _ArrayBuilder:
        if subtype is not self._ndarray:
            raise _refuse(self.source, f"numpy's _reconstruct of {subtype!r}")
        return _ArrayBuilder(self)

    def _frombuffer(self, buffer: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
        _check_array(self.source, shape, dtype, buffer)
        if order not in ("C", "F"):
            raise _refuse(self.source, f"array order {order!r}")
        self._make(memoryview(buffer).nbytes)
        return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order).copy()

    def _dtype(self, spec: Any, align: Any = False, copy: Any = False) -> np.dtype:
        if not isinstance(spec, str):
            raise _refuse(self.source, f"a dtype made from {type(spec).__name__}")
        try:
            dtype = np.dtype(spec)
        except TypeError:
            raise _refuse(self.source, f"dtype {spec!r}") from None
        return _check_dtype(self.source, dtype)

    def _encode(self, text: Any, encoding: Any = "utf-8") -> bytes:
        """``_codecs.encode(str, 'latin1')``: how protocols 0-2 carry bytes."""
        if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
            raise _refuse(self.source, f"_codecs.encode with {type(text).__name__}, {encoding!r}")
        self._make(len(text))
        return codecs.encode(text, "latin1")


def _finish(obj: Any, source: str, depth: int = 0) -> Any:
    """Replace every ``_ArrayBuilder`` in the (nested tuple or list) result by its array."""
    if depth > 20:
        raise DatasetError(f"{source}: the pickle nests more than 20 deep: not a dataset of arrays")
    if isinstance(obj, _ArrayBuilder):
        if obj.array is None:
            raise _refuse(obj.source, "an array with no state")
        return obj.array
    if isinstance(obj, (tuple, list)):
        return type(obj)(_finish(o, source, depth + 1) for o in obj)
    return obj


def safe_load(file: BinaryIO, source: str = "<pickle>", limit: int = MAX_PICKLE_BYTES,
              encoding: str = "latin1") -> Any:
    """Unpickle from ``file``, reading at most ``limit`` bytes. ``encoding='latin1'`` reads
    Python 2 pickles. Raises DatasetError (UnsafePickleError for a refused name or array)."""
    return _finish(RestrictedUnpickler(LimitedReader(file, limit, source), source, encoding).load(), source)


def safe_loads(data: bytes, source: str = "<pickle>", encoding: str = "latin1") -> Any:
    """``safe_load`` of bytes already in memory."""
    return safe_load(io.BytesIO(data), source, max(len(data), 1), encoding)
