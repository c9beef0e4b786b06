"""Run directories for experiment scripts: config.json, a metrics CSV flushed every epoch, plots.

Each script writes to ``runs/<name>/`` (git-ignored) or wherever ``--runs-dir`` points.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import platform
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import numpy as np  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))  # so the scripts run from a checkout without installing


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The script's docstring as written, and every option's default in its help."""


def make_parser(doc: str) -> argparse.ArgumentParser:
    """The parser of an experiment script: its docstring as the description, defaults shown."""
    return argparse.ArgumentParser(description=doc, formatter_class=_HelpFormatter)


def _number(kind, test, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not test(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value
    parse.__name__ = what
    return parse


# argparse types: each option is checked before anything is created or opened
positive_int = _number(int, lambda v: v >= 1, "an integer >= 1")
nonnegative_int = _number(int, lambda v: v >= 0, "an integer >= 0")
positive_float = _number(float, lambda v: math.isfinite(v) and v > 0, "a finite number > 0")
nonnegative_float = _number(float, lambda v: math.isfinite(v) and v >= 0, "a finite number >= 0")
training_size = _number(int, lambda v: 1 <= v <= 50000, "an integer from 1 to 50000 (the training set's size)")


def run_script(main) -> int:
    """Run a script's ``main``: a missing dataset, a failed save, a diverged run or Ctrl-C ends
    with one line, not a traceback."""
    from mnist_loader import DatasetError
    from network.atomic import SaveError

    try:
        return main()
    except KeyboardInterrupt:
        print("\ninterrupted: every epoch finished so far is logged in the run folder named above", file=sys.stderr)
        return 130
    except (DatasetError, FileNotFoundError, SaveError, FloatingPointError) as exc:  # FloatingPointError: diverged
        print(f"error: {exc}", file=sys.stderr)
        return 1


class _Prefixed:
    """A text stream that writes every line of ``stream`` with ``prefix`` before it."""

    def __init__(self, stream, prefix: str) -> None:
        self.stream, self.prefix, self.at_start = stream, prefix, True

    def write(self, text: str) -> int:
        for piece in text.splitlines(keepends=True):
            if self.at_start:
                self.stream.write(self.prefix)
            self.stream.write(piece)
            self.at_start = piece.endswith("\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


@contextlib.contextmanager
def prefixed(prefix: str) -> Iterator[None]:
    """Every line printed (stdout and stderr) starts with ``prefix``: for worker processes,
    whose lines interleave."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Prefixed(out, prefix), _Prefixed(err, prefix)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def add_run_arguments(parser, name: str) -> None:
    parser.add_argument("--runs-dir", default="runs", help="parent folder of run folders")
    parser.add_argument("--name", default=name, help="run folder name")
    parser.add_argument("--quiet", action="store_true", help="print only the summary, no progress lines")
    parser.add_argument("--data", default=None,
                        help="path of mnist.pkl.gz (None: data/mnist.pkl.gz, built or downloaded if absent)")


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__,
            "matplotlib": matplotlib.__version__, "platform": platform.platform()}


def new_run_dir(runs_dir: str | os.PathLike, name: str) -> Path:
    """A run folder that holds nothing yet: runs_dir/name, or name-2, name-3, ... if it is taken.

    A run never writes into an earlier run's folder, so nothing a user made is overwritten.
    """
    base = Path(runs_dir) / name
    path, k = base, 1
    while path.exists() and any(path.iterdir()):
        k += 1
        path = base.with_name(f"{base.name}-{k}")
    path.mkdir(parents=True, exist_ok=True)
    return path


class RunLog:
    """One run folder: ``config.json`` at the start, one CSV row per epoch, flushed at once.
    The folder is new (``new_run_dir``): an earlier run of the same name is never overwritten."""

    def __init__(self, runs_dir: str | os.PathLike, name: str, config: dict[str, Any],
                 columns: Sequence[str], metrics_file: str = "metrics.csv") -> None:
        self.dir = new_run_dir(runs_dir, name)
        print(f"logging to {self.dir}", file=sys.stderr, flush=True)
        config = dict(config, versions=versions())
        (self.dir / "config.json").write_text(json.dumps(config, indent=2, default=str) + "\n")
        self.columns = list(columns)
        self._file = open(self.dir / metrics_file, "w", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow(self.columns)
        self._file.flush()
        self.rows: list[dict[str, Any]] = []

    def log(self, **row: Any) -> None:
        """Append one row and flush it to disk, so an interrupted run keeps what it logged."""
        self.rows.append(row)
        self._csv.writerow([_fmt(row.get(c, "")) for c in self.columns])
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def column(self, name: str) -> list:
        return [r[name] for r in self.rows if r.get(name, "") != ""]


def _fmt(v: Any) -> Any:
    return f"{v:.6g}" if isinstance(v, float) else v


def plot_curves(path: str | os.PathLike, series: dict[str, tuple[Iterable, Iterable]],
                title: str, ylabel: str, xlabel: str = "epoch", logy: bool = False) -> Path:
    """Draw one or more (x, y) series on one axes and save a PNG."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, (xs, ys) in series.items():
        ax.plot(list(xs), list(ys), marker="o", markersize=3, label=label)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend()  # every line named, even a single one
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
