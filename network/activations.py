"""Activation functions: each with its value and its derivative, in one place.

Both network classes use these definitions; nothing here is re-written per network.

An activation ``act`` offers
    act.fn(z)                 sigma(z)
    act.prime(z)              sigma'(z)
    act.forward_into(z, out)  the same values, in place, for the matrix network's hot loop
    act.mul_prime_into(d, a, tmp)  d *= sigma'(z), written in terms of a = sigma(z), so the
                              matrix network need not keep z around
"""
from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function sigma(z) = 1 / (1 + exp(-z)).

    For very negative z, exp(-z) overflows to inf and 1 / (1 + inf) is exactly 0, the correct
    limit, so the overflow warning is silenced rather than the input clipped: ordinary inputs
    give bit-for-bit the same values as the book's one-liner.
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid: sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)


class Sigmoid:
    name = "sigmoid"

    @staticmethod
    def fn(z: np.ndarray) -> np.ndarray:
        return sigmoid(z)

    @staticmethod
    def prime(z: np.ndarray) -> np.ndarray:
        return sigmoid_prime(z)

    # In-place kernels for the matrix network (callers silence overflow once per run).
    @staticmethod
    def forward_into(z: np.ndarray, out: np.ndarray) -> None:
        """out = 1 / (1 + exp(-z)); z is overwritten."""
        np.negative(z, out=z)
        np.exp(z, out=z)
        np.add(z, 1.0, out=z)
        np.reciprocal(z, out=out)

    @staticmethod
    def mul_prime_into(delta: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
        """delta *= a (1 - a), i.e. the sigma'(z) factor of BP2."""
        np.subtract(1.0, a, out=tmp)
        np.multiply(tmp, a, out=tmp)
        np.multiply(delta, tmp, out=delta)


class Tanh:
    name = "tanh"

    @staticmethod
    def fn(z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    @staticmethod
    def prime(z: np.ndarray) -> np.ndarray:
        t = np.tanh(z)
        return 1 - t * t

    @staticmethod
    def forward_into(z: np.ndarray, out: np.ndarray) -> None:
        np.tanh(z, out=out)

    @staticmethod
    def mul_prime_into(delta: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
        """delta *= 1 - a^2."""
        np.multiply(a, a, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        np.multiply(delta, tmp, out=delta)


class ReLU:
    name = "relu"

    @staticmethod
    def fn(z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0)

    @staticmethod
    def prime(z: np.ndarray) -> np.ndarray:
        """1 where z > 0, else 0 (the subgradient 0 is taken at z = 0)."""
        return (z > 0).astype(z.dtype)

    @staticmethod
    def forward_into(z: np.ndarray, out: np.ndarray) -> None:
        np.maximum(z, 0.0, out=out)

    @staticmethod
    def mul_prime_into(delta: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> None:
        """delta *= [a > 0]."""
        np.copyto(delta, 0.0, where=a <= 0)


def softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    """Numerically stable softmax along ``axis``: exp(z - max z) / sum exp(z - max z).

    Subtracting the maximum changes nothing mathematically and keeps exp() finite for inputs
    such as 1000 or -1000.
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


class Softmax:
    """Output-layer softmax; used only with the log-likelihood cost, whose delta is a - y."""

    name = "softmax"

    @staticmethod
    def fn(z: np.ndarray) -> np.ndarray:
        return softmax(z, axis=0)

    @staticmethod
    def forward_into(z: np.ndarray, out: np.ndarray) -> None:
        """Row-wise softmax (samples in rows); z is overwritten."""
        np.subtract(z, z.max(axis=1, keepdims=True), out=z)
        np.exp(z, out=z)
        np.divide(z, z.sum(axis=1, keepdims=True), out=out)


HIDDEN_ACTIVATIONS = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU)}
OUTPUT_ACTIVATIONS = {cls.name: cls for cls in (Sigmoid, Softmax)}


def get_activation(name: str) -> type:
    """Look up a hidden-layer activation by name ('sigmoid', 'tanh' or 'relu')."""
    try:
        return HIDDEN_ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {sorted(HIDDEN_ACTIVATIONS)}"
        ) from None
