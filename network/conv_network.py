"""Chapter 6's network (``network3.py``) without Theano: an ordered list of layers trained by SGD.

    net = ConvNetwork([ConvPoolLayer(image_shape=(10, 1, 28, 28), filter_shape=(20, 1, 5, 5), poolsize=(2, 2)),
                       FullyConnectedLayer(n_in=20 * 12 * 12, n_out=100),
                       SoftmaxLayer(n_in=100, n_out=10)], mini_batch_size=10, seed=0)
    net.SGD(training_data, 60, 10, 0.1, validation_data, test_data)

One mini-batch: every layer's ``forward`` in order (keeping what its backward needs), the
softmax layer's ``backward`` from the labels (BP1), every other layer's ``backward`` in reverse
(BP2, storing dw and db: BP3, BP4), then the step on network3's cost
C = -mean ln a_y + (lmbda / 2) sum ||w||^2 / (mini-batches per epoch):
w -> w - eta (dw + lmbda w / batches), b -> b - eta db.
"""
from __future__ import annotations

import time
import os
from typing import Any, Callable, Optional, Sequence

import numpy as np

from .conv_layers import CONV_INITS, ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer
from .data import Data, as_form, count_correct, digits, input_rows, labelled_rows
from .history import TIES, EpochCallback, History
from .initialization import make_rng
from .parameters import by_name
from .reports import Progress, print_epoch, say
from .files import save
from .stopping import EarlyStopping, Plateau
from .validation import check_eta, check_finite_parameters, check_hyperparameters, check_int, check_lmbda

LAYER_TYPES = {cls.__name__: cls for cls in (ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer)}


class ConvNetwork:
    """network3's ``Network``: ``layers`` in order, the last a SoftmaxLayer.

    ``mini_batch_size`` is kept for network3's signature (and is SGD's default); any batch size
    works. With ``seed``, every layer's weights are drawn anew from the network's generator, so
    a run is reproducible; the generator also shuffles the data and draws the dropout masks.
    ``init`` 'he' draws them from He's N(0, 2/n_in) instead of network3's N(0, 1/n_out) (problem 6.11).
    ``threads`` > 1 trains a mini-batch of at least ``threads`` x 16 samples in that many parallel
    lanes (see ``Lanes``); the dropout masks then come from one generator per lane.
    """

    def __init__(self, layers: Sequence, mini_batch_size: int = 10, seed: int | np.random.Generator | None = None,
                 init: str = "network3", threads: int = 1) -> None:
        self.layers = list(layers)
        self.mini_batch_size = check_int(mini_batch_size, "mini_batch_size")
        _check_layers(self.layers)
        if init not in CONV_INITS:
            raise ValueError(f"init must be one of {CONV_INITS}, got {init!r}")
        self.init = init
        self.threads = check_int(threads, "threads")
        self._lanes: Optional[Lanes] = None
        self.rng = make_rng(seed)
        if seed is not None:
            for layer in self.layers:
                layer.initialize(self.rng, init)
        self.dtype = self.layers[0].w.dtype
        self.n_in, self.n_out = self.layers[0].n_in, self.layers[-1].n_out

    def __repr__(self) -> str:
        layers = ", ".join(_layer_repr(l) for l in self.layers)
        return f"ConvNetwork([{layers}], cost log-likelihood, init {self.init}, {self.dtype.name})"

    # ------------------------------------------------------------------ one mini-batch
    def _forward(self, X: np.ndarray, training: bool, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        return forward(self.layers, X, training, rng)

    def _gradient(self, X: np.ndarray, labels: np.ndarray, rng: Optional[np.random.Generator]
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(nabla_b, nabla_w)``: the gradient of the mean cost of the batch, by one forward pass
        (training: dropout masks from ``rng``, or the current ones without it) and one backward
        pass; with ``threads`` > 1, a large batch in parallel lanes (``Lanes``)."""
        if self.threads > 1 and len(X) >= self.threads * Lanes.MIN_PART:
            if self._lanes is None:
                self._lanes = Lanes(self.threads, self.rng)
            return self._lanes.gradient(self.layers, X, labels, rng is not None)
        return gradient(self.layers, X, labels, rng)

    def _update_mini_batch(self, X: np.ndarray, labels: np.ndarray, eta: float, decay: float) -> None:
        """One step of gradient descent on network3's regularised cost, with new dropout masks:
        w -> w - eta (dw + decay w), b -> b - eta db, decay = lmbda / batches."""
        nabla_b, nabla_w = self._gradient(X, labels, self.rng)
        for layer, nb, nw in zip(self.layers, nabla_b, nabla_w):
            if decay:
                layer.w -= (eta * decay) * layer.w                  # the L2 term's share of the step
            layer.w -= eta * nw
            layer.b -= eta * nb

    def update_mini_batch(self, mini_batch: Data, eta: float, lmbda: float = 0.0, n: Optional[int] = None) -> None:
        """One gradient-descent step on a mini-batch ((X, labels) arrays or Nielsen's tuples).
        ``lmbda`` as network3: the L2 term is divided by the number of mini-batches in an epoch,
        n // m for a training set of ``n`` samples (default: this mini-batch alone)."""
        check_eta(eta)
        check_lmbda(lmbda)
        X, labels = self._data(mini_batch, "mini_batch")
        n = len(X) if n is None else check_int(n, "n", len(X))
        _check_decay(eta, lmbda / (n // len(X)))
        self._update_mini_batch(X, labels, eta, lmbda / (n // len(X)))

    def backprop(self, X: np.ndarray, labels: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(nabla_b, nabla_w)``, layer by layer in the layers' shapes: the gradient of ``loss``
        on the batch, by one forward (with new dropout masks, as a training step) and one
        backward pass through every layer."""
        X, labels = self._data((X, labels), "backprop input")
        return self._gradient(X, labels, self.rng)

    # ------------------------------------------------------------------ training
    def SGD(self, training_data: Data, epochs: int, mini_batch_size: Optional[int] = None,
            eta: float | Callable[[int], float] = 0.1, validation_data: Optional[Data]=None, test_data: Optional[Data]=None, lmbda: float = 0.0, *,
            early_stopping_n: int = 0, verbose: bool = True, callback: Optional[EpochCallback]=None,
            shuffle: bool = True, ties: str = "first") -> History:
        """Mini-batch SGD as network3: after each epoch the validation accuracy, and the test
        accuracy of the epoch with the best validation accuracy so far (the book's figure).
        Data are ``(X, labels)`` arrays as ``mnist_loader.load_data`` gives them (or lists of
        Nielsen's tuples). Each epoch visits the n // m full mini-batches in a fresh random order.
        The book's problems of chapter 6: ``eta`` may be a function of the epoch (6.7), and
        ``early_stopping_n`` stops after that many epochs without a better validation accuracy
        (6.5). Returns a History: ``evaluation_accuracy`` holds the validation counts,
        ``test_accuracy`` the test counts, ``eta`` the learning rate, all per epoch.
        As network3.py: ``shuffle=False`` takes the mini-batches in the data's order every epoch,
        and ``ties='last'`` reports as the best epoch the last one whose validation accuracy is at
        least the best so far (network3's ``>=``; 'first': the earliest best)."""
        mini_batch_size = self.mini_batch_size if mini_batch_size is None else mini_batch_size
        schedule = eta if callable(eta) else (lambda epoch: eta)
        check_hyperparameters(epochs, mini_batch_size, schedule(0))
        check_lmbda(lmbda)
        if ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, got {ties!r}")
        stopping, plateau = EarlyStopping(early_stopping_n), Plateau()
        if stopping.n and validation_data is None:
            raise ValueError("early stopping needs validation_data")
        X, y = self._data(training_data, "training_data")
        validation = self._data(validation_data, "validation_data") if validation_data is not None else None
        test = self._data(test_data, "test_data") if test_data is not None else None
        n_batches = len(X) // mini_batch_size
        if n_batches == 0:
            raise ValueError(f"training_data has {len(X)} samples, fewer than one mini-batch of {mini_batch_size}")
        history = History(n_test=len(test[0]) if test is not None else 0)
        for epoch in range(epochs):
            eta = check_eta(schedule(epoch))
            _check_decay(eta, lmbda / n_batches)
            history.eta.append(eta)
            start = time.perf_counter()
            order = self.rng.permutation(len(X)) if shuffle else np.arange(len(X))
            order = order[:n_batches * mini_batch_size].reshape(n_batches, mini_batch_size)
            progress = Progress(n_batches, f"  epoch {epoch}, mini-batches", after=10, every=10) if verbose else None
            for k, batch in enumerate(order, start=1):
                self._update_mini_batch(X[batch], y[batch], eta, lmbda / n_batches)
                if progress is not None:
                    progress.update(k)
            history.seconds.append(time.perf_counter() - start)
            check_finite_parameters([l.w for l in self.layers], [l.b for l in self.layers], epoch, eta)
            if validation is not None:
                history.evaluation_accuracy.append(self._correct(*validation))
            if test is not None:
                history.test_accuracy.append(self._correct(*test))
            if verbose:
                print_epoch(epoch, history, epochs, len(validation[0]) if validation is not None else 0, network3=True)
            if callback is not None:
                callback(epoch, history)
            if validation is not None:
                plateau.record(history.evaluation_accuracy[-1])
                if stopping.should_stop(plateau):
                    say(verbose, f"early stopping: no improvement in {stopping.n} epochs")
                    break
        if verbose and validation is not None and history.epochs:
            j = history.best_epoch(ties)
            print("Finished training network.")
            print(f"Best validation accuracy of {history.evaluation_accuracy[j] / len(validation[0]):.2%} "
                  f"obtained at epoch {j}")
            if test is not None:
                print(f"Corresponding test accuracy of {history.test_accuracy[j] / history.n_test:.2%}")
        return history

    # ------------------------------------------------------------------ evaluation
    def feedforward(self, x: np.ndarray) -> np.ndarray:
        """The output activations, the softmax's probabilities, in evaluation mode: rows (m, n_in)
        give rows (m, n_out); one column (n_in, 1) gives a column (n_out, 1), as in the book."""
        rows, form = input_rows(x, self.n_in, self.dtype, "feedforward input")
        return as_form(self._forward(rows, False), form)

    def classify(self, x: np.ndarray) -> int | np.ndarray:
        """The digit (the most probable class) for one sample, or an array of them for rows."""
        return digits(self.feedforward(x), self.n_out)

    def _correct(self, X: np.ndarray, labels: np.ndarray) -> int:
        return count_correct(lambda rows: self._forward(rows, False), X, labels)

    def evaluate(self, test_data: Data) -> int:
        """Number of samples classified correctly ((X, labels) arrays or Nielsen's tuples)."""
        return self._correct(*self._data(test_data, "test_data"))

    def accuracy(self, X: np.ndarray, labels: np.ndarray) -> float:
        """The fraction of the rows of X whose most probable class is the label (one-hot or integer)."""
        X, labels = self._data((X, labels), "accuracy input")
        return self._correct(X, labels) / len(X)

    def _data(self, data, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(X float rows of the network's dtype, integer labels), checked."""
        return labelled_rows(data, self.n_in, self.n_out, name, self.dtype)

    # ------------------------------------------------------------------ the gradient-check protocol
    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameter arrays by name (w0, b0, w1, b1, ...): the layers' own arrays."""
        return by_name([l.w for l in self.layers], [l.b for l in self.layers])

    def loss(self, X: np.ndarray, labels: np.ndarray) -> float:
        """The mean log-likelihood cost of the batch, in training mode with the dropout layers'
        current masks, drawn once if they do not fit the batch (a gradient check fixes them by
        setting ``layer.mask``, or by a first call)."""
        X, labels = self._data((X, labels), "loss input")
        forward(self.layers, X, True, self._mask_rng(X))
        return self.layers[-1].cost(labels)

    def gradient(self, X: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
        """The gradient of ``loss`` by backprop (the same masks), by parameter name as ``params``."""
        X, labels = self._data((X, labels), "gradient input")
        nabla_b, nabla_w = self._gradient(X, labels, self._mask_rng(X))
        return by_name(nabla_w, nabla_b)

    def _mask_rng(self, X: np.ndarray) -> Optional[np.random.Generator]:
        """For ``loss`` and ``gradient``: None when every dropout layer has a mask for this batch
        (they are reused, as a gradient check needs), else the network's generator, to draw them
        (and keep them for the calls that follow)."""
        fits = all(l.mask is not None and l.mask.shape == (len(X), l.n_in)
                   for l in self.layers if getattr(l, "p_dropout", 0))
        return None if fits else self.rng

    # ------------------------------------------------------------------ saving
    def save(self, path: str | os.PathLike) -> None:
        """Write the network to ``path`` as JSON, atomically; read it back with ``network.load``.
        It is checked first (shapes, finite numbers): what save writes, load reads."""
        save(self, path)

    def _file_header(self) -> dict[str, Any]:
        return dict(dtype=self.dtype.name, mini_batch_size=self.mini_batch_size, init=self.init,
                    layers=[_describe(l) for l in self.layers])

    def _file_arrays(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return [l.w for l in self.layers], [l.b for l in self.layers]

    def _load_arrays(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        for layer, w, b in zip(self.layers, weights, biases):
            layer.w, layer.b = w, b


def forward(layers: list, X: np.ndarray, training: bool, rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Every layer's forward in order, on samples in rows X (m, n_in): the probabilities
    (m, n_out). ``training`` turns dropout on, with masks from ``rng``."""
    a = X
    for layer in layers:
        a = layer.forward(a, training, rng)
    return a


def backward(layers: list, labels: np.ndarray) -> None:
    """Every layer's backward in reverse, after a forward pass: each layer's ``dw`` and ``db``
    is then the gradient of the mean log-likelihood cost of the batch."""
    delta = layers[-1].backward(labels)                         # BP1 (softmax + log-likelihood)
    for i in range(len(layers) - 2, -1, -1):
        delta = layers[i].backward(delta, need_dx=i > 0)        # BP2, and dw, db: BP3, BP4


def gradient(layers: list, X: np.ndarray, labels: np.ndarray, rng: Optional[np.random.Generator]
             ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(nabla_b, nabla_w) of the batch's mean cost: a forward and a backward pass through ``layers``."""
    forward(layers, X, True, rng)
    backward(layers, labels)
    return [l.db for l in layers], [l.dw for l in layers]


class Lanes:
    """A large mini-batch in parallel: its rows split into ``threads`` parts, each through its own
    replica of the layers (sharing their weights) in a worker thread; the parts' gradients,
    weighted by their sizes, add up to the batch's. numpy releases the GIL in its loops, so the
    element-wise work (im2col, pooling, col2im) runs on every core; the BLAS is held to one
    thread per lane meanwhile (threadpoolctl, when it is installed; else set OPENBLAS_NUM_THREADS=1)."""

    MIN_PART = 16            # smaller parts cost more in Python than they gain

    def __init__(self, threads: int, rng: np.random.Generator) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(threads)
        self.rngs = [np.random.default_rng(s) for s in rng.integers(0, 2**63, threads)]
        self.replicas: list[list] = []

    def _replicas(self, layers: list) -> list[list]:
        """The lanes' layers, made again if a layer's weights were replaced since."""
        if not self.replicas or any(r.w is not l.w or r.b is not l.b for r, l in zip(self.replicas[0], layers)):
            self.replicas = [[l.replica() for l in layers] for _ in self.rngs]
        return self.replicas

    def gradient(self, layers: list, X: np.ndarray, labels: np.ndarray, new_masks: bool) -> tuple[list[np.ndarray], list[np.ndarray]]:
        lanes = self._replicas(layers)
        parts = np.array_split(np.arange(len(X)), len(lanes))

        def run(k: int):
            rows = slice(parts[k][0], parts[k][-1] + 1)
            return gradient(lanes[k], X[rows], labels[rows], self.rngs[k] if new_masks else None)

        with _one_blas_thread():
            grads = list(self.pool.map(run, range(len(lanes))))
        shares = [len(p) / len(X) for p in parts]
        nabla_b = [sum(s * g[0][l] for s, g in zip(shares, grads)) for l in range(len(layers))]
        nabla_w = [sum(s * g[1][l] for s, g in zip(shares, grads)) for l in range(len(layers))]
        return nabla_b, nabla_w


def _one_blas_thread():
    """One BLAS thread for the block (threadpoolctl), or nothing if threadpoolctl is not installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _check_decay(eta: float, decay: float) -> None:
    """network3's L2 step scales w by 1 - eta lmbda / batches: refuse a factor below zero."""
    if 1 - eta * decay < 0:
        raise ValueError(f"eta * lmbda / (mini-batches per epoch) = {eta * decay:g} > 1: the L2 decay factor would be "
                         f"negative")


def _layer_repr(layer) -> str:
    if isinstance(layer, ConvPoolLayer):
        f, c, kh, kw = layer.filter_shape
        return f"ConvPool {f}x{kh}x{kw} pool {layer.poolsize[0]}x{layer.poolsize[1]} {layer.activation.name}"
    drop = f" dropout {layer.p_dropout:g}" if layer.p_dropout else ""
    if isinstance(layer, SoftmaxLayer):
        return f"Softmax {layer.n_in}->{layer.n_out}{drop}"
    return f"FC {layer.n_in}->{layer.n_out} {layer.activation.name}{drop}"


def _check_layers(layers: list) -> None:
    """The layers fit together: each one's input is the previous one's output; the last is a softmax."""
    if not layers:
        raise ValueError("ConvNetwork needs at least one layer")
    for i, layer in enumerate(layers):
        if type(layer).__name__ not in LAYER_TYPES:
            raise ValueError(f"layers[{i}] is a {type(layer).__name__}, not one of {', '.join(LAYER_TYPES)}")
    if not isinstance(layers[-1], SoftmaxLayer):
        raise ValueError(f"the last layer must be a SoftmaxLayer, got {type(layers[-1]).__name__}")
    if any(isinstance(l, SoftmaxLayer) for l in layers[:-1]):
        raise ValueError("only the last layer may be a SoftmaxLayer")
    dtypes = {l.w.dtype.name for l in layers}
    if len(dtypes) > 1:
        raise ValueError(f"the layers mix dtypes {sorted(dtypes)}: give every layer the same dtype")
    for i, (prev, layer) in enumerate(zip(layers, layers[1:]), start=1):
        if isinstance(layer, ConvPoolLayer):                        # images (channels, height, width) both sides
            gives = prev.out_shape if isinstance(prev, ConvPoolLayer) else f"{prev.n_out} values per sample, not images"
            if gives != layer.image_shape:
                raise ValueError(f"layers[{i}] reads images of (channels, height, width) {layer.image_shape}, "
                                 f"but layers[{i - 1}] gives {gives}")
        elif layer.n_in != prev.n_out:
            raise ValueError(f"layers[{i}] has n_in {layer.n_in}, but layers[{i - 1}] gives {prev.n_out} values per sample")


def _describe(layer) -> dict[str, Any]:
    """A layer as the file describes it (its arrays go into the file's weights and biases)."""
    if isinstance(layer, ConvPoolLayer):
        return dict(type="ConvPoolLayer", filter_shape=list(layer.filter_shape), image_shape=list(layer.image_shape),
                    poolsize=list(layer.poolsize), activation_fn=layer.activation.name)
    d: dict[str, Any] = dict(type=type(layer).__name__, n_in=layer.n_in, n_out=layer.n_out, p_dropout=layer.p_dropout)
    if not isinstance(layer, SoftmaxLayer):
        d["activation_fn"] = layer.activation.name
    return d
