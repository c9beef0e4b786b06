"""The books' faces against their engines: what ``network2`` and ``network3`` cost over
``MatrixNetwork`` and ``ConvNetwork``, in one process, on the same data, from the same weights.

    network2.Network([784, 30, 10]).SGD(training_data, epochs, 10, 0.5)       (cross-entropy, float64)
    MatrixNetwork([784, 30, 10], cost="cross-entropy", init="scaled").SGD(...)  the same run
    network3.Network([ConvPool 20x5x5, FC 100, Softmax], 10).SGD(...)         eta 0.1, sigmoid
    ConvNetwork(the same layers, 10).SGD(..., shuffle=False)                   the same run

Each pair runs alternately (who goes first alternates too), ``--repeats`` times, best time taken; printed as seconds and the ratio
face / engine (the issue's targets: network2 within 1.3x, network3 within 1.1x). Wall-clock time
of the whole SGD call, data checks included, as a user meets it.

    python experiments/benchmark_books.py                       # about a minute
    python experiments/benchmark_books.py --epochs 30 --train-size 50000 --repeats 3
"""
from __future__ import annotations

import argparse
import contextlib
import io
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing

import mnist_loader  # noqa: E402
import network2  # noqa: E402
import network3  # noqa: E402
from network import ConvNetwork, ConvPoolLayer, FullyConnectedLayer, MatrixNetwork, SoftmaxLayer  # noqa: E402


def timed(run) -> float:
    """Seconds of ``run()``, its printing swallowed."""
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        run()
        return time.perf_counter() - start


def network2_pair(training_data: list, epochs: int, repeats: int) -> tuple[float, float]:
    times = {"network2": [], "MatrixNetwork": []}
    for r in range(repeats):
        random.seed(12345678)
        np.random.seed(12345678)
        face = network2.Network([784, 30, 10])
        engine = MatrixNetwork([784, 30, 10], seed=0, cost="cross-entropy", init="scaled")
        engine.weights, engine.biases = face.weights, face.biases
        data = list(training_data)
        runs = {"network2": lambda: face.SGD(data, epochs, 10, 0.5),
                "MatrixNetwork": lambda: engine.SGD(training_data, epochs, 10, 0.5, verbose=False)}
        for name in (runs if r % 2 == 0 else reversed(runs)):            # alternate who goes first
            times[name].append(timed(runs[name]))
    return min(times["network2"]), min(times["MatrixNetwork"])


def layers(m: int, face: bool) -> list:
    """Chapter 6's first convolutional network, made by network3's functions or by network's classes."""
    if face:
        return [network3.ConvPoolLayer(image_shape=(m, 1, 28, 28), filter_shape=(20, 1, 5, 5), poolsize=(2, 2)),
                network3.FullyConnectedLayer(n_in=20 * 12 * 12, n_out=100),
                network3.SoftmaxLayer(n_in=100, n_out=10)]
    return [ConvPoolLayer((20, 1, 5, 5), (m, 1, 28, 28), (2, 2)), FullyConnectedLayer(20 * 12 * 12, 100),
            SoftmaxLayer(100, 10)]


def network3_pair(train, validation, test, epochs: int, repeats: int) -> tuple[float, float]:
    times = {"network3": [], "ConvNetwork": []}
    for r in range(repeats):
        np.random.seed(12345678)
        face = network3.Network(layers(10, True), 10)
        engine = ConvNetwork(layers(10, False), 10)
        for a, b in zip(engine.layers, face.layers):
            a.w, a.b = b.w.copy(), b.b.copy()
        runs = {"network3": lambda: face.SGD(train, epochs, 10, 0.1, validation, test),
                "ConvNetwork": lambda: engine.SGD(train, epochs, 10, 0.1, validation, test, verbose=False,
                                                  shuffle=False, ties="last")}
        for name in (runs if r % 2 == 0 else reversed(runs)):            # alternate who goes first
            times[name].append(timed(runs[name]))
    return min(times["network3"]), min(times["ConvNetwork"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=1, help="epochs of each run (the book's: 30)")
    p.add_argument("--train-size", type=int, default=10000, help="training images for network2 (the book's: 50000)")
    p.add_argument("--conv-train-size", type=int, default=2000, help="training images for network3")
    p.add_argument("--eval-size", type=int, default=1000, help="validation and test images for network3")
    p.add_argument("--repeats", type=int, default=2, help="runs of each, best taken")
    p.add_argument("--skip", choices=("network2", "network3"), help="leave one pair out")
    args = p.parse_args(argv)
    if min(args.epochs, args.train_size, args.conv_train_size, args.eval_size, args.repeats) < 1:
        p.error("every count must be at least 1")
    warnings.simplefilter("ignore")
    if args.skip != "network2":
        training_data = mnist_loader.load_data_wrapper()[0][:args.train_size]
        face, engine = network2_pair(training_data, args.epochs, args.repeats)
        print(f"network2 [784, 30, 10], {args.train_size} images, {args.epochs} epoch(s), mini-batch 10, eta 0.5: "
              f"network2 {face:.2f} s, MatrixNetwork float64 {engine:.2f} s, ratio {face / engine:.3f} (target <= 1.3)")
    if args.skip != "network3":
        (tx, ty), (vx, vy), (sx, sy) = mnist_loader.load_data()
        k, e = args.conv_train_size, args.eval_size
        face, engine = network3_pair((tx[:k], ty[:k]), (vx[:e], vy[:e]), (sx[:e], sy[:e]), args.epochs, args.repeats)
        print(f"network3 ConvPool 20x5x5 + FC 100 + softmax, {k} images, {args.epochs} epoch(s), mini-batch 10: "
              f"network3 {face:.2f} s, ConvNetwork {engine:.2f} s, ratio {face / engine:.3f} (target <= 1.1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
