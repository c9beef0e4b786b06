"""Gradient checking: backprop against the numerical gradient, for every network in the package."""
from __future__ import annotations

from typing import Callable

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

    ``net`` may be a TwoLayerNet (x a batch, t one-hot or labels), a Network (x, t: lists of
    Nielsen's column vectors, or one sample) or a MatrixNetwork (x (m, n_in), t one-hot rows or
    labels). For Network and MatrixNetwork the function differentiated is the cost summed over
    the batch, whose gradient ``backprop`` returns. Keys: W1, b1, ... for TwoLayerNet, w0, b0,
    w1, ... (layer by layer) for the others.
    """
    if hasattr(net, "params") and hasattr(net, "gradient"):
        backprop = net.gradient(x, t)
        numerical = net.numerical_gradient(x, t, h)
        return {k: relative_error(backprop[k], numerical[k]) for k in backprop}
    if hasattr(net, "weights") and hasattr(net, "backprop"):
        loss, (nabla_b, nabla_w) = _summed_cost_and_backprop(net, x, t)
        errors = {}
        for l, (w, b) in enumerate(zip(net.weights, net.biases)):
            errors[f"w{l}"] = relative_error(nabla_w[l], numerical_gradient(lambda _: loss(), w, h))
            errors[f"b{l}"] = relative_error(nabla_b[l], numerical_gradient(lambda _: loss(), b, h))
        return errors
    raise TypeError(f"gradient_check does not know how to check a {type(net).__name__}")


def _summed_cost_and_backprop(net, x, t) -> tuple[Callable[[], float], tuple[list, list]]:
    from .costs import QuadraticCost
    from .matrix import MatrixNetwork

    if isinstance(net, MatrixNetwork):
        X, Y = net._batch(x, t)
        return (lambda: net.cost.fn(net.feedforward(X), Y)), net.backprop(X, Y)
    samples = list(zip(x, t)) if isinstance(x, (list, tuple)) else [(x, t)]
    grads = [net.backprop(xi, yi) for xi, yi in samples]
    nabla_b = [sum(g[0][l] for g in grads) for l in range(len(net.biases))]
    nabla_w = [sum(g[1][l] for g in grads) for l in range(len(net.weights))]
    loss = lambda: sum(QuadraticCost.fn(net.feedforward(xi), yi) for xi, yi in samples)  # noqa: E731
    return loss, (nabla_b, nabla_w)
