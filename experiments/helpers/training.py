"""One fully logged MatrixNetwork training run: the shared engine of the chapter-3 scripts.

Every epoch appends a row to metrics.csv (flushed at once): training cost and accuracy,
evaluation (validation) cost and accuracy, test accuracy, eta and seconds. At the end (or on
interruption) it draws cost.png and accuracy.png -- the book's overfitting figures -- and
returns a summary.
"""
from __future__ import annotations

from typing import Any

from .runlog import plot_curves, RunLog

from network import MatrixNetwork

COLUMNS = ["epoch", "training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy",
           "test_accuracy", "eta", "seconds"]
DEFAULTS = dict(sizes=[784, 30, 10], cost="quadratic", activation="sigmoid", init="large", dtype="float64",
                epochs=30, mini_batch_size=10, eta=3.0, lmbda=0.0, seed=0, early_stopping_n=0,
                lr_schedule_n=0, max_seconds=None, monitor_training=True)


def run(config: dict[str, Any], data, runs_dir: str, name: str, verbose: bool = True,
        progress: str | None = None) -> dict[str, Any]:
    """Train MatrixNetwork with ``config`` (keys of DEFAULTS) on ``data`` = load_data()'s
    (training, validation, test) arrays; log to runs_dir/name; return a summary dict.
    ``verbose``: SGD's own lines; ``progress``: instead, one line per epoch starting with it
    (for runs in worker processes, whose lines interleave)."""
    cfg = dict(DEFAULTS, **config)
    (x, y), (vx, vy), (tx, ty) = data
    net = MatrixNetwork(cfg["sizes"], seed=cfg["seed"], dtype=cfg["dtype"], cost=cfg["cost"],
                        activation=cfg["activation"], init=cfg["init"])
    log = RunLog(runs_dir, name, cfg, COLUMNS)
    n_train, n_eval, n_test = len(x), len(vx), len(tx)

    def on_epoch(epoch: int, h) -> None:
        row = dict(epoch=epoch, test_accuracy=h.test_accuracy[-1] / n_test, eta=h.eta[-1], seconds=h.seconds[-1])
        if h.training_cost:
            row.update(training_cost=h.training_cost[-1], training_accuracy=h.training_accuracy[-1] / n_train)
        row.update(evaluation_cost=h.evaluation_cost[-1], evaluation_accuracy=h.evaluation_accuracy[-1] / n_eval)
        log.log(**row)
        if progress:
            left = (cfg["epochs"] - epoch - 1) * sum(h.seconds) / len(h.seconds)
            if cfg["max_seconds"]:                                   # a time budget ends the run sooner
                left = max(0.0, min(left, cfg["max_seconds"] - sum(h.seconds)))
            print(f"{progress} epoch {epoch}: test {row['test_accuracy']:.2%}, validation "
                  f"{row['evaluation_accuracy']:.2%} ({h.seconds[-1]:.1f} s, about {left:.0f} s left)", flush=True)

    monitor = bool(cfg["monitor_training"])
    try:
        history = net.SGD((x, y), cfg["epochs"], cfg["mini_batch_size"], cfg["eta"], test_data=(tx, ty),
                          lmbda=cfg["lmbda"], evaluation_data=(vx, vy), monitor_evaluation_cost=True,
                          monitor_evaluation_accuracy=True, monitor_training_cost=monitor,
                          monitor_training_accuracy=monitor, early_stopping_n=cfg["early_stopping_n"],
                          lr_schedule_n=cfg["lr_schedule_n"], max_seconds=cfg["max_seconds"],
                          verbose=verbose and not progress, callback=on_epoch)
        net.save(log.dir / "network.json")            # first: of what a run makes, the network is worth most
    finally:
        log.close()
        draw(log, f"{cfg['sizes']}, {cfg['cost']}, eta {cfg['eta']}, lambda {cfg['lmbda']}")
    return dict(summarize([a / n_test for a in history.test_accuracy],
                          [a / n_eval for a in history.evaluation_accuracy], history.seconds),
                name=name, config=cfg, dir=str(log.dir))


def summarize(test: list[float], evaluation: list[float], seconds: list[float]) -> dict[str, Any]:
    """Final and peak test accuracy, and the test accuracy at the epoch of best validation
    accuracy (a choice that does not look at the test set)."""
    best_epoch = max(range(len(evaluation)), key=evaluation.__getitem__)
    return dict(epochs_run=len(test), final_test=test[-1], best_test=max(test),
                best_validation=evaluation[best_epoch], test_at_best_validation=test[best_epoch],
                best_validation_epoch=best_epoch, training_seconds=sum(seconds))


def draw(log: RunLog, title: str) -> None:
    if not log.rows:
        return
    epochs = log.column("epoch")
    costs = {}
    if log.column("training_cost"):
        costs["training cost"] = (epochs, log.column("training_cost"))
    costs["evaluation cost"] = (epochs, log.column("evaluation_cost"))
    plot_curves(log.dir / "cost.png", costs, title, "cost (incl. L2 term)")
    accs = {}
    if log.column("training_accuracy"):
        accs["training"] = (epochs, [100 * a for a in log.column("training_accuracy")])
    accs["evaluation (validation)"] = (epochs, [100 * a for a in log.column("evaluation_accuracy")])
    accs["test"] = (epochs, [100 * a for a in log.column("test_accuracy")])
    plot_curves(log.dir / "accuracy.png", accs, title, "accuracy (%)")
