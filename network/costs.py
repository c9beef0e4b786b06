"""Cost functions: each with its value, its derivative and its output error, defined once.

A cost ``C`` offers, with a, y, z of the same shape (one sample as a column, or samples in rows):
    C.fn(a, y)            the cost, summed over the samples given
    C.from_z(z, y)        the same sum from the output layer's weighted input z, exactly: finite
                          wherever z is, also where a = sigma(z) has rounded to 0 or 1
    C.derivative(a, y)    dC/da, the gradient of the cost with respect to the output activations
    C.delta(z, a, y)      delta^L = dC/dz^L, the output error of BP1, given the output layer's
                          weighted input z and activation a = sigma(z) (network2.py's signature)

The output activation that goes with each cost is fixed, as in ``network2.py``: quadratic and
cross-entropy costs use sigmoid output neurons, the log-likelihood cost a softmax output layer.
For the last two the output neuron's derivative cancels and delta^L = a - y exactly.
"""
from __future__ import annotations

import numpy as np

from .activations import logsumexp, sigmoid, sigmoid_prime


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
    def from_z(z: np.ndarray, y: np.ndarray) -> float:
        return QuadraticCost.fn(sigmoid(z), y)

    @staticmethod
    def delta(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """BP1: delta^L = (a - y) * sigma'(z^L)."""
        return QuadraticCost.derivative(a, y) * sigmoid_prime(z, a)


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
    def derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dC/da = (a - y) / (a (1 - a))."""
        return (a - y) / (a * (1 - a))

    @staticmethod
    def from_z(z: np.ndarray, y: np.ndarray) -> float:
        """-y ln sigma(z) - (1 - y) ln(1 - sigma(z)) = ln(1 + e^z) - y z."""
        return float(np.sum(np.logaddexp(0, z) - y * z))

    @staticmethod
    def delta(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """delta^L = a - y: the sigma'(z) of BP1 cancels against the cost's derivative."""
        return a - y


class LogLikelihoodCost:
    """C = -ln a_y with a softmax output layer (chapter 3): -sum y ln a for one-hot y."""

    name = "log-likelihood"
    output_activation = "softmax"

    @staticmethod
    def fn(a: np.ndarray, y: np.ndarray) -> float:
        with np.errstate(divide="ignore"):
            return float(-np.sum(y * np.log(np.maximum(a, np.finfo(a.dtype).tiny))))

    @staticmethod
    def derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dC/da = -y / a."""
        return -y / a

    @staticmethod
    def from_z(z: np.ndarray, y: np.ndarray) -> float:
        """-sum y ln softmax(z) = sum y (log-sum-exp(z) - z), row by row."""
        return float(np.sum(y * (logsumexp(z, axis=-1) - z)))

    @staticmethod
    def delta(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """delta^L = a - y for softmax outputs with the log-likelihood cost."""
        return a - y


def softmax_cross_entropy(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """-ln softmax(scores)[label] for each sample: scores (..., N, C), labels (N,) -> (..., N).

    Computed from the scores as log-sum-exp minus the label's score, so it is exact and finite
    for scores like 1000 or -1000. The loss of ``SoftmaxWithLoss`` and ``TwoLayerNet``.
    """
    picked = scores[..., np.arange(len(labels)), labels]
    return logsumexp(scores, axis=-1)[..., 0] - picked


COSTS = {cls.name: cls for cls in (QuadraticCost, CrossEntropyCost, LogLikelihoodCost)}
ALIASES = {"crossentropy": "cross-entropy", "loglikelihood": "log-likelihood",
           "softmax": "log-likelihood"}   # no "mse": the quadratic cost is half the sum of squares, not their mean


def get_cost(cost: str | type) -> type:
    """Accept a cost class or its name ('quadratic', 'cross-entropy', 'log-likelihood')."""
    if isinstance(cost, type) and cost in COSTS.values():
        return cost
    if not isinstance(cost, str):
        raise ValueError(f"unknown cost {cost!r}; choose one of {sorted(COSTS)}")
    key = cost.lower().replace("_", "-")
    key = ALIASES.get(key, key)
    try:
        return COSTS[key]
    except KeyError:
        raise ValueError(f"unknown cost {cost!r}; choose one of {sorted(COSTS)}") from None
