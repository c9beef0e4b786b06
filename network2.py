"""network2.py, chapter 3's module, as the book prints it: a thin face over ``network.MatrixNetwork``.

The book's sessions and Nielsen's figure scripts run as printed::

    import mnist_loader, network2
    training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
    net = network2.Network([784, 30, 10], cost=network2.CrossEntropyCost)
    net.large_weight_initializer()
    net.SGD(training_data, 30, 10, 0.5, evaluation_data=test_data, monitor_evaluation_accuracy=True)

What is network2.py's, kept: the names and signatures; the initial weights drawn from numpy's
global generator (``np.random.randn``) and the shuffling done by Python's ``random.shuffle``, so a
script that seeds both (the figure scripts use 12345678) gets the same run every time; the lines
SGD prints and the four lists it returns (plain Python numbers, for ``json.dump``); a negative
decay factor 1 - eta*lmbda/n, and weights that overflow, train on (one warning, no exception).

What is this project's: the mathematics is MatrixNetwork's, float64, every mini-batch one matrix
through ``MatrixNetwork._backprop`` (BP1-BP4) -- one step equals network2.py's per-sample step to
rounding, and there is no second copy of it here; input is checked where it enters (a wrong shape,
a label out of range is a ValueError naming the sample, not a numpy error); ``save`` writes the
project's network file, atomically, and ``load`` reads it within bounds.
"""
from __future__ import annotations

import os
import random
import warnings
from typing import Optional, Sequence

import numpy as np

from mnist_loader import vectorized_result
from network.activations import sigmoid, sigmoid_prime
from network.costs import CrossEntropyCost, QuadraticCost, get_cost
from network.data import Data, as_matrices, labelled_rows, one_hot
from network.loading import load as _load_network
from network.matrix import MatrixNetwork, warn_negative_decay
from network.stopping import EarlyStopping, Plateau
from network.validation import check_hyperparameters, check_lmbda

__all__ = ["QuadraticCost", "CrossEntropyCost", "Network", "load", "vectorized_result", "sigmoid", "sigmoid_prime"]


class Network:
    """network2.py's ``Network(sizes, cost=CrossEntropyCost)``: ``cost`` the class or an instance
    (the book's scripts pass both). ``weights`` and ``biases`` are Nielsen's lists, (n_out, n_in)
    and (n_out, 1) per layer, the arrays the engine trains in place."""

    def __init__(self, sizes: Sequence[int], cost: type | object = CrossEntropyCost) -> None:
        # the engine's own draws (seed 0) are replaced at once by network2's, from np.random
        self._net = MatrixNetwork(sizes, seed=0, dtype=np.float64, cost=_cost_class(cost), init="scaled")
        self.sizes = self._net.sizes
        self.num_layers = len(self.sizes)
        self.cost = cost
        self.default_weight_initializer()

    @property
    def cost(self) -> type | object:
        """The cost as given (a class or an instance); the engine trains with its class."""
        return self._cost

    @cost.setter
    def cost(self, cost: type | object) -> None:
        self._net.cost = get_cost(_cost_class(cost))
        self._cost = cost

    def __repr__(self) -> str:
        return f"network2.Network({self.sizes}, cost={self._net.cost.__name__}, init {self._net.init})"

    # ------------------------------------------------------------------ parameters
    @property
    def weights(self) -> list[np.ndarray]:
        return self._net.weights

    @weights.setter
    def weights(self, arrays: Sequence[np.ndarray]) -> None:
        self._net.weights = arrays

    @property
    def biases(self) -> list[np.ndarray]:
        return self._net.biases

    @biases.setter
    def biases(self, arrays: Sequence[np.ndarray]) -> None:
        self._net.biases = arrays

    def default_weight_initializer(self) -> None:
        """Weights N(0, 1/n_in), biases N(0, 1), drawn from numpy's global generator as network2.py
        draws them (all biases, then all weights): ``np.random.seed`` fixes them."""
        self._initialize(scaled=True)

    def large_weight_initializer(self) -> None:
        """Weights and biases N(0, 1), chapter 1's, drawn from numpy's global generator."""
        self._initialize(scaled=False)

    def _initialize(self, scaled: bool) -> None:
        pairs = list(zip(self.sizes[:-1], self.sizes[1:]))
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]
        self.weights = [np.random.randn(y, x) / np.sqrt(x) if scaled else np.random.randn(y, x) for x, y in pairs]
        self._net.init = "scaled" if scaled else "large"

    # ------------------------------------------------------------------ the book's methods
    def feedforward(self, a: np.ndarray) -> np.ndarray:
        """The output for input ``a``: a column (n_in, 1) gives a column (n_out, 1)."""
        return self._net.feedforward(a)

    def SGD(self, training_data: Data, epochs: int, mini_batch_size: int, eta: float, lmbda: float = 0.0,
            evaluation_data: Optional[Data] = None, monitor_evaluation_cost: bool = False,
            monitor_evaluation_accuracy: bool = False, monitor_training_cost: bool = False,
            monitor_training_accuracy: bool = False, early_stopping_n: int = 0
            ) -> tuple[list[float], list[int], list[float], list[int]]:
        """Mini-batch SGD as network2.py: every epoch shuffles the training data with Python's
        ``random.shuffle`` (a list of samples is left in the order the last epoch used, as the
        book's is), takes one step per mini-batch (weights decay by 1 - eta*lmbda/n, n the
        training-set size), prints ``Epoch j training complete`` and the monitored lines, and
        returns ``(evaluation_cost, evaluation_accuracy, training_cost, training_accuracy)``, lists
        of Python floats and ints. ``early_stopping_n`` (the book's exercise) stops after that many
        epochs without a better evaluation accuracy. ``epochs`` may be a whole float (Python 2's
        ``1500000 / size`` is one after 2to3)."""
        if isinstance(epochs, float) and epochs.is_integer():
            epochs = int(epochs)
        check_hyperparameters(epochs, mini_batch_size, eta)
        check_lmbda(lmbda)
        stopping = EarlyStopping(early_stopping_n)
        net = self._net
        net._own_parameters()
        X, Y = as_matrices(training_data, self.sizes[0], self.sizes[-1], "training_data", np.float64)
        if evaluation_data is None and (monitor_evaluation_cost or monitor_evaluation_accuracy or stopping.n):
            raise ValueError("monitoring the evaluation cost or accuracy, and early stopping, need evaluation_data")
        if evaluation_data is not None:
            X_eval, labels_eval = labelled_rows(evaluation_data, self.sizes[0], self.sizes[-1], "evaluation_data")
            Y_eval = one_hot(labels_eval, self.sizes[-1]) if monitor_evaluation_cost else None
        n = len(X)
        warned = warn_negative_decay(eta, lmbda, n)
        evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = [], [], [], []
        plateau = Plateau()
        order = list(range(n))
        with np.errstate(over="ignore", invalid="ignore"):        # overflowing weights train on, as network2.py's
            for j in range(epochs):
                random.shuffle(order)                            # the very draws of random.shuffle(training_data)
                rows = np.array(order)
                for k in range(0, n, mini_batch_size):
                    batch = rows[k:k + mini_batch_size]
                    net._update_mini_batch(X[batch], Y[batch], eta, lmbda, n, 0.0, None, 0.0)
                print(f"Epoch {j} training complete")
                if monitor_training_cost:
                    training_cost.append(net._total_cost(X, Y, lmbda))
                    print(f"Cost on training data: {training_cost[-1]}")
                if monitor_training_accuracy:
                    training_accuracy.append(net._correct(X, np.argmax(Y, axis=1)))
                    print(f"Accuracy on training data: {training_accuracy[-1]} / {n}")
                if monitor_evaluation_cost:
                    evaluation_cost.append(net._total_cost(X_eval, Y_eval, lmbda))
                    print(f"Cost on evaluation data: {evaluation_cost[-1]}")
                if monitor_evaluation_accuracy or stopping.n:
                    accuracy = net._correct(X_eval, labels_eval)
                    plateau.record(accuracy)
                    if monitor_evaluation_accuracy:
                        evaluation_accuracy.append(accuracy)
                        print(f"Accuracy on evaluation data: {accuracy} / {len(X_eval)}")
                print(flush=True)
                if not warned and not all(np.isfinite(w).all() for w in net.weights + net.biases):
                    warnings.warn(f"the weights overflowed in epoch {j} (eta {eta:g}): they are inf or nan now, and "
                                  f"training goes on as network2.py's does", RuntimeWarning, stacklevel=2)
                    warned = True
                if stopping.should_stop(plateau):
                    break
        if isinstance(training_data, list):
            training_data[:] = [training_data[i] for i in order]
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    def update_mini_batch(self, mini_batch: Data, eta: float, lmbda: float, n: int) -> None:
        """One step on ``mini_batch`` (a list of (x, y), y one-hot): w -> (1 - eta*lmbda/n) w -
        (eta/m) sum_x dC_x/dw, b -> b - (eta/m) sum_x dC_x/db, n the training set's size."""
        self._net.update_mini_batch(mini_batch, eta, lmbda, n)

    def backprop(self, x: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(nabla_b, nabla_w)``, the gradient of C_x for one sample: x (n_in, 1), y (n_out, 1)
        one-hot; lists shaped like ``biases`` and ``weights``."""
        return self._net.backprop(x, y)

    def accuracy(self, data: Data, convert: bool = False) -> int:
        """The number of samples of ``data`` classified right. ``convert`` as the book: False for
        validation or test data (y a digit), True for training data (y a one-hot vector)."""
        _check_convert(data, "accuracy", wants_labels=not convert)
        self._net._own_parameters()
        return self._net._correct(*labelled_rows(data, self.sizes[0], self.sizes[-1], "data"))

    def total_cost(self, data: Data, lmbda: float, convert: bool = False) -> float:
        """The mean cost over ``data`` plus (lmbda / 2n) sum ||w||^2, n = len(data). ``convert`` as
        the book: False for training data (y one-hot), True for validation or test data (y a digit)."""
        _check_convert(data, "total_cost", wants_labels=convert)
        return self._net.total_cost(data, lmbda)

    def save(self, filename: str | os.PathLike) -> None:
        """Write the network to ``filename`` (the project's JSON network file, atomically)."""
        self._net.save(filename)


def load(filename: str | os.PathLike) -> Network:
    """A ``Network`` from a file written by ``Network.save`` (read within bounds and checked)."""
    engine = _load_network(filename)
    if not isinstance(engine, MatrixNetwork) or engine.cost not in (QuadraticCost, CrossEntropyCost) \
            or engine.activation.name != "sigmoid" or engine.dtype != np.float64:
        raise ValueError(f"{filename}: holds a {engine!r}, not a network2 network (float64 sigmoid neurons, "
                         f"quadratic or cross-entropy cost)")
    net = Network.__new__(Network)
    net._net, net.sizes, net.num_layers = engine, engine.sizes, engine.num_layers
    net.cost = engine.cost
    return net


def _cost_class(cost: type | object) -> type:
    """network2's scripts pass a cost class or an instance of one: the class."""
    return cost if isinstance(cost, type) else type(cost)


def _check_convert(data: Data, method: str, wants_labels: bool) -> None:
    """network2's ``convert`` flag must fit the data's targets: digits (validation and test data)
    or one-hot vectors (training data). A mismatch is named here; in network2.py it is a numpy
    TypeError or, worse, a silently wrong count."""
    if isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray):
        labels = np.ndim(data[1]) == 1
    else:
        try:
            labels = np.ndim(data[0][1]) == 0
        except (TypeError, IndexError, KeyError):
            return                                          # not samples at all: labelled_rows names it
    if labels != wants_labels:
        have = "digits (validation or test data)" if labels else "one-hot vectors (training data)"
        right = not labels if method == "accuracy" else labels
        raise ValueError(f"{method}: the data's y are {have}: call it with convert={right}")
