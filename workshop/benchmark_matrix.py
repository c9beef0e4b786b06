"""MatrixNetwork side by side with its peers: samples per second, one process, same data.

For [784, 30, 10], sigmoid, quadratic cost, eta 3.0, this trains on the 50,000 MNIST training
images, from the same initial weights and in the same mini-batches:
    MatrixNetwork       the library's matrix-based backprop (network/matrix.py)
    plain numpy loop    the chapter-2 answer written out in 15 lines below, as a baseline
    PyTorch             the same network in torch.nn on the CPU, autograd + torch.optim.SGD
                        (optional: `pip install -e ".[bench]"`; skipped, and said so, without it)
    Network             the book's per-sample backprop (on fewer samples: it is slow)
It times each epoch alone (data preparation excluded), best of 3, at mini-batch 10, 100 and 1000,
in float64 and float32, and prints the table and the ratios. At mini-batch 1000 it prints the
GEMM roofline: the epoch's matrix-multiply FLOPs at the GEMM rate this machine reaches with one
large np.matmul and the same threads. After the first epoch it checks that every peer ended with
MatrixNetwork's weights (float64), so all of them really ran the same computation.
Writes runs/<name>/benchmark.csv and benchmark.png (log scale).

Threads: `--threads 1 2` measures with each count (numpy's BLAS through threadpoolctl, torch's
through torch.set_num_threads, both from the bench extra); without threadpoolctl the BLAS default
is used and said so.

    python workshop/benchmark_matrix.py                 # about 2 minutes per thread count
    python workshop/benchmark_matrix.py --quick         # under a minute
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))  # helpers/ (run folders, options) and the chapter scripts
from bench import best_time, gemm_rate, threads, timed
from helpers.runlog import (
    add_run_arguments, make_parser, new_run_dir, nonnegative_int, positive_int, run_script,
    versions, save_text, save_csv, save_figure,
)

import matplotlib.pyplot as plt  # Agg is selected by helpers.runlog

import mnist_loader
from network import MatrixNetwork, Network

SIZES = [784, 30, 10]
ETA = 3.0
PEERS = ("Network", "PyTorch", "plain numpy", "MatrixNetwork")


# ---------------------------------------------------------------------------- the baseline
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def plain_numpy_epoch(W, B, X, Y, m, order, eta=ETA):
    """The chapter-2 answer as anyone would write it: samples in rows, W (n_out, n_in) and b
    (n_out,) as separate arrays, a gather per mini-batch, new arrays for every intermediate."""
    for k in range(0, len(X), m):
        batch = order[k:k + m]
        activations = [X[batch]]
        for w, b in zip(W, B):
            activations.append(sigmoid(activations[-1] @ w.T + b))
        a = activations[-1]
        delta = (a - Y[batch]) * a * (1 - a)
        for l in range(len(W) - 1, -1, -1):
            grad_w, grad_b = delta.T @ activations[l], delta.sum(axis=0)
            if l:
                delta = (delta @ W[l]) * activations[l] * (1 - activations[l])
            W[l] -= (eta / len(batch)) * grad_w
            B[l] -= (eta / len(batch)) * grad_b


# ---------------------------------------------------------------------------- PyTorch
def torch_peer(net: MatrixNetwork):
    """The same network in torch.nn, with net's initial weights; None if torch is absent."""
    try:
        import torch
    except ImportError:
        return None
    dtype = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}[net.dtype]
    layers = []
    for w, b in zip(net.weights, net.biases):
        linear = torch.nn.Linear(w.shape[1], w.shape[0]).to(dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b[:, 0]))
        layers += [linear, torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    return model, torch.optim.SGD(model.parameters(), lr=ETA)


def torch_epoch(model, optimizer, X, Y, m, order) -> None:
    """One epoch as a PyTorch user writes it: forward, quadratic cost, backward, step."""
    import torch

    order = torch.from_numpy(order)
    for k in range(0, len(X), m):
        batch = order[k:k + m]
        optimizer.zero_grad(set_to_none=True)
        out = model(X[batch])
        loss = 0.5 * torch.nn.functional.mse_loss(out, Y[batch], reduction="sum") / len(batch)
        loss.backward()
        optimizer.step()


def epoch_flops(sizes, n: int) -> float:
    """Matrix-multiply FLOPs of one epoch of n samples: forward, BP2 and BP4 products."""
    per_sample = 0
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        per_sample += 2 * n_in * n_out          # forward  A W^T
        per_sample += 2 * n_in * n_out          # BP4      Delta^T A
        if l > 0:
            per_sample += 2 * n_in * n_out      # BP2      Delta W
    return float(per_sample) * n


# ---------------------------------------------------------------------------- one case
def measure(X64, Y64, m: int, dtype: str, repeats: int, seed: int, tuples, n_network: int) -> dict:
    """Samples per second of every peer at mini-batch m, best epoch of ``repeats``."""
    X, Y = X64.astype(dtype), Y64.astype(dtype)
    n = len(X)
    net = MatrixNetwork(SIZES, seed=seed, dtype=dtype)
    W, B = [w.copy() for w in net.weights], [b[:, 0].copy() for b in net.biases]
    peer = torch_peer(net)
    if peer is not None:
        import torch
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    best = {name: np.inf for name in PEERS}
    agreement = {}
    for r in range(repeats):
        orders = copy.deepcopy(net.rng)           # the permutation SGD draws, for the peers too
        best["MatrixNetwork"] = min(best["MatrixNetwork"], net.SGD((X, Y), 1, m, ETA, verbose=False).seconds[0])
        order = orders.permutation(n)
        best["plain numpy"] = min(best["plain numpy"], timed(lambda: plain_numpy_epoch(W, B, X, Y, m, order)))
        if peer is not None:
            best["PyTorch"] = min(best["PyTorch"], timed(lambda: torch_epoch(*peer, Xt, Yt, m, order)))
        if r == 0:
            agreement["plain numpy"] = max_difference(net, W)
            if peer is not None:
                agreement["PyTorch"] = max_difference(net, [p.detach().numpy() for p in peer[0].parameters()][::2])
    if dtype == "float64":
        ref = Network(SIZES, seed=seed)
        best["Network"] = ref.SGD(tuples[:n_network], 1, m, ETA, verbose=False).seconds[0] * n / n_network
    return dict(rates={name: n / t for name, t in best.items() if np.isfinite(t)},
                seconds=best["MatrixNetwork"], agreement=agreement)


def where_time_goes(X64, Y64, m: int, dtype: str, seed: int) -> dict:
    """MatrixNetwork's epoch, split: the mini-batch gathers alone, the step's matrix products
    alone (the same shapes and data, gathers included, minus the gathers), and the rest
    (element-wise work and Python), each the best of 2 epochs."""
    X, Y = X64.astype(dtype), Y64.astype(dtype)
    n = len(X)
    net = MatrixNetwork(SIZES, seed=seed, dtype=dtype)
    epoch = min(net.SGD((X, Y), 1, m, ETA, verbose=False).seconds[0] for _ in range(2))
    batches = [b for b in np.array_split(np.random.default_rng(seed).permutation(n), range(m, n, m))]
    (w1, w2), rng = net.weights, np.random.default_rng(seed)
    a1, d1, d2 = (rng.random((m, k)).astype(dtype) for k in (30, 30, 10))

    def gathers():
        for b in batches:
            X[b], Y[b]

    def products():
        for b in batches:
            x = X[b]
            x @ w1.T, a1 @ w2.T, d2 @ w2, d2.T @ a1, d1.T @ x

    gather = best_time(gathers, 2)
    product = best_time(products, 2) - gather
    # the same steps on a [2, 2, 2] network: every numpy call and Python line, almost no arithmetic
    tiny = MatrixNetwork([2, 2, 2], seed=seed, dtype=dtype)
    floor = min(tiny.SGD((X[:, :2], Y[:, :2]), 1, m, ETA, verbose=False).seconds[0] for _ in range(2))
    scale = 50000 / n
    return dict(epoch=epoch * scale, gathers=gather * scale, products=product * scale,
                rest=(epoch - gather - product) * scale, product_rate=epoch_flops(SIZES, n) / product,
                call_floor=floor * scale)


def max_difference(net: MatrixNetwork, weights) -> float:
    return max(float(np.max(np.abs(a - b))) for a, b in zip(net.weights, weights))


# ---------------------------------------------------------------------------- main
def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--quick", action="store_true", help="10,000 training images, 2 repeats: under a minute")
    p.add_argument("--batch-sizes", type=positive_int, nargs="+", default=[10, 100, 1000], help="mini-batch sizes")
    p.add_argument("--dtypes", nargs="+", default=["float64", "float32"], choices=["float64", "float32"],
                   help="")
    p.add_argument("--threads", type=positive_int, nargs="+", default=[2], help="thread counts to measure")
    p.add_argument("--repeats", type=positive_int, default=None, help="epochs per case, best taken")
    p.add_argument("--network-samples", type=positive_int, default=None,
                   help="samples the per-sample Network is timed on")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed")
    add_run_arguments(p, "benchmark")
    args = p.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 3)
    n_network = args.network_samples or (2000 if args.quick else 10000)

    (train_x, train_y), _, _ = mnist_loader.load_data(args.data)
    n = 10000 if args.quick else len(train_x)
    X, Y = train_x[:n].astype(np.float64), mnist_loader.one_hot(train_y[:n])
    tuples = [(X[i].reshape(784, 1), Y[i].reshape(10, 1)) for i in range(n_network)]
    missing = [mod for mod in ("torch", "threadpoolctl") if not _importable(mod)]
    if missing:
        print(f"not installed: {', '.join(missing)} (pip install -e \".[bench]\")"
              + ("; PyTorch is skipped" if "torch" in missing else "")
              + ("; numpy's BLAS runs with its default threads" if "threadpoolctl" in missing else ""))
    print(f"[784, 30, 10], eta {ETA}, {n} training images, best of {repeats} epochs; "
          f"Network timed on {n_network} samples")

    rows = []
    for n_threads in args.threads:
        with threads(n_threads):
            rate = {d: gemm_rate(np.dtype(d)) for d in args.dtypes}
            print(f"\n{n_threads} thread(s); GEMM rate (2048^3 np.matmul): "
                  + ", ".join(f"{d} {r / 1e9:.0f} GFLOP/s" for d, r in rate.items()))
            print(f"{'batch':>6} {'dtype':>8} " + " ".join(f"{name:>14}" for name in PEERS)
                  + f" {'vs PyTorch':>11} {'vs plain':>9}")
            for m in args.batch_sizes:
                for dtype in args.dtypes:
                    result = measure(X, Y, m, dtype, repeats, args.seed, tuples, n_network)
                    r = result["rates"]
                    row = dict(threads=n_threads, mini_batch=m, dtype=dtype,
                               **{f"{name} samples/s": r.get(name, "") for name in PEERS},
                               matrix_over_pytorch=r["MatrixNetwork"] / r["PyTorch"] if "PyTorch" in r else "",
                               matrix_over_plain=r["MatrixNetwork"] / r["plain numpy"],
                               epoch_seconds=result["seconds"] * 50000 / n,
                               roofline_seconds=epoch_flops(SIZES, 50000) / rate[dtype],
                               max_weight_difference_plain=result["agreement"]["plain numpy"],
                               max_weight_difference_pytorch=result["agreement"].get("PyTorch", ""))
                    rows.append(row)
                    cells = " ".join(f"{r[name]:>14,.0f}" if name in r else f"{'-':>14}" for name in PEERS)
                    vs_torch = f"{row['matrix_over_pytorch']:>10.1f}x" if row["matrix_over_pytorch"] != "" else f"{'-':>11}"
                    print(f"{m:>6} {dtype:>8} {cells} {vs_torch} {row['matrix_over_plain']:>8.2f}x", flush=True)
    report(rows)
    breakdown = []
    for n_threads in args.threads:
        print(f"\nwhere MatrixNetwork's epoch (50,000 images) goes, {n_threads} thread(s):")
        print("(gathers: the mini-batch gathers alone; products: the step's matrix products alone; rest: the other"
              "\n numpy calls and Python; call floor: the whole step on a [2, 2, 2] network, i.e. the cost of the calls)")
        print(f"{'batch':>6} {'dtype':>8} {'epoch s':>8} {'gathers':>8} {'products':>9} {'rest':>7} "
              f"{'products GFLOP/s':>17} {'call floor':>11}")
        for m in args.batch_sizes:
            for dtype in args.dtypes:
                with threads(n_threads):
                    t = where_time_goes(X, Y, m, dtype, args.seed)
                breakdown.append(dict(threads=n_threads, mini_batch=m, dtype=dtype, **t))
                print(f"{m:>6} {dtype:>8} {t['epoch']:>8.3f} {t['gathers']:>8.3f} {t['products']:>9.3f} {t['rest']:>7.3f} "
                      f"{t['product_rate'] / 1e9:>17.1f} {t['call_floor']:>11.3f}", flush=True)
    out = new_run_dir(args.runs_dir, args.name)
    for name, table in (("benchmark.csv", rows), ("breakdown.csv", breakdown)):
        save_csv(out / name, [list(table[0])] + [list(r.values()) for r in table])
    save_text(out / "versions.txt", "\n".join(f"{k}: {v}" for k, v in versions().items()) + "\n")
    plot(rows, out / "benchmark.png")
    print(f"\nwrote {out / 'benchmark.csv'}, breakdown.csv and benchmark.png")
    return 0


def report(rows) -> None:
    """The roofline at mini-batch 1000, the agreement check and the targets."""
    print("\nGEMM roofline at mini-batch 1000 (epoch of 50,000 images):")
    rows = sorted(rows, key=lambda r: r["threads"])
    for r in (r for r in rows if r["mini_batch"] == 1000):
        print(f"  {r['threads']} thread(s) {r['dtype']}: epoch {r['epoch_seconds']:.3f} s, roofline "
              f"{r['roofline_seconds']:.3f} s: {r['epoch_seconds'] / r['roofline_seconds']:.2f}x")
    worst = max(r["max_weight_difference_plain"] for r in rows if r["dtype"] == "float64")
    torch_diffs = [r["max_weight_difference_pytorch"] for r in rows if r["dtype"] == "float64" and r["max_weight_difference_pytorch"] != ""]
    print(f"\nsame computation: after one epoch (float64) the weights of MatrixNetwork and the plain loop differ "
          f"by at most {worst:.1e}" + (f", PyTorch's by at most {max(torch_diffs):.1e}" if torch_diffs else ""))
    if not any(r["matrix_over_pytorch"] != "" for r in rows):
        return
    print("\ntargets:")
    for t in sorted({r["threads"] for r in rows}):
        mine = [r for r in rows if r["threads"] == t]
        slowest = min(mine, key=lambda r: r["matrix_over_pytorch"])
        print(f"  {t} thread(s): MatrixNetwork at or above PyTorch everywhere: "
              f"{'met' if slowest['matrix_over_pytorch'] >= 1 else 'NOT met'} "
              f"(lowest ratio {slowest['matrix_over_pytorch']:.2f}x at mini-batch {slowest['mini_batch']} {slowest['dtype']})")
        for r in (r for r in mine if r["mini_batch"] == 10):
            print(f"  {t} thread(s): mini-batch 10 {r['dtype']}: {r['matrix_over_pytorch']:.1f}x PyTorch "
                  f"(target 6x: {'met' if r['matrix_over_pytorch'] >= 6 else 'NOT met'})")
        for r in (r for r in mine if r["mini_batch"] == 1000 and r["dtype"] == "float32"):
            ratio = r["epoch_seconds"] / r["roofline_seconds"]
            print(f"  {t} thread(s): mini-batch 1000 float32 epoch {ratio:.2f}x its roofline "
                  f"(target within 2x: {'met' if ratio <= 2 else 'NOT met'})")


def plot(rows, path) -> None:
    cases = [(r["threads"], r["mini_batch"], r["dtype"]) for r in rows]
    fig, ax = plt.subplots(figsize=(max(8, 1.3 * len(cases)), 5))
    width = 0.8 / len(PEERS)
    xs = np.arange(len(cases))
    for i, name in enumerate(PEERS):
        values = [r[f"{name} samples/s"] or np.nan for r in rows]
        bars = ax.bar(xs + (i - (len(PEERS) - 1) / 2) * width, values, width, label=name)
        if name == "MatrixNetwork":
            for bar, r in zip(bars, rows):
                if r["matrix_over_pytorch"] != "":
                    ax.annotate(f"{r['matrix_over_pytorch']:.1f}x", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                                ha="center", va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_xticks(xs, [f"mb {m}\n{d}\n{t} thr" for t, m, d in cases], fontsize=8)
    ax.set_ylabel("training samples per second (log scale)")
    ax.set_title("[784, 30, 10], eta 3.0: one epoch, best of 3 (label: MatrixNetwork / PyTorch)")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path)


def _importable(module: str) -> bool:
    try:
        __import__(module)
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    sys.exit(run_script(main))
