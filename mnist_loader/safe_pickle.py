"""Reading pickles without running their code, and writing files atomically.

A pickle can name any importable callable and have it called on load (``os.system`` is the
classic). A dataset of numpy arrays needs exactly three: numpy's array reconstructor, the
ndarray type and the dtype type. ``RestrictedUnpickler`` admits those and refuses everything
else before it is ever looked up, so a malicious payload never runs.
"""
from __future__ import annotations

import io
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .errors import UnsafePickleError

# (module, name) pairs a pickled tuple of numpy arrays needs. numpy 2 moved numpy.core to
# numpy._core; Nielsen's Python 2 pickle names the old module.
ALLOWED_GLOBALS = frozenset({
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
})


def _resolve(module: str, name: str) -> Any:
    """Import an allowed global; numpy.core.* is looked up as numpy._core.* where that exists."""
    import importlib

    if module.startswith("numpy.core."):
        try:
            return getattr(importlib.import_module("numpy._core." + module[len("numpy.core."):]), name)
        except ImportError:
            pass
    return getattr(importlib.import_module(module), name)


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that only resolves the globals in ALLOWED_GLOBALS."""

    source = "<pickle>"

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED_GLOBALS:
            raise UnsafePickleError(
                f"{self.source}: refused to load: the pickle asks for {module}.{name}, which a "
                f"dataset of numpy arrays does not need (possibly malicious; nothing was run)"
            )
        return _resolve(module, name)


def safe_loads(data: bytes, source: str = "<pickle>", encoding: str = "latin1") -> Any:
    """Unpickle ``data`` with RestrictedUnpickler. ``encoding='latin1'`` reads Python 2 pickles."""
    unpickler = RestrictedUnpickler(io.BytesIO(data), encoding=encoding)
    unpickler.source = source
    return unpickler.load()


def write_atomic(path: str | os.PathLike, write: Callable[[Any], None], mode: str = "wb") -> None:
    """Write a file so that it is either complete or absent: a temp file in the same folder,
    flushed and fsynced, then renamed over ``path``. An existing file stays intact until the
    rename; a failure removes the temp file and re-raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a dataset or model is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
