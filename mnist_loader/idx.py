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


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise IdxFormatError(f"{path}: corrupt or truncated gzip data ({exc})") from None
    return raw


def read_idx(path: str | os.PathLike, kind: str) -> np.ndarray:
    """Read one IDX file; ``kind`` is 'images' (returns (n, 28, 28) uint8) or 'labels' ((n,) uint8)."""
    path = Path(path)
    data = _read_bytes(path)
    magic_expected, ndim = (IMAGES_MAGIC, 3) if kind == "images" else (LABELS_MAGIC, 1)
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise IdxFormatError(f"{path}: {len(data)} bytes is too short for an IDX {kind} header")
    magic = int.from_bytes(data[:4], "big")
    if magic != magic_expected:
        raise IdxFormatError(
            f"{path}: magic number 0x{magic:08x}, expected 0x{magic_expected:08x} for IDX {kind}"
        )
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if kind == "images" and dims[1:] != [28, 28]:
        raise IdxFormatError(f"{path}: images are {dims[1]}x{dims[2]}, expected 28x28")
    expected = int(np.prod(dims))
    body = len(data) - header_len
    if body != expected:
        raise IdxFormatError(
            f"{path}: header promises {dims[0]} {kind} ({expected} bytes of data) "
            f"but the file holds {body} bytes (truncated or corrupt)"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(dims)


def find_idx(directory: str | os.PathLike, key: str) -> Path:
    """The IDX file ``key`` in ``directory``, gzip-compressed or not."""
    directory = Path(directory)
    stem = FILES[key]
    for name in (stem + ".gz", stem):
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"{directory}: no {stem}.gz or {stem} (need the four MNIST IDX files)")


def read_mnist_idx(directory: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read and cross-check the four MNIST IDX files in ``directory``."""
    out = {}
    for key in FILES:
        out[key] = read_idx(find_idx(directory, key), "images" if key.endswith("images") else "labels")
    for split, count in EXPECTED_COUNTS.items():
        ni, nl = len(out[f"{split}_images"]), len(out[f"{split}_labels"])
        if ni != count or nl != count:
            raise IdxFormatError(
                f"{directory}: {split} set has {ni} images and {nl} labels, expected {count} of each"
            )
        if out[f"{split}_labels"].max() > 9:
            raise IdxFormatError(f"{directory}: {split} labels contain {out[f'{split}_labels'].max()}, not a digit")
    return out
