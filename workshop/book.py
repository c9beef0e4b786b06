"""Nielsen's book, checked number by number, in one report.

Runs the experiments behind every number the book reports from its own runs (chapters 1, 2, 3
and 5; the ids of experiments/helpers/book_reference.py, the book's numbers and settings in our words) and its
coding problems, and writes runs/book/BOOK.md: one row per id with the book's number, ours, the
rule, a verdict computed by that rule (agrees, differs, or not run), the seconds it took and the
configuration behind it; then the problems, and the book's plots of runs redrawn from ours (the
book's values marked). Chapter 6's rows are read from chapter6.py's runs, or shown as not run
with their command. `--report RUN --out docs/book` writes the report from a run's results.json
into the repository's docs/book/.

A stochastic number is judged by the distribution of one run of ours over 8 seeds or more: it
agrees when the book's number lies in the 95% prediction interval of one run (or, where the book
reports its best of three runs, of the best of three, simulated from the seeds), and otherwise
differs by so many standard deviations. Every network is a MatrixNetwork in float64, as the
book's network.py and network2.py compute; the per-sample Network runs for 2.1, the speed-up it
measures, and the runs whose decay factor is negative (3.29, 3.31) train through network2.py's
face, which goes on past overflow as the book's did. Runs go to worker processes of one BLAS
thread each, the longest first, or to a Dask cluster (`--scheduler ADDRESS`, the `cluster`
extra); before it starts it prints what it will run and the time it expects. results.json holds
every job's result (``run_job``), the options, versions, wall_seconds, ``jobs``, ``scheduler``
(the Dask address, or None for local workers) and ``seeds`` (the seeds of every stochastic run).

    python workshop/book.py --chapter 1 2 3 5          # the whole report
    python workshop/book.py --only 1.9 3.11 --seeds 8  # a few ids
    python workshop/book.py --list                     # every id with its estimated time
    python workshop/book.py --report runs/book --out docs/book   # the committed report
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import warnings
from functools import lru_cache
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # one BLAS thread per worker
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))  # helpers/ (run folders, options) and the chapter scripts
import baselines  # noqa: E402
from book_report import ROWS, Report  # noqa: E402
from helpers import cluster  # noqa: E402
from helpers.runlog import (  # noqa: E402
    add_run_arguments, make_parser, new_run_dir, positive_int, run_script, training_size, versions, save_text,
)

import mnist_loader  # noqa: E402
from network import MatrixNetwork, Network  # noqa: E402
from network.history import History  # noqa: E402

SIZES_3_18 = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]


# ---------------------------------------------------------------------- the runs behind the numbers
def net(sizes, eta, epochs=30, cost="cross-entropy", init="scaled", lmbda=0.0, train=None, evaluation="validation",
        monitor=("evaluation_accuracy",), final_only=False, probe=False, **sgd) -> dict:
    """A MatrixNetwork run, mini-batch 10: ``evaluation`` is 'validation', 'validation100' (its
    first 100 images), 'test' (as the overfitting scripts of chapter 3) or None; ``monitor`` the
    History lists to fill per epoch; ``final_only`` evaluates once, after the last epoch; ``probe``
    measures the hidden layer's saturation at the start and the end, and the digit answered most."""
    return dict(kind="net", sizes=sizes, eta=eta, epochs=epochs, cost=cost, init=init, lmbda=lmbda, train=train,
                evaluation=evaluation, monitor=tuple(monitor), final_only=final_only, probe=probe, sgd=sgd)


NETWORK_PY = dict(cost="quadratic", init="large", probe=True)   # chapter 1's network.py; saturation measured
OLD = dict(init="large")                                     # network2's large_weight_initializer
EVERYTHING = ("evaluation_accuracy", "evaluation_cost", "training_accuracy", "training_cost")
RUNS = {
    "1.1": net([784, 30, 10], 3.0, **NETWORK_PY),
    "1.3": net([784, 100, 10], 3.0, **NETWORK_PY),
    "1.4": net([784, 100, 10], 0.001, **NETWORK_PY),
    "1.6": net([784, 30, 10], 100.0, **NETWORK_PY),
    "1.7": net([784, 10], 3.0, **NETWORK_PY),
    "3.1": net([784, 30, 10], 0.5, **OLD, monitor=("evaluation_accuracy", "training_accuracy")),
    "3.2": net([784, 100, 10], 0.5, **OLD),
    "3.4": net([784, 30, 10], 0.5, 400, **OLD, train=1000, evaluation="test", monitor=EVERYTHING),
    "3.11": net([784, 30, 10], 0.5, 400, **OLD, lmbda=0.1, train=1000, evaluation="test", monitor=EVERYTHING),
    "3.12": net([784, 30, 10], 0.5, **OLD, lmbda=5.0, evaluation="test", monitor=EVERYTHING),
    "3.14": net([784, 100, 10], 0.5, **OLD, lmbda=5.0),
    "3.15": net([784, 100, 10], 0.1, 60, lmbda=5.0),
    "3.15/old": net([784, 100, 10], 0.1, 60, **OLD, lmbda=5.0),       # the book's run before it used the old init
    **{f"3.18/{n}": net([784, 30, 10], 0.5, 1_500_000 // n, **OLD, lmbda=0.0001 * n, train=n, final_only=True)
       for n in SIZES_3_18},
    "3.25/30-old": net([784, 30, 10], 0.1, **OLD, lmbda=5.0),
    "3.25/30-new": net([784, 30, 10], 0.1, lmbda=5.0),
    "3.25/100-old": net([784, 100, 10], 0.1, **OLD, lmbda=5.0),
    "3.25/100-new": net([784, 100, 10], 0.1, lmbda=5.0),
    "3.28": net([784, 30, 10], 10.0, lmbda=1000.0),
    **{f"3.29/{eta:g}-{lmbda:g}": net([784, 10], eta, lmbda=lmbda, train=1000, evaluation="validation100")
       for eta, lmbda in ((10.0, 1000.0), (10.0, 20.0), (100.0, 20.0), (1.0, 20.0))},
    **{f"3.35/{eta:g}": net([784, 30, 10], eta, lmbda=5.0, monitor=("training_cost",)) for eta in (0.025, 0.25, 2.5)},
    **{f"3.36/{eta:g}": net([784, 30, 10], eta, 5, lmbda=5.0, monitor=("training_cost",)) for eta in (0.5, 1.0)},
    **{f"5.1/{k}": net([784] + [30] * k + [10], 0.1, lmbda=5.0) for k in (1, 2, 3, 4)},
    # the problems: L1 (3.18), momentum (3.26), and one early-stopping run checked against its simulation (3.21)
    **{f"P3.18/{l1:g}": net([784, 30, 10], 0.5, **OLD, l1_lmbda=l1) for l1 in (0.5, 1.0, 2.0, 5.0)},
    **{f"P3.26/{mu:g}": net([784, 30, 10], 0.1, lmbda=5.0, momentum=mu) for mu in (0.0, 0.5, 0.9)},
    "P3.21/stop": net([784, 30, 10], 0.5, 400, **OLD, lmbda=0.1, train=1000, early_stopping_n=10,
                      early_stopping_delta=0.001),
    "1.9": dict(kind="darkness", seeds=1),
    "1.8": dict(kind="random"),
    **{f"3.19/{n}": dict(kind="svm", train=n, gamma=1 / 784, seeds=1) for n in SIZES_3_18},
    "1.10/scale": dict(kind="svm", train=50000, gamma="scale", seeds=1),
    "2.1": dict(kind="per-sample", sizes=[784, 30, 10], eta=3.0, epochs=30, mini_batch=10, seeds=1),
    "5.5": dict(kind="speeds-init", seeds=1),
    **{f"5.9/{k}": dict(kind="speeds-train", hidden=k, epochs=500) for k in (2, 3, 4)},
    "counts": dict(kind="counts", seeds=1),
}

SEEDS = 8          # every stochastic run: the spread of one run is measured over at least this many seeds


def seeds_of_stochastic(seeds: int | None) -> int:
    """The seeds of every stochastic run: ``--seeds`` if given, else SEEDS."""
    return seeds if seeds is not None else SEEDS


def seeds_of(name: str, seeds: int | None) -> int:
    """The seeds of a run: 1 for a deterministic one (or one that runs its own seeds); else
    ``--seeds`` if given, else SEEDS."""
    if "seeds" in RUNS[name]:
        return RUNS[name]["seeds"]
    return seeds_of_stochastic(seeds)


# ---------------------------------------------------------------------- running them
@lru_cache(maxsize=1)
def _data(path) -> tuple:
    """The dataset, loaded once per worker process."""
    return mnist_loader.load_data(path)


def run_job(job: tuple) -> dict:
    """One run (a name of RUNS and a seed), in a worker; its result as JSON-ready lists, with
    ``name``, ``seed`` and ``seconds`` (the job's wall time). A MatrixNetwork run (kind 'net')
    whose setting the library's checks refuse before the first step (a ValueError) holds
    ``refused``: the message, and nothing trained. One that trained and diverged (a
    FloatingPointError: weights or a monitored cost no longer finite) holds
    ``diverged = {"epoch": j, "message": ...}``, j the index of the epoch in which it diverged,
    beside the per-epoch lists of the j epochs before it (empty if j is 0): a result to judge,
    not a run that did not happen. The negative-decay runs add ``overflow_epoch``,
    ``max_abs_weight`` and ``nonfinite_share`` (``_network2``); 2.1 its settings (``_speed_up``).
    max_abs_weight may be inf or nan, which json writes as Infinity and NaN."""
    name, seed, options = job
    spec, start = RUNS[name], time.perf_counter()
    (x, y), (vx, vy), (tx, ty) = _data(options["data"])
    cap = options["train_size"]
    kind = spec["kind"]
    if kind == "net":
        result = _net(spec, seed, options, (x, y), (vx, vy), (tx, ty))
    elif kind == "darkness":                                   # ours, and the book program's arithmetic
        result = dict(correct=baselines.average_darkness(x, y, tx, ty),
                      sequential=baselines.average_darkness_sequential(x, y, tx, ty))
    elif kind == "random":
        result = dict(correct=baselines.random_guessing(ty, seed))
    elif kind == "svm":
        n = min(spec["train"], cap or spec["train"])
        sets = {"validation": (vx, vy)} if spec["train"] < 50000 else {"validation": (vx, vy), "test": (tx, ty)}
        result = baselines.svm((x[:n], y[:n]), sets, spec["gamma"])
    elif kind == "per-sample":
        result = _speed_up(spec, seed, options, (x, y), (tx, ty))
    elif kind == "counts":
        result = _counts()
    else:
        result = _speeds(spec, seed, options, (x, y))
    return dict(result, name=name, seed=seed, seconds=time.perf_counter() - start)


def saturation(net: MatrixNetwork, X: np.ndarray) -> float:
    """The fraction of the first hidden layer's activations on ``X`` whose sigma'(z) is below 1e-3:
    neurons that far into saturation learn a thousand times slower than at z = 0."""
    z = X.astype(net.dtype) @ net.weights[0].T + net.biases[0].T
    s = 1.0 / (1.0 + np.exp(-z))
    return float(np.mean(s * (1 - s) < 1e-3))


def answers(net: MatrixNetwork, X: np.ndarray) -> tuple[int, float]:
    """The digit the network answers most often on ``X``, and the share of images it gets."""
    counts = np.bincount(np.asarray(net.classify(X)), minlength=net.sizes[-1])
    return int(np.argmax(counts)), float(counts.max() / len(X))


def _net(spec: dict, seed: int, options: dict, train, validation, test) -> dict:
    n = min(spec["train"] or len(train[0]), options["train_size"] or len(train[0]))
    epochs = min(spec["epochs"], options["epochs"] or spec["epochs"])
    evaluation = {"validation": validation, "test": test, None: None,
                  "validation100": (validation[0][:100], validation[1][:100])}[spec["evaluation"]]
    if spec["lmbda"] and 1 - spec["eta"] * spec["lmbda"] / n < 0:
        return _network2(spec, seed, n, epochs, train, evaluation, len(test[0]))
    net = MatrixNetwork(spec["sizes"], seed=seed, dtype=options["dtype"], cost=spec["cost"], init=spec["init"])
    probe = spec.get("probe") and len(spec["sizes"]) > 2
    start = dict(saturated_start=saturation(net, test[0])) if probe else {}
    monitor = set() if spec["final_only"] else set(spec["monitor"])
    if evaluation is None:
        monitor -= {"evaluation_accuracy", "evaluation_cost"}
    flags = {f"monitor_{m}": True for m in monitor}
    sizes = dict(n_train=n, n_evaluation=len(evaluation[0]) if evaluation else 0, n_test=len(test[0]))
    done: dict = {}                                              # the History and the epochs finished so far

    def finished(j: int, h: History) -> None:
        done.update(epochs=j + 1, history=h)

    diverged = None
    with warnings.catch_warnings(record=True) as caught:        # a negative decay factor: warned, and run
        warnings.simplefilter("always")
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                history = net.SGD((train[0][:n], train[1][:n]), epochs, 10, spec["eta"],
                                  test_data=None if spec["final_only"] else test, lmbda=spec["lmbda"],
                                  evaluation_data=None if spec["final_only"] else evaluation, verbose=False,
                                  callback=finished, **flags, **spec["sgd"])
            kept = history.epochs
        except ValueError as exc:                              # the library's checks, before the first step
            if done:
                raise
            return dict(refused=str(exc), **sizes)
        except FloatingPointError as exc:                      # trained; diverged in the epoch after the last done
            history, kept = done.get("history", History()), done.get("epochs", 0)
            diverged = dict(epoch=kept, message=str(exc))
    out = dict(epoch_lists(history, kept), **sizes,
               warnings=sorted({str(w.message) for w in caught}), **start)
    if diverged:
        return dict(out, diverged=diverged)
    if probe:
        digit, share = answers(net, test[0])
        out.update(saturated_end=saturation(net, test[0]), answer=digit, answer_share=share,
                   digit_counts=np.bincount(np.asarray(test[1]), minlength=10).tolist())
    if spec["final_only"]:
        out["final_evaluation"] = net.evaluate(evaluation)
    return out


def epoch_lists(history: History, epochs: int) -> dict:
    """A History's per-epoch lists under the result's names, each cut to its first ``epochs``
    entries (an epoch that diverged may have left one behind)."""
    names = dict(test="test_accuracy", evaluation="evaluation_accuracy", evaluation_cost="evaluation_cost",
                 training_accuracy="training_accuracy", training_cost="training_cost", epoch_seconds="seconds")
    return {key: list(getattr(history, name))[:epochs] for key, name in names.items()}


def _network2(spec: dict, seed: int, n: int, epochs: int, train, evaluation, n_test: int) -> dict:
    """A run whose L2 decay factor 1 - eta lmbda / n is negative (3.29, 3.31), as the book ran it:
    network2.py's face trains on with one warning while the weights flip, overflow and turn to nan
    (MatrixNetwork stops such a run as diverged). Seeded through network2's own generators.

    It trains one epoch per call of the face's SGD, on a list of (x, y) samples: the face leaves
    a list in the order its last epoch used and shuffles it again in the next call, so the calls
    take the very mini-batches of one call of ``epochs`` epochs (tests/test_book_runs.py checks
    the weights bit for bit). After each epoch it looks at the weights and biases: the result's
    ``overflow_epoch`` is the first epoch after which any of them is inf or nan (None if none
    ever is), ``max_abs_weight`` the largest |w| or |b| at the end (inf counts, nan does not: nan
    when all are nan), ``nonfinite_share`` the fraction of those entries that are inf or nan then."""
    import contextlib
    import io
    import random

    import network2

    np.random.seed(seed)
    random.seed(seed)
    net = network2.Network(spec["sizes"], cost=network2.CrossEntropyCost if spec["cost"] == "cross-entropy"
                           else network2.QuadraticCost)
    if spec["init"] == "large":
        net.large_weight_initializer()
    samples = book_samples(train[0][:n], train[1][:n], spec["sizes"][-1])
    accuracy, overflow = [], None
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        for j in range(epochs):
            _, accuracy_j, _, _ = net.SGD(samples, 1, 10, spec["eta"], lmbda=spec["lmbda"],
                                          evaluation_data=evaluation, monitor_evaluation_accuracy=True)
            accuracy += accuracy_j
            if overflow is None and not all(np.isfinite(a).all() for a in net.weights + net.biases):
                overflow = j
    entries = np.concatenate([a.ravel() for a in net.weights + net.biases])
    return dict(test=[], evaluation=accuracy, evaluation_cost=[], training_accuracy=[], training_cost=[],
                epoch_seconds=[], n_train=n, n_evaluation=len(evaluation[0]), n_test=n_test, engine="network2",
                warnings=sorted({str(w.message) for w in caught}), overflow_epoch=overflow,
                max_abs_weight=largest_magnitude(entries), nonfinite_share=float(np.mean(~np.isfinite(entries))))


def book_samples(X: np.ndarray, labels: np.ndarray, classes: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The book's training data: a list of (x, y), x a float64 column (784, 1), y one-hot (classes, 1)."""
    eye = np.eye(classes, dtype=np.float64)
    return [(x[:, None].astype(np.float64), eye[:, [int(t)]]) for x, t in zip(X, labels)]


def largest_magnitude(entries: np.ndarray) -> float:
    """max |a| over the entries of ``entries`` that are not nan (inf if one is infinite; nan if all are nan)."""
    numbers = np.abs(entries[~np.isnan(entries)])
    return float(numbers.max()) if numbers.size else float("nan")


def _speed_up(spec: dict, seed: int, options: dict, train, test) -> dict:
    """2.1: the per-sample Network against float64 MatrixNetwork, same seed, data and mini-batches:
    seconds per epoch and the test accuracy per epoch of each; the largest weight difference of the
    two after one epoch; and how far a nudge of 1e-14 to one MatrixNetwork's weights has grown
    after one and after two epochs (what rounding does to SGD at this eta). With them the
    settings the timing ran with: ``eta``, ``mini_batch``, ``dtype`` (both networks'), and
    ``blas_threads`` (None if unknown) with ``blas_threads_from``, where that count was read."""
    n = options["train_size"] or len(train[0])
    epochs = min(spec["epochs"], options["epochs"] or spec["epochs"])
    eta, m = spec["eta"], spec["mini_batch"]
    tuples = book_samples(train[0][:n], train[1][:n], spec["sizes"][-1])
    test_tuples = [(xi[:, None].astype(np.float64), int(t)) for xi, t in zip(*test)]
    threads, source = blas_threads()
    per_sample_net, matrix_net = Network(spec["sizes"], seed=seed), MatrixNetwork(spec["sizes"], seed=seed)
    dtypes = {per_sample_net.dtype.name, matrix_net.dtype.name}
    if len(dtypes) != 1:
        raise ValueError(f"2.1 compares networks of one dtype, got {sorted(dtypes)}")
    per_sample = per_sample_net.SGD(tuples, epochs, m, eta, test_data=test_tuples, verbose=False)
    matrix = matrix_net.SGD(tuples, epochs, m, eta, test_data=test_tuples, verbose=False)
    one, other = Network(spec["sizes"], seed=seed), MatrixNetwork(spec["sizes"], seed=seed)
    one.SGD(tuples, 1, m, eta, verbose=False)
    other.SGD(tuples, 1, m, eta, verbose=False)
    apart = max(float(np.max(np.abs(a - b))) for a, b in zip(one.weights, other.weights))
    plain, nudged = MatrixNetwork(spec["sizes"], seed=seed), MatrixNetwork(spec["sizes"], seed=seed)
    for w in nudged.weights:
        w += 1e-14
    growth = []
    for _ in range(2):
        plain.SGD(tuples, 1, m, eta, verbose=False)
        nudged.SGD(tuples, 1, m, eta, verbose=False)
        growth.append(max(float(np.max(np.abs(a - b))) for a, b in zip(plain.weights, nudged.weights)))
    return dict(per_sample_seconds=per_sample.seconds, matrix_seconds=matrix.seconds,
                per_sample_test=per_sample.test_accuracy, matrix_test=matrix.test_accuracy,
                weights_apart_after_epoch_0=apart, nudge=1e-14, nudge_growth=growth,
                eta=eta, mini_batch=m, dtype=dtypes.pop(), blas_threads=threads, blas_threads_from=source)


def blas_threads() -> tuple[int | None, str | None]:
    """The threads numpy's BLAS runs with in this process, and where that was read: 'threadpoolctl'
    (the libraries' own count, the largest if there are several), else the first of
    OPENBLAS_NUM_THREADS, MKL_NUM_THREADS, OMP_NUM_THREADS set (what a BLAS reads when numpy
    loads it; a process that loaded numpy before setting it runs with another count), else
    (None, None)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        counts = [int(pool["num_threads"]) for pool in threadpool_info() if pool.get("user_api") == "blas"]
        if counts:
            return max(counts), "threadpoolctl"
    for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(variable, "").strip()
        if value.isdigit():
            return int(value), variable
    return None, None


def _counts() -> dict:
    """3.17 and 6.27: the parameters of the book's networks, counted on the networks themselves."""
    from network import ConvPoolLayer, FullyConnectedLayer

    def params(net) -> int:
        return int(sum(w.size for w in net.weights) + sum(b.size for b in net.biases))

    conv = ConvPoolLayer(image_shape=(10, 1, 28, 28), filter_shape=(20, 1, 5, 5), poolsize=(2, 2))
    full = FullyConnectedLayer(n_in=784, n_out=30)
    for layer in (conv, full):
        layer.initialize(np.random.default_rng(0))
    layer_params = lambda layer: int(layer.w.size + layer.b.size)  # noqa: E731
    return dict(networks={str(s): params(MatrixNetwork(s, seed=0)) for s in ([784, 30, 10], [784, 100, 10])},
                conv20=layer_params(conv), fc784_30=layer_params(full))


def _speeds(spec: dict, seed: int, options: dict, train) -> dict:
    import chapter5

    data = (train[0][:1000].astype(np.float64), train[1][:1000])
    if spec["kind"] == "speeds-init":
        first_six = []                                        # 5.8: dC/db of the first six neurons per hidden layer
        for s in range(10):
            net = chapter5.network(chapter5.NETWORKS[2], "sigmoid", s)
            nabla_b, _ = net.backprop(*data)
            first_six.append([(nb[:6, 0] / len(data[0])).tolist() for nb in nabla_b[:-1]])
        return dict(initial={str(k): chapter5.initial_speeds(sizes, data, 10).tolist()
                             for k, sizes in chapter5.NETWORKS.items()}, first_six=first_six)
    epochs = min(spec["epochs"], options["epochs"] or spec["epochs"])
    speeds = chapter5.speeds_during_training(chapter5.NETWORKS[spec["hidden"]], "sigmoid", data, epochs, seed, False)
    return dict(speeds=speeds.tolist())


def estimate(name: str, options: dict, pace: dict) -> float:
    """Seconds one run of ``name`` is expected to take here, one BLAS thread."""
    spec = RUNS[name]
    if spec["kind"] == "net":
        n = min(spec["train"] or 50000, options["train_size"] or 50000)
        epochs = min(spec["epochs"], options["epochs"] or spec["epochs"])
        watched = 0 if spec["final_only"] else 10000 + sum(n if "training" in m else 10000 for m in spec["monitor"])
        return epochs * pace[tuple(spec["sizes"])] * (n + 0.2 * watched)   # a forward pass: about 1/5 of a step
    if spec["kind"] == "svm":
        n = min(spec["train"], options["train_size"] or spec["train"])
        return 4.5e-6 * n ** 1.6 + 1.5e-3 * (n / 10000) ** 0.8 * (10000 if n < 50000 else 20000)   # fit, predict
    if spec["kind"] == "per-sample":
        return ((options["epochs"] or spec["epochs"]) + 1) * (options["train_size"] or 50000) * 1.3e-4
    return {"darkness": 5, "random": 0.1, "speeds-init": 5, "speeds-train": 15, "counts": 0.1}[spec["kind"]]


def measure_pace(dtype: str) -> dict:
    """Training seconds per sample of each network size of RUNS, from 2,000 samples here."""
    rng = np.random.default_rng(0)
    X, y = rng.random((2000, 784), dtype=np.float32), rng.integers(0, 10, 2000)
    pace = {}
    for spec in RUNS.values():
        sizes = tuple(spec.get("sizes", ()))
        if spec["kind"] == "net" and sizes not in pace:
            net = MatrixNetwork(list(sizes), seed=0, dtype=dtype)
            pace[sizes] = net.SGD((X, y), 1, 10, 0.1, verbose=False).seconds[0] / 2000
    return pace


# ---------------------------------------------------------------------- the command
def read_results(run: Path) -> dict:
    """An earlier run's results.json, checked enough to name what is wrong with it."""
    path = run / "results.json"
    try:
        saved = json.loads(path.read_text())
        if not all(k in saved for k in ("results", "options", "wall_seconds")):
            raise ValueError("it lacks results, options or wall_seconds")
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: cannot read {path}: {exc}") from None
    return saved


def read_plan(run: Path) -> dict:
    """What a run was started with (RUN/plan.json): its command's options."""
    try:
        plan = json.loads((run / "plan.json").read_text())
        if not isinstance(plan.get("command"), list):
            raise ValueError("it has no command")
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: cannot resume {run}: {run / 'plan.json'}: {exc}") from None
    return plan


def append_job(run: Path, result: dict) -> None:
    """One finished job's result, appended to RUN/jobs.jsonl and flushed to the disk at once: a
    run that stops (a crash, the machine's end) keeps every job it finished."""
    with open(run / "jobs.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(result) + "\n")
        f.flush()
        os.fsync(f.fileno())


def read_jobs(run: Path) -> list[dict]:
    """The jobs RUN/jobs.jsonl holds (a last line cut short by a crash is left out)."""
    out = []
    try:
        lines = (run / "jobs.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def latest_successes(results: list[dict]) -> list[dict]:
    """Per (run, seed) the last record that did not fail, in the order first seen; a job that only
    failed is left out (it runs again)."""
    last: dict[tuple, dict] = {}
    for r in results:
        if "failed" not in r:
            last[(r["name"], r["seed"])] = r
    return list(last.values())


def wall_seconds(results: list[dict]) -> float:
    """A run's wall time over its segments (a start and each --resume): each one's last job."""
    ends: dict[int, float] = {}
    for r in results:
        ends[r.get("segment", 1)] = max(ends.get(r.get("segment", 1), 0.0), r.get("elapsed", 0.0))
    return sum(ends.values())


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--only", nargs="+", default=None, metavar="ID", help="only these ids (e.g. 1.9 3.11 P3.18)")
    p.add_argument("--chapter", nargs="+", type=int, choices=[1, 2, 3, 5, 6], default=None,
                   help="only the ids of these chapters (default: 1 2 3 5)")
    p.add_argument("--seeds", type=positive_int, default=None,
                   help=f"seeds of every stochastic run (default: {SEEDS}; fewer than 3 leave their ids not judged)")
    p.add_argument("--jobs", type=positive_int, default=2, help="worker processes")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="send the jobs to this Dask scheduler (e.g. tcp://host:8786; the `cluster` extra) "
                        "instead of local worker processes")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64",
                   help="MatrixNetwork's dtype (default float64, as the book's network.py and network2.py)")
    p.add_argument("--train-size", type=training_size, default=None, help="cap every run's training set (smoke tests)")
    p.add_argument("--epochs", type=positive_int, default=None, help="cap every run's epochs (smoke tests)")
    p.add_argument("--list", action="store_true", help="print every id with its estimated time, and stop")
    p.add_argument("--report", type=Path, default=None, metavar="RUN",
                   help="run nothing: write BOOK.md again from RUN/results.json (say, once chapter 6's runs end)")
    p.add_argument("--out", type=Path, default=None, metavar="FOLDER",
                   help="with --report: write BOOK.md and its figures here (the committed report: docs/book)")
    p.add_argument("--resume", type=Path, default=None, metavar="RUN",
                   help="go on with a run that stopped (RUN/jobs.jsonl holds every job it finished), with its "
                        "command: only the jobs not finished run")
    add_run_arguments(p, "book")
    args = p.parse_args(argv)
    if args.resume:                     # the run's own command, data and runs folder; this one's workers
        plan = read_plan(args.resume)
        data = plan.get("options", {}).get("data")
        if args.data and data and str(Path(args.data)) != str(Path(data)):
            p.error(f"--resume {args.resume}: the run was started on --data {data}, not {args.data}")
        data = args.data or data
        args = p.parse_args(plan["command"] + [f"--jobs={args.jobs}", f"--runs-dir={args.runs_dir}"]
                            + (["--quiet"] if args.quiet else [])
                            + ([f"--scheduler={args.scheduler}"] if args.scheduler else [])
                            + ([f"--data={data}"] if data else []) + [f"--resume={args.resume}"])
    elif args.report and not (args.only or args.chapter):    # the report of a run: that run's ids
        saved_command = read_results(args.report).get("command")
        if saved_command:
            restored = p.parse_args(saved_command)
            args.only, args.chapter = restored.only, restored.chapter
    known = {row.id for row in ROWS}
    unknown = [i for i in args.only or [] if i not in known]
    if unknown:
        p.error(f"unknown id(s) {', '.join(unknown)}; `--list` shows every id")
    if args.out and not args.report:
        p.error("--out goes with --report RUN")
    chapters = set(args.chapter or [1, 2, 3, 5])
    selected = [r for r in ROWS if (r.id in args.only if args.only else r.chapter in chapters)]
    # the report: the selected ids, and chapter 6's (read from chapter6.py's runs) unless --only
    rows = [r for r in ROWS if r in selected or (not args.only and r.chapter == 6)]
    options = dict(data=args.data, train_size=args.train_size, epochs=args.epochs, dtype=args.dtype, seeds=args.seeds)
    if args.list:
        import chapter6

        pace = measure_pace(args.dtype)
        six = [r.id for r in ROWS if not r.runs and r.id in chapter6.ROWS]
        hours = chapter6.estimate(six, None, None, 1) if six else {}     # chapter 6's one estimate: chapter6.py's
        for row in ROWS:
            if row.runs:
                secs = sum(estimate(n, options, pace) * seeds_of(n, args.seeds) for n in row.runs)
                print(f"  {row.id:<14} about {secs / 60:5.1f} min  {row.what}")
            else:
                when = f"about {hours[row.id] / 60:5.0f} min" if row.id in hours else "      -      "
                print(f"  {row.id:<14} {when}  chapter 6, read from chapter6.py's runs: {row.what}")
        return 0
    if args.report:
        saved = read_results(args.report)
        for key in ("seeds", "train_size", "epochs", "dtype"):       # the command line of the run, as it was
            setattr(args, key, saved["options"].get(key, getattr(args, key)))
        args.jobs = saved.get("jobs", args.jobs)
        args.scheduler = saved.get("scheduler")                   # where the run's jobs ran (None: local workers)
        out = args.out or args.report
        report = Report(saved["results"], saved["options"], out, args.runs_dir, run=saved)
        print(report.write(rows, saved["wall_seconds"], args))
        print(f"wrote {out}/BOOK.md and the figures from {args.report}/results.json")
        return report_failures(saved["results"], args.report)
    names = list(dict.fromkeys(n for row in selected for n in row.runs))
    if any(RUNS[n]["kind"] == "svm" for n in names) and importlib.util.find_spec("sklearn") is None:
        p.error('the SVM baselines (1.10, 3.19, 3.20) need scikit-learn: .venv/bin/pip install -e ".[baselines]"')
    pace = measure_pace(args.dtype) if names else None
    command = Report.argv(args)
    if args.resume:
        out, everything = args.resume, read_jobs(args.resume)
        done = latest_successes(everything)                          # a failed job runs again
        save_text(out / "jobs.jsonl", "".join(json.dumps(r) + "\n" for r in done))   # without a line cut short
    else:
        out, everything, done = new_run_dir(args.runs_dir, args.name), [], []
        save_text(out / "plan.json", json.dumps(dict(command=command, options=options)) + "\n")
    finished = {(r["name"], r["seed"]) for r in done}
    jobs = sorted(((n, s, options) for n in names for s in range(seeds_of(n, args.seeds)) if (n, s) not in finished),
                  key=lambda j: -estimate(j[0], options, pace))
    expected = sum(estimate(n, options, pace) for n, _, _ in jobs)
    where = f"on the Dask cluster at {args.scheduler}" if args.scheduler else \
        f"in {args.jobs} worker(s) of one BLAS thread"
    six = [r.id for r in rows if not r.runs]
    print(f"ids: {' '.join(r.id for r in selected if r.runs)}"
          + (f"; read from chapter 6's runs: {' '.join(six)}" if six else ""))
    print(f"{len([r for r in selected if r.runs])} ids from {len(names)} runs, {len(jobs)} jobs {where}"
          + (f" ({len(done)} finished before, in {out})" if args.resume else "") +
          f": about {expected / 60:.0f} CPU-minutes, {expected / 60 / min(args.jobs, max(len(jobs), 1)):.0f} minutes "
          f"of wall time", flush=True)
    mnist_loader.load_data(args.data)                          # build or download once, before the workers
    segment = 1 + max((r.get("segment", 0) for r in everything), default=0)
    before = wall_seconds(everything)                         # the earlier segments' time, failed jobs too
    start, results = time.perf_counter(), list(done)
    with cluster.executor(args.jobs, args.scheduler) as pool:
        futures = {pool.submit("book", "run_job", job): job for job in jobs}
        done_estimate = 0.0
        for future in pool.as_completed(list(futures)):
            name, seed, _ = futures[future]
            try:
                r = future.result()
            except (Exception, SystemExit) as exc:                # one job's failure loses no other job
                r = dict(name=name, seed=seed, seconds=0.0, failed=f"{type(exc).__name__}: {exc}")
            elapsed = time.perf_counter() - start
            r.update(segment=segment, elapsed=elapsed)
            try:
                append_job(out, r)
            except (TypeError, ValueError) as exc:            # a result json cannot hold: a bug, kept as one
                r = dict(name=name, seed=seed, seconds=r.get("seconds", 0.0), segment=segment, elapsed=elapsed,
                         failed=f"the result cannot be saved: {exc}")
                append_job(out, r)
            results.append(r)
            done_estimate += estimate(r["name"], options, pace)
            left = elapsed / done_estimate * (expected - done_estimate) if done_estimate else 0
            if not args.quiet:
                print(f"  [{len(results) - len(done)}/{len(jobs)}] {r['name']} seed {r['seed']}: "
                      + (f"FAILED: {r['failed']}" if "failed" in r else f"{r['seconds']:.0f} s")
                      + f" ({elapsed:.0f} s elapsed, about {left:.0f} s left)", flush=True)
    total = before + (time.perf_counter() - start if jobs else 0.0)
    run = dict(options=options, versions=versions(), wall_seconds=total, jobs=args.jobs, scheduler=args.scheduler,
               seeds=seeds_of_stochastic(args.seeds), command=command, segments=segment)
    save_text(out / "results.json", json.dumps(dict(results=results, **run), indent=1) + "\n")
    report = Report(results, options, out, args.runs_dir, run=run)
    text = report.write(rows, total, args)
    print(text)
    print(f"wrote {out}/BOOK.md, results.json and the figures ({total:.0f} s)")
    return report_failures(results, out)


def report_failures(results: list[dict], run: Path) -> int:
    """1 and each failed job named on stderr (a report with failed jobs is not a full run), else 0."""
    failed = [r for r in results if "failed" in r]
    for r in failed:
        print(f"error: {r['name']} seed {r['seed']} failed: {r['failed']} (`--resume {run}` runs it again)",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run_script(main))
