"""Command line: ``python -m network predict NET.json IMAGE...``: a saved network on your own digits.

Each image is made the way MNIST's digits were made (``mnist_loader.load_image``, found through
the package's entry point ``nielsen_backprop.image_readers``, so that this package does not
import the loader), then classified. For each image it prints the digit and the top three with
their scores: probabilities for a softmax output (ConvNetwork, TwoLayerNet, a log-likelihood
MatrixNetwork), otherwise the output activations, labelled as such; a file name is printed with
its unprintable characters escaped (as JSON escapes them). A bad network file ends at once with
one ``error:`` line; a bad image, or outputs that are not numbers, gets its ``error:`` line after
the good ones are done, and the exit status is 1. ``--show`` draws the first ``MAX_SHOWN``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from importlib.metadata import entry_points
from typing import Any, Callable, Optional, Sequence

import numpy as np

from .atomic import SaveError, write_atomic
from .files import NetworkFileError
from .loading import load

MNIST_PIXELS = 784
MAX_SHOWN = 24            # --show draws at most this many images, and says how many it left out


def image_reader(name: str = "mnist") -> Callable:
    """The installed reader of images: ``mnist`` into MNIST's format (mnist_loader.load_image),
    ``preview`` the file as it is, for display (mnist_loader's, by default)."""
    found = [e for e in entry_points(group="nielsen_backprop.image_readers") if e.name == name]
    if not found:
        raise SystemExit(f"error: no image reader {name!r} is installed: install the project (pip install -e .)")
    return found[0].load()


def checked_matplotlib():
    """matplotlib, imported; a ``MPLBACKEND`` that names no backend ends in one line (SystemExit)
    instead of the traceback matplotlib's import raises."""
    import os

    name = os.environ.pop("MPLBACKEND", None)
    import matplotlib

    if name is not None:
        try:
            matplotlib.rcParams["backend"] = name                    # matplotlib's own check of the name
        except ValueError:
            raise SystemExit(f"error: MPLBACKEND={name!r} is not a matplotlib backend "
                             f"(unset it, or set it to one, e.g. MPLBACKEND=Agg)") from None
        finally:
            os.environ["MPLBACKEND"] = name
    return matplotlib


def show_path(text: str) -> str:
    """--show's file: a new or regular file in a folder that exists, checked before any work."""
    path = Path(text)
    if path.is_dir() or (path.exists() and not path.is_file()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a file to write (it is a directory or a device)")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: the folder {str(path.parent)!r} does not exist")
    return text


def outputs_meaning(net: Any) -> str:
    """'probabilities' for a softmax output layer, else 'output activations'."""
    softmax = type(net).__name__ in ("ConvNetwork", "TwoLayerNet") or getattr(net, "cost", None) is not None \
        and net.cost.name == "log-likelihood"
    return "probabilities" if softmax else "output activations"


def escaped(text: str) -> str:
    """``text`` with every character that is not printable (a newline, a tab, an undecodable
    byte of a file name) escaped as JSON escapes it: one line that no file name can forge."""
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in str(text))


def predict(net: Any, images: np.ndarray) -> list[dict]:
    """For each MNIST-format image (rows): the digit, and the top three (digit, score).
    Outputs that are not numbers (nan, inf) are a FloatingPointError, never a digit."""
    with np.errstate(all="ignore"):
        outputs = net.feedforward(images)
    if not np.isfinite(outputs).all():
        raise FloatingPointError("its outputs are not numbers (nan or inf): its weights overflow on this image")
    kind = outputs_meaning(net)
    found = []
    for out in outputs:
        top = np.argsort(-out, kind="stable")[:3]          # ties to the lower digit, as classify's argmax
        found.append(dict(digit=int(top[0]), top3=[(int(d), float(out[d])) for d in top], scores=kind))
    return found


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m network", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("predict", help="the digit in each image, by a saved network")
    p.add_argument("network", metavar="NET.json", help="a network saved by save() (any of the four kinds)")
    p.add_argument("images", metavar="IMAGE", nargs="+", help="image files (PNG, JPEG, BMP, GIF, ...)")
    p.add_argument("--show", metavar="FILE.png", default=None, type=show_path,
                   help=f"also draw, per image (the first {MAX_SHOWN}), the original, what the network sees (28x28) "
                        "and its outputs")
    p.add_argument("--json", action="store_true", help="print one JSON object per image instead, for scripts")
    args = parser.parse_args(argv)
    try:
        net = load(args.network)
        net.feedforward(np.zeros(MNIST_PIXELS, np.float32))
    except (NetworkFileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {args.network}: this network does not take MNIST's {MNIST_PIXELS} pixels ({exc})", file=sys.stderr)
        return 1
    read = image_reader()
    done, errors, predicted = [], [], 0
    for path in args.images:
        try:
            image = read(path)
        except (ValueError, OSError) as exc:                         # ImageError and its kin name the file
            errors.append(str(exc))
            continue
        try:
            result = predict(net, image[None, :])[0]
        except FloatingPointError as exc:
            errors.append(f"{args.network}: {exc} ({path})")
            continue
        predicted += 1
        if len(done) < MAX_SHOWN:                                    # what --show draws: a bounded sheet
            done.append((path, image, result))
        if args.json:
            print(json.dumps(dict(file=path, **result), allow_nan=False))
        else:
            top = ", ".join(f"{d} {s:.3f}" for d, s in result["top3"])
            print(f"{escaped(path)}: {result['digit']}  (top three: {top}; {result['scores']})")
    if args.show and done:
        left_out = predicted - len(done)
        try:
            draw(done, net, args.show, left_out)
            if not args.json:
                print(f"wrote {escaped(args.show)}" + (f" (the first {len(done)} images; {left_out} more left out)"
                                                       if left_out else ""))
        except (SaveError, ValueError) as exc:                       # an image that cannot be shown, a full disk
            errors.append(str(exc))
    for message in errors:
        print(f"error: {escaped(message)}", file=sys.stderr)
    return 1 if errors else 0


def draw(done: list, net: Any, path: str, left_out: int = 0) -> None:
    """One row per image (at most ``MAX_SHOWN``): the original, the 28x28 the network sees, its
    outputs as bars; below them, how many images were ``left_out``."""
    done = done[:MAX_SHOWN]
    checked_matplotlib().use("Agg")
    import matplotlib.pyplot as plt

    original = image_reader("preview")
    fig, axes = plt.subplots(len(done), 3, figsize=(9, 2.6 * len(done)), squeeze=False)
    for (file, image, result), (a, b, c) in zip(done, axes):
        a.imshow(original(file), cmap="gray", vmin=0, vmax=1)
        a.set_title(escaped(file)[-30:], fontsize=8)
        b.imshow(image.reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        b.set_title(f"what the network sees: {result['digit']}", fontsize=9)
        scores = net.feedforward(image)
        c.bar(range(len(scores)), scores, color=["C1" if d == result["digit"] else "C0" for d in range(len(scores))])
        c.set_xticks(range(len(scores)))
        c.set_title(result["scores"], fontsize=9)
        for ax in (a, b):
            ax.axis("off")
    fig.tight_layout()
    if left_out:
        fig.subplots_adjust(bottom=0.6 / fig.get_figheight() + fig.subplotpars.bottom)
        fig.text(0.5, 0.2 / fig.get_figheight(), f"the first {len(done)} images; {left_out} more left out", ha="center")
    write_atomic(path, lambda f: fig.savefig(f, format="png", dpi=100))
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
