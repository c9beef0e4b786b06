"""Train MatrixNetwork with any of chapter 3's options, logging everything per epoch.

The defaults are chapter 3's first run (3.1 of the book check): [784, 30, 10], cross-entropy,
the old N(0, 1) initialisation, mini-batch 10, eta 0.5, 30 epochs. The book's own module for
this chapter is ``network2`` (``import network2``); this script is the same engine with a
run folder around it.

Writes runs/<name>/: metrics.csv (training cost and accuracy, validation cost and accuracy,
test accuracy, eta, seconds; flushed every epoch), config.json, cost.png and accuracy.png (the
book's overfitting figures), network.json (the trained network, see network.load), summary.json.

    python experiments/chapter3.py --sizes 784 100 10 --cost cross-entropy --eta 0.1 \\
        --lmbda 5.0 --init scaled --epochs 60
    python experiments/chapter3.py --train-size 1000 --epochs 400 --cost cross-entropy \\
        --eta 0.5 --name overfitting            # the book's overfitting experiment
    python experiments/chapter3.py --sizes 784 400 10 --activation relu --cost log-likelihood \\
        --init scaled --dtype float32 --mini-batch-size 20 --eta 0.05 --lmbda 5 --lr-schedule-n 4 \\
        --epochs 1000 --max-seconds 120 --name best_in_two_minutes   # our best in two minutes
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers import training
from helpers.runlog import (
    add_run_arguments, check_mnist_sizes, make_parser, nonnegative_float, nonnegative_int, positive_float,
    positive_int, run_script, save_text, training_size,
)

import mnist_loader


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--sizes", type=positive_int, nargs="+", default=[784, 30, 10], help="layer sizes")
    p.add_argument("--cost", default="cross-entropy", choices=["quadratic", "cross-entropy", "log-likelihood"], help="cost function")
    p.add_argument("--activation", default="sigmoid", choices=["sigmoid", "tanh", "relu"], help="hidden-layer activation")
    p.add_argument("--init", default="large", choices=["large", "scaled"], help="weight initialisation")
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"], help="float type")
    p.add_argument("--epochs", type=positive_int, default=30, help="epochs")
    p.add_argument("--mini-batch-size", type=positive_int, default=10, help="mini-batch size")
    p.add_argument("--eta", type=positive_float, default=0.5, help="learning rate")
    p.add_argument("--lmbda", type=nonnegative_float, default=0.0, help="L2 regularisation")
    p.add_argument("--early-stopping-n", type=nonnegative_int, default=0, help="stop after N epochs without improvement (0: never)")
    p.add_argument("--lr-schedule-n", type=nonnegative_int, default=0, help="halve eta after N epochs without improvement")
    p.add_argument("--max-seconds", type=positive_float, default=None, help="training-time budget")
    p.add_argument("--train-size", type=training_size, default=None, help="train on the first N training images only")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed")
    add_run_arguments(p, "chapter3")
    args = p.parse_args(argv)
    check_mnist_sizes(p, args.sizes)
    n = args.train_size or 50000
    if args.lmbda and args.eta * args.lmbda / n > 1:
        p.error(f"--eta {args.eta:g} --lmbda {args.lmbda:g}: the L2 decay factor 1 - eta lmbda / n would be "
                f"{1 - args.eta * args.lmbda / n:g}, below zero (n = {n})")

    (x, y), validation, test = mnist_loader.load_data(args.data)
    if args.train_size:
        x, y = x[:args.train_size], y[:args.train_size]
    config = {k: getattr(args, k) for k in ("sizes", "cost", "activation", "init", "dtype", "epochs",
                                             "mini_batch_size", "eta", "lmbda", "seed", "early_stopping_n",
                                             "lr_schedule_n", "max_seconds")}
    config["train_size"] = len(x)
    summary = training.run(config, ((x, y), validation, test), args.runs_dir, args.name, verbose=not args.quiet)
    save_text(Path(summary["dir"]) / "summary.json", json.dumps(summary, indent=2, default=str) + "\n")
    print(f"final test accuracy {summary['final_test']:.2%}, best {summary['best_test']:.2%}; "
          f"best validation {summary['best_validation']:.2%} at epoch {summary['best_validation_epoch']} "
          f"(test there {summary['test_at_best_validation']:.2%}); {summary['training_seconds']:.1f} s of training; "
          f"wrote {summary['dir']} (the trained network: {summary['dir']}/network.json)")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
