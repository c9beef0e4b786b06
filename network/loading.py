"""``network.load``: build a network from a file written by ``save`` (the format: files.py)."""
from __future__ import annotations

import os

from .conv_layers import ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer
from .conv_network import ConvNetwork
from .files import NetworkFileError, read
from .matrix import MatrixNetwork
from .per_sample import Network
from .two_layer_net import TwoLayerNet

AnyNetwork = Network | MatrixNetwork | ConvNetwork | TwoLayerNet


def load(path: str | os.PathLike) -> AnyNetwork:
    """Read a network saved by ``save``; every field is checked and a bad file named
    (``NetworkFileError``), before any network is made."""
    header, weights, biases = read(path)
    try:
        net = _build(header)
    except (TypeError, ValueError) as exc:
        raise NetworkFileError(f"{path}: {exc}") from None
    net._load_arrays(weights, biases)
    return net


def _build(h: dict) -> AnyNetwork:
    cls, dtype = h["class"], h["dtype"]
    if cls == "Network":
        return Network(h["sizes"])
    if cls == "MatrixNetwork":
        return MatrixNetwork(h["sizes"], dtype=dtype, cost=h["cost"], activation=h["activation"], init=h["init"])
    if cls == "TwoLayerNet":
        return TwoLayerNet(*h["sizes"], weight_init_std=h["weight_init_std"], dtype=dtype)
    layers = []
    for d in h["layers"]:
        if d["type"] == "ConvPoolLayer":
            layers.append(ConvPoolLayer(d["filter_shape"], [1] + d["image_shape"], d["poolsize"], d["activation_fn"],
                                        dtype=dtype))
        elif d["type"] == "SoftmaxLayer":
            layers.append(SoftmaxLayer(d["n_in"], d["n_out"], d["p_dropout"], dtype=dtype))
        else:
            layers.append(FullyConnectedLayer(d["n_in"], d["n_out"], d["activation_fn"], d["p_dropout"], dtype=dtype))
    # the initial weights drawn here (unseeded) are replaced by the file's arrays, checked, by the caller
    return ConvNetwork(layers, h["mini_batch_size"], init=h["init"])
