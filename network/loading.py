"""``network.load``: build a network from a file written by ``save`` (see serialization.py)."""
from __future__ import annotations

import os

from .conv_network import ConvNetwork, from_dict
from .matrix import MatrixNetwork
from .per_sample import Network
from .serialization import parse, read_json


def load(path: str | os.PathLike) -> Network | MatrixNetwork | ConvNetwork:
    """Read a network saved by ``save``; every field is checked and a bad file named."""
    data = read_json(path)
    if isinstance(data, dict) and data.get("class") == "ConvNetwork":
        return from_dict(data, str(path))
    spec = parse(data, str(path))
    if spec["cls"] == "Network":
        net = Network(spec["sizes"])
    else:
        net = MatrixNetwork(spec["sizes"], dtype=spec["dtype"], cost=spec["cost"],
                            activation=spec["activation"], init=spec["init"])
    net.weights = [w.astype(net.dtype) for w in spec["weights"]]
    net.biases = [b.astype(net.dtype) for b in spec["biases"]]
    return net
