"""``network.load``: build a network from a file written by ``save`` (see serialization.py)."""
from __future__ import annotations

import os

from .matrix import MatrixNetwork
from .per_sample import Network
from .serialization import read


def load(path: str | os.PathLike) -> Network | MatrixNetwork:
    """Read a network saved by ``save``; every field is checked and a bad file named."""
    spec = read(path)
    if spec["cls"] == "Network":
        net = Network(spec["sizes"])
    else:
        net = MatrixNetwork(spec["sizes"], dtype=spec["dtype"], cost=spec["cost"],
                            activation=spec["activation"], init=spec["init"])
    net.weights = [w.astype(net.dtype) for w in spec["weights"]]
    net.biases = [b.astype(net.dtype) for b in spec["biases"]]
    return net
