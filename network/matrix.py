"""The fully matrix-based network: the answer to the exercise at the end of chapter 2.

``Network.backprop`` takes one sample at a time. Here the whole mini-batch goes through the
forward and backward passes at once, as a matrix X with one sample per row (m x n_in). The
four equations of backpropagation become matrix equations, with the same weights W^l
(n_out x n_in) and biases b^l (n_out x 1) as the book's:

    forward    Z^l = A^{l-1} (W^l)^T + (b^l)^T,   A^l = sigma(Z^l)        A^0 = X  (m x n_l)
    BP1        Delta^L = grad_A C * sigma'(Z^L)
    BP2        Delta^l = (Delta^{l+1} W^{l+1}) * sigma'(Z^l)
    BP3        sum_x dC_x/db^l = (Delta^l)^T 1     (the column sums of Delta^l)
    BP4        sum_x dC_x/dW^l = (Delta^l)^T A^{l-1}

Row x of Delta^l is the book's delta^l for sample x, and the sums over the mini-batch fall out of
the matrix products: one mini-batch is a handful of BLAS calls instead of m Python loops.

On top of chapter 1 it has chapter 3's options, as ``network2.py``: the cross-entropy and
log-likelihood (softmax) costs, L2 regularisation, scaled initialisation, monitoring, early
stopping and a learning-rate schedule; tanh and ReLU hidden layers; float32.
"""
from __future__ import annotations

import time
import warnings
from typing import Callable, Optional, Sequence

import numpy as np
from numpy.typing import DTypeLike

from . import activations as act
from .costs import get_cost
from .data import CHUNK, Data, as_form, as_matrices, count_correct, digits, input_rows, labelled_rows, one_hot
from .history import EpochCallback, History
from .initialization import INITS, gaussian_parameters, make_rng
from .parameters import NielsenParameters, by_name
from .reports import print_epoch, say
from .stopping import EarlyStopping, EtaSchedule, Plateau, TimeBudget
from .validation import check_eta, check_finite_cost, check_finite_parameters, check_hyperparameters, check_int, check_lmbda, check_real, check_sizes, float_dtype


class MatrixNetwork(NielsenParameters):
    """A feedforward network trained by fully matrix-based mini-batch backpropagation.

    Same public surface as ``Network``; in addition:
        dtype        float64 (default: the same numbers as Network) or float32 (faster)
        cost         'quadratic' (default), 'cross-entropy' or 'log-likelihood' (softmax output)
        activation   hidden-layer activation: 'sigmoid' (default), 'tanh' or 'relu'
        init         'large': N(0, 1) weights as in chapter 1 (default); 'scaled': N(0, 1/n_in)
    ``weights`` and ``biases`` are plain lists of arrays in Nielsen's layout, as in ``Network``.
    Data may be Nielsen's lists of (x, y) tuples or a pair of arrays (X (n, n_in), Y one-hot
    (n, n_out) or integer labels (n,)).
    """

    def __init__(self, sizes: Sequence[int], seed: int | np.random.Generator | None = None,
                 dtype: DTypeLike=np.float64, cost: str | type = "quadratic", activation: str = "sigmoid",
                 init: str = "large") -> None:
        self.sizes = check_sizes(sizes)
        self.num_layers = len(self.sizes)
        self.dtype = float_dtype(dtype)
        self.cost = get_cost(cost)
        self.activation = act.get_activation(activation)
        self.output_activation = act.OUTPUT_ACTIVATIONS[self.cost.output_activation]
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        self.init = init
        self.rng = make_rng(seed)
        self.biases, self.weights = gaussian_parameters(self.sizes, self.rng, self.dtype, scaled=(init == "scaled"))
        self._own_parameters()

    def __repr__(self) -> str:
        return (f"MatrixNetwork({self.sizes}, cost {self.cost.name}, activation {self.activation.name}, "
                f"init {self.init}, {self.dtype.name})")

    # ------------------------------------------------------------------ the chapter-2 answer
    def _backprop(self, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(nabla_b, nabla_w)``: the gradient of the cost summed over the mini-batch (X, Y),
        samples in rows, by the four equations of backpropagation in matrix form."""
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        # forward pass, keeping every weighted input Z^l and activation A^l
        activation = X
        activations = [X]
        zs = []
        for l, (b, w) in enumerate(zip(self.biases, self.weights), start=1):
            z = activation @ w.T + b.T                               # Z^l = A^{l-1} W^T + b^T
            zs.append(z)
            activation = self._sigma(l).fn(z)                       # A^l = sigma(Z^l)
            activations.append(activation)
        # backward pass
        delta = self.cost.delta(zs[-1], activations[-1], Y)         # BP1
        nabla_b[-1] = delta.sum(axis=0)[:, None]                    # BP3
        nabla_w[-1] = delta.T @ activations[-2]                     # BP4
        for l in range(2, self.num_layers):
            sp = self.activation.prime(zs[-l], activations[-l])
            delta = (delta @ self.weights[-l + 1]) * sp              # BP2
            nabla_b[-l] = delta.sum(axis=0)[:, None]                # BP3
            nabla_w[-l] = delta.T @ activations[-l - 1]             # BP4
        return nabla_b, nabla_w

    def _update_mini_batch(self, X: np.ndarray, Y: np.ndarray, eta: float, lmbda: float, n: int,
                           l1_lmbda: float, velocity: Optional[tuple[list, list]], momentum: float) -> None:
        """One gradient-descent step on the mini-batch (X, Y) of m rows, in place (the arrays are
        the network's own), with nabla = sum_x dC_x/dw from backprop:
            network2.py, L2:     w -> (1 - eta lmbda/n) w - (eta/m) nabla_w,   b -> b - (eta/m) nabla_b
            L1 (problem 3.18):   w -> w - (eta l1_lmbda/n) sgn(w) - (eta/m) nabla_w
        or, with a ``velocity`` (momentum-based SGD, problem 3.26), for every w and b:
            v -> mu v - eta grad C,   w -> w + v,   grad C = nabla_w/m + (lmbda/n) w + (l1_lmbda/n) sgn(w)"""
        nabla_b, nabla_w = self._backprop(X, Y)
        scale = eta / len(X)
        if velocity is None:
            for w, nw in zip(self.weights, nabla_w):
                if lmbda:
                    w *= 1 - eta * lmbda / n                        # L2 weight decay
                if l1_lmbda:
                    w -= (eta * l1_lmbda / n) * np.sign(w)          # L1: a constant pull towards 0
                w -= scale * nw
            for b, nb in zip(self.biases, nabla_b):
                b -= scale * nb
            return
        for w, v, nw in zip(self.weights, velocity[0], nabla_w):
            grad = nw / len(X) + (lmbda / n) * w + (l1_lmbda / n) * np.sign(w)
            v *= momentum
            v -= eta * grad                                         # v -> mu v - eta grad C
            w += v                                                  # w -> w + v
        for b, v, nb in zip(self.biases, velocity[1], nabla_b):
            v *= momentum
            v -= scale * nb
            b += v

    def _sigma(self, l: int) -> type:
        """The activation of layer l (1..L): the hidden one, or the cost's output activation."""
        return self.output_activation if l == self.num_layers - 1 else self.activation

    # ------------------------------------------------------------------ public steps
    def feedforward(self, a: np.ndarray) -> np.ndarray:
        """The network's output activations: for a column (n_in, 1) a column (n_out, 1), as in the
        book; for a vector (n_in,) a vector; for samples in rows (m, n_in) rows (m, n_out)."""
        self._own_parameters()
        rows, form = input_rows(a, self.sizes[0], self.dtype, "feedforward input")
        return as_form(self._feedforward_rows(rows), form)

    def classify(self, x: np.ndarray) -> int | np.ndarray:
        """The digit (the most active output) for one sample, or an array of them for rows."""
        return digits(self.feedforward(x), self.sizes[-1])

    def _feedforward_rows(self, X: np.ndarray) -> np.ndarray:
        a = X
        for l, (b, w) in enumerate(zip(self.biases, self.weights), start=1):
            a = self._sigma(l).fn(a @ w.T + b.T)
        return a

    def _cost_sum(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The cost summed over the rows of (X, Y), from the output layer's weighted input z^L
        in float64 (``cost.from_z``): exact where sigma(z^L) has rounded to 0 or 1 (in float32 at
        |z| > 17), and the same number in float32 and float64 up to float32's rounding of z^L."""
        total = 0.0
        for k in range(0, len(X), CHUNK):
            a = X[k:k + CHUNK]
            for l, (b, w) in enumerate(zip(self.biases[:-1], self.weights[:-1]), start=1):
                a = self._sigma(l).fn(a @ w.T + b.T)
            z = a.astype(np.float64) @ self.weights[-1].T.astype(np.float64) + self.biases[-1].T
            total += self.cost.from_z(z, Y[k:k + CHUNK])
        return total

    def backprop(self, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return ``(nabla_b, nabla_w)``: the gradients of the cost summed over a whole batch.

        X: (m, n_in) rows, or one column (n_in, 1); Y: one-hot (m, n_out) or labels (m,), or one
        column (n_out, 1). Same shapes as ``Network.backprop``; for one sample the same numbers.
        """
        self._own_parameters()
        return self._backprop(*self._batch(X, Y))

    def update_mini_batch(self, mini_batch: Data, eta: float, lmbda: float = 0.0, n: Optional[int] = None, *,
                          l1_lmbda: float = 0.0) -> None:
        """One gradient-descent step on a mini-batch: a list of (x, y) tuples or (X, Y) arrays.
        ``lmbda`` and ``n`` (the training-set size, default the mini-batch's) as network2.py;
        ``l1_lmbda`` the L1 term's (problem 3.18)."""
        check_eta(eta)
        check_lmbda(lmbda)
        check_lmbda(l1_lmbda, "l1_lmbda")
        self._own_parameters()
        X, Y = as_matrices(mini_batch, self.sizes[0], self.sizes[-1], "mini_batch", self.dtype)
        n = len(X) if n is None else check_int(n, "n (the training set's size)", len(X))
        warn_negative_decay(eta, lmbda, n)
        self._update_mini_batch(X, Y, eta, lmbda, n, l1_lmbda, None, 0.0)

    # ------------------------------------------------------------------ training
    def SGD(self, training_data: Data, epochs: int, mini_batch_size: int, eta: float, test_data: Optional[Data]=None,
            lmbda: float = 0.0, evaluation_data: Optional[Data]=None,
            monitor_evaluation_cost: bool = False, monitor_evaluation_accuracy: bool = False,
            monitor_training_cost: bool = False, monitor_training_accuracy: bool = False,
            early_stopping_n: int = 0, lr_schedule_n: int = 0, *, l1_lmbda: float = 0.0, momentum: float = 0.0,
            early_stopping_delta: float = 0.0, max_seconds: Optional[float] = None,
            monitor_layer_speeds: bool = False, verbose: bool = True,
            callback: Optional[EpochCallback] = None) -> History:
        """Mini-batch stochastic gradient descent, each mini-batch backpropagated as one matrix.

        Chapter-1 arguments as ``Network.SGD``. Chapter-3 options, as ``network2.py``:
        ``lmbda`` L2 regularisation (weights decay by 1 - eta*lmbda/n per step, n the training
        set size; a factor below zero is a RuntimeWarning, and training goes on, as network2.py's);
        the four ``monitor_*`` flags fill the History's lists (unpack it as the book's four lists); ``early_stopping_n`` stops after that many epochs without a better
        evaluation accuracy; ``lr_schedule_n`` halves eta after that many epochs without
        improvement and stops when it has fallen by a factor of 128 (the book's exercise).
        The book's problems: ``l1_lmbda`` L1 regularisation (3.18), alone or beside L2;
        ``momentum`` mu, momentum-based SGD (3.26), its velocities starting at zero in every call;
        ``early_stopping_delta`` (3.21) counts only improvements of more than that fraction of the
        evaluation set, so that a run stops sooner once it gains little.
        ``max_seconds`` is a budget of training time: no epoch starts that would, at the last
        epoch's pace, end past it. ``monitor_layer_speeds`` (chapter 5) records, at the start of
        every epoch, each layer's speed of learning on the training data (see ``layer_speeds``).
        """
        check_hyperparameters(epochs, mini_batch_size, eta)
        check_lmbda(lmbda)
        check_lmbda(l1_lmbda, "l1_lmbda")
        check_real(momentum, "momentum", "a number in [0, 1)", lambda v: 0 <= v < 1)
        budget, stopping, schedule = TimeBudget(max_seconds), EarlyStopping(early_stopping_n), EtaSchedule(eta, lr_schedule_n)
        self._own_parameters()
        check_finite_parameters(self.weights, self.biases, None, eta)
        X, Y = as_matrices(training_data, self.sizes[0], self.sizes[-1], "training_data", self.dtype)
        warn_negative_decay(eta, lmbda, len(X))
        test = self._labelled(test_data, "test_data")
        evaluation = self._labelled(evaluation_data, "evaluation_data")
        if evaluation is None and (stopping.n or schedule.n or monitor_evaluation_cost or monitor_evaluation_accuracy):
            raise ValueError("evaluation monitoring, early stopping and the eta schedule need evaluation_data")
        monitors = self._monitors(X, Y, lmbda, l1_lmbda, evaluation, monitor_evaluation_cost,
                                  monitor_evaluation_accuracy or stopping.n > 0 or schedule.n > 0,
                                  monitor_training_cost, monitor_training_accuracy)
        history = History(n_test=len(test[0]) if test is not None else 0)
        plateau = Plateau(check_real(early_stopping_delta, "early_stopping_delta", "a number in [0, 1)",
                                     lambda v: 0 <= v < 1) * (len(evaluation[0]) if evaluation else 0))
        velocity = ([np.zeros_like(w) for w in self.weights], [np.zeros_like(b) for b in self.biases]) if momentum else None
        for j in range(epochs):
            if budget.exhausted(history.seconds):
                say(verbose, f"time budget of {budget.max_seconds:g} s reached: stopping")
                break
            if monitor_layer_speeds:
                history.layer_speeds.append(self._layer_speeds(X, Y))
            start = time.perf_counter()
            self._train_epoch(X, Y, mini_batch_size, schedule.eta, lmbda, l1_lmbda, velocity, momentum)
            history.seconds.append(time.perf_counter() - start)
            check_finite_parameters(self.weights, self.biases, j, schedule.eta)
            history.eta.append(schedule.eta)
            if test is not None:
                history.test_accuracy.append(self._correct(*test))
            for name, measure in monitors.items():
                value = measure()
                if name.endswith("cost"):
                    check_finite_cost(value, name.replace("_", " "), f"in epoch {j}", schedule.eta)
                getattr(history, name).append(value)
            if history.evaluation_accuracy:
                plateau.record(history.evaluation_accuracy[-1])
            if verbose:
                print_epoch(j, history, epochs, len(evaluation[0]) if evaluation else 0)
            if callback is not None:
                callback(j, history)
            if stopping.should_stop(plateau):
                more = f" of more than {early_stopping_delta:g} of the evaluation set" if early_stopping_delta else ""
                say(verbose, f"early stopping: no improvement{more} in {stopping.n} epochs")
                break
            if schedule.update(plateau):
                say(verbose, f"eta has fallen by a factor of {schedule.FACTOR}: stopping")
                break
            if schedule.eta != history.eta[-1]:
                say(verbose, f"  no improvement in {schedule.n} epochs: eta halved to {schedule.eta:g}")
        return history

    def _train_epoch(self, X: np.ndarray, Y: np.ndarray, m: int, eta: float, lmbda: float, l1_lmbda: float,
                     velocity, momentum: float) -> None:
        """One pass over the training data in a fresh random order, one step per mini-batch."""
        n = len(X)
        order = self.rng.permutation(n)
        for k in range(0, n, m):
            batch = order[k:k + m]
            self._update_mini_batch(X[batch], Y[batch], eta, lmbda, n, l1_lmbda, velocity, momentum)

    def _monitors(self, X, Y, lmbda, l1_lmbda, evaluation, evaluation_cost: bool, evaluation_accuracy: bool,
                  training_cost: bool, training_accuracy: bool) -> dict[str, Callable[[], float]]:
        """The measurements SGD takes after each epoch, by the History list they fill."""
        monitors: dict[str, Callable[[], float]] = {}
        if training_cost:
            monitors["training_cost"] = lambda: self._total_cost(X, Y, lmbda, l1_lmbda)
        if training_accuracy:
            labels = np.argmax(Y, axis=1)
            monitors["training_accuracy"] = lambda: self._correct(X, labels)
        if evaluation_cost:
            eval_one_hot = one_hot(evaluation[1], self.sizes[-1], self.dtype)
            monitors["evaluation_cost"] = lambda: self._total_cost(evaluation[0], eval_one_hot, lmbda, l1_lmbda)
        if evaluation_accuracy:
            monitors["evaluation_accuracy"] = lambda: self._correct(*evaluation)
        return monitors

    # ------------------------------------------------------------------ evaluation
    def _correct(self, X: np.ndarray, labels: np.ndarray) -> int:
        return count_correct(self._feedforward_rows, X, labels)

    def evaluate(self, test_data: Data) -> int:
        """Number of test samples classified correctly (list of tuples or (X, labels) arrays):
        network.py's ``evaluate`` (network2.py's ``accuracy``)."""
        self._own_parameters()
        return self._correct(*self._labelled(test_data, "test_data"))

    def accuracy(self, X: np.ndarray, labels: np.ndarray) -> float:
        """The fraction of the rows of X whose most active output neuron is the label (one-hot or integer)."""
        self._own_parameters()
        X, labels = self._labelled((X, labels), "accuracy input")
        return self._correct(X, labels) / len(X)

    def total_cost(self, data: Data, lmbda: float = 0.0, l1_lmbda: float = 0.0) -> float:
        """Mean cost over ``data`` plus the L2 term (lmbda / 2n) sum ||w||^2, as in network2.py
        (n the size of ``data``), and the L1 term (l1_lmbda / n) sum |w|."""
        check_lmbda(lmbda)
        check_lmbda(l1_lmbda, "l1_lmbda")
        self._own_parameters()
        return self._total_cost(*as_matrices(data, self.sizes[0], self.sizes[-1], "data", self.dtype), lmbda, l1_lmbda)

    def _total_cost(self, X: np.ndarray, Y: np.ndarray, lmbda: float, l1_lmbda: float = 0.0) -> float:
        n = len(X)
        l2 = 0.5 * (lmbda / n) * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in self.weights) if lmbda else 0.0
        l1 = (l1_lmbda / n) * sum(float(np.sum(np.abs(w.astype(np.float64)))) for w in self.weights) if l1_lmbda else 0.0
        return self._cost_sum(X, Y) / n + l2 + l1

    # ------------------------------------------------------------------ chapter 5
    def mean_bias_gradients(self, data: Data) -> list[np.ndarray]:
        """delta^l = dC/db^l for every layer l, C the cost averaged over ``data`` (the book's
        ``get_average_gradient``): backprop's summed gradient divided by the number of samples."""
        return self._mean_bias_gradients(*as_matrices(data, self.sizes[0], self.sizes[-1], "data", self.dtype))

    def layer_speeds(self, data: Data) -> list[float]:
        """Chapter 5's speed of learning of every layer: ||delta^l||, the length of the mean
        gradient dC/db^l over ``data`` (the hidden layers are all but the last)."""
        return self._layer_speeds(*as_matrices(data, self.sizes[0], self.sizes[-1], "data", self.dtype))

    def _mean_bias_gradients(self, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
        self._own_parameters()
        nabla_b, _ = self._backprop(X, Y)
        return [nb / len(X) for nb in nabla_b]

    def _layer_speeds(self, X: np.ndarray, Y: np.ndarray) -> list[float]:
        return [float(np.linalg.norm(g)) for g in self._mean_bias_gradients(X, Y)]

    def cost_derivative(self, output_activations: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dC_x/da for this network's cost (a - y for the quadratic cost)."""
        return self.cost.derivative(output_activations, y)

    # ------------------------------------------------------------------ the gradient-check protocol
    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The cost summed over the batch (X, Y): the function whose gradient ``backprop`` returns."""
        self._own_parameters()
        X, Y = self._batch(X, Y)
        return self._cost_sum(X, Y)

    def gradient(self, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
        """``backprop``'s gradient of ``loss``, by parameter name as in ``params``."""
        nabla_b, nabla_w = self.backprop(X, Y)
        return by_name(nabla_w, nabla_b)

    # ------------------------------------------------------------------ checks
    def _batch(self, X, Y) -> tuple[np.ndarray, np.ndarray]:
        """(X, Y) as rows; one sample may come as the book's columns x (n_in, 1), y (n_out, 1) or a label."""
        X, Y = np.asarray(X), np.asarray(Y)
        if X.shape == (self.sizes[0], 1):
            X = X.T
            if Y.shape == (self.sizes[-1], 1):
                Y = Y.T
            elif Y.ndim == 0:
                Y = Y.reshape(1)
        return as_matrices((X, Y), self.sizes[0], self.sizes[-1], "backprop input", self.dtype)

    def _labelled(self, data, name: str):
        """(X, integer labels) for evaluation, or None."""
        if data is None:
            return None
        return labelled_rows(data, self.sizes[0], self.sizes[-1], name, self.dtype)




def warn_negative_decay(eta: float, lmbda: float, n: int, stacklevel: int = 3) -> bool:
    """The L2 step scales the weights by 1 - eta lmbda / n. Below zero it flips their signs every
    step and, below -1, grows them until they overflow: network2.py trains on regardless (chapter
    3's session with eta 10.0, lmbda 1000.0 on 1,000 images, factor -9, relies on it), so this is a
    warning (RuntimeWarning, naming the factor), not an error. Returns whether it warned."""
    factor = 1 - eta * lmbda / n
    if not lmbda or factor >= 0:
        return False
    grows = f", |factor| > 1: the weights grow {-factor:g}-fold per step until they overflow (inf, nan)" if factor < -1 else ""
    warnings.warn(f"the L2 decay factor 1 - eta*lmbda/n = 1 - {eta:g}*{lmbda:g}/{n} = {factor:g} is negative: every step "
                  f"flips the weights' signs{grows}; training goes on, as network2.py's does", RuntimeWarning,
                  stacklevel=stacklevel)
    return True
