"""Timing tools shared by the benchmark scripts: thread control, the GEMM rate, a timer."""
from __future__ import annotations

import contextlib
import time

import numpy as np


@contextlib.contextmanager
def threads(n: int):
    """n threads for numpy's BLAS (threadpoolctl) and for torch, inside the block."""
    try:
        import torch
        before = torch.get_num_threads()
        torch.set_num_threads(n)
    except ImportError:
        torch = None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    try:
        if threadpool_limits is None:
            yield
        else:
            with threadpool_limits(limits=n, user_api="blas"):
                yield
    finally:
        if torch is not None:
            torch.set_num_threads(before)


def gemm_rate(dtype, n: int = 2048, repeats: int = 3) -> float:
    """FLOP/s of one large square np.matmul, best of ``repeats``."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
    out = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=out)
    best = min(timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))
    return 2 * n ** 3 / best


def timed(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start
