"""MNIST for Nielsen's networks: ``load_data``, ``load_data_wrapper``, the dataset builder,
chapter 6's expanded training set (``load_expanded``), *Deep Learning from Scratch*'s
``load_mnist``, and ``load_image``: any image of a digit
made the way MNIST's digits were made."""
from .dataset import build_from_idx, data_dir, default_path, read_dataset
from .expand import build_expanded, load_expanded
from .errors import ChecksumError, DatasetError, IdxFormatError, ImageError, UnsafePickleError
from .images import load_image
from .loader import ensure_dataset, load_data, load_data_wrapper, load_mnist, one_hot, vectorized_result

__all__ = [
    "load_data", "load_data_wrapper", "load_mnist", "one_hot", "vectorized_result",
    "build_from_idx", "build_expanded", "load_expanded", "ensure_dataset", "read_dataset", "default_path", "data_dir",
    "load_image", "DatasetError", "UnsafePickleError", "IdxFormatError", "ChecksumError", "ImageError",
]
