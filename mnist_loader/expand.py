"""The training set expanded by one-pixel shifts, as ``expand_mnist.py`` of chapter 6 makes it.

Each of the 50,000 training images is kept and shifted by one pixel up, down, left and right
(the row or column shifted in is blank): 250,000 images, shuffled as expand_mnist.py shuffles
them (here by a fixed permutation, so every build is the same file): network3 takes the
mini-batches in the data's order, and unshuffled each mini-batch of 10 would hold two digits.
Validation and test are unchanged.
The result is written like the dataset (``mnist_expanded.pkl.gz``, atomically) and read back
through the same checks, with a budget that fits its size.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from .dataset import Split, data_dir, read_dataset, write_dataset
from .loader import load_data

EXPANDED_NAME = "mnist_expanded.pkl.gz"
MAX_EXPANDED_BYTES = 1024 * 2**20  # 250,000 float32 images are 784 MB, with the rest about 850 MB
SHIFTS = ((1, 0), (-1, 0), (1, 1), (-1, 1))  # (step, axis): down, up, right, left
ORDER_SEED = 0                                 # the expanded set's fixed shuffle


def expanded_order(n: int) -> np.ndarray:
    """The order of the expanded set's n = 5 x 50,000 images: one fixed permutation."""
    return np.random.default_rng(ORDER_SEED).permutation(n)


def expanded_path() -> Path:
    """Where the expanded dataset lives: beside ``mnist.pkl.gz``."""
    return data_dir() / EXPANDED_NAME


def shifted(images: np.ndarray) -> np.ndarray:
    """(n, 784) -> (5n, 784): each image, then its four one-pixel shifts, blank where shifted in."""
    square = images.reshape(-1, 28, 28)
    out = np.empty((len(images), 5, 28, 28), dtype=images.dtype)
    out[:, 0] = square
    for k, (step, axis) in enumerate(SHIFTS, start=1):
        moved = np.roll(square, step, axis=axis + 1)
        edge = [slice(None)] * 3
        edge[axis + 1] = 0 if step == 1 else -1
        moved[tuple(edge)] = 0
        out[:, k] = moved
    return out.reshape(-1, 784)


def build_expanded(source: str | os.PathLike | None = None, path: str | os.PathLike | None = None,
                   verbose: bool = True) -> Path:
    """Write the expanded dataset (training 250,000 images; validation, test as they are)."""
    path = Path(path) if path is not None else expanded_path()
    (x, y), validation, test = load_data(source)
    if verbose:
        print(f"expanding {len(x):,} training images by one-pixel shifts into {path} (about 15 seconds)",
              file=sys.stderr, flush=True)
    order = expanded_order(5 * len(x))
    dataset = ((shifted(x)[order], np.repeat(y, 5)[order]), validation, test)

    write_dataset(dataset, path)
    if verbose:
        print(f"built {path}: {len(dataset[0][0]):,} training images", file=sys.stderr)
    return path


def load_expanded(path: str | os.PathLike | None = None) -> tuple[Split, Split, Split]:
    """``load_data``'s three splits from the expanded file (built first if it is not there)."""
    path = Path(path) if path is not None else expanded_path()
    if not path.is_file():
        build_expanded(path=path)
    return read_dataset(path, limit=MAX_EXPANDED_BYTES)
