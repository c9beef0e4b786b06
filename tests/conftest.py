"""Shared fixtures. Real-data tests find MNIST wherever the loader would: the dataset the loader
reads (data/mnist.pkl.gz, built or downloaded before), the IDX files in $MNIST_IDX_DIR (CI sets
it to ../shared/data/mnist), those the loader downloaded (data/mnist-idx/), or
../shared/data/mnist beside the project."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# the learners' scripts (experiments/) and the workshop's tools (workshop/) are tested too
sys.path[:0] = [str(PROJECT_ROOT / "experiments"), str(PROJECT_ROOT / "workshop")]


def script_path(name: str) -> Path:
    """A script of the project by its file name: experiments/ (what a learner runs), workshop/ (the
    book check, benchmarks, measured figures) or tests/ (the hostile-file harness)."""
    for folder in ("experiments", "workshop", "tests"):
        if (PROJECT_ROOT / folder / name).is_file():
            return PROJECT_ROOT / folder / name
    raise FileNotFoundError(f"no script {name} in experiments/, workshop/ or tests/")


def idx_dir() -> Path | None:
    from mnist_loader import default_path

    env = os.environ.get("MNIST_IDX_DIR")
    candidates = [Path(env)] if env else []
    candidates += [default_path().parent / "mnist-idx", PROJECT_ROOT.parent / "shared" / "data" / "mnist"]
    for c in candidates:
        if (c / "train-images-idx3-ubyte.gz").is_file() or (c / "train-images-idx3-ubyte").is_file():
            return c
    return None


@pytest.fixture(scope="session")
def mnist_idx_dir() -> Path:
    d = idx_dir()
    if d is None:
        no_data()
    return d


def no_data() -> None:
    if os.environ.get("CI"):
        pytest.fail("CI must test on the real MNIST files: set MNIST_IDX_DIR")
    pytest.skip("no MNIST data: run `python -m mnist_loader download`, or set MNIST_IDX_DIR to the IDX files")


@pytest.fixture(scope="session")
def mnist_pkl() -> Path:
    """The dataset the loader reads, built from the IDX files if it is not there yet."""
    from mnist_loader import build_from_idx, default_path

    path = default_path()
    if not path.is_file():
        d = idx_dir()
        if d is None:
            no_data()
        build_from_idx(d, path)
    return path


@pytest.fixture(scope="session")
def mnist_arrays(mnist_pkl):
    import mnist_loader

    return mnist_loader.load_data(mnist_pkl)


@pytest.fixture(scope="session")
def mnist_wrapped(mnist_pkl):
    import mnist_loader

    return mnist_loader.load_data_wrapper(mnist_pkl)


def random_samples(rng: np.random.Generator, n: int, n_in: int, n_out: int, one_hot: bool = True):
    """n random (x, y) tuples in Nielsen's layout."""
    data = []
    for _ in range(n):
        x = rng.random((n_in, 1))
        label = int(rng.integers(n_out))
        if one_hot:
            y = np.zeros((n_out, 1))
            y[label] = 1.0
            data.append((x, y))
        else:
            data.append((x, label))
    return data
