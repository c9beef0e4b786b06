"""Reading the MNIST IDX files (http://yann.lecun.com/exdb/mnist/ describes the format).

An IDX file is a big-endian header -- magic number 0x00000803 for images (uint8, 3 dimensions)
or 0x00000801 for labels (uint8, 1 dimension), then one uint32 per dimension -- followed by the
raw uint8 data. Files may be gzip-compressed or not.
"""
from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import BinaryIO, Optional

import numpy as np

from .errors import IdxFormatError

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
EXPECTED_COUNTS = {"train": 60000, "test": 10000}
MAX_ITEMS = 60000  # the largest MNIST file


def _open(path: Path) -> BinaryIO:
    """The file's bytes as a stream: decompressed on the fly if it is gzip."""
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def read_idx(path: str | os.PathLike, kind: str, count: Optional[int] = None) -> np.ndarray:
    """Read one IDX file; ``kind`` is 'images' (returns (n, 28, 28) uint8) or 'labels' ((n,) uint8).

    The file is streamed: the header is read and checked first (with ``count``, it must promise
    exactly that many items), then exactly the bytes it promises, so a file padded with gigabytes
    (compressed or not) costs no more memory than the data it claims.
    """
    path = Path(path)
    if path.exists() and not path.is_file():     # a pipe or device: opening it could wait or never end
        raise IdxFormatError(f"{path}: not a regular file")
    magic_expected, ndim = (IMAGES_MAGIC, 3) if kind == "images" else (LABELS_MAGIC, 1)
    header_len = 4 + 4 * ndim
    try:
        with _open(path) as f:
            header = f.read(header_len)
            if len(header) < header_len:
                raise IdxFormatError(f"{path}: {len(header)} bytes is too short for an IDX {kind} header")
            magic = int.from_bytes(header[:4], "big")
            if magic != magic_expected:
                raise IdxFormatError(
                    f"{path}: magic number 0x{magic:08x}, expected 0x{magic_expected:08x} for IDX {kind}")
            dims = [int.from_bytes(header[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
            if kind == "images" and dims[1:] != [28, 28]:
                raise IdxFormatError(f"{path}: images are {dims[1]}x{dims[2]}, expected 28x28")
            if count is not None and dims[0] != count:
                raise IdxFormatError(f"{path}: header promises {dims[0]} {kind}, expected {count}")
            if dims[0] > MAX_ITEMS:
                raise IdxFormatError(f"{path}: header promises {dims[0]} {kind}, more than the "
                                     f"{MAX_ITEMS} any MNIST file holds")
            expected = int(np.prod(dims))
            data = f.read(expected)
            extra = len(f.read(1))
    except (EOFError, OSError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise IdxFormatError(f"{path}: corrupt or truncated gzip data ({exc})") from None
    if len(data) != expected or extra:
        raise IdxFormatError(
            f"{path}: header promises {dims[0]} {kind} ({expected} bytes of data) but the file holds "
            + ("more than that (corrupt or padded)" if extra else f"{len(data)} bytes (truncated or corrupt)")
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def find_idx(directory: str | os.PathLike, key: str) -> Path:
    """The IDX file ``key`` in ``directory``, gzip-compressed or not."""
    directory = Path(directory)
    stem = FILES[key]
    for name in (stem + ".gz", stem):
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"{directory}: no {stem}.gz or {stem} (need the four MNIST IDX files)")


def read_mnist_idx(directory: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read and check the four MNIST IDX files in ``directory``: 60,000 training and 10,000 test
    images and labels, every label a digit."""
    out = {}
    for key in FILES:
        split, kind = key.split("_")
        out[key] = read_idx(find_idx(directory, key), kind, EXPECTED_COUNTS[split])
        if kind == "labels" and out[key].max() > 9:
            raise IdxFormatError(f"{directory}: {split} labels contain {out[key].max()}, not a digit")
    return out
