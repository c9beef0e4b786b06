"""How much a network keeps of its accuracy on digits as people photograph or draw them.

Each of the 10,000 test digits is re-rendered the way a photo of a digit on paper looks: dark ink
on light paper (paper and ink tinted, RGB), the digit 200-500 pixels tall, placed off-centre on a
page with wide margins, rotated by up to 8 degrees, blurred, and saved as a JPEG; then read back
through mnist_loader.load_image (MNIST's own preprocessing for any image) and classified. Every
page is drawn from its own seed, so a run is reproducible. Writes runs/photographed/RESULTS.md: for
each network, its accuracy on the test digits as they are and as photographed, and examples.png:
some pages and what load_image made of them.

    python workshop/photographed_digits.py runs/chapter1/network.json runs/chapter6/6.6/network.json
    python workshop/photographed_digits.py NET.json --samples 1000      # a quicker look
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))  # helpers/ (run folders, options) and the chapter scripts
from helpers.runlog import (add_run_arguments, make_parser, mnist_network, new_run_dir, positive_int, run_script,
                            versions, save_text, save_figure)

import mnist_loader


def photograph(digit: np.ndarray, seed: int) -> bytes:
    """A 28x28 MNIST digit (v/256, light on dark) as a JPEG photo of it on paper."""
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    bicubic = getattr(Image, "Resampling", Image).BICUBIC
    ink = digit.reshape(28, 28).astype(np.float32)
    side = int(rng.integers(200, 501))                            # the 28x28 field's size on the page
    field = Image.fromarray(np.round(255 * ink).astype(np.uint8), mode="L").resize((side, side), bicubic)
    field = field.rotate(float(rng.uniform(-8, 8)), resample=bicubic, fillcolor=0)
    page_w, page_h = int(side * rng.uniform(1.6, 2.6)), int(side * rng.uniform(1.6, 2.6))
    mask = Image.new("L", (page_w, page_h), 0)
    mask.paste(field, (int(rng.integers(0, page_w - side)), int(rng.integers(0, page_h - side))))
    mask = mask.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 2.5)) * side / 280))
    m = np.asarray(mask, dtype=np.float32)[:, :, None] / 255.0
    paper = rng.uniform(0.82, 0.98) * np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.88, 1.0)])
    pen = rng.uniform(0.05, 0.25) * np.array([1.0, 1.0, rng.uniform(1.0, 2.5)])   # black or blue-black ink
    rgb = (1 - m) * paper + m * np.clip(pen, 0, 1)
    rgb += rng.normal(0, 0.01, rgb.shape)                         # sensor noise
    out = io.BytesIO()
    Image.fromarray(np.round(255 * np.clip(rgb, 0, 1)).astype(np.uint8), mode="RGB").save(
        out, format="JPEG", quality=int(rng.integers(70, 95)))
    return out.getvalue()


def _read_back(job: tuple[np.ndarray, list[int], str]) -> np.ndarray:
    """Photograph each digit, write the JPEG, read it back with load_image (the file route)."""
    digits, seeds, folder = job
    rows = []
    for digit, seed in zip(digits, seeds):
        path = Path(folder) / f"{seed}.jpg"
        path.write_bytes(photograph(digit, seed))
        rows.append(mnist_loader.load_image(path))
        path.unlink()
    return np.stack(rows)


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("networks", metavar="NET.json", nargs="+", type=mnist_network, help="saved networks (any kind)")
    p.add_argument("--samples", type=positive_int, default=10000, help="test digits to photograph")
    p.add_argument("--jobs", type=positive_int, default=2, help="worker processes")
    add_run_arguments(p, "photographed")
    args = p.parse_args(argv)
    nets = [saved.net for saved in args.networks]
    _, _, (tx, ty) = mnist_loader.load_data(args.data)
    tx, ty = tx[:args.samples], ty[:args.samples]
    out = new_run_dir(args.runs_dir, args.name)
    print(f"photographing {len(tx):,} test digits and reading them back ({args.jobs} workers); writing {out}", flush=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, ProcessPoolExecutor(max_workers=args.jobs) as pool:
        chunks = [(tx[k:k + 250], list(range(k, min(k + 250, len(tx)))), folder) for k in range(0, len(tx), 250)]
        read = np.concatenate(list(pool.map(_read_back, chunks)))
    seconds = time.perf_counter() - start
    lines = ["# Digits as people photograph them: accuracy before and after", "",
             f"Command: `python workshop/photographed_digits.py {' '.join(args.networks)}"
             + (f" --samples {args.samples}" if args.samples != 10000 else "") + "`  ",
             f"{len(tx):,} test digits, each re-rendered as a JPEG photo of dark ink on light paper (200-500 pixels, "
             f"off-centre, rotated up to 8 degrees, blurred, tinted) and read back by mnist_loader.load_image "
             f"({seconds:.0f} s for all of them). " + ", ".join(f"{k} {v}" for k, v in versions().items() if k != "platform"),
             "", "| network | file | test digits as they are | photographed, read back | lost |", "|---|---|---|---|---|"]
    for path, net in zip(args.networks, nets):
        before = float(np.mean(net.classify(tx) == ty))
        after = float(np.mean(net.classify(read) == ty))
        lines.append(f"| {net!r} | `{path}` | {100 * before:.2f}% | {100 * after:.2f}% | {100 * (before - after):.2f} pt |")
        print(lines[-1], flush=True)
    save_text(out / "RESULTS.md", "\n".join(lines) + "\n")
    examples(tx, read, out / "examples.png")
    print(f"wrote {out}/RESULTS.md and examples.png")
    return 0


def examples(tx: np.ndarray, read: np.ndarray, path: Path, n: int = 6) -> None:
    import matplotlib.pyplot as plt
    from PIL import Image

    fig, axes = plt.subplots(3, n, figsize=(2 * n, 6))
    for k in range(n):
        axes[0, k].imshow(tx[k].reshape(28, 28), cmap="gray")
        axes[1, k].imshow(np.asarray(Image.open(io.BytesIO(photograph(tx[k], k)))))
        axes[2, k].imshow(read[k].reshape(28, 28), cmap="gray")
        for row in range(3):
            axes[row, k].axis("off")
    for row, title in enumerate(("the test digit", "photographed", "read back by load_image")):
        axes[row, 0].set_title(title, fontsize=9, loc="left")
    fig.tight_layout()
    save_figure(fig, path, dpi=90)


if __name__ == "__main__":
    sys.exit(run_script(main))
