"""The main job: chapter 1 of Nielsen's book. Train Network([784, 30, 10]) on MNIST.

Logs test accuracy and seconds per epoch to runs/<name>/metrics.csv (flushed each epoch),
writes config.json, draws accuracy.png and saves the trained network as network.json (for
`python -m network predict`).

    python experiments/chapter1.py                       # 30 epochs, mini-batch 10, eta 3.0
    python experiments/chapter1.py --matrix --epochs 5   # the same with MatrixNetwork
"""
from __future__ import annotations

import sys

from helpers.runlog import (
    add_run_arguments, check_mnist_sizes, make_parser, nonnegative_int, plot_curves, positive_float, positive_int,
    run_script, RunLog, training_size,
)

import mnist_loader
import network


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--sizes", type=positive_int, nargs="+", default=[784, 30, 10], help="layer sizes")
    p.add_argument("--epochs", type=positive_int, default=30, help="epochs")
    p.add_argument("--mini-batch-size", type=positive_int, default=10, help="mini-batch size")
    p.add_argument("--eta", type=positive_float, default=3.0, help="learning rate")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed")
    p.add_argument("--train-size", type=training_size, default=None, help="use only the first N training samples")
    p.add_argument("--matrix", action="store_true", help="use MatrixNetwork instead of the per-sample Network")
    add_run_arguments(p, "chapter1")
    args = p.parse_args(argv)
    check_mnist_sizes(p, args.sizes)
    if args.matrix and args.name == "chapter1":
        args.name = "chapter1-matrix"  # say what ran: the per-sample run keeps its own folder

    training_data, _, test_data = mnist_loader.load_data_wrapper(args.data)
    if args.train_size:
        training_data = training_data[:args.train_size]
    cls = network.MatrixNetwork if args.matrix else network.Network
    net = cls(args.sizes, seed=args.seed)
    config = {"network": cls.__name__, "sizes": args.sizes, "epochs": args.epochs,
              "mini_batch_size": args.mini_batch_size, "eta": args.eta, "seed": args.seed,
              "train_size": len(training_data), "test_size": len(test_data)}
    log = RunLog(args.runs_dir, args.name, config, ["epoch", "test_accuracy", "seconds"])
    print(f"{cls.__name__}({args.sizes}): {args.epochs} epochs, mini-batch {args.mini_batch_size}, "
          f"eta {args.eta}; logging to {log.dir}")

    def on_epoch(epoch: int, history) -> None:
        log.log(epoch=epoch, test_accuracy=history.test_accuracy[-1] / history.n_test,
                seconds=history.seconds[-1])

    try:
        history = net.SGD(training_data, args.epochs, args.mini_batch_size, args.eta,
                          test_data=test_data, callback=on_epoch, verbose=not args.quiet)
        net.save(log.dir / "network.json")            # first: of what a run makes, the network is worth most
        print(f"saved the network to {log.dir / 'network.json'}")
    finally:
        log.close()
        if log.rows:
            plot_curves(log.dir / "accuracy.png",
                        {cls.__name__: (log.column("epoch"), [100 * a for a in log.column("test_accuracy")])},
                        f"{cls.__name__}({args.sizes}), mini-batch {args.mini_batch_size}, eta {args.eta}",
                        "test accuracy (%)")
    if history.seconds:
        best = max(history.test_accuracy)
        print(f"final test accuracy {history.test_accuracy[-1] / history.n_test:.2%} "
              f"(best {best / history.n_test:.2%}), {sum(history.seconds) / len(history.seconds):.2f} s per epoch; "
              f"wrote {log.dir}/metrics.csv, config.json, accuracy.png, network.json")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
