"""Gradient checking: backprop against the numerical gradient, for every network in the package.

One protocol serves all four networks (``Network``, ``MatrixNetwork``, ``ConvNetwork``, ``TwoLayerNet``):
    net.params            the parameter arrays by name, the network's own (perturbed in place)
    net.loss(x, t)        the scalar whose gradient is checked
    net.gradient(x, t)    that gradient by backprop, by the same names
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .data import Inputs
from .numerical import numerical_gradient


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 0.0) -> float:
    """max |a - b| relative to the larger of max |a|, max |b| and ``floor`` (0 when all are 0).

    Measured against the scale of the whole gradient, so that entries that are (nearly) zero
    in both do not turn rounding noise into a large ratio; ``floor`` does the same for a
    gradient that is zero as a whole (a bias whose gradient is 1e-17 by symmetry, say).
    """
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), floor)
    return 0.0 if scale == 0.0 else float(np.max(np.abs(a - b))) / scale


def gradient_check(net: Any, x: Inputs, t: Inputs, h: float = 1e-5) -> dict[str, float]:
    """Compare backprop with central differences; return the relative error per parameter.

    ``x`` and ``t`` are whatever the network's ``loss`` takes: a batch and its one-hot rows or
    labels for MatrixNetwork, ConvNetwork and TwoLayerNet, Nielsen's columns (one sample, or
    lists) for Network. Keys: W1, b1, W2, b2 for TwoLayerNet; w0, b0, w1, ... (layer by layer)
    otherwise. The parameters must be float64: in float32 a step of 1e-5 measures rounding, not
    the gradient. A gradient smaller than what central differences can resolve (about
    1000 eps |loss| / h) counts as zero.
    """
    missing = [name for name in ("params", "loss", "gradient") if not hasattr(net, name)]
    if missing:
        raise TypeError(f"gradient_check needs a network with params, loss and gradient: "
                        f"a {type(net).__name__} has no {', '.join(missing)}")
    if not (isinstance(h, float) and np.isfinite(h) and h > 0):
        raise ValueError(f"step h must be a finite float > 0, got {h!r}")
    params = net.params
    narrow = sorted(name for name, p in params.items() if p.dtype != np.float64)
    if narrow:
        raise ValueError(f"gradient_check needs float64 parameters ({', '.join(narrow)} are "
                         f"{params[narrow[0]].dtype}): a central difference of h = {h:g} in float32 measures rounding")
    backprop = net.gradient(x, t)
    floor = 1e3 * np.finfo(np.float64).eps * max(1.0, abs(float(net.loss(x, t)))) / h
    return {name: relative_error(backprop[name], numerical_gradient(lambda _: net.loss(x, t), p, h), floor)
            for name, p in params.items()}
