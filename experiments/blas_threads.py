"""Choose the number of BLAS threads before numpy loads (import this module first).

On this 2-core machine, small matrix products run fastest on one thread: with two, OpenBLAS's
worker thread keeps spinning after each multi-threaded product and slows down everything small
that follows. Large products (wide layers, big mini-batches) gain from two. Scripts take
``--blas-threads N``; the environment variables it sets are read once, when numpy loads.
"""
from __future__ import annotations

import argparse
import os
import sys


def configure(default: int = 1, argv=None) -> int:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--blas-threads", type=int, default=default)
    n = pre.parse_known_args(sys.argv[1:] if argv is None else argv)[0].blas_threads
    if "numpy" in sys.modules:
        print("warning: numpy is already loaded; --blas-threads has no effect", file=sys.stderr)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    return n


def add_argument(parser, default: int) -> None:
    parser.add_argument("--blas-threads", type=int, default=default,
                        help=f"BLAS threads, set before numpy loads (default {default})")
