"""Turning training data into matrices: Nielsen's lists of (x, y) tuples or (X, Y) arrays.

The matrix network keeps samples in rows: X of shape (n, n_in); Y one-hot of shape (n, n_out)
or integer labels of shape (n,).
"""
from __future__ import annotations

import numpy as np

from mnist_loader.loader import one_hot as one_hot_rows

from .validation import check_sample_list


def is_array_pair(data) -> bool:
    return (isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray)
            and data[0].ndim == 2)


def as_matrices(data, n_in: int, n_out: int, name: str, dtype=np.float64,
                one_hot: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Return (X, Y): X (n, n_in) of ``dtype``; Y one-hot (n, n_out) of ``dtype`` if ``one_hot``,
    else integer labels (n,). Raises ValueError naming what does not fit the network."""
    if is_array_pair(data):
        X, Y = data
        Y = np.asarray(Y)
        if X.shape[1] != n_in:
            raise ValueError(f"{name}: X has shape {X.shape}, the network expects (n, {n_in}) (sizes[0] = {n_in})")
        if X.shape[0] == 0:
            raise ValueError(f"{name} is empty")
        if len(Y) != len(X):
            raise ValueError(f"{name}: X has {len(X)} samples but Y has {len(Y)}")
        if Y.ndim == 1:
            if Y.dtype.kind not in "iu":
                raise ValueError(f"{name}: 1-D Y must hold integer labels, got dtype {Y.dtype}")
            if Y.min() < 0 or Y.max() >= n_out:
                raise ValueError(f"{name}: labels range over {Y.min()}..{Y.max()}, expected 0..{n_out - 1}")
            labels = Y.astype(np.int64, copy=False)
        elif Y.ndim == 2 and Y.shape[1] == n_out:
            labels = None
        else:
            raise ValueError(f"{name}: Y has shape {Y.shape}, expected ({len(X)}, {n_out}) one-hot rows or ({len(X)},) labels")
        if not np.isfinite(X).all():
            raise ValueError(f"{name}: X contains non-finite values (nan or inf)")
        X = np.ascontiguousarray(X, dtype=dtype)
    else:
        check_sample_list(data, n_in, n_out, name, "any")
        X = np.empty((len(data), n_in), dtype=dtype)
        for i, (x, _) in enumerate(data):
            X[i] = x[:, 0]
        if not np.isfinite(X).all():
            raise ValueError(f"{name}: x values contain non-finite values (nan or inf)")
        first_y = data[0][1]
        if np.ndim(first_y) == 0:
            labels = np.array([int(y) for _, y in data], dtype=np.int64)
        else:
            labels = None
            Y = np.empty((len(data), n_out), dtype=dtype)
            for i, (_, y) in enumerate(data):
                Y[i] = np.asarray(y).reshape(n_out)
    if one_hot:
        if labels is not None:
            Y = one_hot_rows(labels, n_out, dtype)
        return X, np.ascontiguousarray(Y, dtype=dtype)
    if labels is None:
        labels = np.argmax(Y, axis=1).astype(np.int64)
    return X, labels
