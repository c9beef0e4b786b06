"""``TwoLayerNet`` of *Deep Learning from Scratch*: Affine -> Relu -> Affine -> SoftmaxWithLoss.

Its gradient comes two ways: ``numerical_gradient`` (central differences, one loss evaluation
pair per parameter) and ``gradient`` (backprop through the layer graph). They agree; the second
is thousands of times faster.
"""
from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np
from numpy.typing import DTypeLike

from .activations import softmax
from .costs import softmax_cross_entropy
from .data import Data, as_form, count_correct, input_rows, most_active, labelled_rows
from .initialization import make_rng
from .layers import Affine, Relu, SoftmaxWithLoss, labels_from
from .numerical import numerical_gradient
from . import files
from .parameters import ParameterView, Slot, check_parameters
from .validation import check_eta, check_int, check_real, float_dtype


class TwoLayerNet:
    """A two-layer network on the computational graph; parameters in ``params`` (W1, b1, W2, b2).

    ``params`` is a live view of the layers' own arrays: update them in place, as the book does
    (``net.params[key] -= lr * grad[key]``); ``net.params[key] = a`` gives the layer the array
    ``a`` itself (shared), after checking its shape and dtype. Every public method checks its
    input and the arrays at its door.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 weight_init_std: float = 0.01, seed: int | np.random.Generator | None = None,
                 dtype: DTypeLike=np.float64) -> None:
        self.sizes = [check_int(n, name) for name, n in (("input_size", input_size), ("hidden_size", hidden_size),
                                                         ("output_size", output_size))]
        check_real(weight_init_std, "weight_init_std", "a finite number > 0", lambda v: v > 0)
        self.dtype = float_dtype(dtype)
        self.weight_init_std = float(weight_init_std)
        rng = make_rng(seed)
        W1, W2 = (_initial_weights(weight_init_std, rng, shape, self.dtype)
                  for shape in ((input_size, hidden_size), (hidden_size, output_size)))
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(W1, np.zeros(hidden_size, dtype=self.dtype))
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(W2, np.zeros(output_size, dtype=self.dtype))
        self.last_layer = SoftmaxWithLoss()

    def __repr__(self) -> str:
        return (f"TwoLayerNet({self.sizes}, cost softmax cross-entropy, activation relu, "
                f"init N(0, {self.weight_init_std:g}^2), {self.dtype.name})")

    def _slots(self) -> list[Slot]:
        n_in, n_hidden, n_out = self.sizes
        slots = []
        for l, (layer, shape) in enumerate((("Affine1", (n_in, n_hidden)), ("Affine2", (n_hidden, n_out))), start=1):
            affine = self.layers[layer]
            slots.append(Slot(f"W{l}", f"params['W{l}']", affine, "W", None, shape, self.dtype))
            slots.append(Slot(f"b{l}", f"params['b{l}']", affine, "b", None, shape[1:], self.dtype))
        return slots

    @property
    def params(self) -> ParameterView:
        """W1, b1, W2, b2: the affine layers' own arrays, live (see the class's docstring)."""
        return ParameterView(self._slots())

    def _rows(self, x, name: str) -> tuple[np.ndarray, str]:
        """The door: the parameters, and the inputs as rows (``input_rows``), checked."""
        check_parameters(self._slots())
        return input_rows(x, self.sizes[0], self.dtype, name)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Scores (before softmax) for a batch x of shape (N, input_size): the book's ``predict``."""
        rows, form = self._rows(x, "predict input")
        return as_form(self._scores(rows), form)

    def _scores(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def feedforward(self, x: np.ndarray) -> np.ndarray:
        """The output activations, softmax of the scores: rows (m, input_size) give rows; one
        column (input_size, 1) gives a column, a vector (input_size,) a vector."""
        rows, form = self._rows(x, "feedforward input")
        return as_form(softmax(self._scores(rows)), form)

    def classify(self, x: np.ndarray) -> int | np.ndarray:
        """The digit (the highest score) for one sample, or an array of them for rows."""
        return most_active(self.feedforward(x), self.sizes[-1])

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """The cross-entropy of the softmax of the scores averaged (not summed) over the batch, as
        the book's; t one-hot or integer labels."""
        rows, _ = self._rows(x, "loss input")
        return self.last_layer.forward(self._scores(rows), t)

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        """Fraction of the batch whose highest score is the label (t one-hot or integers)."""
        rows, _ = self._rows(x, "accuracy input")
        return self._correct(rows, labels_from(np.asarray(t), (len(rows), self.sizes[-1]))) / len(rows)

    def _correct(self, X: np.ndarray, labels: np.ndarray) -> int:
        return count_correct(self._scores, X, labels)

    def evaluate(self, test_data: Data) -> int:
        """Number of samples classified correctly in ``test_data`` = (x, t) arrays (or Nielsen's tuples)."""
        check_parameters(self._slots())
        return self._correct(*labelled_rows(test_data, self.sizes[0], self.sizes[-1], "test_data", self.dtype))

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray, h: float = 1e-4,
                           fast: bool = False, verbose: bool = True) -> dict[str, np.ndarray]:
        """The gradient of ``loss`` by central differences: 2 loss evaluations per parameter.

        ``fast=False`` (the book's way) perturbs each parameter in place and calls ``loss``.
        ``fast=True`` computes the very same loss values, (L(p + h e_i) - L(p - h e_i)) / 2h for
        every parameter i, but evaluates each perturbed loss from the unperturbed forward pass:
        see ``central_differences_two_layer``. It is still no backprop: no derivative is taken.
        The book's way reports its progress on stderr when it takes more than a few seconds
        (``verbose=False`` silences it).
        """
        check_real(h, "step h", "a finite number > 0", lambda v: v > 0)
        rows, _ = self._rows(x, "numerical_gradient input")
        if fast:
            return central_differences_two_layer(self.params, rows, labels_from(np.asarray(t), (len(rows), self.sizes[-1])), h)
        loss = lambda _: self.loss(rows, t)  # noqa: E731 -- reads the perturbed params in place
        return {key: numerical_gradient(loss, self.params[key], h, verbose, f"numerical gradient of {key}")
                for key in ("W1", "b1", "W2", "b2")}

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """The gradient of ``loss`` by backprop: forward through the layers, backward in reverse."""
        self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}

    def backprop(self, x: np.ndarray, t: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``gradient`` as Nielsen's ``(nabla_b, nabla_w)`` lists, layer by layer (in this
        network's layout: W (n_in, n_out), b (n_out,))."""
        g = self.gradient(x, t)
        return [g["b1"], g["b2"]], [g["W1"], g["W2"]]

    def update_mini_batch(self, mini_batch: Data, eta: float) -> None:
        """One step of the book's training loop on ``mini_batch`` = (x, t): params -= eta grad."""
        eta = check_eta(eta)
        if not (isinstance(mini_batch, tuple) and len(mini_batch) == 2):
            raise ValueError(f"mini_batch must be a pair (x, t) of inputs in rows and their targets, "
                             f"got {type(mini_batch).__name__}" + (f" of {len(mini_batch)}" if hasattr(mini_batch, "__len__") else ""))
        x, t = mini_batch
        grad = self.gradient(x, t)
        for key, p in self.params.items():
            p -= eta * grad[key]

    def save(self, path: str | os.PathLike) -> None:
        """Write the network to ``path`` as JSON, atomically; read it back with ``network.load``.
        It is checked first (shapes, finite numbers): what save writes, load reads."""
        files.save(self, path)

    def _file_header(self) -> dict:
        return dict(sizes=list(self.sizes), weight_init_std=self.weight_init_std, dtype=self.dtype.name)

    def _file_arrays(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        params = self.params
        return [params["W1"], params["W2"]], [params["b1"], params["b2"]]

    def _load_arrays(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        self.params.update(W1=weights[0], W2=weights[1], b1=biases[0], b2=biases[1])


def _initial_weights(std: float, rng: np.random.Generator, shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    """The book's std * N(0, 1) weights in ``dtype``; refused by name if they are not finite there
    (a std of 1e200 is a float64 but overflows float32)."""
    with np.errstate(over="ignore"):
        w = (std * rng.standard_normal(shape)).astype(dtype)
    if not np.isfinite(w).all():
        raise ValueError(f"weight_init_std = {std:g} gives initial weights that are not finite in {dtype.name} "
                         f"(its largest value is {np.finfo(dtype).max:g})")
    return w


def _mean_loss(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mean softmax cross-entropy over the batch axis (-2) of scores shaped (..., N, C)."""
    return np.mean(softmax_cross_entropy(scores, labels), axis=-1)


def central_differences_two_layer(params: dict[str, np.ndarray], x: np.ndarray, labels: np.ndarray,
                                  h: float = 1e-4) -> dict[str, np.ndarray]:
    """Central differences of TwoLayerNet's loss for all parameters, fast and exact.

    Each parameter touches little of the network: W1[i, j] and b1[j] change only hidden unit j
    (its pre-activation moves by h x[:, i] or h), W2[j, c] and b2[c] only output column c. So
    the loss at p +- h e_i is the unperturbed scores S plus a rank-one change, and all the
    perturbations of one hidden unit are evaluated together as one array. The values are those
    of a full forward pass (to rounding), ReLU kinks included.
    """
    x = x.reshape(len(x), -1).astype(np.float64)
    W1, b1, W2, b2 = (params[k].astype(np.float64) for k in ("W1", "b1", "W2", "b2"))
    z1 = x @ W1 + b1
    a1 = np.maximum(z1, 0)
    scores = a1 @ W2 + b2                                                   # (N, C)
    n_out = W2.shape[1]
    grads = {k: np.zeros(params[k].shape) for k in params}
    eye = np.eye(n_out)
    for sign in (1.0, -1.0):
        # output layer: S + sign h a1[:, j] e_c  for every (j, c);  S + sign h e_c  for every c
        shifted = scores + sign * h * a1.T[:, None, :, None] * eye[None, :, None, :]   # (H, C, N, C)
        grads["W2"] += sign * _mean_loss(shifted, labels)
        grads["b2"] += sign * _mean_loss(scores + sign * h * eye[:, None, :], labels)
        # hidden layer: unit j's pre-activation moves by sign h x[:, i] (W1[i, j]) or sign h (b1[j])
        moves = np.vstack([x.T, np.ones((1, len(x)))]) * (sign * h)                    # (n_in + 1, N)
        for j in range(W1.shape[1]):
            da = np.maximum(z1[:, j] + moves, 0) - a1[:, j]                               # (n_in + 1, N)
            losses = _mean_loss(scores + da[:, :, None] * W2[j], labels)
            grads["W1"][:, j] += sign * losses[:-1]
            grads["b1"][j] += sign * losses[-1]
    return {k: (g / (2 * h)).astype(params[k].dtype) for k, g in grads.items()}
