"""Backpropagation for MNIST, two ways.

- ``Network`` (per_sample.py): Nielsen's chapter-1 network, backprop one sample at a time.
- ``MatrixNetwork`` (matrix.py): the same mathematics with a whole mini-batch as one matrix.
"""
from .matrix import MatrixNetwork
from .per_sample import Network

__all__ = ["Network", "MatrixNetwork"]
