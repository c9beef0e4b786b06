"""Checks of user input, shared by every network class. Each raises ValueError naming what is wrong."""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable, Sequence

import numpy as np
from numpy.typing import DTypeLike


def check_int(value: Any, name: str, minimum: int = 1) -> int:
    """An integer (not a bool, not a float) >= ``minimum``; returned as a Python int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """sizes: at least an input and an output layer, every count a positive integer."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise ValueError(f"sizes must be a list of layer sizes, got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least 2 layers (input and output), got {sizes!r}")
    return [check_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]


def check_hyperparameters(epochs: int, mini_batch_size: int, eta: float) -> float:
    """SGD's three numbers checked; returns eta as a float (a Fraction or a numpy scalar computes as one)."""
    check_int(epochs, "epochs", 0)
    check_int(mini_batch_size, "mini_batch_size")
    return check_eta(eta)


def check_callback(callback: Any) -> None:
    """SGD's ``callback``: None, or a function called as callback(epoch, history)."""
    if callback is not None and not callable(callback):
        raise ValueError(f"callback must be a function of (epoch, history), or None; got {short(callback)}")


def check_real(value: Any, name: str, condition: str, ok: Callable[[float], bool]) -> float:
    """A real number (not a bool, not nan or inf) for which ``ok(value)`` holds; returned as a float.
    ``condition`` says what ``ok`` asks, for the message."""
    try:                                                     # float(): an int of 400 digits overflows
        real = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(float(value))
    except OverflowError:
        real = False
    if not real or not ok(value):
        raise ValueError(f"{name} must be {condition}, got {short(value)}")
    return float(value)


def short(value: Any) -> str:
    """``repr(value)``, cut to 60 characters for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_eta(eta: float) -> float:
    return check_real(eta, "learning rate eta", "a finite number > 0", lambda v: v > 0)


def check_lmbda(lmbda: float, name: str = "lmbda") -> float:
    """A regularisation parameter: a finite number >= 0."""
    return check_real(lmbda, name, "a finite number >= 0", lambda v: v >= 0)


def check_probability(p: float, name: str) -> float:
    """A probability of dropping something: a number in [0, 1)."""
    return check_real(p, name, "a number in [0, 1)", lambda v: 0 <= v < 1)


def check_sample_list(data: Any, n_in: int, n_out: int, name: str, labels: str) -> None:
    """Check a list of Nielsen's (x, y) tuples against the network's shape.

    labels: 'one-hot' (y of shape (n_out, 1)), 'int' (y an integer class) or 'any' (either, but
    the same kind for every sample). x and y must be real, finite numbers.
    """
    try:
        n = len(data)
    except TypeError:
        raise ValueError(
            f"{name} must be a list of (x, y) tuples (a zip iterator has no len(): wrap it in list())"
        ) from None
    if n == 0:
        raise ValueError(f"{name} is empty")
    first_kind, low, high = None, np.inf, -np.inf
    for i, sample in enumerate(data):
        try:
            x, y = sample
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{i}] must be an (x, y) tuple") from None
        if not isinstance(x, np.ndarray):
            raise ValueError(f"{name}[{i}]: x is a {type(x).__name__}, expected a numpy array (np.array(x))")
        xa = x
        if xa.shape != (n_in, 1):
            raise ValueError(
                f"{name}[{i}]: x has shape {xa.shape}, the network expects ({n_in}, 1) (sizes[0] = {n_in})"
            )
        if xa.dtype.kind not in "fiu":
            raise ValueError(f"{name}[{i}]: x holds {xa.dtype} values, expected real numbers")
        kind = "a label" if np.ndim(y) == 0 else "a one-hot vector"
        if first_kind is None:
            first_kind = kind
        elif kind != first_kind:
            raise ValueError(f"{name}[{i}]: y is {kind}, but {name}[0]'s is {first_kind}: give every sample the "
                             f"same kind of target")
        if np.ndim(y) == 0:
            if labels == "one-hot":
                raise ValueError(f"{name}[{i}]: y is the label {y!r}, training needs a one-hot ({n_out}, 1) vector")
            if np.asarray(y).dtype.kind not in "iu":
                raise ValueError(f"{name}[{i}]: label {y!r} is not an integer")
            if not 0 <= int(y) < n_out:
                raise ValueError(f"{name}[{i}]: label {y} is outside 0..{n_out - 1}")
        else:
            ya = np.asarray(y)
            if labels == "int":
                raise ValueError(f"{name}[{i}]: y has shape {ya.shape}, expected an integer label")
            if ya.shape != (n_out, 1):
                raise ValueError(
                    f"{name}[{i}]: y has shape {ya.shape}, the network expects ({n_out}, 1) (sizes[-1] = {n_out})"
                )
            if ya.dtype.kind not in "fiub":
                raise ValueError(f"{name}[{i}]: y holds {ya.dtype} values, expected real numbers")
            if not np.isfinite(ya).all():
                raise ValueError(f"{name}[{i}]: y contains non-finite values (nan or inf)")
        if not np.isfinite(xa).all():
            raise ValueError(f"{name}[{i}]: x contains non-finite values (nan or inf)")
        low, high = min(low, float(xa.min())), max(high, float(xa.max()))
    warn_input_range(low, high, name)


def warn_input_range(low: float, high: float, name: str) -> None:
    """MNIST's inputs are pixel values in [0, 1]; 0..255 trains to about 20%: say so of training
    data (a warning)."""
    if name == "training_data" and (high > 1.5 or low < -0.5):
        warnings.warn(f"{name}: inputs range over {low:g}..{high:g}; MNIST's are in [0, 1] (divide pixels by 255): "
                      f"the sigmoids saturate and training stalls", stacklevel=4)


def check_finite_parameters(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], epoch: int, eta: float,
                            step: str = "epoch") -> None:
    """After an epoch (or another ``step`` of training, say an iteration): stop a run whose weights
    overflowed, since every later number would be nan (FloatingPointError, naming the step and
    eta). Before training the door checks them (``parameters.check_parameters``)."""
    for kind, arrays in (("weights", weights), ("biases", biases)):
        for l, a in enumerate(arrays):
            if not np.isfinite(a).all():
                raise FloatingPointError(
                    f"training diverged in {step} {epoch}: {kind}[{l}] are no longer finite numbers "
                    f"(nan or inf); the learning rate eta = {eta:g} is probably too large")


def check_finite_cost(cost: float, what: str, when: str, eta: float) -> float:
    """A cost or loss measured during training: not finite means the run diverged (FloatingPointError)."""
    if not np.isfinite(cost):
        raise FloatingPointError(f"training diverged {when}: the {what} is {cost}; the learning rate "
                                 f"eta = {eta:g} is probably too large")
    return cost


def float_dtype(dtype: DTypeLike) -> np.dtype:
    """float32 or float64, the two dtypes a network computes in; anything else is refused by name."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype
