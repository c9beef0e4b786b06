"""Per-sample Network vs MatrixNetwork: samples per second, in one process, on the same data.

For mini-batch sizes 1, 10, 100 and 1000 this trains Network([784, 30, 10]) and MatrixNetwork
(float64 and float32) with eta 3.0 from the same initial weights, and prints samples per second
and the ratio matrix / per-sample. It also measures the machine's GEMM rate with one large
np.matmul and compares an epoch at mini-batch 1000 with the time its matrix-multiply FLOPs alone
would take at that rate. Writes runs/<name>/benchmark.csv and benchmark.png (log scale).

    python experiments/benchmark_matrix.py            # full: about 2-3 minutes
    python experiments/benchmark_matrix.py --quick    # under a minute

BLAS threads: by default both networks run with one BLAS thread (--blas-threads 1), set before
numpy loads. With more, OpenBLAS's worker threads keep spinning after each multi-threaded
product and, on this 2-core machine, halve the speed of the small operations that follow --
the per-sample Network's as much as the matrix network's. Both are always measured under the
same setting, and the GEMM rate too.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time


import blas_threads  # noqa: E402  (must come before numpy)

BLAS_THREADS = blas_threads.configure(default=1)

import numpy as np
from runlog import add_run_arguments, versions

import matplotlib.pyplot as plt  # Agg is selected by runlog

import mnist_loader
from network import MatrixNetwork, Network

SIZES = [784, 30, 10]
ETA = 3.0
TARGETS = {(10, "float64"): 15.0, (100, "float64"): 50.0, (100, "float32"): 50.0}


def gemm_rate(dtype, n: int = 2048, repeats: int = 3) -> float:
    """FLOP/s of one large square matmul, best of ``repeats``."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
    out = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=out)
    best = min(_timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))
    return 2 * n ** 3 / best


def _timed(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def epoch_flops(sizes, n: int) -> float:
    """Matrix-multiply FLOPs of one epoch of n samples: forward, BP2 and BP3/BP4 products."""
    per_sample = 0
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        per_sample += 2 * (a + 1) * b      # forward [A 1] P
        per_sample += 2 * (a + 1) * b      # gradient [A 1]^T Delta
        if i > 0:
            per_sample += 2 * a * b        # BP2 Delta W
    return float(per_sample) * n


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer samples and repeats: under a minute")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    p.add_argument("--network-samples", type=int, default=None,
                   help="samples the per-sample Network trains on per size (default 10000; quick 2000)")
    p.add_argument("--repeats", type=int, default=None, help="MatrixNetwork epochs per case, best taken (default 3; quick 1)")
    p.add_argument("--seed", type=int, default=0)
    blas_threads.add_argument(p, 1)
    add_run_arguments(p, "benchmark")
    args = p.parse_args(argv)
    n_network = args.network_samples or (2000 if args.quick else 10000)
    repeats = args.repeats or (1 if args.quick else 3)

    (train_x, train_y), _, _ = mnist_loader.load_data(args.data)
    n_matrix = 10000 if args.quick else len(train_x)
    X, labels = train_x[:n_matrix], train_y[:n_matrix]
    Y = mnist_loader.one_hot(labels)
    tuples = [(X[i].reshape(784, 1), Y[i].reshape(10, 1)) for i in range(n_network)]

    rates = {"float64": gemm_rate(np.float64), "float32": gemm_rate(np.float32)}
    print(f"BLAS threads: {BLAS_THREADS}")
    print(f"GEMM rate (one 2048^3 np.matmul, best of 3): float64 {rates['float64'] / 1e9:.1f} GFLOP/s, "
          f"float32 {rates['float32'] / 1e9:.1f} GFLOP/s")
    print(f"Network trains on {n_network} samples per size; MatrixNetwork on {n_matrix}, best of {repeats} epochs")

    rows = []
    header = f"{'batch':>6} {'dtype':>8} {'Network/s':>10} {'Matrix/s':>11} {'ratio':>7} {'epoch(50k) s':>13} {'FLOP-time s':>12} {'x FLOP':>7}"
    print(header)
    for m in args.batch_sizes:
        ref = Network(SIZES, seed=args.seed)
        start = time.perf_counter()
        for k in range(0, n_network, m):
            ref.update_mini_batch(tuples[k:k + m], ETA)
        network_sps = n_network / (time.perf_counter() - start)
        for dtype in ("float64", "float32"):
            net = MatrixNetwork(SIZES, seed=args.seed, dtype=dtype)
            secs = min(net.SGD((X, Y), repeats, m, ETA, verbose=False).seconds)
            matrix_sps = n_matrix / secs
            epoch_50k = 50000 / matrix_sps
            flop_time = epoch_flops(SIZES, 50000) / rates[dtype]
            row = dict(mini_batch=m, dtype=dtype, network_samples_per_s=network_sps,
                       matrix_samples_per_s=matrix_sps, ratio=matrix_sps / network_sps,
                       epoch_seconds_50k=epoch_50k, flop_seconds_50k=flop_time,
                       epoch_over_flop_time=epoch_50k / flop_time)
            rows.append(row)
            print(f"{m:>6} {dtype:>8} {network_sps:>10.0f} {matrix_sps:>11.0f} {row['ratio']:>6.1f}x "
                  f"{epoch_50k:>13.3f} {flop_time:>12.3f} {row['epoch_over_flop_time']:>6.1f}x", flush=True)

    print("\ntargets:")
    for (m, dtype), target in TARGETS.items():
        r = next((r for r in rows if r["mini_batch"] == m and r["dtype"] == dtype), None)
        if r:
            print(f"  mini-batch {m:>4} {dtype}: {r['ratio']:.1f}x the per-sample Network "
                  f"(target {target:.0f}x: {'met' if r['ratio'] >= target else 'NOT met'})")
    r = next((r for r in rows if r["mini_batch"] == 1000 and r["dtype"] == "float32"), None)
    if r:
        print(f"  mini-batch 1000 float32: epoch {r['epoch_seconds_50k']:.3f} s = {r['epoch_over_flop_time']:.2f}x "
              f"its GEMM-FLOP time (target <= 3x: {'met' if r['epoch_over_flop_time'] <= 3 else 'NOT met'})")

    from pathlib import Path
    out = Path(args.runs_dir) / args.name
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "benchmark.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (out / "versions.txt").write_text("\n".join(f"{k}: {v}" for k, v in versions().items())
                                      + f"\nblas_threads: {BLAS_THREADS}\n")
    plot(rows, args.batch_sizes, out / "benchmark.png")
    print(f"\nwrote {out}/benchmark.csv and benchmark.png")
    return 0


def plot(rows, batch_sizes, path) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.8))
    width = 0.27
    xs = np.arange(len(batch_sizes))
    network = [next(r["network_samples_per_s"] for r in rows if r["mini_batch"] == m) for m in batch_sizes]
    series = [("Network (per-sample)", network)]
    for dtype in ("float64", "float32"):
        series.append((f"MatrixNetwork {dtype}",
                       [next(r["matrix_samples_per_s"] for r in rows if r["mini_batch"] == m and r["dtype"] == dtype)
                        for m in batch_sizes]))
    for i, (label, values) in enumerate(series):
        bars = ax.bar(xs + (i - 1) * width, values, width, label=label)
        if i:
            for b, v, ref in zip(bars, values, network):
                ax.annotate(f"{v / ref:.0f}x", (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_xticks(xs, [str(m) for m in batch_sizes])
    ax.set_xlabel("mini-batch size")
    ax.set_ylabel("training samples per second (log scale)")
    ax.set_title("[784, 30, 10], eta 3.0: per-sample vs matrix backprop")
    ax.legend()
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
