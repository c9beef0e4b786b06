"""Training data as matrices, and labels <-> one-hot: defined once for the whole package.

The matrix network keeps samples in rows: X of shape (n, n_in); Y one-hot of shape (n, n_out)
or integer labels of shape (n,). Nielsen's lists of (x, y) tuples are turned into that form.
"""
from __future__ import annotations

import numpy as np

from .validation import check_sample_list


def one_hot(labels: np.ndarray, n: int, dtype=np.float64) -> np.ndarray:
    """Integer labels (m,) -> one-hot rows (m, n): row i has 1 in column labels[i]."""
    labels = np.asarray(labels)
    out = np.zeros((labels.shape[0], n), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def to_labels(t: np.ndarray, n: int, name: str = "targets") -> np.ndarray:
    """Integer labels (m,) from one-hot rows (m, n) (their argmax) or from labels (m,) in 0..n-1."""
    t = np.asarray(t)
    if t.ndim == 2 and t.shape[1] == n:
        return np.argmax(t, axis=1)
    if t.ndim != 1:
        raise ValueError(f"{name} have shape {t.shape}: expected one-hot rows (m, {n}) or integer labels (m,)")
    if t.dtype.kind not in "iu":
        raise ValueError(f"{name}: 1-D targets must be integer labels, got dtype {t.dtype}")
    if len(t) and (t.min() < 0 or t.max() >= n):
        raise ValueError(f"{name}: labels range over {t.min()}..{t.max()}, expected 0..{n - 1}")
    return t.astype(np.int64, copy=False)


def is_array_pair(data) -> bool:
    return (isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray)
            and data[0].ndim == 2)


def as_matrices(data, n_in: int, n_out: int, name: str, dtype=np.float64,
                one_hot_targets: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Return (X, Y): X (n, n_in) of ``dtype``; Y one-hot (n, n_out) of ``dtype`` if
    ``one_hot_targets``, else integer labels (n,). Raises ValueError naming what does not fit."""
    if is_array_pair(data):
        X, Y = data[0], np.asarray(data[1])
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
        X = np.ascontiguousarray(X, dtype=dtype)
    else:
        check_sample_list(data, n_in, n_out, name, "any")
        X = np.empty((len(data), n_in), dtype=dtype)
        for i, (x, _) in enumerate(data):
            X[i] = x[:, 0]
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
