"""What SGD returns: the per-epoch record of a training run (printed by reports.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator


TIES = ("first", "last")  # which of equal best evaluation accuracies counts as the best epoch


@dataclass
class History:
    """Per-epoch lists, one entry per completed epoch.

    ``test_accuracy`` holds the number of correctly classified test samples (the book's
    ``Epoch 0: 9129 / 10000``), ``n_test`` the size of the test set. The four monitoring lists
    are those of ``network2.py``; unpacking a History gives them in the book's order::

        evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = net.SGD(...)

    ``layer_speeds`` (chapter 5, with ``monitor_layer_speeds``): entry j holds, for every layer,
    the speed of learning ||dC/db^l|| on the training data at the start of epoch j (entry 0: at
    initialisation), as ``MatrixNetwork.layer_speeds`` computes it.
    """

    test_accuracy: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    n_test: int = 0
    evaluation_cost: list[float] = field(default_factory=list)
    evaluation_accuracy: list[int] = field(default_factory=list)
    training_cost: list[float] = field(default_factory=list)
    training_accuracy: list[int] = field(default_factory=list)
    eta: list[float] = field(default_factory=list)
    layer_speeds: list[list[float]] = field(default_factory=list)

    def __iter__(self) -> Iterator[list]:
        return iter((self.evaluation_cost, self.evaluation_accuracy,
                     self.training_cost, self.training_accuracy))

    def best_epoch(self, ties: str = "first") -> int:
        """The epoch of the best evaluation accuracy: with ``ties`` 'first' the earliest of equal
        bests; with 'last' the latest, network3.py's rule (an epoch at least as good as the best
        so far becomes the best). -1 when no evaluation accuracy was recorded."""
        if ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, got {ties!r}")
        acc = self.evaluation_accuracy
        if not acc:
            return -1
        best = max(acc)
        return acc.index(best) if ties == "first" else len(acc) - 1 - acc[::-1].index(best)

    @property
    def epochs(self) -> int:
        return len(self.seconds)

    def __repr__(self) -> str:
        """One line, so that ``net.SGD(...)`` in a REPL does not print every list."""
        parts = [f"{self.epochs} epochs"]
        if self.test_accuracy:
            parts.append(f"test accuracy {self.test_accuracy[-1]} / {self.n_test}")
        if self.evaluation_accuracy:
            parts.append(f"best evaluation accuracy {max(self.evaluation_accuracy)}")
        if self.seconds:
            parts.append(f"{sum(self.seconds) / self.epochs:.2f} s per epoch")
        return f"History({', '.join(parts)})"


EpochCallback = Callable[[int, History], None]
