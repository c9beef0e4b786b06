"""Backpropagation for MNIST, two ways.

- ``Network`` (per_sample.py): Nielsen's chapter-1 network, backprop one sample at a time.
"""
from .per_sample import Network

__all__ = ["Network"]
