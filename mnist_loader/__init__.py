"""MNIST for Nielsen's networks: ``load_data``, ``load_data_wrapper`` the dataset builder, and
chapter 6's expanded training set (``load_expanded``)."""
from .dataset import build_from_idx, data_dir, default_path, read_dataset
from .expand import build_expanded, load_expanded
from .errors import ChecksumError, DatasetError, IdxFormatError, UnsafePickleError
from .loader import ensure_dataset, load_data, load_data_wrapper, one_hot, vectorized_result

__all__ = [
    "load_data", "load_data_wrapper", "one_hot", "vectorized_result",
    "build_from_idx", "build_expanded", "load_expanded", "ensure_dataset", "read_dataset", "default_path", "data_dir",
    "DatasetError", "UnsafePickleError", "IdxFormatError", "ChecksumError",
]
