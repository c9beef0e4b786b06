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
from typing import Any, Optional, Sequence

import numpy as np

from .conv_layers import ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer
from .data import as_matrices
from .gradient_check import by_name
from .history import History
from .initialization import make_rng
from .numerical import Progress
from .serialization import FORMAT, FORMAT_VERSION, NetworkFileError, check_header, checked_array, write_json
from .validation import check_finite_parameters, check_hyperparameters, check_int, check_lmbda

LAYER_TYPES = {cls.__name__: cls for cls in (ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer)}
CHUNK = 1000  # samples per forward pass when evaluating


class ConvNetwork:
    """network3's ``Network``: ``layers`` in order, the last a SoftmaxLayer.

    ``mini_batch_size`` is kept for network3's signature (and is SGD's default); any batch size
    works. With ``seed``, every layer's weights are drawn anew from the network's generator, so
    a run is reproducible; the generator also shuffles the data and draws the dropout masks.
    """

    def __init__(self, layers: Sequence, mini_batch_size: int = 10, seed: int | np.random.Generator | None = None) -> None:
        self.layers = list(layers)
        self.mini_batch_size = check_int(mini_batch_size, "mini_batch_size")
        _check_layers(self.layers)
        self.rng = make_rng(seed)
        if seed is not None:
            for layer in self.layers:
                layer.initialize(self.rng)
        self.dtype = self.layers[0].w.dtype
        first = self.layers[0]
        self.n_in = int(np.prod(first.image_shape)) if isinstance(first, ConvPoolLayer) else first.n_in

    # ------------------------------------------------------------------ one mini-batch
    def feedforward(self, X: np.ndarray, training: bool = False, rng: Optional[np.random.Generator] = None) -> np.ndarray:
        """Every layer's forward in order: the log-probabilities of the classes (m, 10) for the
        samples in rows of X (m, 784). ``training`` turns dropout on, with masks from ``rng``."""
        a = X
        for layer in self.layers:
            a = layer.forward(a, training, rng)
        return a

    def _backward(self, labels: np.ndarray) -> None:
        """Every layer's backward in reverse, after a forward pass: each layer's ``dw`` and ``db``
        is then the gradient of the mean log-likelihood cost of the batch."""
        delta = self.layers[-1].backward(labels)                    # BP1 (softmax + log-likelihood)
        for i in range(len(self.layers) - 2, -1, -1):
            delta = self.layers[i].backward(delta, need_dx=i > 0)   # BP2, and dw, db: BP3, BP4

    def backprop(self, X: np.ndarray, labels: np.ndarray) -> float:
        """Forward (training: new dropout masks from the network's generator) and backward
        through every layer, leaving the gradient in each layer's ``dw``, ``db``; returns the cost."""
        self.feedforward(X, True, self.rng)
        cost = self.layers[-1].cost(labels)
        self._backward(labels)
        return cost

    def update_mini_batch(self, X: np.ndarray, labels: np.ndarray, eta: float, lmbda: float, n_batches: int) -> None:
        """One step of gradient descent on network3's regularised cost (see the module docstring)."""
        self.backprop(X, labels)
        decay = lmbda / n_batches
        for layer in self.layers:
            if decay:
                layer.w -= (eta * decay) * layer.w
            layer.w -= eta * layer.dw
            layer.b -= eta * layer.db

    # ------------------------------------------------------------------ training
    def SGD(self, training_data, epochs: int, mini_batch_size: Optional[int] = None, eta: float = 0.1,
            validation_data=None, test_data=None, lmbda: float = 0.0, *, verbose: bool = True,
            callback=None) -> History:
        """Mini-batch SGD as network3: after each epoch the validation accuracy, and the test
        accuracy of the epoch with the best validation accuracy so far (the book's figure).
        Data are ``(X, labels)`` arrays as ``mnist_loader.load_data`` gives them (or lists of
        Nielsen's tuples). Each epoch visits the n // m full mini-batches in a fresh random order.
        Returns a History: ``evaluation_accuracy`` holds the validation counts, ``test_accuracy``
        the test counts, both per epoch."""
        mini_batch_size = self.mini_batch_size if mini_batch_size is None else mini_batch_size
        check_hyperparameters(epochs, mini_batch_size, eta)
        check_lmbda(lmbda)
        X, y = self._data(training_data, "training_data")
        validation = self._data(validation_data, "validation_data") if validation_data is not None else None
        test = self._data(test_data, "test_data") if test_data is not None else None
        n_batches = len(X) // mini_batch_size
        if n_batches == 0:
            raise ValueError(f"training_data has {len(X)} samples, fewer than one mini-batch of {mini_batch_size}")
        history = History(n_test=len(test[0]) if test is not None else 0)
        for epoch in range(epochs):
            start = time.perf_counter()
            order = self.rng.permutation(len(X))[:n_batches * mini_batch_size].reshape(n_batches, mini_batch_size)
            progress = Progress(n_batches, f"  epoch {epoch}, mini-batches", after=10, every=10) if verbose else None
            for k, batch in enumerate(order, start=1):
                self.update_mini_batch(X[batch], y[batch], eta, lmbda, n_batches)
                if progress is not None:
                    progress.update(k)
            history.seconds.append(time.perf_counter() - start)
            check_finite_parameters([l.w for l in self.layers], [l.b for l in self.layers], epoch, eta)
            if validation is not None:
                history.evaluation_accuracy.append(self.accuracy(*validation))
            if test is not None:
                history.test_accuracy.append(self.accuracy(*test))
            if verbose:
                self._report(epoch, epochs, history, validation, test)
            if callback is not None:
                callback(epoch, history)
        if verbose and validation is not None and history.epochs:
            j = int(np.argmax(history.evaluation_accuracy))
            print("Finished training network.")
            print(f"Best validation accuracy of {history.evaluation_accuracy[j] / len(validation[0]):.2%} "
                  f"obtained at epoch {j}")
            if test is not None:
                print(f"Corresponding test accuracy of {history.test_accuracy[j] / history.n_test:.2%}")
        return history

    def _report(self, epoch: int, epochs: int, history: History, validation, test) -> None:
        """network3's lines, with the epoch's time and an estimate of what remains."""
        secs = history.seconds
        left = (epochs - epoch - 1) * sum(secs) / len(secs)
        timing = f"{secs[-1]:.1f} s" + (f", about {left:.0f} s left" if left > 0 else "")
        if validation is None:
            print(f"Epoch {epoch} complete  ({timing})", flush=True)
            return
        acc = history.evaluation_accuracy
        print(f"Epoch {epoch}: validation accuracy {acc[-1] / len(validation[0]):.2%}  ({timing})", flush=True)
        if acc[-1] >= max(acc):
            print("This is the best validation accuracy to date.", flush=True)
            if test is not None:
                print(f"The corresponding test accuracy is {history.test_accuracy[-1] / history.n_test:.2%}", flush=True)

    # ------------------------------------------------------------------ evaluation
    def accuracy(self, X: np.ndarray, labels: np.ndarray, chunk: int = CHUNK) -> int:
        """Number of rows of X whose most probable class is the label."""
        return sum(int(np.sum(np.argmax(self.feedforward(X[k:k + chunk]), axis=1) == labels[k:k + chunk]))
                   for k in range(0, len(X), chunk))

    def _data(self, data, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(X float rows of the network's dtype, integer labels), checked."""
        return as_matrices(data, self.n_in, self.layers[-1].n_out, name, self.dtype, one_hot_targets=False)

    # ------------------------------------------------------------------ the gradient-check protocol
    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameter arrays by name (w0, b0, w1, b1, ...): the layers' own arrays."""
        return by_name([l.w for l in self.layers], [l.b for l in self.layers])

    def loss(self, X: np.ndarray, labels: np.ndarray) -> float:
        """The mean log-likelihood cost of the batch, in training mode with the dropout layers'
        current masks (a gradient check fixes them by setting ``layer.mask``)."""
        self.feedforward(X, True)
        return self.layers[-1].cost(labels)

    def gradient(self, X: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
        """``backprop``'s gradient of ``loss`` (the same masks), by parameter name as ``params``."""
        self.feedforward(X, True)
        self._backward(labels)
        return by_name([l.dw for l in self.layers], [l.db for l in self.layers])

    # ------------------------------------------------------------------ saving
    def save(self, path) -> None:
        """Write the network to ``path`` as JSON, atomically; read it back with ``network.load``."""
        write_json(to_dict(self), path)


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
        if isinstance(layer, ConvPoolLayer):
            h, w, c = prev.out_shape if isinstance(prev, ConvPoolLayer) else (None, None, None)
            if (c, h, w) != layer.image_shape:
                raise ValueError(f"layers[{i}] reads images of (channels, height, width) {layer.image_shape}, "
                                 f"but layers[{i - 1}] gives {(c, h, w) if h else prev.n_out}")
        elif layer.n_in != prev.n_out:
            raise ValueError(f"layers[{i}] has n_in {layer.n_in}, but layers[{i - 1}] gives {prev.n_out} values per sample")


# ---------------------------------------------------------------------- the file
def _layer_dict(layer) -> dict[str, Any]:
    d: dict[str, Any] = {"type": type(layer).__name__}
    if isinstance(layer, ConvPoolLayer):
        d.update(filter_shape=list(layer.filter_shape), image_shape=list(layer.image_shape),
                 poolsize=list(layer.poolsize), activation_fn=layer.activation.name)
    else:
        d.update(n_in=layer.n_in, n_out=layer.n_out, p_dropout=layer.p_dropout)
        if not isinstance(layer, SoftmaxLayer):
            d["activation_fn"] = layer.activation.name
    for kind in ("w", "b"):
        a = getattr(layer, kind)
        if not np.isfinite(a).all():
            raise ValueError(f"cannot save: a {type(layer).__name__}'s {kind} contains non-finite values")
        d[kind] = np.asarray(a, dtype=np.float64).tolist()
    return d


def to_dict(net: ConvNetwork) -> dict[str, Any]:
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "class": "ConvNetwork",
            "mini_batch_size": net.mini_batch_size, "dtype": net.dtype.name,
            "layers": [_layer_dict(l) for l in net.layers]}


def from_dict(data: dict[str, Any], source: str = "<dict>") -> ConvNetwork:
    """Build a ConvNetwork from a file's contents; every field and shape is checked before any
    layer is made, so a file cannot ask for more memory than its own weights take."""
    def fail(msg: str) -> NetworkFileError:
        return NetworkFileError(f"{source}: {msg}")

    check_header(data, source)
    dtype = data.get("dtype", "float32")
    if dtype not in ("float32", "float64"):
        raise fail(f"dtype {dtype!r} must be float32 or float64")
    layers_data = data.get("layers")
    if not isinstance(layers_data, list) or not layers_data:
        raise fail("layers must be a non-empty list")
    layers = []
    for i, d in enumerate(layers_data):
        if not isinstance(d, dict) or d.get("type") not in LAYER_TYPES:
            raise fail(f"layers[{i}] must be an object whose type is one of {', '.join(LAYER_TYPES)}")
        try:
            if d["type"] == "ConvPoolLayer":
                f, c, kh, kw = _ints(d["filter_shape"], 4)
                _ints(d["image_shape"], 3)
                _ints(d["poolsize"], 2)
                w_shape, b_shape = (c * kh * kw, f), (f,)
            else:
                w_shape, b_shape = (_ints([d["n_in"]], 1)[0], _ints([d["n_out"]], 1)[0]), (d["n_out"],)
            w = checked_array(d["w"], w_shape, f"layers[{i}].w", fail)
            b = checked_array(d["b"], b_shape, f"layers[{i}].b", fail)
            layer = _make_layer(d, dtype)
        except NetworkFileError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(f"layers[{i}] ({d['type']}): {type(exc).__name__}: {exc}") from None
        layer.w, layer.b = w.astype(dtype), b.astype(dtype)
        layers.append(layer)
    try:
        return ConvNetwork(layers, data.get("mini_batch_size", 10))
    except (TypeError, ValueError) as exc:
        raise fail(str(exc)) from None


def _ints(values: Any, n: int) -> list[int]:
    if not isinstance(values, list) or len(values) != n or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 100_000 for v in values):
        raise ValueError(f"expected {n} integers from 1 to 100000, got {values!r}")
    return values


def _make_layer(d: dict[str, Any], dtype: str):
    """A layer of the file's description, with zero-cost placeholder weights (replaced by the caller)."""
    zero = np.random.default_rng(0)
    if d["type"] == "ConvPoolLayer":
        image = [1] + d["image_shape"]
        return ConvPoolLayer(d["filter_shape"], image, d["poolsize"], d["activation_fn"], zero, dtype)
    if d["type"] == "SoftmaxLayer":
        return SoftmaxLayer(d["n_in"], d["n_out"], d.get("p_dropout", 0.0), zero, dtype)
    return FullyConnectedLayer(d["n_in"], d["n_out"], d["activation_fn"], d.get("p_dropout", 0.0), zero, dtype)
