"""Training data as matrices, and labels <-> one-hot: defined once for the whole package.

The matrix network keeps samples in rows: X of shape (n, n_in); Y one-hot of shape (n, n_out)
or integer labels of shape (n,). Nielsen's lists of (x, y) tuples are turned into that form.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence, Union

import numpy as np
from numpy.typing import DTypeLike

from .validation import check_sample_list, warn_input_range

# what the networks take: the book's list of (x, y) samples, or (X, labels or one-hot Y) arrays
Data = Union[list, tuple]
# one sample (a column or a vector), samples in rows, or the book's list of columns
Inputs = Union[np.ndarray, Sequence[np.ndarray]]


def one_hot(labels: np.ndarray, n: int, dtype: DTypeLike=np.float64) -> np.ndarray:
    """Integer labels (m,) -> one-hot rows (m, n): row i has 1 in column labels[i]."""
    labels = np.asarray(labels)
    out = np.zeros((labels.shape[0], n), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def to_labels(t: np.ndarray, n: int, name: str = "targets") -> np.ndarray:
    """Integer labels (m,) from one-hot rows (m, n) (their argmax) or from labels (m,) in 0..n-1."""
    t = np.asarray(t)
    if t.ndim == 2 and t.shape[1] == n:
        if t.dtype.kind not in "biuf":
            raise ValueError(f"{name}: one-hot rows must be real numbers, got dtype {t.dtype}")
        if t.dtype.kind == "f" and not np.isfinite(t).all():
            raise ValueError(f"{name} contain non-finite values (nan or inf)")
        return np.argmax(t, axis=1)
    if t.ndim != 1:
        raise ValueError(f"{name} have shape {t.shape}: expected one-hot rows (m, {n}) or integer labels (m,)")
    if t.dtype.kind not in "iu":
        raise ValueError(f"{name}: 1-D targets must be integer labels, got dtype {t.dtype}")
    if len(t) and (t.min() < 0 or t.max() >= n):
        raise ValueError(f"{name}: labels range over {t.min()}..{t.max()}, expected 0..{n - 1}")
    return t.astype(np.int64, copy=False)


def is_array_pair(data: Any) -> bool:
    return (isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray)
            and data[0].ndim == 2)


def as_matrices(data: Data, n_in: int, n_out: int, name: str, dtype: DTypeLike=np.float64,
                one_hot_targets: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Return (X, Y): X (n, n_in) of ``dtype``; Y one-hot (n, n_out) of ``dtype`` if
    ``one_hot_targets``, else integer labels (n,). Raises ValueError naming what does not fit."""
    if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray) and data[0].ndim != 2:
        raise ValueError(f"{name}: X has shape {data[0].shape}: expected samples in rows (n, {n_in})")
    if is_array_pair(data):
        X, Y = data[0], np.asarray(data[1])
        if X.dtype.kind not in "fiu":
            raise ValueError(f"{name}: X holds {X.dtype} values, expected real numbers")
        if X.shape[1] != n_in:
            raise ValueError(f"{name}: X has shape {X.shape}, the network expects (n, {n_in}) (sizes[0] = {n_in})")
        if X.shape[0] == 0:
            raise ValueError(f"{name} is empty")
        if len(Y) != len(X):
            raise ValueError(f"{name}: X has {len(X)} samples but Y has {len(Y)}")
        if Y.ndim == 2 and Y.shape[1] == n_out:
            labels = None
            bad = np.flatnonzero(~np.isfinite(Y).all(axis=1)) if Y.dtype.kind == "f" else []
            if len(bad):
                raise ValueError(f"{name}: Y row {bad[0]} contains non-finite values (nan or inf)")
        elif Y.ndim == 1:
            labels = to_labels(Y, n_out, name)
        else:
            raise ValueError(f"{name}: Y has shape {Y.shape}, expected ({len(X)}, {n_out}) one-hot rows or ({len(X)},) labels")
        bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
        if len(bad):
            raise ValueError(f"{name}: X row {bad[0]} contains non-finite values (nan or inf)")
        warn_input_range(float(X.min()), float(X.max()), name)
        X = np.ascontiguousarray(X, dtype=dtype)
    else:
        check_sample_list(data, n_in, n_out, name, "any")
        X = np.empty((len(data), n_in), dtype=dtype)
        for i, (x, _) in enumerate(data):
            X[i] = np.asarray(x)[:, 0]
        if np.ndim(data[0][1]) == 0:
            labels = np.array([int(y) for _, y in data], dtype=np.int64)
        else:
            labels = None
            Y = np.empty((len(data), n_out), dtype=dtype)
            for i, (_, y) in enumerate(data):
                Y[i] = np.asarray(y).reshape(n_out)
    if one_hot_targets:
        Y = one_hot(labels, n_out, dtype) if labels is not None else np.ascontiguousarray(Y, dtype=dtype)
        return X, Y
    return X, (labels if labels is not None else np.argmax(Y, axis=1))


def labelled_rows(data: Data, n_in: int, n_out: int, name: str, dtype: DTypeLike=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """(X rows of ``dtype``, integer labels) from tuples or arrays, checked: evaluation data."""
    return as_matrices(data, n_in, n_out, name, dtype, one_hot_targets=False)


def input_rows(x: np.ndarray, n_in: int, dtype: DTypeLike, name: str = "input") -> tuple[np.ndarray, str]:
    """The inputs of ``feedforward`` as rows (m, n_in) of ``dtype``, and their form: 'column' for
    one sample as the book's column (n_in, 1), 'vector' for one sample (n_in,) (an image as
    ``mnist_loader`` gives it), 'rows' for samples in rows (m, n_in). Checked: real, finite numbers."""
    a = np.asarray(x)
    if a.dtype.kind not in "fiu":
        raise ValueError(f"{name}: expected real numbers, got dtype {a.dtype}")
    if a.shape == (n_in, 1):
        form, rows = "column", a.T
    elif a.shape == (n_in,):
        form, rows = "vector", a[None, :]
    elif a.ndim == 2 and a.shape[1] == n_in and len(a):
        form, rows = "rows", a
    else:
        raise ValueError(f"{name} has shape {a.shape}: expected one sample as a column ({n_in}, 1) or a "
                         f"vector ({n_in},), or samples in rows (m, {n_in})")
    if not np.isfinite(rows).all():
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    return rows.astype(dtype, copy=False), form


def as_form(out_rows: np.ndarray, form: str) -> np.ndarray:
    """Outputs in rows (m, n_out) in the form the inputs came in (see ``input_rows``)."""
    return out_rows.T if form == "column" else out_rows[0] if form == "vector" else out_rows


CHUNK = 1000  # samples per forward pass when evaluating a large set: bounds the memory of every network


def count_correct(forward: Callable[[np.ndarray], np.ndarray], X: np.ndarray, labels: np.ndarray,
                  chunk: int = CHUNK) -> int:
    """Number of rows of X whose most active output (``forward`` of rows, in chunks) is the label."""
    return sum(int(np.sum(np.argmax(forward(X[k:k + chunk]), axis=1) == labels[k:k + chunk]))
               for k in range(0, len(X), chunk))


def most_active(outputs: np.ndarray, n_out: int) -> int | np.ndarray:
    """The class of the most active output: an int for one sample's outputs (a column (n_out, 1) or
    a vector (n_out,)), an array of ints for outputs in rows (m, n_out)."""
    if outputs.ndim == 1 or outputs.shape == (n_out, 1):
        return int(np.argmax(outputs))
    return np.argmax(outputs, axis=1)
