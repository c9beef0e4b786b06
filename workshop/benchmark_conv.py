"""ConvNetwork side by side with PyTorch on the CPU: chapter 6's 99.23% network, one process, same data.

The network of the table's row 4: conv 20x5x5 + pool 2x2, conv 40x5x5 + pool 2x2 (ReLU), FC 100
(ReLU), softmax; float32, eta 0.03, lambda 0.1. Both libraries start from the same weights (ours
copied into torch.nn; a forward pass is checked to agree first), train on the same MNIST
training images in the same mini-batches, with the same threads (numpy's BLAS through
threadpoolctl, torch.set_num_threads), and are timed on the same samples, best of the repeats.
PyTorch needs the bench extra (`pip install -e ".[bench]"`); without it that column is skipped.

Printed: samples per second and the seconds an epoch of 50,000 images takes at mini-batch 10
and 100 (with more than one thread, ours the faster of the BLAS's threads and as many parallel
lanes of one BLAS thread each, ConvNetwork(threads=n); both are printed), the ratio ours / PyTorch, the GEMM roofline (the epoch's matrix-multiply FLOPs at the
rate of one large np.matmul with the same threads), and where ConvNetwork's time goes: each
layer's forward and backward, and how much of that the matrix products alone take.

    python workshop/benchmark_conv.py                   # 10,000 samples per case (about 3 minutes)
    python workshop/benchmark_conv.py --samples 50000   # whole epochs
"""
from __future__ import annotations

import sys
from pathlib import Path
import time

import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))  # helpers/ (run folders, options) and the chapter scripts
from bench import best_time, gemm_rate, threads
from helpers.runlog import add_run_arguments, make_parser, new_run_dir, positive_int, run_script, versions, save_csv

import mnist_loader
from network import ConvNetwork, ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer
from network.conv_network import ParallelBackprop

ETA, LMBDA, N_EPOCH = 0.03, 0.1, 50000


def make_ours(mini_batch_size: int, seed: int = 0, threads: int = 1) -> ConvNetwork:
    m = mini_batch_size
    return ConvNetwork([ConvPoolLayer((20, 1, 5, 5), (m, 1, 28, 28), (2, 2), "relu"),
                        ConvPoolLayer((40, 20, 5, 5), (m, 20, 12, 12), (2, 2), "relu"),
                        FullyConnectedLayer(640, 100, "relu"), SoftmaxLayer(100, 10)], m, seed=seed, threads=threads)


def flops_per_sample(net: ConvNetwork) -> float:
    """Multiply-add FLOPs of the matrix products of one training step, per sample: every layer's
    forward product and its dw, and dx for all but the first layer."""
    per_layer = []
    for layer in net.layers:
        if isinstance(layer, ConvPoolLayer):
            c, h, w = layer.image_shape
            f, _, kh, kw = layer.filter_shape
            per_layer.append(2 * (h - kh + 1) * (w - kw + 1) * kh * kw * c * f)
        else:
            per_layer.append(2 * layer.n_in * layer.n_out)
    return 2 * sum(per_layer) + sum(per_layer[1:])


# ---------------------------------------------------------------------------- PyTorch
def torch_peer(net: ConvNetwork):
    """torch.nn with ``net``'s weights: conv -> pool -> ReLU twice (max-pooling commutes with a
    per-channel bias), flatten, linear + ReLU, linear; both flatten images in (channel, height,
    width) order."""
    try:
        import torch
    except ImportError:
        return None
    nn = torch.nn
    conv1, conv2, fc, soft = net.layers
    model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Conv2d(20, 40, 5), nn.MaxPool2d(2),
                          nn.ReLU(), nn.Flatten(), nn.Linear(640, 100), nn.ReLU(), nn.Linear(100, 10))
    with torch.no_grad():
        for conv, layer in ((model[0], conv1), (model[3], conv2)):
            f, c, kh, kw = layer.filter_shape
            conv.weight.copy_(torch.from_numpy(layer.w.T.reshape(f, kh, kw, c).transpose(0, 3, 1, 2).copy()))
            conv.bias.copy_(torch.from_numpy(layer.b))
        model[7].weight.copy_(torch.from_numpy(fc.w.T.copy()))
        model[7].bias.copy_(torch.from_numpy(fc.b))
        model[9].weight.copy_(torch.from_numpy(soft.w.T.copy()))
        model[9].bias.copy_(torch.from_numpy(soft.b))
    return model


def torch_train(model, X, y, m: int, n_batches: int) -> None:
    """network3's step in torch: mean log-likelihood + (lmbda/2) sum ||w||^2 / batches, plain SGD."""
    import torch

    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    optimizer = torch.optim.SGD(model.parameters(), lr=ETA)
    decay = LMBDA / n_batches
    for k in range(0, len(X), m):
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(X[k:k + m]), y[k:k + m])
        loss = loss + 0.5 * decay * sum((w * w).sum() for w in weights)
        loss.backward()
        optimizer.step()


# ---------------------------------------------------------------------------- measurements
def where_time_goes(m: int, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Seconds per epoch (50,000 samples) in each layer's forward and backward, timed by wrapping
    the layers' methods, and in the matrix products alone (the same shapes, timed bare)."""
    net = make_ours(m)
    spent: dict[str, float] = {}

    def timed_method(name, f):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            out = f(*args, **kwargs)
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
            return out
        return wrapper

    for i, layer in enumerate(net.layers):
        label = f"{i}: {type(layer).__name__}"
        layer.forward = timed_method(f"{label} forward", layer.forward)
        layer.backward = timed_method(f"{label} backward", layer.backward)
    start = time.perf_counter()
    net.SGD((X, y), 1, m, ETA, lmbda=LMBDA, verbose=False)
    total = time.perf_counter() - start
    scale = N_EPOCH / len(X)
    out = {name: t * scale for name, t in spent.items()}
    out["the step (w -= ...) and the rest"] = (total - sum(spent.values())) * scale
    out["total"] = total * scale
    out["matrix products alone"] = products_alone(net, m, len(X) // m) * scale
    return out


def products_alone(net: ConvNetwork, m: int, batches: int) -> float:
    """The seconds that ``batches`` steps' matrix products take alone, with the same shapes and
    memory layouts: a conv layer's z = cols^T w, dw = cols dz, dcols = w dz^T (cols (K, N) with
    N = m*oh*ow windows), a fully connected layer's x w, x^T dz, dz w^T."""
    rng = np.random.default_rng(0)
    products = []  # (a, b) pairs, each timed as a @ b
    for i, layer in enumerate(net.layers):
        if isinstance(layer, ConvPoolLayer):
            c, h, w = layer.image_shape
            f, _, kh, kw = layer.filter_shape
            k, n = kh * kw * c, m * (h - kh + 1) * (w - kw + 1)
            cols, wt, dz = (rng.random(s, dtype=np.float32) for s in ((k, n), (k, f), (n, f)))
            products += [(cols.T, wt), (cols, dz)] + ([(wt, dz.T)] if i else [])
        else:
            x, wt, dz = (rng.random(s, dtype=np.float32) for s in ((m, layer.n_in), (layer.n_in, layer.n_out), (m, layer.n_out)))
            products += [(x, wt), (x.T, dz)] + ([(dz, wt.T)] if i else [])
    start = time.perf_counter()
    for _ in range(batches):
        for a, b in products:
            a @ b
    return time.perf_counter() - start


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--samples", type=positive_int, default=10000, help="training samples timed per case")
    p.add_argument("--batch-sizes", type=positive_int, nargs="+", default=[10, 100], help="mini-batch sizes")
    p.add_argument("--threads", type=positive_int, nargs="+", default=[2], help="thread counts to measure")
    p.add_argument("--repeats", type=positive_int, default=2, help="timed passes per case, best taken")
    add_run_arguments(p, "benchmark_conv")
    args = p.parse_args(argv)
    (x, y), _, _ = mnist_loader.load_data(args.data)
    X, labels = x[:args.samples], y[:args.samples]
    out = new_run_dir(args.runs_dir, args.name)
    try:
        import torch
        TX, Ty = torch.from_numpy(X.reshape(-1, 1, 28, 28)), torch.from_numpy(labels)
    except ImportError:
        torch = None
        print("PyTorch is not installed (pip install -e \".[bench]\"): its column is skipped", flush=True)
    rows = []
    for n_threads in args.threads:
        with threads(n_threads):
            rate = gemm_rate(np.float32)
            for m in args.batch_sizes:
                net = make_ours(m)
                fps = flops_per_sample(net)
                model = torch_peer(net) if torch else None
                if model is not None:
                    with torch.no_grad():
                        agree = float(np.max(np.abs(model(TX[:100]).softmax(1).numpy() - net.feedforward(X[:100]))))
                    if agree > 1e-4:
                        raise SystemExit(f"the torch peer computes another function (max difference {agree:.2e})")
                n_batches = len(X) // m
                print(f"threads {n_threads}, mini-batch {m}: timing {len(X):,} samples, best of {args.repeats} ...",
                      flush=True)
                ours = best_time(lambda: net.SGD((X, labels), 1, m, ETA, lmbda=LMBDA, verbose=False), args.repeats)
                how = f"BLAS {n_threads} thread(s)"
                if n_threads > 1 and m >= n_threads * ParallelBackprop.MIN_PART:          # the same threads as parallel lanes instead
                    laned = make_ours(m, threads=n_threads)
                    in_lanes = best_time(lambda: laned.SGD((X, labels), 1, m, ETA, lmbda=LMBDA, verbose=False),
                                         args.repeats)
                    print(f"  BLAS with {n_threads} threads: {len(X) / ours:,.0f} samples/s; {n_threads} lanes of one "
                          f"BLAS thread: {len(X) / in_lanes:,.0f} samples/s", flush=True)
                    if in_lanes < ours:
                        ours, how = in_lanes, f"{n_threads} lanes of 1 BLAS thread"
                theirs = best_time(lambda: torch_train(model, TX, Ty, m, n_batches), args.repeats) if model else None
                row = dict(threads=n_threads, mini_batch=m, how=how, ours_samples_per_s=len(X) / ours,
                           ours_epoch_s=N_EPOCH * ours / len(X),
                           torch_samples_per_s=len(X) / theirs if theirs else "",
                           torch_epoch_s=N_EPOCH * theirs / len(X) if theirs else "",
                           ratio=theirs / ours if theirs else "", gemm_gflops=rate / 1e9,
                           roofline_epoch_s=N_EPOCH * fps / rate)
                rows.append(row)
                print(f"threads {n_threads}, mini-batch {m}: ConvNetwork {row['ours_samples_per_s']:,.0f} samples/s "
                      f"({row['ours_epoch_s']:.1f} s per epoch, {how})"
                      + (f", PyTorch {row['torch_samples_per_s']:,.0f} samples/s ({row['torch_epoch_s']:.1f} s): "
                         f"ours / PyTorch = {row['ratio']:.2f}x" if theirs else "")
                      + f"; GEMM roofline {row['roofline_epoch_s']:.1f} s per epoch "
                        f"({fps / 1e6:.2f} MFLOP per sample at {rate / 1e9:.0f} GFLOP/s): "
                        f"epoch / roofline = {row['ours_epoch_s'] / row['roofline_epoch_s']:.1f}x", flush=True)
            for m in args.batch_sizes:
                print(f"threads {n_threads}, mini-batch {m}: timing each layer ...", flush=True)
                parts = where_time_goes(m, X, labels)
                print(f"\nwhere ConvNetwork's time goes, threads {n_threads}, mini-batch {m} (s per epoch of 50,000):")
                for name, t in parts.items():
                    print(f"  {name:<40} {t:7.2f}")
                rows.append(dict(threads=n_threads, mini_batch=m, **{f"where: {k}": v for k, v in parts.items()}))
    columns = list(dict.fromkeys(k for r in rows for k in r))
    save_csv(out / "benchmark.csv", [columns] + [[r.get(c, "") for c in columns] for r in rows])
    print(f"\n{', '.join(f'{k} {v}' for k, v in versions().items() if k != 'platform')}"
          + (f", torch {torch.__version__}" if torch else "") + f"; wrote {out}/benchmark.csv")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
