"""Chapter 5 of Nielsen's book, measured: why deep networks are hard to train.

The speed of learning of hidden layer l is ||delta^l||, the length of the gradient dC/db^l of
the cost averaged over the training data (MatrixNetwork.layer_speeds, from backprop itself).
With the settings of the book's fig/generate_gradient.py -- the first 1,000 training images,
batch gradient descent (one mini-batch of 1,000), eta 0.1, lambda 5.0, cross-entropy cost,
scaled initialisation -- this draws, for [784, 30, 30, 10], [784, 30, 30, 30, 10] and
[784, 30, 30, 30, 30, 10]:

  speed_sigmoid.png         the speed of every hidden layer over 500 epochs (the book's figures)
  speed_tanh.png, speed_relu.png   the same with tanh and ReLU hidden layers, for contrast
  initial_speeds.png        the speeds at initialisation, mean and spread over --seeds seeds,
                            next to the book's numbers
and writes speeds.csv, initial_speeds.csv and RESULTS.md (the table printed at the end).
The chapter's depth table (5.1-5.4) and these numbers against the book's: `python workshop/book.py --chapter 5`.

    python experiments/chapter5.py                 # about 2 minutes
    python experiments/chapter5.py --epochs 50 --seeds 3
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from helpers.book_reference import book as book_number
from helpers.runlog import (
    add_run_arguments, make_parser, new_run_dir, nonnegative_int, positive_int, run_script,
    training_size, versions, save_text, save_csv, save_figure,
)

import matplotlib.pyplot as plt  # Agg is selected by helpers.runlog

import mnist_loader
from network import MatrixNetwork
from network.reports import Progress

NETWORKS = {2: [784, 30, 30, 10], 3: [784, 30, 30, 30, 10], 4: [784, 30, 30, 30, 30, 10]}
# the book's speeds at initialisation (chapter 5: 5.5-5.7), hidden layer 1 first
BOOK_INITIAL = {hidden: book_number(rid, "speeds") for hidden, rid in ((2, "5.5"), (3, "5.6"), (4, "5.7"))}
SETTINGS = dict(cost="cross-entropy", init="scaled", eta=0.1, lmbda=5.0)
ACTIVATIONS = ("sigmoid", "tanh", "relu")


def network(sizes, activation: str, seed: int) -> MatrixNetwork:
    return MatrixNetwork(sizes, seed=seed, cost=SETTINGS["cost"], init=SETTINGS["init"], activation=activation)


def speeds_during_training(sizes, activation: str, data, epochs: int, seed: int, verbose: bool = True) -> np.ndarray:
    """(epochs, hidden layers): the speed of each hidden layer at the start of every epoch.
    A run that takes more than 10 seconds says how far it is, every 10 seconds."""
    net = network(sizes, activation, seed)
    progress = Progress(epochs, f"  {activation:>7} {sizes}, epochs", after=10, every=10) if verbose else None
    history = net.SGD(data, epochs, len(data[0]), SETTINGS["eta"], lmbda=SETTINGS["lmbda"],
                      monitor_layer_speeds=True, verbose=False,
                      callback=(lambda j, h: progress.update(j + 1)) if progress else None)
    return np.array(history.layer_speeds)[:, :-1]


def initial_speeds(sizes, data, seeds: int) -> np.ndarray:
    """(seeds, hidden layers): the speed of each hidden layer at initialisation, per seed."""
    return np.array([network(sizes, "sigmoid", seed).layer_speeds(data)[:-1] for seed in range(seeds)])


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--epochs", type=positive_int, default=500, help="epochs of batch gradient descent")
    p.add_argument("--seeds", type=positive_int, default=10, help="seeds for the speeds at initialisation")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="seed of the training runs")
    p.add_argument("--train-size", type=training_size, default=1000, help="training images (the book: 1,000)")
    add_run_arguments(p, "chapter5")
    args = p.parse_args(argv)
    out = new_run_dir(args.runs_dir, args.name)

    (x, y), _, _ = mnist_loader.load_data(args.data)
    data = (x[:args.train_size].astype(np.float64), y[:args.train_size])
    print(f"chapter 5 on the first {len(data[0])} training images: {args.epochs} epochs of batch gradient descent, "
          f"eta {SETTINGS['eta']}, lambda {SETTINGS['lmbda']}, cross-entropy, scaled init; writing {out}", flush=True)

    start = time.perf_counter()
    speeds = {}
    for activation in ACTIVATIONS:
        for hidden, sizes in NETWORKS.items():
            speeds[activation, hidden] = run = speeds_during_training(sizes, activation, data, args.epochs, args.seed,
                                                                      not args.quiet)
            print_unless_quiet(args, f"  {activation:>7} {sizes}: speeds at epoch 0 {fmt_list(run[0])}, at epoch {args.epochs - 1} "
                f"{fmt_list(run[-1])}  ({time.perf_counter() - start:.0f} s)")
        plot_training(speeds, activation, args.epochs, out / f"speed_{activation}.png")
    write_speeds(speeds, out / "speeds.csv")

    initial = {hidden: initial_speeds(sizes, data, args.seeds) for hidden, sizes in NETWORKS.items()}
    write_initial(initial, out / "initial_speeds.csv")
    plot_initial(initial, args.seeds, out / "initial_speeds.png")
    report = results(initial, speeds, args)
    save_text(out / "RESULTS.md", report)
    print(report)
    print(f"wrote {out}/RESULTS.md, speeds.csv, initial_speeds.csv and the figures "
          f"({time.perf_counter() - start:.0f} s)")
    return 0


def print_unless_quiet(args, line: str) -> None:
    if not args.quiet:
        print(line, flush=True)


def fmt_list(values) -> str:
    return "[" + ", ".join(f"{v:.3g}" for v in values) + "]"


def results(initial: dict, speeds: dict, args) -> str:
    lines = ["# Chapter 5: the speed of learning of each hidden layer", "",
             f"Command: `python experiments/chapter5.py --epochs {args.epochs} --seeds {args.seeds}`  ",
             f"The first {args.train_size} training images; speeds ||dC/db^l|| of the mean cross-entropy cost, "
             f"scaled initialisation. " + ", ".join(f"{k} {v}" for k, v in versions().items() if k != "platform"), "",
             f"## At initialisation, sigmoid hidden layers, {args.seeds} seeds", "",
             "| network | hidden layer | book | ours: mean ± sd (min–max) | book: next layer / this | ours: next layer / this, mean ± sd |",
             "|---|---|---|---|---|---|"]
    for hidden, runs in initial.items():
        book = BOOK_INITIAL[hidden]
        for l in range(hidden):
            col = runs[:, l]
            ratio_book = f"{book[l + 1] / book[l]:.1f}" if l + 1 < hidden else ""
            ratios = runs[:, l + 1] / col if l + 1 < hidden else None
            ratio_ours = f"{ratios.mean():.1f} ± {ratios.std(ddof=1) if len(ratios) > 1 else 0:.1f}" if ratios is not None else ""
            spread = f" ± {col.std(ddof=1):.3f} ({col.min():.3f}–{col.max():.3f})" if len(col) > 1 else ""
            lines.append(f"| {NETWORKS[hidden]} | {l + 1} | {book[l]} | {col.mean():.3f}{spread} | {ratio_book} | {ratio_ours} |")
    lines += ["", f"## During training (seed {args.seed}): speed of each hidden layer at the first and last epoch", "",
              "| hidden activation | network | epoch 0 | last epoch |", "|---|---|---|---|"]
    for (activation, hidden), run in speeds.items():
        lines.append(f"| {activation} | {NETWORKS[hidden]} | {fmt_list(run[0])} | {fmt_list(run[-1])} |")
    lines += ["", "Figures: speed_sigmoid.png (the book's), speed_tanh.png, speed_relu.png, initial_speeds.png.", ""]
    return "\n".join(lines)


def write_speeds(speeds: dict, path: Path) -> None:
    save_csv(path, [["activation", "hidden_layers", "epoch", "layer", "speed"]]
             + [[activation, hidden, epoch, l + 1, f"{v:.6g}"] for (activation, hidden), run in speeds.items()
                for epoch, row in enumerate(run) for l, v in enumerate(row)])


def write_initial(initial: dict, path: Path) -> None:
    save_csv(path, [["hidden_layers", "seed", "layer", "speed"]]
             + [[hidden, seed, l + 1, f"{v:.6g}"] for hidden, runs in initial.items()
                for seed, row in enumerate(runs) for l, v in enumerate(row)])


def plot_training(speeds: dict, activation: str, epochs: int, path: Path) -> None:
    fig, axes = plt.subplots(1, len(NETWORKS), figsize=(15, 4.5), sharey=True)
    for ax, (hidden, sizes) in zip(axes, NETWORKS.items()):
        run = speeds[activation, hidden]
        for l in range(hidden):
            ax.plot(np.arange(len(run)), run[:, l], label=f"hidden layer {l + 1}")
        ax.set_yscale("log")
        ax.set_xlim(0, epochs)
        ax.set_xlabel("epochs of training")
        ax.set_title(f"{hidden} hidden layers {sizes}", fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
    axes[0].set_ylabel("speed of learning ||dC/db|| (log scale)")
    fig.suptitle(f"Speed of learning, {activation} hidden layers: batch gradient descent on 1,000 images")
    fig.tight_layout()
    save_figure(fig, path)


def plot_initial(initial: dict, seeds: int, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 4.8))
    width = 0.22
    for i, (hidden, runs) in enumerate(initial.items()):
        xs = np.arange(hidden) + (i - 1) * width
        ax.bar(xs, runs.mean(axis=0), width, yerr=runs.std(axis=0, ddof=1) if seeds > 1 else None, capsize=3,
               label=f"ours, {hidden} hidden layers (mean ± sd, {seeds} seeds)")
        ax.plot(xs, BOOK_INITIAL[hidden], "k*", markersize=9, label="the book" if i == 0 else None)
    ax.set_yscale("log")
    ax.set_ylim(top=5)  # room for the legend above the bars
    ax.set_xticks(range(4), [f"hidden layer {l + 1}" for l in range(4)])
    ax.set_ylabel("speed of learning at initialisation (log scale)")
    ax.set_title("Each earlier layer learns several times slower (sigmoid, scaled init, 1,000 images)")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path)


if __name__ == "__main__":
    sys.exit(run_script(main))
