"""Train TwoLayerNet on MNIST with backprop, as in chapter 5 of Deep Learning from Scratch.

Mini-batches drawn at random each iteration; after every epoch's worth of iterations, the
train and test accuracy are logged to runs/<name>/metrics.csv (flushed) and plotted.
The book trains on all 60,000 MNIST training images: here Nielsen's training and validation
sets together (--train-set 60000), or only the 50,000 training images (--train-set 50000).

    python experiments/train_two_layer_net.py                          # (784, 50, 10), lr 0.1
    python experiments/train_two_layer_net.py --hidden 100 --lr 0.5 --name two_layer_100
"""
from __future__ import annotations

import sys
import time

import numpy as np
from helpers.runlog import (
    add_run_arguments, make_parser, nonnegative_int, plot_curves, positive_float, positive_int,
    run_script, RunLog,
)

import mnist_loader
from network import TwoLayerNet
from network.validation import check_finite_cost, check_finite_parameters


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--hidden", type=positive_int, default=50, help="hidden units")
    p.add_argument("--lr", type=positive_float, default=0.1, help="learning rate")
    p.add_argument("--batch", type=positive_int, default=100, help="mini-batch size")
    p.add_argument("--iterations", type=positive_int, default=10000, help="gradient steps")
    p.add_argument("--train-set", type=int, choices=(50000, 60000), default=60000, help="training images")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed")
    add_run_arguments(p, "two_layer_net")
    args = p.parse_args(argv)

    (x, t), (vx, vt), (tx, tt) = mnist_loader.load_data(args.data)
    if args.train_set == 60000:
        x, t = np.concatenate([x, vx]), np.concatenate([t, vt])
    x, tx = x.astype(np.float64), tx.astype(np.float64)
    rng = np.random.default_rng(args.seed)
    net = TwoLayerNet(784, args.hidden, 10, seed=rng)
    iter_per_epoch = max(len(x) // args.batch, 1)
    log = RunLog(args.runs_dir, args.name, vars(args) | {"iter_per_epoch": iter_per_epoch},
                 ["epoch", "iteration", "train_loss", "train_accuracy", "test_accuracy", "seconds"])
    print(f"TwoLayerNet(784, {args.hidden}, 10), lr {args.lr}, batch {args.batch}, "
          f"{args.iterations} iterations on {len(x)} images; logging to {log.dir}")
    start, epoch = time.perf_counter(), 0
    epoch_start = start
    try:
        for i in range(1, args.iterations + 1):
            batch = rng.choice(len(x), args.batch)
            grad = net.gradient(x[batch], t[batch])
            for key in ("W1", "b1", "W2", "b2"):
                net.params[key] -= args.lr * grad[key]
            check_finite_parameters([net.params["W1"], net.params["W2"]], [net.params["b1"], net.params["b2"]], i, args.lr,
                                    step="iteration")
            check_finite_cost(net.last_layer.loss, "training loss", f"at iteration {i}", args.lr)
            if i % iter_per_epoch == 0 or i == args.iterations:
                train_acc, test_acc = net.accuracy(x, t), net.accuracy(tx, tt)
                log.log(epoch=epoch, iteration=i, train_loss=net.last_layer.loss, train_accuracy=train_acc,
                        test_accuracy=test_acc, seconds=time.perf_counter() - epoch_start)  # this epoch's
                if not args.quiet:
                    print(f"epoch {epoch:2d} (iteration {i:5d}): train acc {train_acc:.4f}, test acc {test_acc:.4f}",
                          flush=True)
                epoch += 1
                epoch_start = time.perf_counter()
        net.save(log.dir / "network.json")            # first: of what a run makes, the network is worth most
        print(f"saved the network to {log.dir / 'network.json'}")
    finally:
        log.close()
        if log.rows:
            plot_curves(log.dir / "accuracy.png",
                        {"train": (log.column("epoch"), [100 * a for a in log.column("train_accuracy")]),
                         "test": (log.column("epoch"), [100 * a for a in log.column("test_accuracy")])},
                        f"TwoLayerNet(784, {args.hidden}, 10), lr {args.lr}, batch {args.batch}", "accuracy (%)")
    print(f"final test accuracy {log.rows[-1]['test_accuracy']:.2%} after {args.iterations} iterations, "
          f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
