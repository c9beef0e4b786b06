"""Run directories for experiment scripts: config.json, a metrics CSV flushed every epoch, plots.

Each script writes to ``runs/<name>/`` (git-ignored) or wherever ``--runs-dir`` points.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import math
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))  # so the scripts run from a checkout without installing

from network.__main__ import checked_matplotlib  # noqa: E402

matplotlib = checked_matplotlib()      # MPLBACKEND=bogus: one line, not matplotlib's traceback
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import numpy as np  # noqa: E402

from network.atomic import SaveError, write_atomic  # noqa: E402


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


def check_mnist_sizes(parser, sizes: list[int]) -> None:
    """--sizes of a network for MNIST: 784 inputs and 10 outputs, and no more parameters than a
    network file holds (``network.files.MAX_PARAMETERS``), before anything is loaded or made."""
    from network.files import MAX_PARAMETERS

    given = f"--sizes {' '.join(map(str, sizes))}"
    if len(sizes) < 2 or sizes[0] != 784 or sizes[-1] != 10:
        parser.error(f"{given}: a network for MNIST has 784 inputs and 10 outputs, e.g. --sizes 784 30 10")
    parameters = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    if parameters > MAX_PARAMETERS:
        parser.error(f"{given}: {parameters:,} parameters, more than the {MAX_PARAMETERS:,} a network (and its "
                     f"file) may have")


class SavedNetwork(str):
    """A NET.json argument: its path (a str), and ``.net``, the network loaded from it."""
    net: Any


def mnist_network(text: str) -> SavedNetwork:
    """A NET.json argument: the saved network, loaded and checked to read MNIST's 784 pixels into
    10 outputs, before anything else is loaded or made."""
    import network

    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a file")
    try:
        net = network.load(text)
        out = net.feedforward(np.zeros(784, np.float32))
    except ValueError as exc:                     # NetworkFileError, or inputs of another size
        raise argparse.ArgumentTypeError(str(exc) if isinstance(exc, network.NetworkFileError)
                                         else f"{text}: this network does not take MNIST's 784 pixels ({exc})") from None
    if out.shape != (10,):
        raise argparse.ArgumentTypeError(f"{text}: this network has {out.size} outputs, not MNIST's 10 digits")
    saved = SavedNetwork(text)
    saved.net = net
    return saved


def run_name(text: str) -> str:
    """--name: one folder name, so that a run can only write below --runs-dir."""
    if not text or text in (".", "..") or any(c in text for c in "/\\\0") or len(text) > 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder name (1 to 100 characters, no path separators, "
                                         f"not . or ..)")
    return text


def runs_folder(text: str) -> str:
    """--runs-dir: a folder, or one that can be made, where this user may write."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    existing = next(p for p in [path, *path.absolute().parents] if p.exists())
    try:                                         # a probe, removed at once: writable for this user, truly
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".probe-"))
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"{text}: cannot make run folders there ({existing}: "
                                         f"{exc.strerror or exc})") from None
    return text


def run_script(main) -> int:
    """Run a script's ``main``: a missing dataset, a failed save, a diverged run or Ctrl-C ends
    with one line, not a traceback."""
    from mnist_loader import DatasetError

    try:
        return main()
    except KeyboardInterrupt:
        print("\ninterrupted: every epoch finished so far is logged in the run folder named above", file=sys.stderr)
        return 130
    except (DatasetError, FileNotFoundError, SaveError, FloatingPointError) as exc:  # FloatingPointError: diverged
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:                    # the library's checks name what is wrong
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:                       # a full disk, a folder made read-only while running, ...
        print(f"error: {exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}", file=sys.stderr)
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
    parser.add_argument("--runs-dir", type=runs_folder, default="runs", help="parent folder of run folders")
    parser.add_argument("--name", type=run_name, default=name, help="run folder name")
    parser.add_argument("--quiet", action="store_true", help="print only the summary, no progress lines")
    parser.add_argument("--data", default=None,
                        help="path of mnist.pkl.gz (None: data/mnist.pkl.gz, built or downloaded if absent)")


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__,
            "matplotlib": matplotlib.__version__, "platform": platform.platform()}


def new_run_dir(runs_dir: str | os.PathLike, name: str) -> Path:
    """A new run folder: runs_dir/name, or name-2, name-3, ... if it is taken, claimed by an
    exclusive mkdir: two runs started at the same moment never share one, and a run never
    writes into an earlier run's folder."""
    base = Path(runs_dir) / name
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
        for k in range(1, 100_000):
            path = base if k == 1 else base.with_name(f"{base.name}-{k}")
            try:
                path.mkdir()                                   # exclusive: fails if another run has it
                return path
            except FileExistsError:
                continue
    except OSError as exc:
        raise SaveError(f"cannot make a run folder in {base.parent}: {exc.strerror or exc}") from None
    raise SaveError(f"{base}: every name up to {base.name}-99999 is taken")


def save_text(path: str | os.PathLike, text: str) -> None:
    """Write a run's text file atomically: a full disk leaves the old file or none, never half."""
    write_atomic(path, lambda f: f.write(text), mode="w")


def save_figure(fig, path: str | os.PathLike, dpi: int = 110) -> Path:
    """Save a matplotlib figure atomically as PNG, and close it."""
    write_atomic(path, lambda f: fig.savefig(f, format="png", dpi=dpi))
    plt.close(fig)
    return Path(path)


def save_csv(path: str | os.PathLike, rows: Iterable[Sequence]) -> None:
    """Write a CSV file atomically."""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    save_text(path, buf.getvalue())


class RunLog:
    """One run folder: ``config.json`` at the start, one CSV row per epoch, flushed at once.
    The folder is new (``new_run_dir``): an earlier run of the same name is never overwritten."""

    def __init__(self, runs_dir: str | os.PathLike, name: str, config: dict[str, Any],
                 columns: Sequence[str], metrics_file: str = "metrics.csv") -> None:
        self.dir = new_run_dir(runs_dir, name)
        try:
            config = dict(config, versions=versions())
            save_text(self.dir / "config.json", json.dumps(config, indent=2, default=str) + "\n")
            self.columns = list(columns)
            self._file = open(self.dir / metrics_file, "w", newline="")
            self._csv = csv.writer(self._file)
            self._csv.writerow(self.columns)
            self._file.flush()
        except (OSError, SaveError) as exc:          # a full disk: leave no half-made run folder behind
            with contextlib.suppress(OSError):           # the folder is new and only this run's
                for leftover in self.dir.iterdir():
                    leftover.unlink()
                self.dir.rmdir()
            raise SaveError(f"cannot start a run in {self.dir}: {getattr(exc, 'strerror', None) or exc}") from None
        print(f"logging to {self.dir}", file=sys.stderr, flush=True)
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
    return save_figure(fig, path)
