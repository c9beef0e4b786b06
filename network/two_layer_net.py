"""``TwoLayerNet`` of *Deep Learning from Scratch*: Affine -> Relu -> Affine -> SoftmaxWithLoss.

Its gradient comes two ways: ``numerical_gradient`` (central differences, one loss evaluation
pair per parameter) and ``gradient`` (backprop through the layer graph). They agree; the second
is thousands of times faster.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .layers import Affine, Relu, SoftmaxWithLoss, labels_from
from .numerical import numerical_gradient


class TwoLayerNet:
    """A two-layer network on the computational graph; parameters in ``params`` (W1, b1, W2, b2).

    The layers hold the very arrays of ``params``: update them in place, as the book does
    (``net.params[key] -= lr * grad[key]``).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 weight_init_std: float = 0.01, seed: int | np.random.Generator | None = None,
                 dtype=np.float64) -> None:
        for name, n in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
                raise ValueError(f"{name} must be a positive integer, got {n!r}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.params = {
            "W1": (weight_init_std * rng.standard_normal((input_size, hidden_size))).astype(dtype),
            "b1": np.zeros(hidden_size, dtype=dtype),
            "W2": (weight_init_std * rng.standard_normal((hidden_size, output_size))).astype(dtype),
            "b2": np.zeros(output_size, dtype=dtype),
        }
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Scores (before softmax) for a batch x of shape (N, input_size)."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """Mean cross-entropy of the softmax of the scores; t one-hot or integer labels."""
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        """Fraction of the batch whose highest score is the label (t one-hot or integers)."""
        y = self.predict(x)
        return float(np.mean(np.argmax(y, axis=1) == labels_from(np.asarray(t), y.shape)))

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray, h: float = 1e-4) -> dict[str, np.ndarray]:
        """The gradient of ``loss`` by central differences: 2 loss evaluations per parameter."""
        loss = lambda _: self.loss(x, t)  # noqa: E731 -- reads the perturbed params in place
        return {key: numerical_gradient(loss, self.params[key], h) for key in ("W1", "b1", "W2", "b2")}

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """The gradient of ``loss`` by backprop: forward through the layers, backward in reverse."""
        self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}
