"""Chapter 6's table (network3.py), reproduced with ConvNetwork in numpy, by the book's ids.

Every row trains its network once per seed (seeds 0..N-1) with the book's settings (mini-batch
10; 60 epochs, 40 for the dropout rows), the way network3.py trains: each epoch takes the
mini-batches in the data's own order (no reshuffling), and the row's number is the test accuracy
of the latest epoch whose validation accuracy ties or beats every earlier one. Rows 6.1, 6.3, 6.4
and 6.5 train 3 seeds unless `--seeds N` says otherwise (the book reports its best of three;
BOOK.md judges it against a best of three simulated from ours), the longer rows and the problems
one. The networks train in worker processes of one BLAS thread each, or on a Dask cluster
(`--scheduler ADDRESS`, the `cluster` extra), and log every epoch under runs/chapter6/<id>/
(metrics.csv; network.json saved after every epoch, so a run that stops keeps its last epoch).
It writes runs/chapter6/RESULTS.md (each run's number next to the book's, with the time taken)
and results.json: every run (``seconds`` its job's wall time), ``seeds`` (each row's count),
and ``shuffle`` False and ``ties`` "last", the two rules above, so that these runs are told
apart from runs made otherwise. Before it starts it prints each row's estimated time, from a
short timed run of that row's network.

Rows 6.6-6.14 train on the training set expanded by one-pixel shifts (built first, once: `python
-m mnist_loader expand`). 6.14 is the plurality vote of five networks as 6.12 (seeds 0-4; 6.12 is
seed 0); `--vote NET.json ...` votes over networks saved by earlier runs instead.

    python experiments/chapter6.py                          # 6.1 6.3 6.4 6.5, three seeds each
    python experiments/chapter6.py --rows 6.1 6.3 --epochs 5  # a quick look
    python experiments/chapter6.py --rows 6.6 6.12          # the expanded data; dropout (hours)
    python experiments/chapter6.py --list                   # every row with its estimated time
"""
from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # one BLAS thread per worker
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
from helpers import cluster  # noqa: E402
from helpers.book_reference import CHAPTER6, book as book_number  # noqa: E402
from helpers.runlog import (  # noqa: E402
    add_run_arguments, make_parser, new_run_dir, plot_curves, positive_int, prefixed, run_script, RunLog,
    training_size, versions, save_text,
)

import mnist_loader  # noqa: E402
from network import ConvNetwork, ConvPoolLayer, FullyConnectedLayer, SoftmaxLayer  # noqa: E402

MB = 10  # the book's mini-batch size for every row


def make_network(spec: dict, seed: int, mini_batch_size: int = MB) -> ConvNetwork:
    """A row's network in network3's own words: ``conv`` conv-pool layers (20, then 40 filters
    5x5, pool 2x2), the fully connected layers ``fc``, then a softmax over the 10 digits."""
    m, act, p = mini_batch_size, spec.get("activation", "sigmoid"), spec.get("p_dropout", 0.0)
    layers: list = []
    if spec["conv"] >= 1:
        layers.append(ConvPoolLayer(image_shape=(m, 1, 28, 28), filter_shape=(20, 1, 5, 5), poolsize=(2, 2),
                                    activation_fn=act))
    if spec["conv"] >= 2:
        layers.append(ConvPoolLayer(image_shape=(m, 20, 12, 12), filter_shape=(40, 20, 5, 5), poolsize=(2, 2),
                                    activation_fn=act))
    n_in = layers[-1].n_out if layers else 784
    for n_out in spec["fc"]:
        layers.append(FullyConnectedLayer(n_in=n_in, n_out=n_out, activation_fn=act, p_dropout=p))
        n_in = n_out
    layers.append(SoftmaxLayer(n_in=n_in, n_out=10, p_dropout=p))
    return ConvNetwork(layers, m, seed=seed, init=spec.get("init", "network3"))


def _row(label, book, conv, fc, activation="sigmoid", eta=0.1, lmbda=0.0, epochs=60, **more) -> dict:
    settings = f"{activation}, eta {eta:g}" + (f" x {more['eta_decay']:g}^epoch" if "eta_decay" in more else "") \
        + (f", lambda {lmbda:g}" if lmbda else "") + f", {epochs} epochs"
    if more.get("expanded"):
        settings += ", expanded data"
    if more.get("init"):
        settings += f", {more['init']} init"
    if more.get("early_stopping_n"):
        settings += f", early stopping after {more['early_stopping_n']} epochs without improvement"
    network = dict(conv=conv, fc=fc, activation=activation, p_dropout=more.pop("p_dropout", 0.0))
    if more.get("init"):
        network["init"] = more.pop("init")
    return dict(label=label, book=book, settings=settings, network=network, eta=eta, lmbda=lmbda, epochs=epochs, **more)


RELU = dict(activation="relu", eta=0.03, lmbda=0.1)
ROWS = {
    "6.1": _row("FC 100 + softmax", CHAPTER6["6.1"], 0, [100]),
    "6.3": _row("conv-pool 20 + FC 100 + softmax", CHAPTER6["6.3"], 1, [100]),
    "6.4": _row("two conv-pool (20, 40) + FC 100 + softmax", CHAPTER6["6.4"], 2, [100]),
    "6.5": _row("the same with ReLU", CHAPTER6["6.5"], 2, [100], **RELU),
    "6.6": _row("the same on the expanded training set", CHAPTER6["6.6"], 2, [100], **RELU, expanded=True),
    "6.7": _row("as 6.6 with FC 300", CHAPTER6["6.7"], 2, [300], **RELU, expanded=True),
    "6.8": _row("as 6.6 with FC 1000", CHAPTER6["6.8"], 2, [1000], **RELU, expanded=True),
    "6.9": _row("as 6.6 with two FC 100", CHAPTER6["6.9"], 2, [100, 100], **RELU, expanded=True),
    "6.10": _row("as 6.6 with two FC 300", CHAPTER6["6.10"], 2, [300, 300], **RELU, expanded=True),
    "6.11": _row("as 6.6 with two FC 1000", CHAPTER6["6.11"], 2, [1000, 1000], **RELU, expanded=True),
    "6.12": _row("two FC 1000, dropout 0.5 (FC and softmax)", CHAPTER6["6.12"], 2, [1000, 1000], activation="relu", eta=0.03,
                 epochs=40, expanded=True, p_dropout=0.5),
}
ROWS["6.13"] = _row("as 6.12 with two FC 300", None, 2, [300, 300], activation="relu", eta=0.03, epochs=40,
                    expanded=True, p_dropout=0.5)           # the book: slightly worse validation, no number
ROWS["6.14"] = dict(ROWS["6.12"], label="plurality vote of five networks as 6.12 (seeds 0-4)", book=CHAPTER6["6.14"], ensemble=5)
# the chapter's problems that need no more compute than 6.1-6.5; each compared with the row named
PROBLEMS = {
    "P6.2": (_row("conv-pool 20 straight into the softmax (no FC layer)", None, 1, []), "6.3"),
    "P6.3": (_row("as 6.4 with tanh", None, 2, [100], activation="tanh"), "6.4"),
    "P6.5": (_row("as 6.5, with early stopping", None, 2, [100], **RELU, early_stopping_n=10), "6.5"),
    "P6.7": (_row("as 6.5, eta falling per epoch", None, 2, [100], **RELU, eta_decay=0.96), "6.5"),
    "P6.11": (_row("as 6.5 with He's initial weights", None, 2, [100], **RELU, init="he"), "6.5"),
}
ROWS.update({pid: row for pid, (row, _) in PROBLEMS.items()})
DEFAULT_ROWS = ["6.1", "6.3", "6.4", "6.5"]
DEFAULT_SEEDS = 3                 # seeds of DEFAULT_ROWS without --seeds; every other row trains one
AS_NETWORK3 = dict(shuffle=False, ties="last")   # the data's order every epoch; a tie with the best becomes the best
TRAINING_SIZE, EXPANDED_SIZE = 50_000, 250_000


def seconds_per_sample(spec: dict, samples: int = 400) -> float:
    """The training time of one sample of a row's network here (one BLAS thread), from a short run."""
    net = make_network(spec, seed=0)
    rng = np.random.default_rng(0)
    X, y = rng.random((samples, 784), dtype=np.float32), rng.integers(0, 10, samples)
    net.SGD((X[:50], y[:50]), 1, MB, 0.01, verbose=False)             # warm up
    start = time.perf_counter()
    net.SGD((X, y), 1, MB, 0.01, verbose=False)
    return (time.perf_counter() - start) / samples


def estimate(ids: list[str], epochs: int | None, train_size: int | None, jobs: int) -> dict[str, float]:
    """Estimated training seconds of each row (an ensemble: all its members), measured per sample."""
    pace: dict[str, float] = {}
    out = {}
    for rid in ids:
        row = ROWS[rid]
        key = json.dumps(row["network"], sort_keys=True)
        if key not in pace:
            pace[key] = seconds_per_sample(row["network"])
        n = train_size or (EXPANDED_SIZE if row.get("expanded") else TRAINING_SIZE)
        out[rid] = pace[key] * n * (epochs or row["epochs"]) * row.get("ensemble", 1) * 1.1   # + evaluation
    return out


def seeds_of(rid: str, seeds: int | None) -> int:
    """The seeds a row trains: ``--seeds`` if given, else DEFAULT_SEEDS for DEFAULT_ROWS and 1."""
    if seeds is not None:
        return seeds
    return DEFAULT_SEEDS if rid in DEFAULT_ROWS else 1


def _train(args) -> dict:
    """One network of one row, in a worker: logged per epoch, saved after every epoch. Its result:
    the epochs run, the best epoch by AS_NETWORK3's ties and the accuracies there, the final test
    accuracy, training seconds, and ``seconds``, the job's wall time (loading, training, evaluating
    and saving)."""
    rid, seed, out, data_path, epochs, train_size, quiet = args
    start = time.perf_counter()
    row = ROWS[rid]
    name = rid + (f"-seed{seed}" if seed else "")
    data = mnist_loader.load_expanded() if row.get("expanded") else mnist_loader.load_data(data_path)
    (x, y), validation, test = data
    if train_size:
        x, y = x[:train_size], y[:train_size]
    epochs = epochs or row["epochs"]
    net = make_network(row["network"], seed)
    config = dict(row, id=rid, seed=seed, epochs=epochs, mini_batch_size=MB, train_size=len(x), network_repr=repr(net))
    log = RunLog(out, name, config, ["epoch", "validation_accuracy", "test_accuracy", "seconds"])

    def on_epoch(epoch: int, h) -> None:
        log.log(epoch=epoch, validation_accuracy=h.evaluation_accuracy[-1] / len(validation[0]),
                test_accuracy=h.test_accuracy[-1] / h.n_test, seconds=h.seconds[-1])
        net.save(log.dir / "network.json")                      # atomic: a run that stops keeps its last epoch

    with prefixed(f"[{name}] "):
        try:
            eta = (lambda j: row["eta"] * row["eta_decay"] ** j) if "eta_decay" in row else row["eta"]
            history = net.SGD((x, y), epochs, MB, eta, validation, test, lmbda=row["lmbda"],
                              early_stopping_n=row.get("early_stopping_n", 0), verbose=not quiet, callback=on_epoch,
                              **AS_NETWORK3)
        finally:
            log.close()
            if log.rows:
                epochs_done = log.column("epoch")
                plot_curves(log.dir / "accuracy.png",
                            {"validation": (epochs_done, [100 * a for a in log.column("validation_accuracy")]),
                             "test": (epochs_done, [100 * a for a in log.column("test_accuracy")])},
                            f"{rid}: {row['label']}", "accuracy (%)")
    j = history.best_epoch(AS_NETWORK3["ties"])          # the latest epoch tying or beating every earlier one
    return dict(id=rid, seed=seed, dir=str(log.dir), epochs=history.epochs, best_epoch=j,
                best_validation=history.evaluation_accuracy[j] / len(validation[0]),
                test_at_best_validation=history.test_accuracy[j] / history.n_test,
                final_test=history.test_accuracy[-1] / history.n_test,
                seconds_per_epoch=float(np.mean(history.seconds)), training_seconds=float(np.sum(history.seconds)),
                seconds=time.perf_counter() - start)


def ensemble_vote(paths: list[str | Path], data_path=None) -> tuple[float, np.ndarray, np.ndarray]:
    """The plurality vote of the saved networks on the test set (ties: the smallest digit): its
    accuracy, the votes' digits and the indices of the test images it gets wrong."""
    import network

    _, _, (tx, ty) = mnist_loader.load_data(data_path)
    votes = np.zeros((len(tx), 10), dtype=np.int64)
    for path in paths:
        votes[np.arange(len(tx)), network.load(path).classify(tx)] += 1
    chosen = np.argmax(votes, axis=1)
    return float(np.mean(chosen == ty)), chosen, np.flatnonzero(chosen != ty)


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--rows", nargs="+", choices=list(ROWS), default=DEFAULT_ROWS, metavar="ID",
                   help=f"the book's ids of the rows to run: {', '.join(ROWS)} (P6.x: the chapter's problems)")
    p.add_argument("--epochs", type=positive_int, default=None, help="override every row's epochs (quick runs)")
    p.add_argument("--train-size", type=training_size, default=None, help="train on the first N images only (smoke tests)")
    p.add_argument("--seeds", type=positive_int, default=None,
                   help=f"train each row with seeds 0..N-1 (default: {DEFAULT_SEEDS} for {' '.join(DEFAULT_ROWS)}, "
                        f"1 for the others; the book reports its best of three runs; 6.14 votes seeds 0-4)")
    p.add_argument("--jobs", type=positive_int, default=2, help="worker processes")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="train on the Dask cluster of this scheduler (e.g. tcp://host:8786; the `cluster` extra)")
    p.add_argument("--list", action="store_true", help="print every row with its estimated time, and stop")
    p.add_argument("--vote", nargs="+", default=None, metavar="NET.json",
                   help="instead of training: the plurality vote of these saved networks on the test set (6.14)")
    add_run_arguments(p, "chapter6")
    args = p.parse_args(argv)
    if any(ROWS[r].get("expanded") for r in args.rows) and args.data:
        p.error("--data names the plain dataset; the expanded rows read mnist_expanded.pkl.gz")
    for path in args.vote or []:
        if not Path(path).is_file():
            p.error(f"--vote: {path} is not a file")
    if args.vote:
        acc, _, wrong = ensemble_vote(args.vote, args.data)
        print(f"the vote of {len(args.vote)} networks: {100 * acc:.2f}% test accuracy ({len(wrong)} errors; "
              f"book 6.14: {book_number('6.14', 'test'):.2f}%, {book_number('6.14', 'errors')} errors)")
        return 0
    ids = list(dict.fromkeys(args.rows))
    times = estimate(list(ROWS) if args.list else ids, args.epochs, args.train_size, args.jobs)
    for rid, secs in times.items():
        book = (f"book {ROWS[rid]['book']:.2f}%" if ROWS[rid]["book"] else
                f"problem, against {PROBLEMS[rid][1]}" if rid in PROBLEMS else "the book gives no number")
        print(f"  {rid:<5} {ROWS[rid]['label']}, {ROWS[rid]['settings']}: about {secs / 3600:.1f} h of training "
              f"({book})", flush=True)
    if args.list:
        return 0
    out = new_run_dir(args.runs_dir, args.name)
    mnist_loader.load_data(args.data)                         # build or download once, before the workers
    if any(ROWS[r].get("expanded") for r in ids):
        mnist_loader.load_expanded()
    jobs = sorted({(("6.12" if ROWS[r].get("ensemble") else r), seed) for r in ids
                   for seed in range(max(ROWS[r].get("ensemble", 1), seeds_of(r, args.seeds)))},
                  key=lambda j: -times.get(j[0], times.get("6.14", 0)))
    jobs = [(rid, seed, str(out), args.data, args.epochs, args.train_size, args.quiet) for rid, seed in jobs]
    where = f"on the Dask cluster at {args.scheduler}" if args.scheduler else f"in {args.jobs} worker(s)"
    work = sum(secs * (1 if ROWS[rid].get("ensemble") else seeds_of(rid, args.seeds)) for rid, secs in times.items())
    print(f"{len(jobs)} network(s) to train {where}, about "
          f"{work / min(args.jobs, len(jobs)) / 3600:.1f} h; logging under {out}", flush=True)
    start = time.perf_counter()
    with cluster.executor(args.jobs, args.scheduler) as pool:
        results = pool.map("chapter6", "_train", jobs)
    write_results(out, args, ids, results, time.perf_counter() - start)
    return 0


def test_curve(run: dict) -> list[float]:
    """A run's test accuracy per epoch, from its metrics.csv."""
    with open(Path(run["dir"]) / "metrics.csv", newline="") as f:
        return [float(r["test_accuracy"]) for r in csv.DictReader(f)]


def companion(rid: str, by_id: dict, runs_dir: Path) -> dict | None:
    """The run of row ``rid``: this run's, or the newest full one under runs_dir."""
    if (rid, 0) in by_id:
        return by_id[(rid, 0)]
    for path in sorted(runs_dir.glob("chapter6*/results.json"), key=lambda p: -p.stat().st_mtime):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and not data.get("epochs") and not data.get("train_size"):
            for r in data.get("runs", []):
                if r["id"] == rid and r["seed"] == 0 and Path(r["dir"]).is_dir():
                    return r
    return None


def relu_scaling() -> list[str]:
    """Problem 6.11: an all-ReLU network without biases scales its output by c^(L-1) when every
    weight is scaled by c (L - 1 weight layers): measured on the scores of 6.5's network."""
    net = make_network(ROWS["6.5"]["network"], seed=0)
    for layer in net.layers:
        layer.b[:] = 0
    net.layers[-1].w[...] = np.random.default_rng(1).normal(0, 0.1, net.layers[-1].w.shape)
    X = np.random.default_rng(2).random((20, 784), dtype=np.float32)

    def scores() -> np.ndarray:
        net._forward(X, False)
        return net.layers[-1]._scores.astype(np.float64)

    base = scores()
    out = []
    for c in (0.5, 2.0, 3.0):
        for layer in net.layers:
            layer.w *= c
        ratio = np.median(scores() / base)
        for layer in net.layers:
            layer.w /= c
        out.append(f"c = {c:g}: the scores scale by {ratio:.6g}, c^{len(net.layers)} = {c ** len(net.layers):.6g}")
    return out


def problem_lines(problems: list[str], by_id: dict, runs_dir: Path) -> list[str]:
    lines = ["## The chapter's problems (no book numbers: each against the row it varies)", "",
             "| problem | network | ours: test at best validation (epoch), epochs run | the row it varies | what it shows |",
             "|---|---|---|---|---|"]
    for pid in problems:
        row, base_id = PROBLEMS[pid]
        r, base = by_id[(pid, 0)], companion(base_id, by_id, runs_dir)
        ours = f"{100 * r['test_at_best_validation']:.2f}% ({r['best_epoch']}), {r['epochs']} epochs"
        theirs = (f"{base_id}: {100 * base['test_at_best_validation']:.2f}% ({base['best_epoch']}), {base['epochs']} epochs"
                  if base else f"{base_id}: not run yet")
        shows = ""
        if base and pid == "P6.3":
            tanh, sigmoid = test_curve(r), test_curve(base)
            shows = (f"test after 20 epochs: tanh {100 * tanh[19]:.2f}%, sigmoid {100 * sigmoid[19]:.2f}%; after 60: "
                     f"{100 * tanh[-1]:.2f}%, {100 * sigmoid[-1]:.2f}%") if len(tanh) >= 20 and len(sigmoid) >= 20 else ""
        elif base:
            gap = 100 * (r["test_at_best_validation"] - base["test_at_best_validation"])
            shows = f"{gap:+.2f} pt against {base_id}" + (f", {base['epochs'] - r['epochs']} epochs fewer"
                                                         if r["epochs"] != base["epochs"] else "")
        lines.append(f"| {pid} | {row['label']}, {row['settings']} | {ours} | {theirs} | {shows} |")
    if "P6.11" in problems:
        lines += ["", "P6.11, the scaling: " + "; ".join(relu_scaling()) + "."]
    return lines


def write_results(out: Path, args, ids: list[str], results: list[dict], total: float) -> None:
    lines = ["# Chapter 6's table, reproduced with ConvNetwork (numpy, no Theano)", "",
             f"Command: `python experiments/chapter6.py --rows {' '.join(ids)}"
             + (f" --epochs {args.epochs}" if args.epochs else "")
             + (f" --train-size {args.train_size}" if args.train_size else "")
             + (f" --seeds {args.seeds}" if args.seeds is not None else "") + "`  ",
             f"Mini-batch 10, float32, the mini-batches in the data's order every epoch; as network3.py, a run's "
             f"number is the test accuracy of the latest epoch whose validation accuracy ties or beats every earlier "
             f"one (BOOK.md judges it against the book's best of three: `workshop/book.py --report`). "
             f"Total wall time {total:.0f} s with {args.jobs} worker process(es) of one BLAS thread each. "
             + ", ".join(f"{k} {v}" for k, v in versions().items() if k != "platform"), "",
             "| id | network | settings | book | ours (seed) | ours - book | best validation (epoch) | final test | "
             "epochs | s per epoch | training time |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    by_id = {(r["id"], r["seed"]): r for r in results}
    summary = []
    for rid in ids:
        row = ROWS[rid]
        if rid in PROBLEMS:
            continue
        if row.get("ensemble"):
            runs = [by_id[("6.12", seed)] for seed in range(row["ensemble"])]
            acc, _, wrong = ensemble_vote([Path(r["dir"]) / "network.json" for r in runs], args.data)
            gap = 100 * acc - row["book"]
            lines.append(f"| {rid} | {row['label']} | {row['settings']} | {row['book']:.2f}% | {100 * acc:.2f}% "
                         f"({len(wrong)} errors) | {gap:+.2f} pt | - | - | - | - | "
                         f"{sum(r['training_seconds'] for r in runs) / 3600:.1f} h |")
            summary.append(dict(id=rid, book=row["book"], ours=100 * acc, errors=len(wrong),
                                training_seconds=sum(r["training_seconds"] for r in runs),
                                seconds=sum(r["seconds"] for r in runs)))
            continue
        for r in sorted((r for (i, _), r in by_id.items() if i == rid), key=lambda r: r["seed"]):
            gap = f"{100 * r['test_at_best_validation'] - row['book']:+.2f} pt" if row["book"] else "-"
            book = f"{row['book']:.2f}%" if row["book"] else "no number"
            lines.append(f"| {rid} | {row['label']} | {row['settings']} | {book} | "
                         f"{100 * r['test_at_best_validation']:.2f}% ({r['seed']}) | {gap} | "
                         f"{100 * r['best_validation']:.2f}% ({r['best_epoch']}) | {100 * r['final_test']:.2f}% | "
                         f"{r['epochs']} | {r['seconds_per_epoch']:.1f} | {r['training_seconds'] / 60:.0f} min |")
            summary.append(dict(r, book=row["book"], ours=100 * r["test_at_best_validation"]))
    problems = [rid for rid in ids if rid in PROBLEMS]
    if problems:
        lines += ["", *problem_lines(problems, by_id, Path(args.runs_dir))]
    lines += ["", f"Per-run logs (metrics.csv, accuracy.png, network.json): `{out}/<id>/`.", ""]
    save_text(out / "RESULTS.md", "\n".join(lines))
    seeds = {rid: seeds_of(rid, args.seeds) for rid in ids if not ROWS[rid].get("ensemble")}
    save_text(out / "results.json", json.dumps(dict(rows=summary, runs=results, epochs=args.epochs,
                                                      train_size=args.train_size, seeds=seeds, **AS_NETWORK3),
                                               indent=2) + "\n")
    print("\n".join(lines))
    print(f"wrote {out}/RESULTS.md; each row's trained network: {out}/<id>/network.json")


if __name__ == "__main__":
    sys.exit(run_script(main))
