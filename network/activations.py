"""Activation functions: each with its value and its derivative, defined once.

An activation ``act`` (an ``Activation``: ``SIGMOID``, ``TANH``, ``RELU``, ``LINEAR``, ``SOFTMAX``) offers
``act.fn(z)`` (sigma(z)) and ``act.prime(z, a=None)`` (sigma'(z)), for z of any shape. Where
sigma'(z) is a function of sigma(z) (sigmoid, tanh), ``prime`` takes the activation a = sigma(z)
if the caller kept it, instead of computing it again: the same numbers, for half the work.
Every network and every graph layer takes its activations from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function sigma(z) = 1 / (1 + exp(-z)).

    For very negative z, exp(-z) overflows to inf and 1 / (1 + inf) is exactly 0, the correct
    limit, so the overflow warning is silenced rather than the input clipped: ordinary inputs
    give bit-for-bit the same values as the book's one-liner.
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    """Derivative of the sigmoid: sigma'(z) = sigma(z) (1 - sigma(z)), with a = sigma(z) if given."""
    s = sigmoid(z) if a is None else a
    return s * (1 - s)


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0)."""
    return np.maximum(z, 0)


def relu_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    """1 where z > 0, else 0 (the subgradient 0 is taken at z = 0); ``a`` is not needed."""
    return (z > 0).astype(z.dtype)


def logsumexp(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log sum_i exp(z_i) along ``axis`` (kept as a length-1 axis), computed stably.

    Subtracting the maximum first changes nothing mathematically and keeps exp() finite for
    inputs such as 1000 or -1000. Softmax, log-softmax and the softmax cross-entropy all use it.
    """
    top = np.max(z, axis=axis, keepdims=True)
    return top + np.log(np.sum(np.exp(z - top), axis=axis, keepdims=True))


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(z) = z - log sum exp(z), along ``axis``."""
    return z - logsumexp(z, axis)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(z)_j = exp(z_j) / sum_i exp(z_i), along ``axis``."""
    return np.exp(log_softmax(z, axis))


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(z)


def tanh_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    """Derivative of tanh: 1 - tanh(z)^2, with a = tanh(z) if given."""
    t = np.tanh(z) if a is None else a
    return 1 - t * t


def linear(z: np.ndarray) -> np.ndarray:
    """The identity, network3's ``linear`` activation: a layer that only sums its inputs."""
    return z


def linear_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    """Derivative of the identity: 1 everywhere."""
    return np.ones_like(z)


@dataclass(frozen=True)
class Activation:
    """An activation function by name: ``fn(z)`` = sigma(z) and ``prime(z, a=None)`` = sigma'(z).

    These are functions, not layers: the graph layers of layers.py (``Sigmoid``, ``Tanh``,
    ``Relu``) and every network call them, so each derivative is written once, above.
    """

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    prime: Optional[Callable[..., np.ndarray]] = None


SIGMOID = Activation("sigmoid", sigmoid, sigmoid_prime)
TANH = Activation("tanh", tanh, tanh_prime)
RELU = Activation("relu", relu, relu_prime)
LINEAR = Activation("linear", linear, linear_prime)
# The output layer's softmax over the neurons of a layer (the last axis: samples in rows). Used
# only with the log-likelihood cost, whose output error is a - y (costs.py): no prime is needed.
SOFTMAX = Activation("softmax", softmax)

HIDDEN_ACTIVATIONS = {a.name: a for a in (SIGMOID, TANH, RELU, LINEAR)}
OUTPUT_ACTIVATIONS = {a.name: a for a in (SIGMOID, SOFTMAX)}


def get_activation(name: str) -> Activation:
    """Look up a hidden-layer activation by name ('sigmoid', 'tanh', 'relu' or 'linear')."""
    try:
        return HIDDEN_ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; choose one of {sorted(HIDDEN_ACTIVATIONS)}"
        ) from None
