"""MNIST for Nielsen's networks: ``load_data``, ``load_data_wrapper`` and the dataset builder."""
from .dataset import build_from_idx, data_dir, default_path, read_dataset
from .errors import ChecksumError, DatasetError, IdxFormatError, UnsafePickleError
from .loader import ensure_dataset, load_data, load_data_wrapper, one_hot, vectorized_result

__all__ = [
    "load_data", "load_data_wrapper", "one_hot", "vectorized_result",
    "build_from_idx", "ensure_dataset", "read_dataset", "default_path", "data_dir",
    "DatasetError", "UnsafePickleError", "IdxFormatError", "ChecksumError",
]
