"""The book's baselines of chapter 1: random guessing, average darkness, the SVM.

The SVM needs scikit-learn, an optional extra (`pip install -e ".[baselines]"`), never a
runtime dependency of the library.
"""
from __future__ import annotations

import time

import numpy as np


def random_guessing(labels: np.ndarray, seed: int) -> int:
    """Correct guesses of a uniformly random digit for each image."""
    return int(np.sum(np.random.default_rng(seed).integers(0, 10, len(labels)) == labels))


def average_darkness(train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray,
                     test_labels: np.ndarray) -> int:
    """Chapter 1's baseline: for each digit, the mean total darkness (sum of pixel values) of its
    training images; an image is guessed to be the digit whose mean darkness is nearest to its
    own. Returns the number of test images guessed right. Deterministic."""
    darkness = train_images.astype(np.float64).sum(axis=1)
    means = np.array([darkness[train_labels == d].mean() for d in range(10)])
    guesses = np.argmin(np.abs(test_images.astype(np.float64).sum(axis=1)[:, None] - means[None, :]), axis=1)
    return int(np.sum(guesses == test_labels))


def average_darkness_sequential(train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray,
                                test_labels: np.ndarray) -> dict:
    """``average_darkness`` with the arithmetic of a program that adds pixels one at a time in the
    images' own float32 (Python's ``sum`` over a float32 row), adds each image's total to its
    digit's running total in the type numpy gives a Python float plus a float32 here, and breaks
    a tie of distances to the lowest digit (the order Python 2 iterates a dict of the keys 0-9,
    as the book's program does). Returns
    the count and that accumulation type's name: with float32 totals, the rounding of 5,000
    sums near 100 each moves the means by more than the gaps between test images' darknesses."""
    image_sums = np.add.accumulate(train_images.astype(np.float32), axis=1)[:, -1]      # sequential, in float32
    accumulate = type(0.0 + np.float32(0.0))                                           # numpy's promotion rule
    totals = {}
    for digit in np.unique(train_labels):
        running = np.add.accumulate(np.concatenate([[0.0], image_sums[train_labels == digit]]).astype(accumulate))
        totals[int(digit)] = (running[-1], int(np.sum(train_labels == digit)))
    order = sorted(totals)                                                             # 0-9: a tie to the lowest
    means = np.array([totals[d][0] / totals[d][1] for d in order])
    test = np.add.accumulate(test_images.astype(np.float32), axis=1)[:, -1]
    guesses = np.array(order)[np.argmin(np.abs(means[None, :] - test[:, None]), axis=1)]
    return dict(correct=int(np.sum(guesses == test_labels)), accumulation=np.dtype(accumulate).name)


def svm(train: tuple[np.ndarray, np.ndarray], evaluate: dict[str, tuple[np.ndarray, np.ndarray]],
        gamma: float | str) -> dict:
    """scikit-learn's ``svm.SVC`` (RBF kernel, C = 1) with ``gamma`` (the book's version defaulted
    to 1/784; today's default is 'scale'), trained on ``train``; the number correct on each set of
    ``evaluate``, and the seconds the fit and the predictions took."""
    try:
        from sklearn import svm as sk_svm
    except ImportError:
        raise SystemExit('the SVM baseline needs scikit-learn: .venv/bin/pip install -e ".[baselines]"') from None
    import sklearn

    start = time.perf_counter()
    clf = sk_svm.SVC(gamma=gamma).fit(train[0].astype(np.float64), train[1])
    fit = time.perf_counter() - start
    correct = {name: int(np.sum(clf.predict(x.astype(np.float64)) == y)) for name, (x, y) in evaluate.items()}
    return dict(correct=correct, fit_seconds=fit, seconds=time.perf_counter() - start, sklearn=sklearn.__version__)
