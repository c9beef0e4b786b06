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

from .activations import sigmoid, sigmoid_prime, softmax
from .data import to_labels
from .layers import Affine, AddLayer, MulLayer, Relu, Sigmoid, SoftmaxWithLoss
from .numerical import numerical_gradient
from .two_layer_net import TwoLayerNet

# np too: DLfS's own modules get it from ``from common.functions import *`` (its chapter-4
# two_layer_net.py, kept beside its train_neuralnet.py, runs by the same rule)
__all__ = ["np", "softmax", "sigmoid", "sigmoid_grad", "cross_entropy_error", "numerical_gradient", "MulLayer", "AddLayer",
           "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "TwoLayerNet"]

def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """DLfS's cross-entropy of probabilities ``y`` against targets ``t``, the batch's mean, as its
    common/functions.py computes it: -(1/N) sum_n ln(y[n, t_n] + 1e-7), the 1e-7 keeping ln(0)
    finite (it gives the book's chapter-4 examples, 0.510825457... and 2.302584092..., exactly).
    ``y`` one sample (C,) or a batch (N, C); ``t`` one-hot (like ``y``) or integer labels.
    ``SoftmaxWithLoss`` computes the cost from the scores instead, without the 1e-7."""
    y = np.asarray(y, dtype=np.float64)
    t = np.asarray(t)
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if y.ndim != 2:
        raise ValueError(f"cross_entropy_error: y has shape {y.shape}, expected (C,) or (N, C)")
    labels = to_labels(t, y.shape[1], "cross_entropy_error targets")
    if len(labels) != len(y):
        raise ValueError(f"cross_entropy_error: {len(labels)} targets for {len(y)} rows of y")
    return float(-np.sum(np.log(y[np.arange(len(y)), labels] + 1e-7)) / len(y))


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """The derivative of the sigmoid at ``x``, DLfS's name (its chapter-4 TwoLayerNet uses it):
    sigma'(x) = sigma(x) (1 - sigma(x))."""
    return sigmoid_prime(x)
