"""Pictures of what a saved network learned, and of what it gets wrong, on the 10,000 test digits.

Writes into runs/inspect/ (inspect-2, ... if taken):
  errors.png          the test digits it gets wrong, in a grid, each with its true and predicted
                      label (as the book's picture of the ensemble's 33 errors; at most --most)
  confusion.png       the confusion matrix: true digit against predicted digit, counts
  confusion.csv       the same numbers (rows: true digit 0-9, columns: predicted digit 0-9)
  per_digit.png       the accuracy on each digit
  hidden_weights.png  a fully connected first layer: every hidden neuron's weights as a 28x28 image
  filters.png         a ConvNetwork: the first layer's filters (as the book's picture of its 20)
and prints the accuracy. Works with every kind of network file the project writes.

    python experiments/inspect_network.py runs/chapter1/network.json
    python experiments/inspect_network.py runs/chapter6/6.6/network.json --most 60
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from helpers.runlog import (add_run_arguments, make_parser, mnist_network, new_run_dir, positive_int, run_script,
                            save_csv, save_figure)

import matplotlib.pyplot as plt  # Agg is selected by helpers.runlog

import mnist_loader
from network import ConvNetwork, ConvPoolLayer, TwoLayerNet


def first_layer_images(net) -> tuple[np.ndarray | None, str]:
    """The first layer's weights as images: (k, h, w), and what they are; None if there is no
    such layer (a ConvNetwork whose first layer reads more than one channel, say)."""
    if isinstance(net, ConvNetwork):
        first = net.layers[0]
        if isinstance(first, ConvPoolLayer):
            f, c, kh, kw = first.filter_shape
            return (first.w.T.reshape(f, kh, kw, c)[..., 0] if c == 1 else None), "filters"
        return first.w.T.reshape(-1, 28, 28), "hidden_weights"
    if isinstance(net, TwoLayerNet):
        return net.params["W1"].T.reshape(-1, 28, 28), "hidden_weights"
    if len(net.sizes) > 2:
        return net.weights[0].reshape(-1, 28, 28), "hidden_weights"
    return net.weights[0].reshape(-1, 28, 28), "hidden_weights"   # [784, 10]: the output neurons' weights


def save(fig, path: Path) -> None:
    save_figure(fig, path, dpi=100)


def draw_grid(images: np.ndarray, titles: list[str], path: Path, suptitle: str, cmap="gray", symmetric=False) -> None:
    n = len(images)
    cols = min(n, 10)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols, 1.35 * rows + 0.4), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, title in zip(axes.ravel(), images, titles):
        limit = np.max(np.abs(image)) if symmetric else None
        ax.imshow(image, cmap=cmap, vmin=-limit if symmetric else None, vmax=limit)
        ax.set_title(title, fontsize=7)
    fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    save(fig, path)


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("network", metavar="NET.json", type=mnist_network, help="a network saved by save()")
    p.add_argument("--most", type=positive_int, default=100, help="at most this many wrong digits in errors.png")
    add_run_arguments(p, "inspect")
    args = p.parse_args(argv)
    net = args.network.net
    _, _, (tx, ty) = mnist_loader.load_data(args.data)
    out = new_run_dir(args.runs_dir, args.name)
    print(f"{net!r}: reading the 10,000 test digits; writing {out}", flush=True)
    guesses = net.classify(tx)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (ty, guesses), 1)
    wrong = np.flatnonzero(guesses != ty)
    accuracy = 1 - len(wrong) / len(ty)

    shown = wrong[:args.most]
    draw_grid(tx[shown].reshape(-1, 28, 28), [f"{ty[i]} read as {guesses[i]}" for i in shown], out / "errors.png",
              f"{len(wrong)} of 10,000 test digits wrong" + (f" (the first {len(shown)})" if len(shown) < len(wrong) else ""))

    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    ax.imshow(np.log1p(confusion), cmap="Blues")
    for i in range(10):
        for j in range(10):
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if confusion[i, j] > confusion.max() / 3 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
           title=f"confusion matrix: {100 * accuracy:.2f}% correct")
    fig.tight_layout()
    save(fig, out / "confusion.png")
    save_csv(out / "confusion.csv", [["true \\ predicted", *range(10)]] + [[i, *row] for i, row in enumerate(confusion)])

    per_digit = confusion.diagonal() / confusion.sum(axis=1)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(range(10), 100 * per_digit)
    ax.set(xticks=range(10), xlabel="digit", ylabel="accuracy (%)", ylim=(max(0, 100 * per_digit.min() - 5), 100),
           title="accuracy on each digit of the test set")
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    save(fig, out / "per_digit.png")

    images, kind = first_layer_images(net)
    if images is not None:
        label = "filter" if kind == "filters" else "neuron"
        draw_grid(images, [f"{label} {k}" for k in range(len(images))], out / f"{kind}.png",
                  f"the first layer's {'filters' if kind == 'filters' else 'weights, one image per neuron'} "
                  "(red positive, blue negative)", cmap="RdBu_r", symmetric=True)
    print(f"{100 * accuracy:.2f}% of the test digits right ({len(wrong)} wrong); wrote errors.png, confusion.png, "
          f"confusion.csv, per_digit.png" + (f", {kind}.png" if images is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
