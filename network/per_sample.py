"""Nielsen's ``network.py`` (chapter 1), faithfully, in Python 3.

Stochastic gradient descent for a feedforward network of sigmoid neurons with the quadratic
cost. Gradients come from backpropagation one training sample at a time, exactly the algorithm
of the book: this class is the reference that ``MatrixNetwork`` is checked and timed against,
so it keeps the per-sample loop on purpose.

The four equations of backpropagation (chapter 2), with ``*`` the Hadamard product:
    BP1  delta^L = grad_a C * sigma'(z^L)
    BP2  delta^l = ((w^{l+1})^T delta^{l+1}) * sigma'(z^l)
    BP3  dC/db^l = delta^l
    BP4  dC/dw^l = delta^l (a^{l-1})^T
"""
from __future__ import annotations

import time
from typing import Optional, Sequence

import numpy as np

from .activations import SIGMOID, sigmoid, sigmoid_prime
from .costs import QuadraticCost
from .data import Inputs, as_form, count_correct, input_rows, labelled_rows, most_active
from .history import EpochCallback, History
from .initialization import gaussian_parameters, make_rng
from .parameters import NielsenParameters, by_name
from .reports import print_epoch
from .validation import check_callback, check_eta, check_finite_parameters, check_hyperparameters, check_sample_list, check_sizes

Sample = tuple  # (x, y): x of shape (n_in, 1); y one-hot (n_out, 1) or an int label


class Network(NielsenParameters):
    """A feedforward network of sigmoid neurons trained by per-sample backpropagation.

    ``weights`` and ``biases`` are plain lists of the network's arrays, trained in place; every
    public method checks its input, and these arrays, at its door (``_check_parameters``), and
    the book's algorithm below it (``_feedforward``, ``_update_mini_batch``, ``_backprop``,
    ``_evaluate``) runs unchecked, as network.py's.

    >>> net = Network([784, 30, 10], seed=1)
    >>> net.SGD(training_data, 30, 10, 3.0, test_data=test_data)   # doctest: +SKIP
    """

    # what the book's network is, in the terms MatrixNetwork (and the save file) uses
    cost = QuadraticCost
    activation = SIGMOID
    init = "large"
    dtype = np.dtype(np.float64)

    def __init__(self, sizes: Sequence[int], seed: int | np.random.Generator | None = None) -> None:
        self.sizes = check_sizes(sizes)
        self.num_layers = len(self.sizes)
        self.rng = make_rng(seed)
        self.biases, self.weights = gaussian_parameters(self.sizes, self.rng)

    def __repr__(self) -> str:
        return f"Network({self.sizes}, cost quadratic, activation sigmoid, init large, float64)"

    def feedforward(self, a: np.ndarray) -> np.ndarray:
        """Return the output of the network for input ``a``: a' = sigma(w a + b) per layer. A
        column (n_in, 1) gives a column, as in the book; a vector (n_in,) a vector; samples in
        rows (m, n_in) rows (m, n_out), computed for all rows at once as MatrixNetwork does
        (the same sigmoid, the same products: the same numbers, overflows included)."""
        self._check_parameters()
        rows, form = input_rows(a, self.sizes[0], self.dtype, "feedforward input")
        return as_form(self._feedforward_rows(rows), form)

    def _feedforward_rows(self, X: np.ndarray) -> np.ndarray:
        for b, w in zip(self.biases, self.weights):
            X = self.activation.fn(X @ w.T + b.T)               # a' = sigma(w a + b), a row per sample
        return X

    def _feedforward(self, a: np.ndarray) -> np.ndarray:
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def classify(self, x: np.ndarray) -> int | np.ndarray:
        """The digit (the most active output) for one sample, or an array of them for rows."""
        return most_active(self.feedforward(x), self.sizes[-1])

    def SGD(self, training_data: list[Sample], epochs: int, mini_batch_size: int, eta: float,
            test_data: Optional[list[Sample]] = None, *, verbose: bool = True,
            callback: Optional[EpochCallback] = None) -> History:
        """Train by mini-batch stochastic gradient descent.

        Each epoch shuffles the training data (with the network's own generator), splits it into
        mini-batches of ``mini_batch_size`` (the last one may be smaller) and applies one
        gradient step per mini-batch. With ``test_data``, the network is evaluated after each
        epoch and the book's ``Epoch j: correct / total`` line is printed. ``callback(epoch,
        history)`` runs after each epoch, e.g. to log. Returns the History.
        """
        eta = check_hyperparameters(epochs, mini_batch_size, eta)
        check_callback(callback)
        self._checked(training_data, "training_data")
        if test_data is not None:
            self._checked(test_data, "test_data", "any")
        n = len(training_data)
        history = History(n_test=len(test_data) if test_data is not None else 0)
        for j in range(epochs):
            start = time.perf_counter()
            order = self.rng.permutation(n)
            shuffled = [training_data[i] for i in order]
            for k in range(0, n, mini_batch_size):
                self._update_mini_batch(shuffled[k:k + mini_batch_size], eta)
            history.seconds.append(time.perf_counter() - start)
            check_finite_parameters(self.weights, self.biases, j, eta)
            if test_data is not None:
                history.test_accuracy.append(self._evaluate(test_data))
            if verbose:
                print_epoch(j, history, epochs)
            if callback is not None:
                callback(j, history)
        return history

    def update_mini_batch(self, mini_batch: list[Sample], eta: float) -> None:
        """One gradient-descent step: w -> w - (eta/m) sum_x dC_x/dw, and likewise for b. The
        mini-batch is a list of (x, y) tuples with one-hot y, checked."""
        self._update_mini_batch(self._checked(mini_batch, "mini_batch"), check_eta(eta))

    def _update_mini_batch(self, mini_batch: list[Sample], eta: float) -> None:
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self._backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        scale = eta / len(mini_batch)
        for w, nw in zip(self.weights, nabla_w):      # in place, the same numbers as network.py's
            w -= scale * nw                           # self.weights = [w - scale * nw ...]: the arrays
        for b, nb in zip(self.biases, nabla_b):       # of ``params`` stay the ones trained
            b -= scale * nb

    def backprop(self, x: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return ``(nabla_b, nabla_w)``, the gradient of the quadratic cost C_x for one sample.

        Layer-by-layer lists shaped like ``self.biases`` and ``self.weights``; x a column
        (n_in, 1), y a one-hot column (n_out, 1), checked.
        """
        return self._backprop(*self._checked([(x, y)], "backprop input")[0])

    def _backprop(self, x: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # forward pass, keeping every weighted input z and activation a
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # backward pass
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])  # BP1
        nabla_b[-1] = delta                                                     # BP3
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())                # BP4
        for l in range(2, self.num_layers):
            sp = sigmoid_prime(zs[-l])
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp        # BP2
            nabla_b[-l] = delta                                                 # BP3
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())        # BP4
        return nabla_b, nabla_w

    def evaluate(self, test_data: list[Sample] | tuple[np.ndarray, np.ndarray]) -> int:
        """Number of samples whose most active output neuron is the right digit.

        ``test_data``: the book's list of (x, y), ``y`` an integer label (test data) or a one-hot
        column (training data); or ``(X, labels)`` arrays, samples in rows, as the other networks take.
        """
        return self._correct(test_data, "test_data")

    def _correct(self, data, name: str) -> int:
        self._check_parameters()
        if not isinstance(data, list):                              # (X, labels) arrays
            X, labels = labelled_rows(data, self.sizes[0], self.sizes[-1], name)
            return count_correct(self._feedforward_rows, X, labels)
        return self._evaluate(self._checked(data, name, "any"))

    def _evaluate(self, test_data: list[Sample]) -> int:
        correct = 0
        for x, y in test_data:
            label = y if np.ndim(y) == 0 else int(np.argmax(y))
            correct += int(np.argmax(self._feedforward(x)) == label)
        return correct

    def accuracy(self, x: Inputs, y: Inputs) -> float:
        """The fraction of the samples (one (x, y) pair, lists of columns and labels or one-hot
        columns, or X in rows and their labels) whose most active output neuron is the right digit."""
        if isinstance(x, np.ndarray) and x.ndim == 2 and x.shape != (self.sizes[0], 1):   # samples in rows
            return self._correct((x, y), "accuracy input") / len(x)
        samples = _samples(x, y)
        return self._correct(samples, "accuracy input") / len(samples)

    def cost_derivative(self, output_activations: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dC_x/da for the quadratic cost: a - y."""
        return QuadraticCost.derivative(output_activations, y)

    # the gradient-check protocol (gradient_check.py): x, y one sample or lists of samples
    def loss(self, x: Inputs, y: Inputs) -> float:
        """The quadratic cost summed (not averaged) over the samples, sum_x 1/2 ||y - a||^2: one
        (x, y) pair, or lists of columns. The book's C is this divided by n; the sum is the
        function whose gradient ``backprop`` gives."""
        samples = self._checked(_samples(x, y), "loss input")
        return sum(QuadraticCost.fn(self._feedforward(xi), yi) for xi, yi in samples)

    def gradient(self, x: Inputs, y: Inputs) -> dict[str, np.ndarray]:
        """The gradient of ``loss`` by backprop, summed over the samples, by name as ``params``."""
        grads = [self._backprop(xi, yi) for xi, yi in self._checked(_samples(x, y), "gradient input")]
        nabla_b = [sum(g[0][l] for g in grads) for l in range(len(self.biases))]
        nabla_w = [sum(g[1][l] for g in grads) for l in range(len(self.weights))]
        return by_name(nabla_w, nabla_b)

    def _checked(self, samples: list[Sample], name: str, targets: str = "one-hot") -> list[Sample]:
        """The door: the weights and biases, and a list of (x, y) samples (``targets`` 'one-hot' or
        'any', see ``check_sample_list``), checked; returns the samples."""
        self._check_parameters()
        check_sample_list(samples, self.sizes[0], self.sizes[-1], name, targets)
        return samples


def _samples(x, y) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (x, y) pair, or lists of columns and their targets, as a list of pairs."""
    if isinstance(x, (list, tuple)):
        if not isinstance(y, (list, tuple)) or len(x) != len(y):
            raise ValueError("x is a list of samples: y must be a list of as many targets")
        return list(zip(x, y))
    return [(x, y)]
