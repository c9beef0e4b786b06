"""Nielsen's ``mnist_loader`` interface, in Python 3.

``load_data`` gives the arrays; ``load_data_wrapper`` gives the lists of ``(x, y)`` tuples that
``Network.SGD`` takes.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from network.data import one_hot as _one_hot, to_labels as _to_labels

from .dataset import IDX_DIR_ENV, N_CLASSES, N_PIXELS, Split, build_from_idx, default_path, read_dataset
from .download import download_and_build
from .errors import DatasetError


def ensure_dataset(path: str | os.PathLike | None = None, verbose: bool = True) -> Path:
    """Return the dataset's path, building or downloading it first if it is not there.

    With ``$MNIST_IDX_DIR`` set, the pickle is built from the IDX files in that folder;
    otherwise the IDX files are downloaded (and verified) and the pickle built from them.
    """
    path = Path(path) if path is not None else default_path()
    if path.is_file():
        return path
    idx_dir = os.environ.get(IDX_DIR_ENV)
    if idx_dir:
        if verbose:
            print(f"no dataset at {path}; building it from ${IDX_DIR_ENV}={idx_dir}", file=sys.stderr)
        return build_from_idx(idx_dir, path, verbose=verbose)
    if verbose:
        print(f"no dataset at {path}; downloading MNIST (set ${IDX_DIR_ENV} to build from local "
              f"IDX files instead)", file=sys.stderr)
    try:
        return download_and_build(path, verbose=verbose)
    except DatasetError as exc:
        raise type(exc)(f"{exc}\nThere is no MNIST dataset at {path} and it could not be downloaded. Either connect "
                        f"to the internet and run again, or build it from the four MNIST IDX files in a folder DIR: "
                        f"`python -m mnist_loader build --from DIR` (or set {IDX_DIR_ENV}=DIR).") from None


def load_data(path: str | os.PathLike | None = None) -> tuple[Split, Split, Split]:
    """Return ``(training_data, validation_data, test_data)``, each ``(images, labels)``.

    images: float32, shape (n, 784), values v/256; labels: int64, shape (n,).
    Sizes 50,000 / 10,000 / 10,000. Without ``path``, reads ``data/mnist.pkl.gz``, building
    it from ``$MNIST_IDX_DIR`` or downloading it first if it is not there yet.
    """
    if path is None:
        path = ensure_dataset()
    elif not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such dataset file (build one with "
                                f"`python -m mnist_loader build --from DIR --out {path}`)")
    return read_dataset(path)


def vectorized_result(j: int, n: int = N_CLASSES) -> np.ndarray:
    """A (10, 1) float64 column with 1.0 in position j: the desired output for digit j (0..n-1, checked)."""
    return one_hot(_to_labels(np.array([j]), n, "vectorized_result's digit"), n).T


def one_hot(labels: np.ndarray, n: int = N_CLASSES, dtype: DTypeLike=np.float64) -> np.ndarray:
    """Labels (m,) -> one-hot rows (m, n) (``network.data.one_hot``, with MNIST's 10 classes)."""
    return _one_hot(labels, n, dtype)


def load_data_wrapper(path: str | os.PathLike | None = None) -> tuple[list, list, list]:
    """Return Nielsen's ``(training_data, validation_data, test_data)`` as Python 3 lists.

    training_data: 50,000 tuples (x, y), x the (784, 1) image, y the (10, 1) one-hot digit.
    validation_data, test_data: 10,000 tuples (x, y), y the digit as an int.
    Lists, not zip iterators: ``len()`` works and they can be iterated more than once.
    """
    (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = load_data(path)
    targets = one_hot(tr_y)[:, :, None]                     # vectorized_result of every label, (n, 10, 1) at once
    training_data = [(x.reshape(N_PIXELS, 1), y) for x, y in zip(tr_x, targets)]
    validation_data = [(x.reshape(N_PIXELS, 1), int(y)) for x, y in zip(va_x, va_y)]
    test_data = [(x.reshape(N_PIXELS, 1), int(y)) for x, y in zip(te_x, te_y)]
    return training_data, validation_data, test_data


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False,
               path: str | os.PathLike | None = None) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """*Deep Learning from Scratch*'s ``load_mnist``: ``((x_train, t_train), (x_test, t_test))``.

    x_train: the 60,000 MNIST training images in MNIST's order (Nielsen's training then validation
    images), x_test the 10,000 test images; as float32 pixel/255 if ``normalize``, else uint8;
    rows (n, 784) if ``flatten``, else (n, 1, 28, 28). t: uint8 digits, or float64 one-hot rows
    (n, 10) if ``one_hot_label``. Read from the dataset (``load_data``; built first if missing),
    whose pixels v/256 give back the bytes v exactly.
    """
    (tr_x, tr_y), (va_x, va_y), (te_x, te_y) = load_data(path)

    def images(x: np.ndarray) -> np.ndarray:
        v = np.rint(x * 256).astype(np.uint8)
        if not np.array_equal(v.astype(np.float32) / np.float32(256), x):
            raise DatasetError(f"{path or default_path()}: pixel values are not bytes / 256, as MNIST's are")
        out = v.astype(np.float32) / np.float32(255) if normalize else v
        return out if flatten else out.reshape(-1, 1, 28, 28)

    def targets(t: np.ndarray) -> np.ndarray:
        return one_hot(t) if one_hot_label else t.astype(np.uint8)

    train_x = images(np.concatenate([tr_x, va_x]))
    return (train_x, targets(np.concatenate([tr_y, va_y]))), (images(te_x), targets(te_y))
