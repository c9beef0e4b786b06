"""A drawing pad: draw a digit with the mouse, and watch a network read it as you draw.

Draw with the left mouse button on the pad. As you draw, the window shows the network's guess,
its top three, and the 28x28 image it sees (your drawing made the way MNIST's digits were made,
by mnist_loader.load_image). Keys: c clears the pad, s saves the drawing as a PNG under
runs/draw/ (digit-1.png, digit-2.png, ...; never overwriting), q closes the window.

Without NET.json it uses runs/draw/default-network.json, training it first if it is not there
(a [784, 100, 10] cross-entropy MatrixNetwork, 5 epochs, about a minute) and says which. It needs
a display: without one it says so in one line and exits with status 1.

    python experiments/draw.py                              # the default network
    python experiments/draw.py runs/chapter6/6.6/network.json
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from helpers.runlog import make_parser, mnist_network, run_script, runs_folder

import mnist_loader
import network
from network.__main__ import outputs_meaning, predict
from network.atomic import write_atomic

SIDE = 280             # the pad, in pixels of its own image
BRUSH = 11             # the pen's radius, in those pixels


class Pad:
    """The pad on a matplotlib figure: mouse events draw, key events clear or save; every stroke
    updates the guess. Works on any canvas, so tests drive it by sending events."""

    def __init__(self, net, figure, save_dir: Path) -> None:
        self.net, self.fig, self.save_dir = net, figure, Path(save_dir)
        self.ink = np.zeros((SIDE, SIDE), np.float32)             # 1 where the pen has been
        self.drawing, self.last = False, None
        self.saved: list[Path] = []
        self.guess: dict | None = None
        grid = figure.add_gridspec(2, 2, width_ratios=[2, 1])
        self.pad_ax = figure.add_subplot(grid[:, 0])
        self.seen_ax = figure.add_subplot(grid[0, 1])
        self.bars_ax = figure.add_subplot(grid[1, 1])
        self.pad_im = self.pad_ax.imshow(1 - self.ink, cmap="gray", vmin=0, vmax=1, extent=(0, SIDE, SIDE, 0))
        self.seen_im = self.seen_ax.imshow(np.zeros((28, 28)), cmap="gray", vmin=0, vmax=1)
        self.bars = self.bars_ax.bar(range(10), np.zeros(10))
        self.bars_ax.set_xticks(range(10))
        self.bars_ax.set_ylim(0, 1)
        for ax in (self.pad_ax, self.seen_ax):
            ax.set_xticks([])
            ax.set_yticks([])
        self.seen_ax.set_title("what the network sees", fontsize=9)
        self.bars_ax.set_title(outputs_meaning(net), fontsize=9)
        self.pad_ax.set_title("draw a digit (c: clear, s: save, q: quit)")
        for name, handler in (("button_press_event", self.press), ("motion_notify_event", self.move),
                              ("button_release_event", self.release), ("key_press_event", self.key)):
            figure.canvas.mpl_connect(name, handler)

    # ------------------------------------------------------------------ events
    def press(self, event) -> None:
        if event.inaxes is self.pad_ax and event.button == 1 and event.xdata is not None:
            self.drawing, self.last = True, (event.xdata, event.ydata)
            self.stroke(self.last, self.last)

    def move(self, event) -> None:
        if self.drawing and event.inaxes is self.pad_ax and event.xdata is not None:
            point = (event.xdata, event.ydata)
            self.stroke(self.last, point)
            self.last = point

    def release(self, event) -> None:
        self.drawing = False
        self.update()

    def key(self, event) -> None:
        if event.key == "c":
            self.ink[:] = 0
            self.guess = None
            self.update()
        elif event.key == "s":
            self.save()
        elif event.key == "q":
            import matplotlib.pyplot as plt
            plt.close(self.fig)

    # ------------------------------------------------------------------ drawing and reading
    def stroke(self, a, b) -> None:
        """Ink a round pen along the segment from a to b (pad coordinates: x right, y down)."""
        steps = max(1, int(np.hypot(b[0] - a[0], b[1] - a[1]) / 2))
        for t in np.linspace(0, 1, steps + 1):
            x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            top, left = max(0, int(y) - BRUSH - 1), max(0, int(x) - BRUSH - 1)
            patch = self.ink[top:int(y) + BRUSH + 2, left:int(x) + BRUSH + 2]       # a view: inked in place
            ys, xs = np.mgrid[top:top + patch.shape[0], left:left + patch.shape[1]]
            np.maximum(patch, np.clip(BRUSH + 0.5 - np.hypot(xs - x, ys - y), 0, 1), out=patch)  # anti-aliased
        self.update()

    def update(self) -> None:
        self.pad_im.set_data(1 - self.ink)
        if self.ink.max() > 0:
            seen = mnist_loader.load_image(1 - self.ink)                # dark ink on white paper, as drawn
            self.guess = predict(self.net, seen[None, :])[0]
            scores = self.net.feedforward(seen)
            self.seen_im.set_data(seen.reshape(28, 28))
            for bar, v in zip(self.bars, scores):
                bar.set_height(float(v))
                bar.set_color("C1" if bar is self.bars[self.guess["digit"]] else "C0")
            top = ", ".join(f"{d} {s:.2f}" for d, s in self.guess["top3"])
            self.pad_ax.set_title(f"the network reads {self.guess['digit']} (top three: {top})")
        else:
            self.seen_im.set_data(np.zeros((28, 28)))
            for bar in self.bars:
                bar.set_height(0)
            self.pad_ax.set_title("draw a digit (c: clear, s: save, q: quit)")
        self.fig.canvas.draw_idle()

    def save(self) -> Path | None:
        """The drawing as a PNG (dark ink on white, as drawn), under a name no earlier save has."""
        if self.ink.max() == 0:
            return None
        from PIL import Image

        self.save_dir.mkdir(parents=True, exist_ok=True)
        k = 1
        while (self.save_dir / f"digit-{k}.png").exists():
            k += 1
        path = self.save_dir / f"digit-{k}.png"
        image = Image.fromarray(np.round(255 * (1 - self.ink)).astype(np.uint8), mode="L")
        write_atomic(path, lambda f: image.save(f, format="PNG"))
        self.saved.append(path)
        self.pad_ax.set_xlabel(f"saved {path}")
        self.fig.canvas.draw_idle()
        return path


def default_network(runs_dir: Path, data: str | None = None):
    """runs/draw/default-network.json, trained first if it is not there; says which."""
    path = runs_dir / "draw" / "default-network.json"
    if path.is_file():
        print(f"using the default network {path}", flush=True)
        return network.load(path)
    print(f"no network given and none at {path}: training a [784, 100, 10] cross-entropy MatrixNetwork "
          f"for 5 epochs (about a minute) and saving it there", flush=True)
    (x, y), (vx, vy), _ = mnist_loader.load_data(data)
    net = network.MatrixNetwork([784, 100, 10], seed=0, cost="cross-entropy", init="scaled", dtype="float32")
    net.SGD((x, y), 5, 10, 0.1, lmbda=5.0, evaluation_data=(vx, vy), monitor_evaluation_accuracy=True)
    net.save(path)
    return net


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("network", metavar="NET.json", nargs="?", default=None, type=mnist_network,
                   help="a saved network (None: the default one, see above)")
    p.add_argument("--runs-dir", type=runs_folder, default="runs", help="where drawings are saved (runs-dir/draw/)")
    p.add_argument("--data", default=None, help="the dataset file, for training the default network")
    args = p.parse_args(argv)
    import matplotlib.pyplot as plt

    backend = os.environ.get("MPLBACKEND", "TkAgg")
    try:
        if sys.platform not in ("darwin", "win32") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise RuntimeError("DISPLAY is not set")
        if backend.lower() in ("agg", "pdf", "ps", "svg", "cairo", "template"):
            raise RuntimeError(f"the matplotlib backend {backend} draws no window")
        plt.switch_backend(backend)
    except Exception as exc:                                  # no display, or no GUI toolkit to open a window
        print(f"error: the drawing pad needs a display, and there is none here ({exc})", file=sys.stderr)
        return 1

    net = args.network.net if args.network else default_network(Path(args.runs_dir), args.data)
    print(f"reading your digits with {net!r}", flush=True)
    fig = plt.figure(figsize=(9, 5.5))
    pad = Pad(net, fig, Path(args.runs_dir) / "draw")
    plt.show()
    for path in pad.saved:
        print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
