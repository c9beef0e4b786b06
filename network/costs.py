"""Cost functions: each with its value and its output-layer error delta, in one place.

A cost ``C`` offers
    C.fn(a, y)            the cost of one sample (a, y as column vectors) or, with the matrix
                          layout (samples in rows), the summed cost of a batch
    C.derivative(a, y)    dC/da for the quadratic cost (Nielsen's ``cost_derivative``)
    C.delta(a, y)         delta^L = dC/dz^L, the error of the output layer (BP1), given the
                          output activation a = sigma(z^L)

The output activation that goes with each cost is fixed, as in ``network2.py``:
quadratic and cross-entropy costs use sigmoid output neurons, the log-likelihood cost a
softmax output layer. For the last two, the output neuron's derivative cancels and
delta^L = a - y exactly.
"""
from __future__ import annotations

import numpy as np


class QuadraticCost:
    """C = 1/2 ||a - y||^2 (chapter 1)."""

    name = "quadratic"
    output_activation = "sigmoid"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:
        d = a - y
        return 0.5 * float(np.sum(d * d))

    @staticmethod
    def derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dC/da = a - y."""
        return a - y

    @staticmethod
    def delta(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """BP1 with sigmoid outputs: delta^L = (a - y) * sigma'(z^L), sigma'(z) = a (1 - a)."""
        return (a - y) * a * (1 - a)

    @staticmethod
    def scaled_delta_into(a: np.ndarray, y: np.ndarray, scale: float, out: np.ndarray, tmp: np.ndarray) -> None:
        """out = -scale * delta^L = scale (y - a) a (1 - a), the form the matrix network's update uses."""
        np.subtract(y, a, out=out)
        np.multiply(a, -scale, out=tmp)
        np.add(tmp, scale, out=tmp)
        np.multiply(tmp, a, out=tmp)
        np.multiply(out, tmp, out=out)


class CrossEntropyCost:
    """C = -sum [y ln a + (1 - y) ln(1 - a)] (chapter 3), with sigmoid outputs."""

    name = "cross-entropy"
    output_activation = "sigmoid"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:
        # nan_to_num: 0 * log(0) is taken as 0, as in network2.py.
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))))

    @staticmethod
    def delta(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """delta^L = a - y: the sigma'(z) of BP1 cancels against the cost's derivative."""
        return a - y

    @staticmethod
    def scaled_delta_into(a: np.ndarray, y: np.ndarray, scale: float, out: np.ndarray, tmp: np.ndarray) -> None:
        """out = -scale * delta^L = scale (y - a)."""
        np.subtract(y, a, out=out)
        np.multiply(out, scale, out=out)


class LogLikelihoodCost:
    """C = -ln a_y with a softmax output layer (chapter 3)."""

    name = "log-likelihood"
    output_activation = "softmax"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:
        with np.errstate(divide="ignore"):
            return float(-np.sum(y * np.log(np.maximum(a, np.finfo(a.dtype).tiny))))

    @staticmethod
    def delta(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """delta^L = a - y for softmax outputs with the log-likelihood cost."""
        return a - y

    scaled_delta_into = staticmethod(CrossEntropyCost.scaled_delta_into)


COSTS = {cls.name: cls for cls in (QuadraticCost, CrossEntropyCost, LogLikelihoodCost)}


def get_cost(cost: str | type) -> type:
    """Accept a cost class or its name ('quadratic', 'cross-entropy', 'log-likelihood')."""
    if isinstance(cost, type) and cost in COSTS.values():
        return cost
    key = str(cost).lower().replace("_", "-")
    aliases = {"crossentropy": "cross-entropy", "loglikelihood": "log-likelihood",
               "softmax": "log-likelihood", "mse": "quadratic"}
    key = aliases.get(key, key)
    try:
        return COSTS[key]
    except KeyError:
        raise ValueError(f"unknown cost {cost!r}; choose one of {sorted(COSTS)}") from None
