"""The names *Deep Learning from Scratch*'s chapter 4-5 scripts import, in one module.

A reader runs the book's scripts here by one rule applied to their imports, and nothing else::

    from dataset.mnist import load_mnist      ->  from mnist_loader import load_mnist
    from two_layer_net import TwoLayerNet     ->  from network import TwoLayerNet
    from common.functions import softmax      ->  from network.dlfs import softmax
    from common.gradient import ...           ->  from network.dlfs import ...
    from common.layers import ...             ->  from network.dlfs import ...
    from layer_naive import *                 ->  from network.dlfs import *

Every name is re-exported from where the package defines it (activations.py, layers.py,
numerical.py, two_layer_net.py); only ``cross_entropy_error``, DLfS's cost on probabilities, is
written here. ``load_mnist`` is not here but in ``mnist_loader``: the package ``network`` never
imports ``mnist_loader`` (not even inside a function), so that the networks work on any data.
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid, softmax
from .data import to_labels
from .layers import Affine, AddLayer, MulLayer, Relu, Sigmoid, SoftmaxWithLoss
from .numerical import numerical_gradient
from .two_layer_net import TwoLayerNet

__all__ = ["softmax", "sigmoid", "cross_entropy_error", "numerical_gradient", "MulLayer", "AddLayer", "Relu",
           "Sigmoid", "Affine", "SoftmaxWithLoss", "TwoLayerNet"]

def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """DLfS's cross-entropy of probabilities ``y`` against targets ``t``, the batch's mean:
    -(1/N) sum_n ln y[n, t_n]. ``y`` one sample (C,) or a batch (N, C); ``t`` one-hot (like ``y``)
    or integer labels. A probability 0 counts as the smallest positive float (DLfS adds 1e-7 to
    every y instead, which moves its chapter-4 example's 0.92806853663 by 2.5e-7; the book prints
    the value without it). ``SoftmaxWithLoss`` computes the same cost from the scores, exactly."""
    y = np.asarray(y, dtype=np.float64)
    t = np.asarray(t)
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if y.ndim != 2:
        raise ValueError(f"cross_entropy_error: y has shape {y.shape}, expected (C,) or (N, C)")
    labels = to_labels(t, y.shape[1], "cross_entropy_error targets")
    if len(labels) != len(y):
        raise ValueError(f"cross_entropy_error: {len(labels)} targets for {len(y)} rows of y")
    return float(-np.sum(np.log(np.maximum(y[np.arange(len(y)), labels], np.finfo(np.float64).tiny))) / len(y))
