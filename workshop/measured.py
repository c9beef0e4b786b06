"""docs/measured.md, made from the runs/ folders, so that its figures cannot drift.

Reads the newest run folder of each command below (runs/<name>, <name>-2, ...), writes
docs/measured.md (a row per figure, with the command that gives it; a command not run yet is
said so), and with --write also updates README.md: the tour's lines that quote runs and the
"Measured" headline (the book report's). With --run it first runs every command itself (about
two hours here: chapter 6's rows are most of it).

    python workshop/measured.py              # print what the runs say
    python workshop/measured.py --write      # ... and write docs/measured.md, README.md
    python workshop/measured.py --run --write
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))  # helpers/ (run folders, options) and the chapter scripts
from helpers import book_reference  # noqa: E402
from helpers.runlog import PROJECT_ROOT, make_parser, run_script, save_text

PY = ".venv/bin/python"
COMMANDS = {  # run folder name -> the command (run from the project root)
    "chapter1": "experiments/chapter1.py",
    "benchmark": "workshop/benchmark_matrix.py --threads 2 1",
    "numerical_vs_backprop": "experiments/numerical_vs_backprop.py",
    "two_layer_net": "experiments/train_two_layer_net.py",
    "two_layer_100": "experiments/train_two_layer_net.py --hidden 100 --lr 0.5 --name two_layer_100",
    "overfitting": "experiments/chapter3.py --train-size 1000 --epochs 400 --cost cross-entropy --eta 0.5 "
                   "--name overfitting",
    "book": "workshop/book.py --chapter 1 2 3 5",
    "chapter5": "experiments/chapter5.py",
    "best_in_two_minutes": "experiments/chapter3.py --sizes 784 400 10 --activation relu --cost log-likelihood "
                           "--init scaled --dtype float32 --mini-batch-size 20 --eta 0.05 --lmbda 5 --lr-schedule-n 4 "
                           "--epochs 1000 --max-seconds 120 --name best_in_two_minutes",
    "hostile_files": "tests/hostile_files.py --big --fuzz 20000",
    "benchmark_conv": "workshop/benchmark_conv.py --threads 2 1",
    "benchmark_books": "workshop/benchmark_books.py --epochs 3 --train-size 20000 --repeats 3",
    "chapter6": "experiments/chapter6.py",
    "photographed": "workshop/photographed_digits.py runs/chapter1/network.json runs/overfitting/network.json "
                    "runs/chapter6/6.6/network.json",
}
CHAPTER6 = list(book_reference.CHAPTER6.items())          # (id, the book's test accuracy in %)


def newest(runs: Path, name: str) -> Path | None:
    """The newest run folder of ``name``: runs/name, runs/name-2, ... by modification time, or None."""
    found = [p for p in runs.glob(f"{name}*") if p.is_dir() and re.fullmatch(rf"{re.escape(name)}(-\d+)?", p.name)]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def table(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def cmd(name: str) -> str:
    return f"`{PY} {COMMANDS[name]}`"


def pct(v: float) -> str:
    return f"{100 * v:.2f}%"


def chapter6_results(runs: Path) -> dict[str, dict]:
    """Every chapter-6 id's newest full result (the runs of chapter6.py under any --name)."""
    found: dict[str, dict] = {}
    for path in sorted(runs.glob("*/results.json"), key=lambda p: p.stat().st_mtime):
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or "rows" not in data or data.get("epochs") or data.get("train_size"):
            continue
        for row in data["rows"]:
            found[row["id"]] = dict(row, folder=path.parent.name)
        for run in data.get("runs", []):
            found.setdefault(run["id"], dict(run, folder=path.parent.name))
    return found


def figures(runs: Path) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """The table's rows (what, figure, command) and the README's lines, from the runs that exist."""
    rows: list[tuple[str, str, str]] = []
    out: dict[str, str] = {}

    def section(name: str, make) -> None:
        folder = newest(runs, name)
        if folder is None:
            rows.append((name, "not run yet", cmd(name)))
            return
        try:
            make(folder)
        except (OSError, KeyError, ValueError, IndexError) as exc:
            rows.append((name, f"cannot be read from {folder.name} ({type(exc).__name__}: {exc})", cmd(name)))

    def chapter1(d: Path) -> None:
        c1 = table(d / "metrics.csv")
        test, secs = [float(r["test_accuracy"]) for r in c1], [float(r["seconds"]) for r in c1]
        rows.append(("`Network([784, 30, 10])`, 30 epochs, mini-batch 10, eta 3.0",
                     f"{pct(test[-1])} final test accuracy ({pct(max(test))} best); {statistics.median(secs):.2f} s "
                     f"per epoch (median)", cmd("chapter1")))
        out["tour"] = f"Epoch 0: {round(test[0] * 10000)} / 10000  ({secs[0]:.2f} s, about {(len(secs) - 1) * secs[0]:.0f} s left)"

    def benchmark(d: Path) -> None:
        bench = {(int(r["threads"]), int(r["mini_batch"]), r["dtype"]): r for r in table(d / "benchmark.csv")}

        def rate(t, m, dt, who="MatrixNetwork"):
            return float(bench[t, m, dt][f"{who} samples/s"])

        def vs(t, m, dt, who):
            return rate(t, m, dt) / rate(t, m, dt, who)

        rows.append(("MatrixNetwork / PyTorch CPU, samples per second, 2 threads, mini-batch 10 / 100 / 1000 (float64)",
                     " / ".join(f"{vs(2, m, 'float64', 'PyTorch'):.1f}x" for m in (10, 100, 1000))
                     + f" ({rate(2, 10, 'float64'):,.0f} vs {rate(2, 10, 'float64', 'PyTorch'):,.0f} at 10)", cmd("benchmark")))
        rows.append(("the same in float32", " / ".join(f"{vs(2, m, 'float32', 'PyTorch'):.1f}x" for m in (10, 100, 1000)),
                     "same"))
        rows.append(("MatrixNetwork / a plain 15-line numpy loop, 2 threads, mini-batch 10 / 100 / 1000 (float64)",
                     " / ".join(f"{vs(2, m, 'float64', 'plain numpy'):.2f}x" for m in (10, 100, 1000)), "same"))
        rows.append(("MatrixNetwork / the per-sample Network, mini-batch 10 / 1000 (float64)",
                     f"{vs(2, 10, 'float64', 'Network'):.1f}x / {vs(2, 1000, 'float64', 'Network'):.1f}x", "same"))
        r = bench[2, 1000, "float32"]
        rows.append(("mini-batch 1000, float32, 2 threads: epoch / its GEMM roofline",
                     f"{float(r['epoch_seconds']) / float(r['roofline_seconds']):.2f}x", "same"))

    def numerical(d: Path) -> None:
        nb = json.loads((d / "numerical_vs_backprop.json").read_text())
        rows.append(("numerical gradient vs backprop, TwoLayerNet(784, 50, 10), 100 images",
                     f"{nb['numerical_seconds']:.1f} s (the book's way), {nb['fast_numerical_seconds']:.1f} s (fast, same "
                     f"loss values) vs {1e3 * nb['backprop_seconds']:.2f} ms: {nb['ratio']:,.0f}x", cmd("numerical_vs_backprop")))

    def two_layer(d: Path) -> None:
        rows.append((f"TwoLayerNet, {COMMANDS[d.name.split('-')[0]].partition('.py')[2].strip() or 'lr 0.1, 50 hidden'}",
                     f"{pct(float(table(d / 'metrics.csv')[-1]['test_accuracy']))} test accuracy after 10,000 iterations",
                     cmd(d.name.split("-")[0])))

    def overfitting(d: Path) -> None:
        of = table(d / "metrics.csv")
        costs = [float(x["evaluation_cost"]) for x in of]
        rows.append(("chapter 3's overfitting run: [784, 30, 10], cross-entropy, 1,000 training images, 400 epochs",
                     f"training accuracy {pct(float(of[-1]['training_accuracy']))}, test {pct(float(of[-1]['test_accuracy']))};"
                     f" evaluation cost lowest at epoch {costs.index(min(costs))}", cmd("overfitting")))

    def book(d: Path) -> None:
        head = json.loads((d / "headline.json").read_text())
        rows.append(("the book, number by number: chapters 1, 2, 3 and 5 (every id of the book's reference)",
                     f"{head['headline']} (`runs/{d.name}/BOOK.md`)", cmd("book")))
        out["headline"] = head["headline"]

    def chapter5(d: Path) -> None:
        speeds: dict = {}
        for x in table(d / "initial_speeds.csv"):
            speeds.setdefault((int(x["hidden_layers"]), int(x["layer"])), []).append(float(x["speed"]))
        four = [statistics.mean(speeds[4, layer]) for layer in range(1, 5)]
        rows.append((f"chapter 5, speeds of learning at initialisation, [784, 30, 30, 30, 30, 10], {len(speeds[4, 1])} "
                     "seeds: hidden layers 1-4", " / ".join(f"{v:.3f}" for v in four) + " (book "
                     + " / ".join(f"{v:.3f}" for v in book_reference.book("5.7", "speeds")) + ")",
                     cmd("chapter5")))

    def best_in_two_minutes(d: Path) -> None:
        best = json.loads((d / "summary.json").read_text())
        rows.append(("our best in 2 minutes of training (relu [784, 400, 10], chosen on validation)",
                     f"{pct(best['test_at_best_validation'])} test accuracy at the best validation epoch "
                     f"({best['training_seconds']:.0f} s)", cmd("best_in_two_minutes")))

    def hostile(d: Path) -> None:
        text = (d / "RESULTS.md").read_text()
        data = json.loads((d / "results.json").read_text())
        ok = [c for c in data["cases"] if c["ok"]]
        fuzz = re.search(r"(\d+) of (\d+) end in a correct load or a named error", text)
        rows.append((f"hostile files (gzip and pickle bombs, forged arrays, padded IDX, hostile network files, a PNG "
                     f"bomb), each loaded under {data['limit_mb']} MiB", f"{len(ok)} of {len(data['cases'])} end as they "
                     f"should; peak memory {max(c['peak_mb'] for c in ok):.0f} MB at most"
                     + (f"; seeded mutations of valid files: {fuzz.group(1)} of {fuzz.group(2)} load or end in a named error"
                        if fuzz else ""), cmd("hostile_files")))

    def benchmark_conv(d: Path) -> None:
        conv = [x for x in table(d / "benchmark.csv") if x.get("ours_samples_per_s")]
        for k, x in enumerate(conv):
            ratio = f"{float(x['ratio']):.2f}x PyTorch ({float(x['torch_samples_per_s']):,.0f})" if x.get("ratio") else "no PyTorch"
            rows.append((f"ConvNetwork, 6.5's network, float32, {x['threads']} thread(s), mini-batch {x['mini_batch']}",
                         f"{float(x['ours_samples_per_s']):,.0f} samples/s ({x.get('how', '')}): {ratio}; "
                         f"{float(x['ours_epoch_s']) / float(x['roofline_epoch_s']):.1f}x its GEMM roofline",
                         cmd("benchmark_conv") if k == 0 else "same"))

    def books(d: Path) -> None:
        r = json.loads((d / "results.json").read_text())
        for face, engine, what in (("network2", "MatrixNetwork float64", "[784, 30, 10], mini-batch 10, eta 0.5"),
                                   ("network3", "ConvNetwork", "conv-pool 20 + FC 100 + softmax, mini-batch 10")):
            if face in r:
                x = r[face]
                rows.append((f"the book's {face}.py face / {engine}, {what}, {r['args']['epochs']} epoch(s)",
                             f"{x['ratio']:.2f}x ({x['face']:.2f} s / {x['engine']:.2f} s; target at most {x['target']}x)",
                             cmd("benchmark_books")))

    def photographed(d: Path) -> None:
        for line in (d / "RESULTS.md").read_text().splitlines():
            m = re.match(r"\| (\w+)\(.*\| `(.*)` \| ([\d.]+%) \| ([\d.]+%) \| (-?[\d.]+ pt) \|", line)
            if m:
                rows.append((f"{m.group(1)} from {m.group(2)}: the test digits as they are, and photographed "
                             "(JPEG, dark on light, off-centre, rotated, blurred) read back by load_image",
                             f"{m.group(3)} and {m.group(4)} ({m.group(5)} lost)", cmd("photographed")))

    for name, make in (("chapter1", chapter1), ("benchmark", benchmark), ("numerical_vs_backprop", numerical),
                       ("two_layer_net", two_layer), ("two_layer_100", two_layer), ("overfitting", overfitting),
                       ("book", book), ("chapter5", chapter5), ("best_in_two_minutes", best_in_two_minutes),
                       ("hostile_files", hostile), ("benchmark_conv", benchmark_conv), ("benchmark_books", books),
                       ("photographed", photographed)):
        section(name, make)
    six = chapter6_results(runs)
    cells = [f"{rid} {pct(six[rid]['ours'] / 100 if 'ours' in six[rid] else six[rid]['test_at_best_validation'])} "
             f"(book {book:.2f}%)" for rid, book in CHAPTER6 if rid in six]
    rows.append(("chapter 6, test accuracy at the best validation epoch, one run per id",
                 "; ".join(cells + ([f"not run: {', '.join(r for r, _ in CHAPTER6 if r not in six)}"]
                                    if len(cells) < len(CHAPTER6) else [])), cmd("chapter6") + " `--rows ID ...`"))
    if six:
        table6 = ["| id | book | ours: test accuracy at the best validation epoch | training time | run |",
                  "|---|---|---|---|---|"]
        for rid in [r for r, _ in CHAPTER6]:                   # the problems' rows: docs/measured.md, RESULTS.md
            if rid in six:
                ours = six[rid]["ours"] / 100 if "ours" in six[rid] else six[rid]["test_at_best_validation"]
                book = dict(CHAPTER6).get(rid)
                hours = six[rid].get("training_seconds", float("nan")) / 3600
                table6.append(f"| {rid} | {f'{book:.2f}%' if book else '- (a problem)'} | {pct(ours)} | "
                              f"{hours:.1f} h | `runs/{six[rid]['folder']}` |")
        missing = [r for r, _ in CHAPTER6 if r not in six]
        if missing:
            table6 += ["", f"Not run here yet: {', '.join(missing)} (`--list` gives each one's time)."]
        out["chapter6"] = "\n".join(table6)
    if "6.5" in six and "dir" in six["6.5"]:
        r = table(Path(six["6.5"]["dir"]) / "metrics.csv")[0]
        t = float(r["seconds"])
        out["tour6"] = (f"Epoch 0: validation accuracy {pct(float(r['validation_accuracy']))}  ({t:.2f} s, about "
                        f"{59 * t:.0f} s left)\nThis is the best validation accuracy to date.\n"
                        f"The corresponding test accuracy is {pct(float(r['test_accuracy']))}")
    return rows, out


def document(rows: list[tuple[str, str, str]]) -> str:
    import numpy as np

    return "\n".join([
        "# Measured on this machine", "",
        f"2 cores, Python {platform.python_version()}, numpy {np.__version__}. Written by "
        f"`{PY} workshop/measured.py --write` from the newest run of each command, so each figure is what "
        "that command printed. This is a shared machine: the same command varies by up to 40% from run to run (a "
        "benchmark's ratios less than its samples per second). Re-run a command to measure yours.", "",
        "| what | figure | command |", "|---|---|---|", *[f"| {a} | {b} | {c} |" for a, b, c in rows], ""])


def write_readme(readme: Path, out: dict[str, str]) -> None:
    text = readme.read_text()
    if "tour" in out:
        text = re.sub(r"^Epoch 0: \d+ / 10000  \(.*\)$", out["tour"], text, count=1, flags=re.M)
    if "tour6" in out:
        text = re.sub(r"^Epoch 0: validation accuracy .*\n.*\nThe corresponding test accuracy is .*$",
                      lambda _: out["tour6"], text, count=1, flags=re.M)
    if "chapter6" in out:
        text = re.sub(r"(<!-- chapter6:start -->\n).*?(<!-- chapter6:end -->)", lambda m: m.group(1) + out["chapter6"]
                      + "\n" + m.group(2), text, count=1, flags=re.S)
    if "headline" in out:
        text = re.sub(r"^The book, checked: .*$", f"The book, checked: {out['headline']}.", text, count=1, flags=re.M)
    save_text(readme, text)


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--runs-dir", default="runs", help="the runs folder the commands wrote into")
    p.add_argument("--run", action="store_true", help="run every command first")
    p.add_argument("--write", action="store_true", help="write docs/measured.md and update README.md")
    args = p.parse_args(argv)
    if args.run:
        for name, command in COMMANDS.items():
            print(f"running {PY} {command}", flush=True)
            subprocess.run([PY, *command.split()], cwd=PROJECT_ROOT, check=True)
    rows, out = figures(Path(args.runs_dir))
    doc = document(rows)
    print(doc)
    if args.write:
        save_text(PROJECT_ROOT / "docs" / "measured.md", doc)
        write_readme(PROJECT_ROOT / "README.md", out)
        print("wrote docs/measured.md and updated README.md")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
