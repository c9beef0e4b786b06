"""What training prints: the book's line per epoch, and progress lines while a long loop runs.

``print_epoch`` is the one epoch printer of every network: network.py's ``Epoch j: correct /
total`` (with network2.py's evaluation accuracy under it), or network3.py's ``Epoch j: validation
accuracy ...`` and its best-so-far lines; each with the epoch's time and the time left.
``Progress`` prints, every few seconds, how far a loop has come and how long it has left.
"""
from __future__ import annotations

import sys
import time

from .history import History


def print_epoch(j: int, history: History, epochs: int = 0, evaluation_size: int = 0, network3: bool = False) -> None:
    """The lines of epoch ``j`` from ``history``: network.py's (network2.py's evaluation accuracy
    under it when ``evaluation_size``), or network3.py's with ``network3=True``, where the
    evaluation data are the validation set. Then the epoch's time and, if ``epochs`` more than
    j + 1, an estimate of the time the rest will take at the mean pace so far."""
    secs = history.seconds
    left = (epochs - j - 1) * sum(secs) / len(secs)
    timing = f"{secs[-1]:.2f} s" + (f", about {left:.0f} s left" if left > 0 else "")
    if network3 and evaluation_size:
        acc = history.evaluation_accuracy
        print(f"Epoch {j}: validation accuracy {acc[-1] / evaluation_size:.2%}  ({timing})", flush=True)
        if acc[-1] >= max(acc):
            print("This is the best validation accuracy to date.", flush=True)
            if history.n_test:
                print(f"The corresponding test accuracy is {history.test_accuracy[-1] / history.n_test:.2%}", flush=True)
        return
    if history.n_test:
        print(f"Epoch {j}: {history.test_accuracy[-1]} / {history.n_test}  ({timing})", flush=True)
    else:
        print(f"Epoch {j} complete  ({timing})", flush=True)
    if history.evaluation_accuracy and evaluation_size:
        print(f"  evaluation accuracy {history.evaluation_accuracy[-1]} / {evaluation_size}", flush=True)


def print_if_verbose(verbose: bool, message: str) -> None:
    """Print a line of a training run (a decision: stopping, eta halved), unless told to be quiet."""
    if verbose:
        print(message, flush=True)


class Progress:
    """A line on stderr every few seconds while a long loop runs: done / total, elapsed, left.
    Silent for a loop that ends within ``after`` seconds."""

    def __init__(self, total: int, label: str, after: float = 5.0, every: float = 5.0) -> None:
        self.total, self.label, self.every = total, label, every
        self.start = time.perf_counter()
        self.next = self.start + after
        self.printed = False

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if now < self.next:
            return
        elapsed = now - self.start
        left = elapsed / done * (self.total - done)
        print(f"{self.label}: {done:,} / {self.total:,}, {elapsed:.0f} s elapsed, about {left:.0f} s left",
              file=sys.stderr, flush=True)
        self.next, self.printed = now + self.every, True
