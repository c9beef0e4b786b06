"""Errors of the loader. Each is a ValueError and names the file and what is wrong with it."""
from __future__ import annotations


class DatasetError(ValueError):
    """A dataset file is unreadable, truncated, corrupt or of the wrong structure."""


class UnsafePickleError(DatasetError):
    """A pickle asked for a callable that a dataset of numpy arrays does not need."""


class IdxFormatError(DatasetError):
    """An MNIST IDX file has a wrong header, count or size."""


class ChecksumError(DatasetError):
    """A downloaded file does not have its published md5."""


class ImageError(ValueError):
    """An image file or array cannot be made into an MNIST digit: not an image, truncated, too
    large, or no ink on it. Names the file."""
