"""The fully matrix-based network: the exercise at the end of chapter 2 of Nielsen's book.

Instead of looping over the samples of a mini-batch, the whole mini-batch goes through the
forward and backward passes as one matrix, samples in rows. For a mini-batch X (m x n_in):

    forward    A^0 = X,   Z^l = A^{l-1} W^l^T + b^l,   A^l = sigma(Z^l)          (m x n_l)
    BP1        Delta^L = grad_A C * sigma'(Z^L)                                   (m x n_L)
    BP2        Delta^l = (Delta^{l+1} W^{l+1}) * sigma'(Z^l)
    BP3, BP4   sum_x dC_x/db^l = 1^T Delta^l,   sum_x dC_x/dW^l = Delta^l^T A^{l-1}

The sums over the mini-batch fall out of the matrix products, so one mini-batch costs a handful
of BLAS calls instead of m Python loops. To keep those calls few, each layer's weights and bias
live in one array P^l of shape (n_in + 1, n_out) -- W^l transposed with b^l as its last row --
and each layer's input carries a trailing column of ones, so Z^l = [A^{l-1} 1] P^l is one
matrix product and P^l += [A^{l-1} 1]^T Delta^l updates weights and biases together.
``weights`` and ``biases`` are views into P^l in Nielsen's layout (n_out, n_in) and (n_out, 1).

The per-sample ``Network`` is the reference: given the same parameters and mini-batch, one
``update_mini_batch`` of both agrees to rounding (see tests/test_matrix_network.py).
"""
from __future__ import annotations

import time
from typing import Optional, Sequence

import numpy as np

from . import activations as act
from .costs import get_cost
from .data import as_matrices, one_hot_rows
from .history import History
from .per_sample import EpochCallback, Network, gaussian_parameters, make_rng, print_epoch
from .validation import check_eta, check_hyperparameters, check_sizes

INITS = ("large", "scaled")


class _ParameterList(list):
    """The list ``net.weights`` / ``net.biases``: item assignment writes into the network."""

    def __init__(self, views: list[np.ndarray], kind: str) -> None:
        super().__init__(views)
        self._kind = kind

    def __setitem__(self, i, value) -> None:
        view = list.__getitem__(self, i)
        value = np.asarray(value)
        if value.shape != view.shape:
            raise ValueError(f"{self._kind}[{i}] has shape {view.shape}, got an array of shape {value.shape}")
        view[...] = value


class _Workspace:
    """Preallocated buffers for one mini-batch size m, so that a step allocates nothing."""

    def __init__(self, sizes: Sequence[int], m: int, dtype) -> None:
        L = len(sizes) - 1
        self.X = np.empty((m, sizes[0] + 1), dtype=dtype)
        self.X[:, -1] = 1.0
        # inputs[i] feeds layer i: the batch, then each hidden activation with its ones column
        self.inputs = [self.X]
        for n in sizes[1:-1]:
            a = np.empty((m, n + 1), dtype=dtype)
            a[:, -1] = 1.0
            self.inputs.append(a)
        self.output = np.empty((m, sizes[-1]), dtype=dtype)
        # outputs[i]: what layer i produces (a view without the ones column)
        self.outputs = [a[:, :-1] for a in self.inputs[1:]] + [self.output]
        self.z = [np.empty((m, n), dtype=dtype) for n in sizes[1:]]
        self.delta = [np.empty((m, n), dtype=dtype) for n in sizes[1:]]
        self.tmp = [np.empty((m, n), dtype=dtype) for n in sizes[1:]]
        self.grad = [np.empty((sizes[i] + 1, sizes[i + 1]), dtype=dtype) for i in range(L)]


class MatrixNetwork:
    """A feedforward network trained by fully matrix-based mini-batch backpropagation.

    Same public surface as ``Network``; in addition:
        dtype        float64 (default: the same numbers as Network) or float32 (faster)
        cost         'quadratic' (default), 'cross-entropy' or 'log-likelihood' (softmax output)
        activation   hidden-layer activation: 'sigmoid' (default), 'tanh' or 'relu'
        init         'large': N(0, 1) weights as in chapter 1 (default); 'scaled': N(0, 1/n_in)
    Data may be Nielsen's lists of (x, y) tuples or a pair of arrays (X (n, n_in), Y one-hot
    (n, n_out) or integer labels (n,)).
    """

    def __init__(self, sizes: Sequence[int], seed: int | np.random.Generator | None = None,
                 dtype=np.float64, cost: str | type = "quadratic", activation: str = "sigmoid",
                 init: str = "large") -> None:
        self.sizes = check_sizes(sizes)
        self.num_layers = len(self.sizes)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.cost = get_cost(cost)
        self.activation = act.get_activation(activation)
        self.output_activation = act.OUTPUT_ACTIVATIONS[self.cost.output_activation]
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        self.init = init
        self.rng = make_rng(seed)
        biases, weights = gaussian_parameters(self.sizes, self.rng, scaled=(init == "scaled"))
        # P^l = [W^l^T; b^l^T], shape (n_in + 1, n_out)
        self._params = [np.empty((w.shape[1] + 1, w.shape[0]), dtype=self.dtype) for w in weights]
        self.weights, self.biases = weights, biases
        self._workspaces: dict[int, _Workspace] = {}

    # ------------------------------------------------------------------ parameters
    @property
    def weights(self) -> list[np.ndarray]:
        """W^l of shape (n_out, n_in), as views: writing into them changes the network."""
        return _ParameterList([p[:-1].T for p in self._params], "weights")

    @weights.setter
    def weights(self, values: Sequence[np.ndarray]) -> None:
        self._assign(values, "weights", lambda p: p[:-1].T)

    @property
    def biases(self) -> list[np.ndarray]:
        """b^l of shape (n_out, 1), as views."""
        return _ParameterList([p[-1:].T for p in self._params], "biases")

    @biases.setter
    def biases(self, values: Sequence[np.ndarray]) -> None:
        self._assign(values, "biases", lambda p: p[-1:].T)

    def _assign(self, values, kind: str, view) -> None:
        values = list(values)
        if len(values) != len(self._params):
            raise ValueError(f"{kind}: expected {len(self._params)} arrays, got {len(values)}")
        for i, (p, v) in enumerate(zip(self._params, values)):
            target = view(p)
            v = np.asarray(v)
            if v.shape != target.shape:
                raise ValueError(f"{kind}[{i}] must have shape {target.shape}, got {v.shape}")
            target[...] = v

    # ------------------------------------------------------------------ forward
    def _forward_rows(self, X: np.ndarray) -> np.ndarray:
        """Output activations for samples in rows, X (m, n_in) -> (m, n_out)."""
        a = X.astype(self.dtype, copy=False)
        last = len(self._params) - 1
        with np.errstate(over="ignore"):
            for i, p in enumerate(self._params):
                z = a @ p[:-1] + p[-1]
                f = self.output_activation if i == last else self.activation
                a = np.empty_like(z)
                f.forward_into(z, a)
        return a

    def feedforward(self, a: np.ndarray) -> np.ndarray:
        """The network's output: for a column (n_in, 1) a column (n_out, 1), as in the book;
        for samples in rows (m, n_in) the outputs in rows (m, n_out)."""
        a = np.asarray(a)
        n_in = self.sizes[0]
        if a.ndim == 2 and a.shape == (n_in, 1):
            return self._forward_rows(a.T).T
        if a.ndim == 2 and a.shape[1] == n_in:
            return self._forward_rows(a)
        raise ValueError(f"feedforward: input has shape {a.shape}, expected ({n_in}, 1) or (m, {n_in})")

    # ------------------------------------------------------------------ backprop
    def _workspace(self, m: int) -> _Workspace:
        ws = self._workspaces.get(m)
        if ws is None:
            ws = self._workspaces[m] = _Workspace(self.sizes, m, self.dtype)
        return ws

    def _forward(self, ws: _Workspace) -> None:
        """Forward pass of the mini-batch in ws.X: Z^l = [A^{l-1} 1] P^l, A^l = sigma(Z^l)."""
        params, inputs, outputs, zs = self._params, ws.inputs, ws.outputs, ws.z
        last = len(params) - 1
        for i in range(last):
            np.matmul(inputs[i], params[i], out=zs[i])
            self.activation.forward_into(zs[i], outputs[i])
        np.matmul(inputs[last], params[last], out=zs[last])
        self.output_activation.forward_into(zs[last], ws.output)

    def _backward(self, ws: _Workspace, Y: np.ndarray, scale: float) -> None:
        """Backward pass: ws.grad[l] = -scale * sum over the batch of dC_x/dP^l.

        The output error is computed already multiplied by -scale (BP1), so every Delta^l is
        -scale times the book's; BP2 carries it back; BP3 and BP4 for all samples at once are
        the one product [A^{l-1} 1]^T Delta^l. With scale = -1 these are the plain summed
        gradients; with scale = eta/m they are the update itself.
        """
        params, inputs, outputs, delta = self._params, ws.inputs, ws.outputs, ws.delta
        last = len(params) - 1
        self.cost.scaled_delta_into(ws.output, Y, scale, delta[last], ws.tmp[last])  # BP1
        for i in range(last, -1, -1):
            if i > 0:                                                                   # BP2
                np.matmul(delta[i], params[i][:-1].T, out=delta[i - 1])
                self.activation.mul_prime_into(delta[i - 1], outputs[i - 1], ws.tmp[i - 1])
            np.matmul(inputs[i].T, delta[i], out=ws.grad[i])                           # BP3, BP4

    def _step(self, ws: _Workspace, Y: np.ndarray, scale: float, decay: float) -> None:
        """One gradient step on the mini-batch (ws.X, Y), with scale = eta/m:
        w -> decay * w - (eta/m) sum_x dC_x/dw,  b -> b - (eta/m) sum_x dC_x/db,
        where decay = 1 - eta*lmbda/n is L2 regularisation (1 without it)."""
        self._forward(ws)
        self._backward(ws, Y, scale)
        for p, g in zip(self._params, ws.grad):
            if decay != 1.0:
                np.multiply(p[:-1], decay, out=p[:-1])
            np.add(p, g, out=p)

    def backprop(self, X: np.ndarray, Y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return ``(nabla_b, nabla_w)``: the gradients of the cost summed over a whole batch.

        X: (m, n_in) rows, or one column (n_in, 1); Y: one-hot (m, n_out) or labels (m,), or one
        column (n_out, 1). Same shapes as ``Network.backprop``; for one sample the same numbers.
        """
        X, Y = self._batch(X, Y)
        ws = _Workspace(self.sizes, len(X), self.dtype)
        ws.X[:, :-1] = X
        with np.errstate(over="ignore"):
            self._forward(ws)
            self._backward(ws, Y, -1.0)
        return [g[-1:].T.copy() for g in ws.grad], [g[:-1].T.copy() for g in ws.grad]

    def _batch(self, X, Y) -> tuple[np.ndarray, np.ndarray]:
        X, Y = np.asarray(X), np.asarray(Y)
        n_in, n_out = self.sizes[0], self.sizes[-1]
        if X.shape == (n_in, 1) and (n_in != 1 or Y.shape == (n_out, 1)):
            X, Y = X.T, (Y.T if Y.ndim == 2 else Y.reshape(1))
        return as_matrices((X, Y), n_in, n_out, "backprop input", self.dtype)

    def update_mini_batch(self, mini_batch, eta: float) -> None:
        """One gradient-descent step on a mini-batch: a list of (x, y) tuples or (X, Y) arrays."""
        check_eta(eta)
        X, Y = as_matrices(mini_batch, self.sizes[0], self.sizes[-1], "mini_batch", self.dtype)
        ws = self._workspace(len(X))
        ws.X[:, :-1] = X
        with np.errstate(over="ignore"):
            self._step(ws, Y, eta / len(X), 1.0)

    # ------------------------------------------------------------------ training
    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float, test_data=None,
            lmbda: float = 0.0, evaluation_data=None,
            monitor_evaluation_cost: bool = False, monitor_evaluation_accuracy: bool = False,
            monitor_training_cost: bool = False, monitor_training_accuracy: bool = False,
            early_stopping_n: int = 0, lr_schedule_n: int = 0, *, max_seconds: Optional[float] = None,
            verbose: bool = True, callback: Optional[EpochCallback] = None) -> History:
        """Mini-batch stochastic gradient descent, each mini-batch backpropagated as one matrix.

        Chapter-1 arguments as ``Network.SGD``. Chapter-3 options, as ``network2.py``:
        ``lmbda`` L2 regularisation (weights decay by 1 - eta*lmbda/n per step, n the training
        set size); the four ``monitor_*`` flags fill the History's lists (unpack it as the
        book's four lists); ``early_stopping_n`` stops after that many epochs without a better
        evaluation accuracy; ``lr_schedule_n`` halves eta after that many epochs without
        improvement and stops when it has fallen by a factor of 128 (the book's exercise). ``max_seconds`` is a
        budget of training time: no epoch starts that would, at the last epoch's pace, end past it.
        """
        check_hyperparameters(epochs, mini_batch_size, eta)
        if not (np.isfinite(lmbda) and lmbda >= 0):
            raise ValueError(f"lmbda must be a finite number >= 0, got {lmbda!r}")
        for name, n in (("early_stopping_n", early_stopping_n), ("lr_schedule_n", lr_schedule_n)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {n!r}")
        n_in, n_out = self.sizes[0], self.sizes[-1]
        X, Y = as_matrices(training_data, n_in, n_out, "training_data", self.dtype)
        test = self._eval_set(test_data, "test_data")
        evaluation = self._eval_set(evaluation_data, "evaluation_data")
        if (early_stopping_n or lr_schedule_n or monitor_evaluation_cost or monitor_evaluation_accuracy) \
                and evaluation is None:
            raise ValueError("evaluation monitoring, early stopping and the eta schedule need evaluation_data")
        if evaluation is not None and monitor_evaluation_cost:
            evaluation_one_hot = one_hot_rows(evaluation[1], n_out, self.dtype)
        if monitor_training_accuracy:
            training_labels = np.argmax(Y, axis=1)
        n = len(X)
        Xa = np.empty((n, n_in + 1), dtype=self.dtype)  # inputs with their ones column, so that
        Xa[:, :-1] = X                                   # each mini-batch is gathered straight
        Xa[:, -1] = 1.0                                  # into the workspace, contiguously
        X = Xa[:, :-1]
        history = History(n_test=len(test[0]) if test is not None else 0)
        best, since_best, eta_now = -1, 0, float(eta)
        for j in range(epochs):
            if max_seconds is not None and history.seconds and \
                    sum(history.seconds) + history.seconds[-1] > max_seconds:
                if verbose:
                    print(f"time budget of {max_seconds:g} s reached: stopping", flush=True)
                break
            start = time.perf_counter()
            self._epoch(Xa, Y, mini_batch_size, eta_now, lmbda)
            history.seconds.append(time.perf_counter() - start)
            history.eta.append(eta_now)
            if test is not None:
                history.test_accuracy.append(self.accuracy(*test))
            if monitor_training_cost:
                history.training_cost.append(self._total_cost(X, Y, lmbda))
            if monitor_training_accuracy:
                history.training_accuracy.append(self.accuracy(X, training_labels))
            if monitor_evaluation_cost:
                history.evaluation_cost.append(self._total_cost(evaluation[0], evaluation_one_hot, lmbda))
            if evaluation is not None and (monitor_evaluation_accuracy or early_stopping_n or lr_schedule_n):
                acc = self.accuracy(*evaluation)
                history.evaluation_accuracy.append(acc)
                if acc > best:
                    best, since_best = acc, 0
                else:
                    since_best += 1
            if verbose:
                print_epoch(j, history)
                if history.evaluation_accuracy:
                    print(f"  evaluation accuracy {history.evaluation_accuracy[-1]} / {len(evaluation[0])}", flush=True)
            if callback is not None:
                callback(j, history)
            if early_stopping_n and since_best >= early_stopping_n:
                if verbose:
                    print(f"early stopping: no improvement in {early_stopping_n} epochs", flush=True)
                break
            if lr_schedule_n and since_best >= lr_schedule_n:
                eta_now /= 2
                since_best = 0
                if eta_now <= eta / 128:
                    if verbose:
                        print("eta has fallen by a factor of 128: stopping", flush=True)
                    break
                if verbose:
                    print(f"  no improvement in {lr_schedule_n} epochs: eta halved to {eta_now:g}", flush=True)
        return history

    def _epoch(self, Xa: np.ndarray, Y: np.ndarray, m: int, eta: float, lmbda: float) -> None:
        """One pass over the data in a fresh random order, one step per mini-batch.

        The inputs of each mini-batch (rows of Xa, with their ones column) are gathered by index
        straight into the preallocated workspace -- copying all of Xa in shuffled order each
        epoch would cost more; the small targets are shuffled once and sliced.
        """
        n = len(Xa)
        order = self.rng.permutation(n)
        Ys = Y[order]
        decay = 1.0 - eta * lmbda / n
        with np.errstate(over="ignore"):
            for k in range(0, n, m):
                ws = self._workspace(min(m, n - k))
                np.take(Xa, order[k:k + m], axis=0, out=ws.X)
                self._step(ws, Ys[k:k + m], eta / len(ws.X), decay)

    # ------------------------------------------------------------------ evaluation
    def _eval_set(self, data, name: str):
        if data is None:
            return None
        return as_matrices(data, self.sizes[0], self.sizes[-1], name, self.dtype, one_hot=False)

    def accuracy(self, X: np.ndarray, labels: np.ndarray, chunk: int = 10000) -> int:
        """Number of rows of X whose most active output is the label."""
        correct = 0
        for k in range(0, len(X), chunk):
            out = self._forward_rows(X[k:k + chunk])
            correct += int(np.sum(np.argmax(out, axis=1) == labels[k:k + chunk]))
        return correct

    def evaluate(self, test_data) -> int:
        """Number of test samples classified correctly (list of tuples or (X, labels) arrays)."""
        X, labels = as_matrices(test_data, self.sizes[0], self.sizes[-1], "test_data", self.dtype, one_hot=False)
        return self.accuracy(X, labels)

    def total_cost(self, data, lmbda: float = 0.0) -> float:
        """Mean cost over ``data`` plus the L2 term (lmbda / 2n) sum ||w||^2, as in network2.py."""
        X, Y = as_matrices(data, self.sizes[0], self.sizes[-1], "data", self.dtype)
        return self._total_cost(X, Y, lmbda)

    def _total_cost(self, X: np.ndarray, Y: np.ndarray, lmbda: float, chunk: int = 10000) -> float:
        cost = 0.0
        for k in range(0, len(X), chunk):
            cost += self.cost.fn(self._forward_rows(X[k:k + chunk]), Y[k:k + chunk])
        l2 = 0.5 * (lmbda / len(X)) * sum(float(np.sum(p[:-1] ** 2)) for p in self._params)
        return cost / len(X) + l2

    # the same as Network's: one definition each
    save = Network.save
    cost_derivative = Network.cost_derivative
