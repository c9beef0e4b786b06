"""Chapter 6's table (network3.py), reproduced with ConvNetwork in numpy, in one command.

Every row trains one network with the book's settings (mini-batch 10; 60 epochs, 40 for the
dropout rows) in worker processes of one BLAS thread each, logs every epoch under
runs/chapter6/row<r>/ and writes runs/chapter6/RESULTS.md: as the book, the test accuracy at the
epoch of best validation accuracy, next to the book's figure, with the time taken. Rows 5-7 train
on the training set expanded by one-pixel shifts (built first, once: `python -m mnist_loader
expand`); row 7 is the vote of five row-6 networks (seeds 0-4).

    python experiments/chapter6.py                         # rows 1-4, 60 epochs each (about 2 hours here)
    python experiments/chapter6.py --rows 1 2 --epochs 5   # a quick look
    python experiments/chapter6.py --rows 5 6 7            # the expanded-data rows (many hours)
"""
from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # one BLAS thread per worker
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
from helpers.runlog import (  # noqa: E402
    add_run_arguments, make_parser, new_run_dir, plot_curves, positive_int, prefixed, run_script, RunLog,
    training_size, versions,
)

import mnist_loader  # noqa: E402
from network import ConvNetwork, ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer  # noqa: E402

MB = 10  # the book's mini-batch size for every row


def make_network(kind: str, seed: int, mini_batch_size: int = MB) -> ConvNetwork:
    """The networks of the chapter, by name, in network3's own words."""
    m = mini_batch_size
    conv1 = lambda act: ConvPoolLayer(image_shape=(m, 1, 28, 28), filter_shape=(20, 1, 5, 5), poolsize=(2, 2),  # noqa: E731
                                      activation_fn=act)
    conv2 = lambda act: ConvPoolLayer(image_shape=(m, 20, 12, 12), filter_shape=(40, 20, 5, 5), poolsize=(2, 2),  # noqa: E731
                                      activation_fn=act)
    if kind == "fc":
        layers = [FullyConnectedLayer(n_in=784, n_out=100), SoftmaxLayer(n_in=100, n_out=10)]
    elif kind == "conv1":
        layers = [conv1("sigmoid"), FullyConnectedLayer(n_in=20 * 12 * 12, n_out=100), SoftmaxLayer(n_in=100, n_out=10)]
    elif kind in ("conv2-sigmoid", "conv2-relu"):
        act = kind.split("-")[1]
        layers = [conv1(act), conv2(act), FullyConnectedLayer(n_in=40 * 4 * 4, n_out=100, activation_fn=act),
                  SoftmaxLayer(n_in=100, n_out=10)]
    elif kind == "dropout":
        layers = [conv1("relu"), conv2("relu"),
                  FullyConnectedLayer(n_in=40 * 4 * 4, n_out=1000, activation_fn="relu", p_dropout=0.5),
                  FullyConnectedLayer(n_in=1000, n_out=1000, activation_fn="relu", p_dropout=0.5),
                  SoftmaxLayer(n_in=1000, n_out=10, p_dropout=0.5)]
    else:
        raise ValueError(f"unknown network {kind!r}")
    return ConvNetwork(layers, m, seed=seed)


ROWS = [
    dict(label="FC 100 sigmoid + softmax", settings="eta 0.1, 60 epochs", book=97.80,
         network="fc", eta=0.1, lmbda=0.0, epochs=60),
    dict(label="conv 20x5x5, pool 2x2 + FC 100 + softmax", settings="sigmoid, eta 0.1, 60 epochs", book=98.78,
         network="conv1", eta=0.1, lmbda=0.0, epochs=60),
    dict(label="two conv-pool layers (20, then 40 filters 5x5) + FC 100 + softmax",
         settings="sigmoid, eta 0.1, 60 epochs", book=99.06, network="conv2-sigmoid", eta=0.1, lmbda=0.0, epochs=60),
    dict(label="the same with ReLU", settings="eta 0.03, lambda 0.1, 60 epochs", book=99.23,
         network="conv2-relu", eta=0.03, lmbda=0.1, epochs=60),
    dict(label="the same on the expanded training set (250,000 images)", settings="ReLU, eta 0.03, lambda 0.1, 60 epochs",
         book=99.37, network="conv2-relu", eta=0.03, lmbda=0.1, epochs=60, expanded=True),
    dict(label="+ dropout (FC 1000 x 2, p 0.5), expanded data", settings="ReLU, eta 0.03, lambda 0.1, 40 epochs",
         book=99.60, network="dropout", eta=0.03, lmbda=0.1, epochs=40, expanded=True),
    dict(label="ensemble vote of 5 such networks", settings="row 6, seeds 0-4", book=99.67,
         network="dropout", eta=0.03, lmbda=0.1, epochs=40, expanded=True, ensemble=5),
]


def _train(args) -> dict:
    """One network of one row, in a worker: logged per epoch, saved at the end."""
    row_index, seed, out, data_path, epochs, train_size, quiet = args
    row = ROWS[row_index]
    name = f"row{row_index + 1}" + (f"-seed{seed}" if row.get("ensemble") else "")
    data = mnist_loader.load_expanded() if row.get("expanded") else mnist_loader.load_data(data_path)
    (x, y), validation, test = data
    if train_size:
        x, y = x[:train_size], y[:train_size]
    epochs = epochs or row["epochs"]
    net = make_network(row["network"], seed)
    config = dict(row, seed=seed, epochs=epochs, mini_batch_size=MB, train_size=len(x))
    log = RunLog(out, name, config, ["epoch", "validation_accuracy", "test_accuracy", "seconds"])

    def on_epoch(epoch: int, h) -> None:
        log.log(epoch=epoch, validation_accuracy=h.evaluation_accuracy[-1] / len(validation[0]),
                test_accuracy=h.test_accuracy[-1] / h.n_test, seconds=h.seconds[-1])

    with prefixed(f"[row {row_index + 1}{f' seed {seed}' if row.get('ensemble') else ''}] "):
        try:
            history = net.SGD((x, y), epochs, MB, row["eta"], validation, test, lmbda=row["lmbda"],
                              verbose=not quiet, callback=on_epoch)
        finally:
            log.close()
            if log.rows:
                epochs_done = log.column("epoch")
                plot_curves(log.dir / "accuracy.png",
                            {"validation": (epochs_done, [100 * a for a in log.column("validation_accuracy")]),
                             "test": (epochs_done, [100 * a for a in log.column("test_accuracy")])},
                            f"row {row_index + 1}: {row['label']}", "accuracy (%)")
    net.save(log.dir / "network.json")
    j = int(np.argmax(history.evaluation_accuracy))
    return dict(row=row_index, seed=seed, dir=str(log.dir), epochs=history.epochs, best_epoch=j,
                best_validation=history.evaluation_accuracy[j] / len(validation[0]),
                test_at_best_validation=history.test_accuracy[j] / history.n_test,
                final_test=history.test_accuracy[-1] / history.n_test,
                seconds_per_epoch=float(np.mean(history.seconds)), training_seconds=float(np.sum(history.seconds)))


def ensemble_accuracy(run_dirs: list[str], data_path) -> float:
    """The test accuracy of the majority vote of the saved networks (ties: the smallest digit)."""
    import network

    _, _, (tx, ty) = mnist_loader.load_data(data_path)
    votes = np.zeros((len(tx), 10), dtype=np.int64)
    for d in run_dirs:
        net = network.load(Path(d) / "network.json")
        predictions = np.concatenate([np.argmax(net.feedforward(tx[k:k + 1000]), axis=1) for k in range(0, len(tx), 1000)])
        votes[np.arange(len(tx)), predictions] += 1
    return float(np.mean(np.argmax(votes, axis=1) == ty))


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--rows", type=int, nargs="+", choices=range(1, len(ROWS) + 1), default=[1, 2, 3, 4],
                   metavar="ROW", help=f"rows to run (1-{len(ROWS)})")
    p.add_argument("--epochs", type=positive_int, default=None, help="override every row's epochs (quick runs)")
    p.add_argument("--train-size", type=training_size, default=None, help="train on the first N images only (smoke tests)")
    p.add_argument("--jobs", type=positive_int, default=2, help="worker processes")
    add_run_arguments(p, "chapter6")
    args = p.parse_args(argv)
    if any(ROWS[r - 1].get("expanded") for r in args.rows) and args.data:
        p.error("--data names the plain dataset; the expanded rows read mnist_expanded.pkl.gz")
    out = new_run_dir(args.runs_dir, args.name)
    mnist_loader.load_data(args.data)                         # build or download once, before the workers
    if any(ROWS[r - 1].get("expanded") for r in args.rows):
        mnist_loader.load_expanded()
    jobs = [(r - 1, seed, str(out), args.data, args.epochs, args.train_size, args.quiet)
            for r in sorted(set(args.rows) - ({6} if 7 in args.rows else set()))   # row 7 trains row 6's seed 0 too
            for seed in range(ROWS[r - 1].get("ensemble", 1))]
    jobs.sort(key=lambda j: -["fc", "conv1", "conv2-sigmoid", "conv2-relu", "dropout"].index(ROWS[j[0]]["network"]))
    print(f"{len(jobs)} network(s) to train in {args.jobs} worker(s); logging under {out}", flush=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(_train, jobs))
    total = time.perf_counter() - start
    write_results(out, args, results, total)
    return 0


def write_results(out: Path, args, results: list[dict], total: float) -> None:
    lines = ["# Chapter 6's table, reproduced with ConvNetwork (numpy, no Theano)", "",
             f"Command: `python experiments/chapter6.py --rows {' '.join(map(str, args.rows))}"
             + (f" --epochs {args.epochs}" if args.epochs else "")
             + (f" --train-size {args.train_size}" if args.train_size else "") + "`  ",
             f"Mini-batch 10, float32; as the book, the test accuracy at the epoch of best validation accuracy. "
             f"Total wall time {total:.0f} s with {args.jobs} worker process(es) of one BLAS thread each. "
             + ", ".join(f"{k} {v}" for k, v in versions().items() if k != "platform"), "",
             "| row | network | settings | book | ours | within 0.3 pt? | best validation (epoch) | final test | "
             "epochs | s per epoch | training time |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    by_row = {}
    for r in results:
        by_row.setdefault(r["row"], []).append(r)
    for r in args.rows:
        row = ROWS[r - 1]
        if row.get("ensemble"):
            runs = by_row[r - 1]
            acc = ensemble_accuracy([x["dir"] for x in runs], args.data)
            gap = 100 * acc - row["book"]
            lines.append(f"| {r} | {row['label']} | {row['settings']} | {row['book']:.2f}% | {100 * acc:.2f}% | "
                         f"{'yes' if abs(gap) <= 0.3 else f'no ({gap:+.2f} pt)'} | - | - | - | - | "
                         f"{sum(x['training_seconds'] for x in runs) / 3600:.1f} h |")
            continue
        x = by_row[r - 1][0] if r - 1 in by_row else by_row[6][0]   # row 6: the ensemble's seed 0
        gap = 100 * x["test_at_best_validation"] - row["book"]
        lines.append(f"| {r} | {row['label']} | {row['settings']} | {row['book']:.2f}% | "
                     f"{100 * x['test_at_best_validation']:.2f}% | {'yes' if abs(gap) <= 0.3 else f'no ({gap:+.2f} pt)'} | "
                     f"{100 * x['best_validation']:.2f}% ({x['best_epoch']}) | {100 * x['final_test']:.2f}% | "
                     f"{x['epochs']} | {x['seconds_per_epoch']:.1f} | {x['training_seconds'] / 60:.0f} min |")
    lines += ["", f"Per-run logs (metrics.csv, accuracy.png, network.json): `{out}/row<r>/`.", ""]
    (out / "RESULTS.md").write_text("\n".join(lines))
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n".join(lines))
    print(f"wrote {out}/RESULTS.md")


if __name__ == "__main__":
    sys.exit(run_script(main))
