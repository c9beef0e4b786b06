"""Backpropagation on a computational graph: layers with ``forward`` and ``backward``.

The account of chapter 5 of *Deep Learning from Scratch* (Saito). Each layer's ``forward``
computes its output and keeps what ``backward`` will need; ``backward(dout)`` takes the
gradient of the final scalar with respect to the layer's output and returns the gradient with
respect to its input(s) -- the chain rule, one node at a time. A network is an ordered list of
layers: forward in order, backward in reverse.

Three bugs of versions found online are avoided on purpose (and tested): ``Relu.backward``
keeps its input (its mask) and does not overwrite the caller's ``dout``; ``Affine.forward`` is a
matrix product, not an element-wise one; ``Affine.backward`` stores both ``dW`` and ``db``.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .activations import LINEAR, RELU, SIGMOID, TANH, Activation, get_activation, log_softmax
from .costs import softmax_cross_entropy
from .data import to_labels


def _unbroadcast(grad, shape):
    """Sum ``grad`` over the axes along which an input of ``shape`` was broadcast."""
    if not isinstance(grad, np.ndarray) or np.shape(grad) == tuple(shape):
        return grad
    grad = np.sum(grad, axis=tuple(range(grad.ndim - len(shape)))) if grad.ndim > len(shape) else grad
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return np.sum(grad, axis=axes, keepdims=True) if axes else grad


class MulLayer:
    """out = x * y;  dout/dx = y, dout/dy = x (scalars or arrays)."""

    def __init__(self) -> None:
        self.x = self.y = None

    def forward(self, x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray | float:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: np.ndarray | float) -> tuple[np.ndarray | float, np.ndarray | float]:
        dx = _unbroadcast(dout * self.y, np.shape(self.x))
        dy = _unbroadcast(dout * self.x, np.shape(self.y))
        return dx, dy


class AddLayer:
    """out = x + y;  the gradient passes unchanged to both inputs."""

    def __init__(self) -> None:
        self.x_shape = self.y_shape = None

    def forward(self, x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray | float:
        self.x_shape, self.y_shape = np.shape(x), np.shape(y)
        return x + y

    def backward(self, dout: np.ndarray | float) -> tuple[np.ndarray | float, np.ndarray | float]:
        return _unbroadcast(dout * 1, self.x_shape), _unbroadcast(dout * 1, self.y_shape)


class ActivationLayer:
    """out = sigma(x) for an activation of activations.py;  dx = dout * sigma'(x).

    ``forward`` keeps its input and output (sigma' of sigmoid and tanh is read off the output),
    and ``backward`` returns a new array: the caller's ``dout`` stays as it was.
    """

    activation: Activation

    def __init__(self) -> None:
        self.x: Optional[np.ndarray] = None
        self.out: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        self.out = self.activation.fn(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.activation.prime(self.x, self.out)


class Relu(ActivationLayer):
    """out = max(x, 0);  dx = dout where x > 0, else 0 (the mask is the input kept by forward)."""

    activation = RELU


class Sigmoid(ActivationLayer):
    """out = 1 / (1 + exp(-x));  dx = dout * out * (1 - out)."""

    activation = SIGMOID


class Tanh(ActivationLayer):
    """out = tanh(x);  dx = dout * (1 - out^2)."""

    activation = TANH


class Linear(ActivationLayer):
    """out = x;  dx = dout (network3's ``linear`` activation)."""

    activation = LINEAR


ACTIVATION_LAYERS = {cls.activation.name: cls for cls in (Sigmoid, Tanh, Relu, Linear)}


def activation_layer(name: str) -> ActivationLayer:
    """A new graph layer for the hidden-layer activation ``name`` ('sigmoid', 'tanh', 'relu')."""
    return ACTIVATION_LAYERS[get_activation(name).name]()


class Affine:
    """out = x W + b for a batch x of shape (N, ...): trailing axes are flattened to W's rows.

    backward: dx = dout W^T (reshaped to x's shape), dW = x^T dout, db = sum of dout over the
    batch. ``W`` and ``b`` are the arrays given (updating them in place updates the layer).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Affine needs W of shape (n_in, n_out) and b of shape (n_out,); "
                             f"got W {W.shape}, b {b.shape}")
        self.W, self.b = W, b
        self.x: Optional[np.ndarray] = None
        self.original_x_shape: Optional[tuple] = None
        self.dW: Optional[np.ndarray] = None
        self.db: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != self.W.shape[0]:
            raise ValueError(f"Affine: input of shape {x.shape} does not flatten to (N, {self.W.shape[0]})")
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        return (dout @ self.W.T).reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy loss, averaged over the batch.

    forward(x, t): t one-hot (N, C) or integer labels (N,). The loss is computed from the
    log-softmax directly, so it is exact and finite for inputs like 1000 or -1000.
    backward(dout=1): (y - t) / N, the gradient of the mean loss with respect to x.
    """

    def __init__(self) -> None:
        self.loss: Optional[float] = None
        self.y: Optional[np.ndarray] = None
        self.t: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        x = np.atleast_2d(x)
        t = np.asarray(t)
        if t.ndim == 0:
            t = t.reshape(1)
        labels = labels_from(t, x.shape)
        self.y = np.exp(log_softmax(x))
        self.t = labels
        self.loss = float(np.mean(softmax_cross_entropy(x, labels)))
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        n = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx * (dout / n)


def labels_from(t: np.ndarray, x_shape: tuple) -> np.ndarray:
    """Integer labels from one-hot rows (N, C) or labels (N,), checked against scores (N, C)."""
    n, c = x_shape
    if t.shape not in ((n, c), (n,)):
        raise ValueError(f"targets of shape {t.shape} do not fit scores of shape {x_shape}: "
                         f"expected one-hot ({n}, {c}) or integer labels ({n},)")
    return to_labels(t, c, "targets")
