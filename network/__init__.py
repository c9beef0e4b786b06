"""Backpropagation for MNIST: the networks of Nielsen's book and of *Deep Learning from Scratch*.

- ``Network`` (per_sample.py): Nielsen's chapter-1 network, backprop one sample at a time.
- ``MatrixNetwork`` (matrix.py): the same mathematics with a whole mini-batch as one matrix
  (``_backprop``: chapter 2's exercise), plus chapter 3's costs, regularisation and monitoring.
- ``ConvNetwork`` (conv_network.py) of ``ConvPoolLayer``, ``FullyConnectedLayer`` and
  ``SoftmaxLayer`` (conv_layers.py): chapter 6's ``network3.py`` in numpy, without Theano.
- ``layers`` (layers.py) and ``TwoLayerNet`` (two_layer_net.py): backprop on a graph of layers.
- ``numerical_gradient`` (numerical.py) and ``gradient_check`` (gradient_check.py): the slow
  gradient that backprop replaces, and the check of one against the other.
- ``load`` (loading.py) and every network's ``save`` (files.py): JSON files, written atomically,
  read within bounds.

The four networks share one contract (README.md, "One contract"): ``feedforward``, ``classify``,
``evaluate``, ``accuracy``, ``loss``, ``gradient``, ``backprop``, ``params``, ``save``.
"""
from .conv_layers import ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer
from .conv_network import ConvNetwork
from .files import NetworkFileError
from .gradient_check import gradient_check
from .loading import load
from .matrix import MatrixNetwork
from .numerical import numerical_gradient
from .per_sample import Network
from .two_layer_net import TwoLayerNet

__all__ = ["Network", "MatrixNetwork", "ConvNetwork", "TwoLayerNet", "ConvPoolLayer", "FullyConnectedLayer",
           "SoftmaxLayer", "numerical_gradient", "gradient_check", "load", "NetworkFileError"]
