"""The pickled MNIST dataset ``data/mnist.pkl.gz``: where it lives, how it is built, read and checked.

The file holds Nielsen's ``(training_data, validation_data, test_data)``: three pairs
``(images, labels)``, images float32 of shape (n, 784) with pixel values v/256, labels int64.
"""
from __future__ import annotations

import gzip
import os
import pickle
import sys
import zlib
from pathlib import Path

import numpy as np

from network.atomic import write_atomic

from .errors import DatasetError
from .idx import read_mnist_idx
from .safe_pickle import MAX_PICKLE_BYTES, safe_load

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IDX_DIR_ENV = "MNIST_IDX_DIR"
DATA_DIR_ENV = "NIELSEN_BACKPROP_DATA"  # the folder of mnist.pkl.gz, wherever the package is
SPLITS = ("training", "validation", "test")
N_PIXELS = 784
N_CLASSES = 10
N_TRAINING = 50000

Split = tuple  # (images float32 (n, 784), labels int64 (n,))


def data_dir() -> Path:
    """Where the dataset lives, as torchvision and scikit-learn users expect:

    1. ``$NIELSEN_BACKPROP_DATA``, if set;
    2. ``data/`` at the root of a source checkout (an editable install included);
    3. otherwise, for an installed package, the per-user cache: ``$XDG_CACHE_HOME/nielsen-backprop``
       (``~/.cache/nielsen-backprop`` by default) -- never inside site-packages.
    """
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    if (PROJECT_ROOT / "setup.cfg").is_file() and (PROJECT_ROOT / "mnist_loader").is_dir():
        return PROJECT_ROOT / "data"
    cache = os.environ.get("XDG_CACHE_HOME")
    if not cache:
        try:
            cache = Path.home() / ".cache"
        except (RuntimeError, KeyError):          # no HOME and no entry in the password database
            import tempfile
            cache = Path(tempfile.gettempdir()) / f"cache-{os.getuid()}"
    return Path(cache).expanduser() / "nielsen-backprop"


def default_path() -> Path:
    """The dataset's path: ``mnist.pkl.gz`` in ``data_dir()``."""
    return data_dir() / "mnist.pkl.gz"


def build_from_idx(idx_dir: str | os.PathLike, path: str | os.PathLike | None = None,
                   verbose: bool = True) -> Path:
    """Build the pickle from the four MNIST IDX files in ``idx_dir``; write it atomically.

    Training is the first 50,000 of the 60,000 MNIST training images, validation the last
    10,000, test the 10,000 test images; pixels become float32 v/256 as in Nielsen's file.
    """
    path = Path(path) if path is not None else default_path()
    raw = read_mnist_idx(idx_dir)

    def pixels(images: np.ndarray) -> np.ndarray:
        # dividing by a power of two is exact in float32
        return images.reshape(len(images), N_PIXELS).astype(np.float32) / np.float32(256)

    train_x, train_y = pixels(raw["train_images"]), raw["train_labels"].astype(np.int64)
    dataset = (
        (train_x[:N_TRAINING], train_y[:N_TRAINING]),
        (train_x[N_TRAINING:], train_y[N_TRAINING:]),
        (pixels(raw["test_images"]), raw["test_labels"].astype(np.int64)),
    )

    write_dataset(dataset, path)
    if verbose:
        print(f"built {path} from the IDX files in {idx_dir}", file=sys.stderr)
    return path


def write_dataset(dataset: tuple[Split, Split, Split], path: Path) -> None:
    """Pickle the three splits into a gzip file, atomically (reproducible bytes: no timestamp)."""
    def write(f) -> None:
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=6, mtime=0) as gz:
            pickle.dump(dataset, gz, protocol=4)

    write_atomic(path, write)


def read_dataset(path: str | os.PathLike, limit: int = MAX_PICKLE_BYTES) -> tuple[Split, Split, Split]:
    """Read and validate a pickled dataset: one we built or Nielsen's Python 2 ``mnist.pkl.gz``.

    Decompression streams into the restricted unpickler, which reads at most
    ``limit`` bytes (``MAX_PICKLE_BYTES``, or the expanded set's): a gzip bomb or a forged length is refused before memory of that size
    is touched. Every failure is a DatasetError naming the file.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        raise DatasetError(f"{path}: not a regular file")
    try:
        with gzip.open(path, "rb") as f:
            obj = safe_load(f, source=str(path), limit=limit)
    except (FileNotFoundError, DatasetError):
        raise
    except (EOFError, OSError, zlib.error) as exc:
        raise DatasetError(f"{path}: not a readable gzip file, corrupt or truncated ({exc})") from None
    except MemoryError:
        raise DatasetError(f"{path}: asks for more memory than this machine has (a corrupt or hostile file)") from None
    except Exception as exc:  # pickle raises many types on garbage: UnpicklingError, EOFError, ...
        raise DatasetError(f"{path}: not a valid pickle, corrupt or truncated ({type(exc).__name__}: {exc})") from None
    return validate_dataset(obj, str(path))


def validate_dataset(obj: object, source: str) -> tuple[Split, Split, Split]:
    """Check the structure, shapes, dtypes and label range; return the three splits as
    (float32 images, int64 labels)."""
    if not isinstance(obj, (tuple, list)) or len(obj) != 3:
        raise DatasetError(
            f"{source}: expected a tuple (training_data, validation_data, test_data), got "
            f"{type(obj).__name__}" + (f" of length {len(obj)}" if isinstance(obj, (tuple, list)) else "")
        )
    out = []
    for split, part in zip(SPLITS, obj):
        if not isinstance(part, (tuple, list)) or len(part) != 2:
            raise DatasetError(f"{source}: {split}_data must be a pair (images, labels)")
        images, labels = part
        if not isinstance(images, np.ndarray) or not isinstance(labels, np.ndarray):
            raise DatasetError(f"{source}: {split} images and labels must be numpy arrays")
        if images.ndim != 2 or images.shape[1] != N_PIXELS:
            raise DatasetError(f"{source}: {split} images have shape {images.shape}, expected (n, {N_PIXELS})")
        if labels.shape != (images.shape[0],):
            raise DatasetError(
                f"{source}: {split} labels have shape {labels.shape}, expected ({images.shape[0]},) "
                f"to match the images"
            )
        if images.shape[0] == 0:
            raise DatasetError(f"{source}: {split} set is empty")
        if 0 in images.strides or (0 in labels.strides and len(labels) > 1):
            raise DatasetError(f"{source}: {split} arrays repeat one value through zero strides (a forged array)")
        if images.dtype.kind != "f":
            raise DatasetError(f"{source}: {split} images have dtype {images.dtype}, expected floats")
        if labels.dtype.kind not in "iu":
            raise DatasetError(f"{source}: {split} labels have dtype {labels.dtype}, expected integers")
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi >= N_CLASSES:
            raise DatasetError(f"{source}: {split} labels range over {lo}..{hi}, expected 0..9")
        if not np.isfinite(images).all() or images.min() < 0 or images.max() > 1:
            raise DatasetError(f"{source}: {split} pixel values must be finite and within [0, 1]")
        out.append((images.astype(np.float32, copy=False), labels.astype(np.int64, copy=False)))
    return tuple(out)
