"""The README's measured figures, made from the runs/ folders, so that they cannot drift.

Reads the newest run folder of each command below (runs/<name>, <name>-2, ...), prints the
"Measured on this machine" section, and with --write puts it into README.md between the
`figures:start` and `figures:end` markers, together with the tour's `Epoch 0` line. With --run
it first runs every command itself (about 2 hours here: chapter 6's table is most of it).

    python experiments/readme_figures.py              # print what the runs say
    python experiments/readme_figures.py --write      # ... and update README.md
    python experiments/readme_figures.py --run --write
"""
from __future__ import annotations

import csv
import json
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

from helpers.runlog import PROJECT_ROOT, make_parser, run_script

PY = ".venv/bin/python"
COMMANDS = {  # run folder name -> the README's command (run from the project root)
    "benchmark": "experiments/benchmark_matrix.py --threads 2 1",
    "chapter1": "experiments/chapter1.py",
    "numerical_vs_backprop": "experiments/numerical_vs_backprop.py",
    "two_layer_net": "experiments/train_two_layer_net.py",
    "two_layer_100": "experiments/train_two_layer_net.py --hidden 100 --lr 0.5 --name two_layer_100",
    "overfitting": "experiments/chapter3.py --train-size 1000 --epochs 400 --cost cross-entropy --eta 0.5 "
                   "--name overfitting",
    "chapter5": "experiments/chapter5.py",
    "best_effort": "experiments/best_effort.py",
    "book_table": "experiments/book_table.py --seeds 5 --rows 1 2 3 4 5",
    "depth_table": "experiments/book_table.py --rows 6 7 8 9 --name depth_table",
    "hostile_files": "experiments/hostile_files.py --big",
    "benchmark_conv": "experiments/benchmark_conv.py",
    "chapter6": "experiments/chapter6.py",
}
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
BOOK6 = [97.80, 98.78, 99.06, 99.23, 99.37, 99.60, 99.67]  # chapter 6's table, rows 1-7


def newest(runs: Path, name: str) -> Path:
    """The newest run folder of ``name``: runs/name, runs/name-2, ... by modification time."""
    found = [p for p in runs.glob(f"{name}*") if p.is_dir() and re.fullmatch(rf"{re.escape(name)}(-\d+)?", p.name)]
    if not found:
        raise FileNotFoundError(f"no run folder {runs / name}: run `{PY} {COMMANDS[name]}` first (or use --run)")
    return max(found, key=lambda p: p.stat().st_mtime)


def table(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def cmd(name: str) -> str:
    return f"`{PY} {COMMANDS[name]}`"


def pct(v: float) -> str:
    return f"{100 * v:.2f}%"


def figures(runs: Path) -> dict[str, str]:
    """The rows of the table, the paragraphs that quote the benchmark, and the tour's line."""
    rows, out = [], {}
    c1 = table(newest(runs, "chapter1") / "metrics.csv")
    test = [float(r["test_accuracy"]) for r in c1]
    secs = [float(r["seconds"]) for r in c1]
    rows.append(("`Network([784, 30, 10])`, 30 epochs, mini-batch 10, eta 3.0",
                 f"{pct(test[-1])} final test accuracy ({pct(max(test))} best); {statistics.median(secs):.2f} s per "
                 f"epoch (median)", cmd("chapter1")))
    out["tour"] = (f"Epoch 0: {round(test[0] * 10000)} / 10000  ({secs[0]:.2f} s, "   # as print_epoch words it
                   f"about {(len(secs) - 1) * secs[0]:.0f} s left)")

    bdir = newest(runs, "benchmark")
    bench = {(int(r["threads"]), int(r["mini_batch"]), r["dtype"]): r for r in table(bdir / "benchmark.csv")}

    def rate(t, m, d, who="MatrixNetwork"):
        return float(bench[t, m, d][f"{who} samples/s"])

    def vs(t, m, d, who):
        return rate(t, m, d) / rate(t, m, d, who)

    rows.append(("MatrixNetwork / PyTorch CPU, samples per second, 2 threads, mini-batch 10 (float64 / float32)",
                 f"{vs(2, 10, 'float64', 'PyTorch'):.1f}x / {vs(2, 10, 'float32', 'PyTorch'):.1f}x "
                 f"({rate(2, 10, 'float64'):,.0f} vs {rate(2, 10, 'float64', 'PyTorch'):,.0f}; "
                 f"{rate(2, 10, 'float32'):,.0f} vs {rate(2, 10, 'float32', 'PyTorch'):,.0f})", cmd("benchmark")))
    for d in ("float64", "float32"):
        rows.append((f"the same, mini-batch 100 / 1000 ({d})",
                     f"{vs(2, 100, d, 'PyTorch'):.1f}x / {vs(2, 1000, d, 'PyTorch'):.1f}x", "same"))
    rows.append(("MatrixNetwork / a plain 15-line numpy loop, 2 threads, mini-batch 10 / 100 / 1000 (float64)",
                 " / ".join(f"{vs(2, m, 'float64', 'plain numpy'):.2f}x" for m in (10, 100, 1000)), "same"))
    rows.append(("MatrixNetwork / the per-sample Network, mini-batch 10 / 1000 (float64)",
                 f"{vs(2, 10, 'float64', 'Network'):.1f}x / {vs(2, 1000, 'float64', 'Network'):.1f}x", "same"))
    r = bench[2, 1000, "float32"]
    e, roof = float(r["epoch_seconds"]), float(r["roofline_seconds"])
    rows.append(("mini-batch 1000, float32, 2 threads: epoch / its GEMM roofline",
                 f"{e / roof:.2f}x ({e:.3f} s vs {roof:.3f} s)", "same"))
    out["threads"] = (
        "MatrixNetwork with two threads against one, in float64: "
        + ", ".join(f"mini-batch {m} {rate(2, m, 'float64'):,.0f} vs {rate(1, m, 'float64'):,.0f} samples/s"
                    for m in (10, 100, 1000))
        + "; in float32: " + ", ".join(f"{rate(2, m, 'float32'):,.0f} vs {rate(1, m, 'float32'):,.0f}"
                                       for m in (10, 100, 1000)))
    br = {(int(x["threads"]), int(x["mini_batch"]), x["dtype"]): x for x in table(bdir / "breakdown.csv")}
    b10, b1000 = br[2, 10, "float64"], br[2, 1000, "float32"]
    f = {k: float(v) for k, v in b10.items() if k not in ("dtype",)}
    g = {k: float(v) for k, v in b1000.items() if k not in ("dtype",)}
    out["time"] = (
        f"Where MatrixNetwork's time goes (the same run, 2 threads, seconds per epoch of 50,000 images): at "
        f"mini-batch 10, float64, {f['epoch']:.3f} s = {f['gathers']:.3f} gathering the mini-batches + "
        f"{f['products']:.3f} in the five matrix products of the step + {f['rest']:.3f} in the other numpy calls and "
        f"Python lines; the same step on a [2, 2, 2] network, where there is almost nothing to compute, takes "
        f"{f['call_floor']:.3f} s: at mini-batch 10 most of the epoch is the cost of calling numpy at all, and a plain "
        f"15-line numpy loop is no faster ({rate(2, 10, 'float64', 'plain numpy'):,.0f} samples/s against "
        f"{rate(2, 10, 'float64'):,.0f}). At mini-batch 1000, float32, {g['epoch']:.3f} s = {g['gathers']:.3f} "
        f"gathering + {g['products']:.3f} in the products + {g['rest']:.3f} else: the products alone run at "
        f"{g['product_rate'] / 1e9:.0f} GFLOP/s, well below one large square product, because one side is only 30 "
        f"wide (784 x 1000 by 1000 x 30), so they alone take {g['products'] / roof:.1f}x the roofline.")

    nb = json.loads((newest(runs, "numerical_vs_backprop") / "numerical_vs_backprop.json").read_text())
    rows.append(("numerical gradient vs backprop, TwoLayerNet(784, 50, 10), 100 images",
                 f"{nb['numerical_seconds']:.1f} s (the book's way), {nb['fast_numerical_seconds']:.1f} s (fast, same "
                 f"loss values) vs {1e3 * nb['backprop_seconds']:.2f} ms: {nb['ratio']:,.0f}x",
                 cmd("numerical_vs_backprop")))
    two = [float(table(newest(runs, n) / "metrics.csv")[-1]["test_accuracy"]) for n in ("two_layer_net", "two_layer_100")]
    rows.append(("TwoLayerNet (784, 50, 10), lr 0.1 / (784, 100, 10), lr 0.5, 10,000 iterations",
                 f"{pct(two[0])} / {pct(two[1])} test accuracy",
                 f"{cmd('two_layer_net')}, `{PY} {COMMANDS['two_layer_100']}`"))
    of = table(newest(runs, "overfitting") / "metrics.csv")
    costs = [float(x["evaluation_cost"]) for x in of]
    rows.append(("the book's overfitting run: [784, 30, 10], cross-entropy, 1,000 training images, 400 epochs",
                 f"training accuracy {pct(float(of[-1]['training_accuracy']))}, test {pct(float(of[-1]['test_accuracy']))}; "
                 f"evaluation cost lowest at epoch {costs.index(min(costs))}, rising after (`cost.png`)",
                 cmd("overfitting")))
    bdir = newest(runs, "book_table")
    book = json.loads((bdir / "results.json").read_text())
    stuck = {x["row"]: sum(float(table(run / "metrics.csv")[-1]["test_accuracy"]) < 0.90
                           for run in bdir.glob(f"row{x['row']}-seed*")) for x in book}
    stuck_text = "; ".join(f"row {r}: {n} of {len(book[0]['as_the_book'])} seeds end below 90%" for r, n in stuck.items() if n)
    rows.append((f"the book's table, rows 1-5, {len(book[0]['as_the_book'])} seeds, peak test accuracy, median",
                 " / ".join(f"{statistics.median(x['as_the_book']) * 100:.2f}% (book {x['book']:.2f}%)" for x in book)
                 + (f" ({stuck_text}: the chapter-1 N(0, 1) start saturates, see `runs/{bdir.name}/RESULTS.md`)"
                    if stuck_text else ""),
                 cmd("book_table")))
    speeds = {}
    for x in table(newest(runs, "chapter5") / "initial_speeds.csv"):
        speeds.setdefault((int(x["hidden_layers"]), int(x["layer"])), []).append(float(x["speed"]))
    four = [statistics.mean(speeds[4, layer]) for layer in range(1, 5)]
    ratios = [four[k + 1] / four[k] for k in range(3)]
    rows.append((f"chapter 5, speed of learning at initialisation, [784, 30, 30, 30, 30, 10], sigmoid, "
                 f"{len(speeds[4, 1])} seeds: hidden layers 1-4",
                 " / ".join(f"{v:.3f}" for v in four) + " (book 0.003 / 0.017 / 0.070 / 0.285); each layer "
                 f"{min(ratios):.1f}-{max(ratios):.1f}x slower than the next (book 4.1-5.7x)", cmd("chapter5")))
    depth = json.loads((newest(runs, "depth_table") / "results.json").read_text())
    rows.append((f"chapter 5's depth table, peak validation accuracy, median of {len(depth[0]['as_the_book'])} seeds: "
                 "1 / 2 / 3 / 4 hidden layers of 30",
                 " / ".join(f"{statistics.median(x['as_the_book']) * 100:.2f}%" for x in depth)
                 + " (book " + " / ".join(f"{x['book']:.2f}%" for x in depth) + ")", cmd("depth_table")))
    best = json.loads((newest(runs, "best_effort") / "summary.json").read_text())
    winner = max(best, key=lambda x: x["best_validation"])
    rows.append(("best effort in 2 minutes of training",
                 f"{pct(winner['test_at_best_validation'])} test accuracy at the best validation epoch "
                 f"({winner['training_seconds']:.0f} s of training; settings chosen on validation)", cmd("best_effort")))

    hostile = json.loads((newest(runs, "hostile_files") / "results.json").read_text())
    ok = [c for c in hostile["cases"] if c["ok"]]
    rows.append((f"hostile and broken files (gzip bombs of 1.5 GiB, forged arrays, 2 GiB of IDX padding, "
                 f"hostile network files), each loaded under a {hostile['limit_mb']} MiB memory limit",
                 f"{len(ok)} of {len(hostile['cases'])} end as they should (a named error, or loaded); peak memory "
                 f"{max(c['peak_mb'] for c in ok):.0f} MB at most", cmd("hostile_files")))
    conv = {(int(x["threads"]), int(x["mini_batch"])): x for x in table(newest(runs, "benchmark_conv") / "benchmark.csv")
            if x.get("ours_samples_per_s")}
    for (t, m), x in sorted(conv.items()):
        ratio = f"{float(x['ratio']):.2f}x PyTorch ({float(x['torch_samples_per_s']):,.0f} samples/s)" if x["ratio"] else "no PyTorch"
        rows.append((f"ConvNetwork, chapter 6's 99.23% network (two conv-pool layers, ReLU), float32, "
                     f"{t} thread{'s' if t > 1 else ''}, "
                     f"mini-batch {m}",
                     f"{float(x['ours_samples_per_s']):,.0f} samples/s, {float(x['ours_epoch_s']):.1f} s per epoch: {ratio}; "
                     f"{float(x['ours_epoch_s']) / float(x['roofline_epoch_s']):.1f}x its GEMM roofline",
                     cmd("benchmark_conv") if (t, m) == min(conv) else "same"))
    c6 = json.loads((newest(runs, "chapter6") / "results.json").read_text())
    c6 = sorted(c6, key=lambda x: x["row"])
    rows.append(("chapter 6's table, test accuracy at the best validation epoch, rows "
                 + ", ".join(str(x["row"] + 1) for x in c6),
                 " / ".join(f"{pct(x['test_at_best_validation'])} (book {BOOK6[x['row']]:.2f}%, {x['epochs']} epochs, "
                            f"{x['seconds_per_epoch']:.0f} s each)" for x in c6),
                 cmd("chapter6")))
    r4 = table(newest(runs, "chapter6") / "row4" / "metrics.csv")[0]     # the tour's network3-style session
    t = float(r4["seconds"])
    out["tour6"] = (f"Epoch 0: validation accuracy {pct(float(r4['validation_accuracy']))}  ({t:.1f} s, about "
                    f"{59 * t:.0f} s left)\nThis is the best validation accuracy to date.\n"
                    f"The corresponding test accuracy is {pct(float(r4['test_accuracy']))}")

    import mnist_loader
    import network
    (x, y), _, _ = mnist_loader.load_data()
    net = network.MatrixNetwork([784, 30, 30, 30, 10], seed=0, cost="cross-entropy", init="scaled")
    out["speeds"] = str([round(v, 4) for v in net.layer_speeds((x[:1000], y[:1000]))])
    out["table"] = "\n".join(["| what | figure | command |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows])
    return out


def section(f: dict[str, str]) -> str:
    import numpy as np

    return "\n".join([
        START,
        f"Python {platform.python_version()}, numpy {np.__version__}; made by "
        f"`{PY} experiments/readme_figures.py --write` from the newest run of each command. This is a shared "
        "machine: the same command varies by up to 40% from run to run (the benchmark's ratios less than its "
        "samples per second). Re-run a command to measure yours.", "",
        f["table"], "", f["time"], "", f"Threads: {f['threads']}.", END])


def write(readme: Path, f: dict[str, str]) -> None:
    text = readme.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{readme}: no {START} ... {END} block to replace")
    text = text[:text.index(START)] + section(f) + text[text.index(END) + len(END):]
    text = re.sub(r"^Epoch 0: \d+ / 10000  \(.*\)$", f["tour"], text, count=1, flags=re.M)
    text = re.sub(r"^\[[\d., ]+\]$", f["speeds"], text, count=1, flags=re.M)  # the chapter-5 REPL line
    if "tour6" in f:                                                           # the chapter-6 session
        text = re.sub(r"^Epoch 0: validation accuracy .*\n.*\nThe corresponding test accuracy is .*$",
                      lambda _: f["tour6"], text, count=1, flags=re.M)
    readme.write_text(text)


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--runs-dir", default="runs", help="the runs folder the commands wrote into")
    p.add_argument("--run", action="store_true", help="run every command first")
    p.add_argument("--write", action="store_true", help="update README.md")
    args = p.parse_args(argv)
    if args.run:
        for name, command in COMMANDS.items():
            print(f"running {PY} {command}", flush=True)
            subprocess.run([PY, *command.split()], cwd=PROJECT_ROOT, check=True)
    f = figures(Path(args.runs_dir))
    print(section(f))
    print(f["tour"])
    if args.write:
        write(PROJECT_ROOT / "README.md", f)
        print("updated README.md")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
