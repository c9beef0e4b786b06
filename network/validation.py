"""Checks of user input, shared by every network class. Each raises ValueError naming what is wrong."""
from __future__ import annotations

import numbers
from typing import Sequence

import numpy as np


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """sizes: at least an input and an output layer, every count a positive integer."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"sizes must be a list of layer sizes, got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least 2 layers (input and output), got {sizes!r}")
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"sizes[{i}] must be a positive integer, got {n!r} in {sizes!r}")
    return [int(n) for n in sizes]


def check_hyperparameters(epochs: int, mini_batch_size: int, eta: float) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if (isinstance(mini_batch_size, bool) or not isinstance(mini_batch_size, numbers.Integral)
            or mini_batch_size < 1):
        raise ValueError(f"mini_batch_size must be an integer >= 1, got {mini_batch_size!r}")
    check_eta(eta)


def check_eta(eta: float) -> None:
    if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"learning rate eta must be a finite number > 0, got {eta!r}")


def check_sample_list(data, n_in: int, n_out: int, name: str, labels: str) -> None:
    """Check a list of Nielsen's (x, y) tuples against the network's shape.

    labels: 'one-hot' (y of shape (n_out, 1)), 'int' (y an integer class) or 'any'.
    """
    try:
        n = len(data)
    except TypeError:
        raise ValueError(
            f"{name} must be a list of (x, y) tuples (a zip iterator has no len(): wrap it in list())"
        ) from None
    if n == 0:
        raise ValueError(f"{name} is empty")
    for i, sample in enumerate(data):
        try:
            x, y = sample
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{i}] must be an (x, y) tuple") from None
        xs = np.shape(x)
        if xs != (n_in, 1):
            raise ValueError(
                f"{name}[{i}]: x has shape {xs}, the network expects ({n_in}, 1) (sizes[0] = {n_in})"
            )
        if isinstance(y, (numbers.Integral, np.integer)) and not isinstance(y, bool):
            if labels == "one-hot":
                raise ValueError(f"{name}[{i}]: y is the integer {y}, training needs a one-hot ({n_out}, 1) vector")
            if not 0 <= int(y) < n_out:
                raise ValueError(f"{name}[{i}]: label {y} is outside 0..{n_out - 1}")
        else:
            ys = np.shape(y)
            if labels == "int" and ys != ():
                raise ValueError(f"{name}[{i}]: y has shape {ys}, expected an integer label")
            if ys not in ((n_out, 1), ()):
                raise ValueError(
                    f"{name}[{i}]: y has shape {ys}, the network expects ({n_out}, 1) (sizes[-1] = {n_out})"
                )
