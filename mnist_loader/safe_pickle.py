"""Reading pickles without running their code.

A pickle can name any importable callable and have it called on load (``os.system`` is the
classic). A dataset of numpy arrays needs exactly three: numpy's array reconstructor, the
ndarray type and the dtype type. ``RestrictedUnpickler`` admits those and refuses everything
else before it is ever looked up, so a malicious payload never runs.
"""
from __future__ import annotations

import io
import pickle
from typing import Any


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
