"""Gradient checking: backprop against the numerical gradient, for every network in the package.

One protocol serves all three networks (``Network``, ``MatrixNetwork``, ``TwoLayerNet``):
    net.params            the parameter arrays by name, the network's own (perturbed in place)
    net.loss(x, t)        the scalar whose gradient is checked
    net.gradient(x, t)    that gradient by backprop, by the same names
"""
from __future__ import annotations

import numpy as np

from .numerical import numerical_gradient


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| relative to the larger of max |a| and max |b| (0 when both are 0).

    Measured against the scale of the whole gradient, so that entries that are (nearly) zero
    in both do not turn rounding noise into a large ratio.
    """
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    return 0.0 if scale == 0.0 else float(np.max(np.abs(a - b))) / scale


def gradient_check(net, x, t, h: float = 1e-5) -> dict[str, float]:
    """Compare backprop with central differences; return the relative error per parameter.

    ``x`` and ``t`` are whatever the network's ``loss`` takes: a batch and its one-hot rows or
    labels for MatrixNetwork and TwoLayerNet, Nielsen's columns (one sample, or lists) for
    Network. Keys: W1, b1, W2, b2 for TwoLayerNet; w0, b0, w1, ... (layer by layer) otherwise.
    """
    missing = [name for name in ("params", "loss", "gradient") if not hasattr(net, name)]
    if missing:
        raise TypeError(f"gradient_check needs a network with params, loss and gradient: "
                        f"a {type(net).__name__} has no {', '.join(missing)}")
    backprop = net.gradient(x, t)
    return {name: relative_error(backprop[name], numerical_gradient(lambda _: net.loss(x, t), p, h))
            for name, p in net.params.items()}


def by_name(weights: list[np.ndarray], biases: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Layer-by-layer lists as one dict: w0, b0, w1, b1, ... (the names ``params`` uses)."""
    named = {}
    for l, (w, b) in enumerate(zip(weights, biases)):
        named[f"w{l}"], named[f"b{l}"] = w, b
    return named
