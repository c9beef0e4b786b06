"""Train MatrixNetwork with any of chapter 3's options, logging everything per epoch.

Writes runs/<name>/: metrics.csv (training cost and accuracy, validation cost and accuracy,
test accuracy, eta, seconds; flushed every epoch), config.json, cost.png and accuracy.png (the
book's overfitting figures), network.json (the trained network, see network.load).

    python experiments/chapter3.py --sizes 784 100 10 --cost cross-entropy --eta 0.1 \\
        --lmbda 5.0 --init scaled --epochs 60
    python experiments/chapter3.py --train-size 1000 --epochs 400 --cost cross-entropy \\
        --eta 0.5 --name overfitting            # the book's overfitting experiment
"""
from __future__ import annotations

import argparse
import sys

import training
from runlog import add_run_arguments

import mnist_loader


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[784, 30, 10])
    p.add_argument("--cost", default="quadratic", choices=["quadratic", "cross-entropy", "log-likelihood"])
    p.add_argument("--activation", default="sigmoid", choices=["sigmoid", "tanh", "relu"])
    p.add_argument("--init", default="large", choices=["large", "scaled"])
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--mini-batch-size", type=int, default=10)
    p.add_argument("--eta", type=float, default=3.0)
    p.add_argument("--lmbda", type=float, default=0.0, help="L2 regularisation (default 0)")
    p.add_argument("--early-stopping-n", type=int, default=0)
    p.add_argument("--lr-schedule-n", type=int, default=0, help="halve eta after N epochs without improvement")
    p.add_argument("--max-seconds", type=float, default=None, help="training-time budget")
    p.add_argument("--train-size", type=int, default=None, help="train on the first N training images only")
    p.add_argument("--seed", type=int, default=0)
    add_run_arguments(p, "chapter3")
    args = p.parse_args(argv)

    (x, y), validation, test = mnist_loader.load_data(args.data)
    if args.train_size:
        x, y = x[:args.train_size], y[:args.train_size]
    config = {k: getattr(args, k) for k in ("sizes", "cost", "activation", "init", "dtype", "epochs",
                                             "mini_batch_size", "eta", "lmbda", "seed", "early_stopping_n",
                                             "lr_schedule_n", "max_seconds")}
    config["train_size"] = len(x)
    summary = training.run(config, ((x, y), validation, test), args.runs_dir, args.name)
    print(f"final test accuracy {summary['final_test']:.2%}, best {summary['best_test']:.2%}; "
          f"best validation {summary['best_validation']:.2%} at epoch {summary['best_validation_epoch']} "
          f"(test there {summary['test_at_best_validation']:.2%}); {summary['training_seconds']:.1f} s of training; "
          f"wrote {summary['dir']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
