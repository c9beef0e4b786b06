"""network3.py, chapter 6's module, as the book prints it: a thin face over ``network.ConvNetwork``.

    import network3
    from network3 import Network, ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer, ReLU
    training_data, validation_data, test_data = network3.load_data_shared()
    mini_batch_size = 10
    net = Network([ConvPoolLayer(image_shape=(mini_batch_size, 1, 28, 28), filter_shape=(20, 1, 5, 5),
                                 poolsize=(2, 2), activation_fn=ReLU),
                   FullyConnectedLayer(n_in=20*12*12, n_out=100, activation_fn=ReLU),
                   SoftmaxLayer(n_in=100, n_out=10)], mini_batch_size)
    net.SGD(training_data, 60, mini_batch_size, 0.03, validation_data, test_data, lmbda=0.1)

Theano's symbolic graph is replaced by ConvNetwork's numpy layers (float32, as network3 on a
GPU); what network3.py does is kept: no reshuffling between epochs (the mini-batches in the
data's order), the L2 term divided by the number of mini-batches, network3's printed lines, and
the test accuracy reported at the last epoch whose validation accuracy is at least the best so
far. The initial weights and the dropout masks come from generators seeded from numpy's global
one, so ``np.random.seed`` makes a run repeatable. Everything else of the network (``feedforward``,
``accuracy``, ``save``, ...) is ConvNetwork's, through ``Network.net``.

The book's paths ``"../data/mnist.pkl.gz"`` and ``"../data/mnist_expanded.pkl.gz"`` mean this
project's dataset and chapter 6's expanded set, from whatever folder the session runs in; either
is built if it is missing (and that is said on stderr).
"""
from __future__ import annotations

import os
from typing import Callable, Sequence

import numpy as np

import mnist_loader
from mnist_loader.dataset import Split
from mnist_loader.expand import expanded_path
from network import activations as _act
from network import conv_layers as _layers
from network.conv_network import ConvNetwork
from network.history import History

__all__ = ["Network", "ConvPoolLayer", "FullyConnectedLayer", "SoftmaxLayer", "sigmoid", "tanh", "ReLU", "linear",
           "load_data_shared", "size"]

# the activations, as values the layers take (network3's are Theano's functions)
sigmoid = _act.sigmoid
tanh = _act.tanh
ReLU = _act.relu


linear = _act.linear

_NAMES: dict[Callable, str] = {sigmoid: "sigmoid", tanh: "tanh", ReLU: "relu", linear: "linear"}


def _activation_name(fn: Callable, where: str) -> str:
    """The engine's name for network3's activation value ``fn``."""
    if isinstance(fn, str) and fn in _NAMES.values():
        return fn
    try:
        return _NAMES[fn]
    except (KeyError, TypeError):
        raise ValueError(f"{where}: activation_fn {getattr(fn, '__name__', fn)!r} is not one of network3's "
                         f"sigmoid, tanh, ReLU and linear") from None


def _rng() -> np.random.Generator:
    """A generator seeded from numpy's global one: ``np.random.seed`` fixes every draw of a run."""
    return np.random.default_rng(np.random.randint(0, 2**31 - 1))


def ConvPoolLayer(filter_shape: Sequence[int], image_shape: Sequence[int], poolsize: Sequence[int] = (2, 2),
                  activation_fn: Callable = sigmoid) -> _layers.ConvPoolLayer:
    """network3's convolution and max-pooling layer (``network.ConvPoolLayer``)."""
    return _layers.ConvPoolLayer(filter_shape, image_shape, poolsize, _activation_name(activation_fn, "ConvPoolLayer"),
                                 rng=_rng())


def FullyConnectedLayer(n_in: int, n_out: int, activation_fn: Callable = sigmoid,
                        p_dropout: float = 0.0) -> _layers.FullyConnectedLayer:
    """network3's fully connected layer (``network.FullyConnectedLayer``)."""
    return _layers.FullyConnectedLayer(n_in, n_out, _activation_name(activation_fn, "FullyConnectedLayer"), p_dropout,
                                       rng=_rng())


def SoftmaxLayer(n_in: int, n_out: int, p_dropout: float = 0.0) -> _layers.SoftmaxLayer:
    """network3's softmax output layer with the log-likelihood cost (``network.SoftmaxLayer``)."""
    return _layers.SoftmaxLayer(n_in, n_out, p_dropout, rng=_rng())


class Network:
    """network3's ``Network(layers, mini_batch_size)``; ``net`` is the ConvNetwork it trains."""

    def __init__(self, layers: Sequence, mini_batch_size: int) -> None:
        self.net = ConvNetwork(layers, mini_batch_size)
        self.net.rng = _rng()                          # the dropout masks' generator, from np.random
        self.layers, self.mini_batch_size = self.net.layers, self.net.mini_batch_size

    def __getattr__(self, name: str):
        if name == "net":                              # not set yet (during unpickling, say)
            raise AttributeError(name)
        return getattr(self.net, name)

    def SGD(self, training_data: Split, epochs: int, mini_batch_size: int, eta: float,
            validation_data: Split, test_data: Split, lmbda: float = 0.0) -> History:
        """network3's SGD: ``epochs`` passes over the mini-batches in the data's order, printing
        network3's lines (its ``Training mini-batch number`` lines come at the end of their
        epoch); returns ConvNetwork's History (validation and test counts per epoch)."""
        if validation_data is None or test_data is None:
            raise ValueError("network3's SGD needs validation_data and test_data")
        n_batches = size(training_data) // mini_batch_size if isinstance(mini_batch_size, int) else 0
        n_validation, n_test = size(validation_data), size(test_data)
        best: dict[str, int] = {}

        def report(epoch: int, history: History) -> None:
            for iteration in range(epoch * n_batches, (epoch + 1) * n_batches):
                if iteration % 1000 == 0:
                    print(f"Training mini-batch number {iteration}")
            accuracy = history.evaluation_accuracy[-1]
            print(f"Epoch {epoch}: validation accuracy {accuracy / n_validation:.2%}")
            if history.best_epoch("last") == epoch:
                best.update(iteration=(epoch + 1) * n_batches - 1, accuracy=accuracy, test=history.test_accuracy[-1])
                print("This is the best validation accuracy to date.")
                print(f"The corresponding test accuracy is {best['test'] / n_test:.2%}", flush=True)

        history = self.net.SGD(training_data, epochs, mini_batch_size, eta, validation_data, test_data, lmbda,
                               verbose=False, callback=report, shuffle=False, ties="last")
        print("Finished training network.")
        if best:
            print(f"Best validation accuracy of {best['accuracy'] / n_validation:.2%} obtained at iteration "
                  f"{best['iteration']}")
            print(f"Corresponding test accuracy of {best['test'] / n_test:.2%}")
        return history


def load_data_shared(filename: str | os.PathLike = "../data/mnist.pkl.gz") -> list[Split]:
    """``[training_data, validation_data, test_data]``, each ``(images, labels)`` arrays, what
    ``Network.SGD`` takes. The book's two paths mean the project's dataset and expanded set,
    from any folder (built if missing); any other path is read as given."""
    if str(filename) == "../data/mnist.pkl.gz":
        return list(mnist_loader.load_data())
    if str(filename) == "../data/mnist_expanded.pkl.gz":
        return list(mnist_loader.load_expanded())
    if os.path.basename(str(filename)) == expanded_path().name:
        return list(mnist_loader.load_expanded(filename))
    return list(mnist_loader.load_data(filename))


def size(data: Split) -> int:
    """The number of samples in ``data`` = (images, labels)."""
    return len(data[0])

