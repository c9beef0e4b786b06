"""Learning curves (the book's research problem 3.15): accuracy against training-set size, fitted
and extrapolated.

The family is the inverse power law of learning-curve theory: the error rate falls as a power of
the training-set size n towards an asymptote,

    error(n) = e_inf + b n^(-c),      e_inf >= 0, b > 0, c > 0,

so the asymptotic accuracy is 1 - e_inf. For a fixed exponent c the model is linear in (e_inf, b),
so the fit is a least-squares solve for each c on a fine grid, keeping the c of least squared
error (in log-error, so that the small errors at large n count as much as the large ones at
small n). The uncertainty of e_inf is a bootstrap over the residuals; the fit is checked by
fitting the smaller sizes only and predicting the largest.
"""
from __future__ import annotations

import numpy as np

EXPONENTS = np.linspace(0.05, 2.0, 391)


def _solve(n: np.ndarray, error: np.ndarray, c: float) -> tuple[float, float, float]:
    """(e_inf, b, squared log-error residual) of the best fit with exponent c (e_inf clipped at 0)."""
    design = np.column_stack([np.ones_like(n), n ** -c])
    (e_inf, b), *_ = np.linalg.lstsq(design, error, rcond=None)
    e_inf = max(float(e_inf), 0.0)
    b = max(float(np.linalg.lstsq(design[:, 1:], error - e_inf, rcond=None)[0][0]), 1e-12)
    model = e_inf + b * n ** -c
    return e_inf, b, float(np.sum((np.log(model) - np.log(error)) ** 2))


def fit(sizes, accuracies) -> dict:
    """The power law through (size, accuracy) points (repeated sizes allowed: one point per seed)."""
    n, error = np.asarray(sizes, np.float64), 1.0 - np.asarray(accuracies, np.float64)
    best = min((_solve(n, error, c) + (c,) for c in EXPONENTS), key=lambda r: r[2])
    e_inf, b, sse, c = best
    return dict(e_inf=e_inf, b=b, c=c, asymptote=1.0 - e_inf, sse=sse)


def predict(model: dict, size: float) -> float:
    """The accuracy the fitted curve gives at ``size``."""
    return 1.0 - (model["e_inf"] + model["b"] * size ** -model["c"])


def bootstrap(sizes, accuracies, rounds: int = 200, seed: int = 0) -> dict:
    """The fit, and the 16th-84th percentiles of its asymptotic accuracy over refits to the fitted
    curve plus resampled (multiplicative, in log-error) residuals."""
    model = fit(sizes, accuracies)
    n = np.asarray(sizes, np.float64)
    error = 1.0 - np.asarray(accuracies, np.float64)
    curve = model["e_inf"] + model["b"] * n ** -model["c"]
    residuals = np.log(error) - np.log(curve)
    rng = np.random.default_rng(seed)
    asymptotes = []
    for _ in range(rounds):
        resampled = curve * np.exp(rng.choice(residuals, len(residuals)))
        asymptotes.append(fit(n, 1.0 - resampled)["asymptote"])
    low, high = np.percentile(asymptotes, [16, 84])
    return dict(model, low=float(low), high=float(high))
