"""When ``MatrixNetwork.SGD`` stops or changes eta: the time budget, early stopping and the eta
schedule of chapter 3, each a small named piece.

Early stopping and the schedule both watch the evaluation accuracy through a ``Plateau``: the
number of epochs since it last improved.
"""
from __future__ import annotations

import math
import numbers
from typing import Optional, Sequence

from .validation import check_eta, check_int


class Plateau:
    """Epochs since the evaluation accuracy last improved: beat the best so far by more than
    ``delta`` (0: by anything, the book's rule; problem 3.21's rule counts only improvements
    larger than delta, so that a run that gains little stops sooner)."""

    def __init__(self, delta: float = 0.0) -> None:
        self.best = -math.inf
        self.epochs = 0
        self.delta = delta

    def record(self, accuracy: float) -> None:
        if accuracy > self.best + self.delta:
            self.best, self.epochs = accuracy, 0
        else:
            self.epochs += 1


class TimeBudget:
    """A budget of training seconds: no epoch starts that would, at the last epoch's pace, end
    past it. ``None`` means no budget."""

    def __init__(self, max_seconds: Optional[float]) -> None:
        if max_seconds is not None and (isinstance(max_seconds, bool) or not isinstance(max_seconds, numbers.Real)
                                        or not math.isfinite(max_seconds) or max_seconds <= 0):
            raise ValueError(f"max_seconds must be None or a finite number of seconds > 0, got {max_seconds!r}")
        self.max_seconds = max_seconds

    def exhausted(self, seconds: Sequence[float]) -> bool:
        return self.max_seconds is not None and bool(seconds) and sum(seconds) + seconds[-1] > self.max_seconds


class EarlyStopping:
    """Stop after ``n`` epochs without a better evaluation accuracy (0: never)."""

    def __init__(self, n: int) -> None:
        self.n = check_int(n, "early_stopping_n", 0)

    def should_stop(self, plateau: Plateau) -> bool:
        return self.n > 0 and plateau.epochs >= self.n


class EtaSchedule:
    """Chapter 3's learning-rate schedule: halve eta after ``n`` epochs without a better
    evaluation accuracy, and stop once eta has fallen by a factor of 128 (0: constant eta)."""

    FACTOR = 128

    def __init__(self, eta: float, n: int) -> None:
        check_eta(eta)
        self.initial = self.eta = float(eta)
        self.n = check_int(n, "lr_schedule_n", 0)

    def update(self, plateau: Plateau) -> bool:
        """Halve eta if the plateau is n epochs long; return True when training should stop."""
        if self.n == 0 or plateau.epochs < self.n:
            return False
        self.eta /= 2
        plateau.epochs = 0
        return self.eta <= self.initial / self.FACTOR
