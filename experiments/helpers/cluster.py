"""Where the jobs of book.py and chapter6.py run: local worker processes (the default), or a Dask
cluster (`--scheduler ADDRESS`; the optional `cluster` extra, dask.distributed).

A cluster's workers import the script's module by name, so they run in a copy of the project with
its experiments and workshop folders on the path: `PYTHONPATH=experiments:workshop dask worker ADDRESS`, started in the
project folder (with its data/ or MNIST_IDX_DIR), one thread each.
"""
from __future__ import annotations

import importlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as local_as_completed
from contextlib import contextmanager
from typing import Any, Callable, Iterator


def call(module: str, function: str, *args: Any) -> Any:
    """``module.function(*args)``, imported where it runs (a cluster's worker)."""
    return getattr(importlib.import_module(module), function)(*args)


class Pool:
    """submit(module, function, *args) -> a future with .result(); as_completed(futures)."""

    def __init__(self, submit: Callable, as_completed: Callable):
        self._submit, self.as_completed = submit, as_completed

    def submit(self, module: str, function: str, *args: Any):
        return self._submit(module, function, *args)

    def map(self, module: str, function: str, jobs) -> list:
        """Every job's result, in the order of ``jobs``."""
        futures = [self.submit(module, function, job) for job in jobs]
        return [f.result() for f in futures]


@contextmanager
def executor(jobs: int, scheduler: str | None = None) -> Iterator[Pool]:
    """``jobs`` local worker processes, or the Dask cluster whose scheduler is at ``scheduler``."""
    if scheduler is None:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield Pool(lambda m, f, *a: pool.submit(call, m, f, *a), local_as_completed)
        return
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise SystemExit('--scheduler needs dask.distributed: .venv/bin/pip install -e ".[cluster]"') from None
    try:
        client = Client(scheduler, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise SystemExit(f"error: cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        yield Pool(lambda m, f, *a: client.submit(call, m, f, *a, pure=False), as_completed)
