"""What the benchmark scripts share: thread control (numpy's BLAS and torch together), the GEMM
rate (the physical limit each benchmark compares against), and the timers."""
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
    best = best_time(lambda: np.matmul(a, b, out=out), repeats)
    return 2 * n ** 3 / best


def best_time(f, repeats: int) -> float:
    """The shortest of ``repeats`` timed calls of ``f``: the least disturbed by the rest of the machine."""
    return min(timed(f) for _ in range(repeats))


def timed(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start
