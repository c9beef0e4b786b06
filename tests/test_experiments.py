"""The experiment scripts run end to end (small settings) and write what they promise."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT, script_path

from network.atomic import SaveError


def run(script: str, *args: str, data=None) -> str:
    cmd = [sys.executable, str(script_path(script)), *args]
    if data is not None:
        cmd += ["--data", str(data)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("script", ["chapter1.py", "benchmark_matrix.py", "shopping.py", "numerical_vs_backprop.py",
                                    "train_two_layer_net.py", "chapter3.py", "book.py",
                                    "chapter5.py", "measured.py", "chapter6.py", "benchmark_conv.py", "benchmark_books.py",
                                    "hostile_files.py"])
def test_help(script):
    assert "usage:" in run(script, "--help")


def test_chapter1_main_job_logs_every_epoch(tmp_path, mnist_pkl):
    out = run("chapter1.py", "--epochs", "2", "--train-size", "5000", "--seed", "1", "--runs-dir", str(tmp_path),
              data=mnist_pkl)
    assert "Epoch 1: " in out
    metrics = rows(tmp_path / "chapter1" / "metrics.csv")
    assert [r["epoch"] for r in metrics] == ["0", "1"] and 0.5 < float(metrics[-1]["test_accuracy"]) <= 1
    config = json.loads((tmp_path / "chapter1" / "config.json").read_text())
    assert config["eta"] == 3.0 and config["network"] == "Network" and "numpy" in config["versions"]
    assert (tmp_path / "chapter1" / "accuracy.png").stat().st_size > 1000


def test_chapter3_logs_costs_and_accuracies(tmp_path, mnist_pkl):
    run("chapter3.py", "--epochs", "2", "--train-size", "2000", "--cost", "cross-entropy", "--eta", "0.5",
        "--lmbda", "1.0", "--runs-dir", str(tmp_path), "--name", "c3", data=mnist_pkl)
    metrics = rows(tmp_path / "c3" / "metrics.csv")
    assert len(metrics) == 2 and all(r["training_cost"] and r["evaluation_accuracy"] for r in metrics)
    assert {p.name for p in (tmp_path / "c3").iterdir()} >= {"cost.png", "accuracy.png", "network.json"}


def test_book_checks_ids_end_to_end_on_small_data(tmp_path, mnist_pkl):
    only = ("--only", "1.1", "1.9", "3.29", "3.31", "5.2", "5.5")
    out = run("book.py", *only, "--seeds", "8", "--train-size", "300", "--epochs", "3", "--jobs", "1",
              "--runs-dir", str(tmp_path), data=mnist_pkl)
    assert re.search(r"6 ids from 6 runs, \d+ jobs in 1 worker\(s\) of one BLAS thread: about \d+ CPU-minutes", out)
    assert "[1/" in out and "about" in out                      # progress while it runs
    book = (tmp_path / "book" / "BOOK.md").read_text()
    rows = {line.split(" | ")[0][2:]: line.split(" | ") for line in book.splitlines() if line.startswith("| ")}
    assert rows["1.1"][2] == "epochs 0, 1, 2: 9,129; 9,295; 9,348; epochs 27, 28, 29: 9,528; 9,542; 9,534"
    assert rows["1.1"][3] == "runs too short: epoch 27 not reached"                   # 3 epochs run
    assert rows["1.1"][5] == "not run: runs too short"
    assert rows["1.9"][3] == "2,221 / 10,000" and rows["1.9"][5] == "differs: -4 images"   # never 'explained'
    assert "- 1.9 (differs): ours sums each image's pixels in float64" in book
    assert rows["3.29"][3].startswith("10 in ")                        # run as the book ran it (warned), and judged
    assert rows["3.31"][5].partition(":")[0] in ("agrees", "differs")
    assert "- 3.29 (" in book and "is negative" in book
    assert rows["5.5"][5] == "agrees" and "%" in rows["5.2"][3] and "8 seeds" in rows["5.2"][3]
    assert "6.1" not in rows and "../" not in book              # --only: no chapter-6 rows; nothing outside the repo
    assert re.search(r"\*\*\d agree, \d differ, \d not run\*\*", book)                 # the headline: nothing else
    assert f"Command: `python workshop/book.py {' '.join(only)} --seeds 8 --train-size 300" in book
    results = json.loads((tmp_path / "book" / "results.json").read_text())
    assert {r["name"] for r in results["results"]} == {"1.1", "1.9", "3.29/10-1000", "3.29/100-20", "5.1/2", "5.5"}
    assert all(len(r["test"]) == 3 for r in results["results"] if r["name"] == "1.1")
    assert results["options"]["dtype"] == "float64"
    listed = run("book.py", "--list")
    assert re.search(r"^  3\.18 +about +\d+\.\d min  more data", listed, flags=re.M) and "problems" in listed
    assert re.search(r"^  6\.12 +about +\d+ min  chapter 6, read from chapter6.py's runs", listed, flags=re.M)
    (tmp_path / "book" / "BOOK.md").unlink()                   # --report: the same BOOK.md from results.json
    again = run("book.py", *only, "--runs-dir", str(tmp_path), "--report", str(tmp_path / "book"))
    assert (tmp_path / "book" / "BOOK.md").read_text() == book and "[1/" not in again
    run("book.py", *only, "--runs-dir", str(tmp_path), "--report", str(tmp_path / "book"), "--out", str(tmp_path / "docs"))
    assert (tmp_path / "docs" / "BOOK.md").read_text() == book
    bad = subprocess.run([sys.executable, str(script_path("book.py")), "--report", str(tmp_path)],
                         capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT)
    assert bad.returncode != 0 and f"cannot read {tmp_path / 'results.json'}" in bad.stderr


def test_benchmark_prints_ratios_and_saves(tmp_path, mnist_pkl):
    out = run("benchmark_matrix.py", "--quick", "--batch-sizes", "10", "100", "--network-samples", "200",
              "--repeats", "1", "--runs-dir", str(tmp_path), data=mnist_pkl)
    assert "GEMM rate" in out and "where MatrixNetwork's epoch" in out
    assert ("PyTorch is skipped" in out) != ("mini-batch 10 float64:" in out)  # targets need PyTorch
    table = rows(tmp_path / "benchmark" / "benchmark.csv")
    assert [(r["mini_batch"], r["dtype"]) for r in table] == [("10", "float64"), ("10", "float32"),
                                                              ("100", "float64"), ("100", "float32")]
    # the plain loop ran the same computation as MatrixNetwork: same weights after an epoch
    assert all(float(r["max_weight_difference_plain"]) < 1e-9 for r in table if r["dtype"] == "float64")
    assert all(float(r["MatrixNetwork samples/s"]) > 0 and float(r["Network samples/s"]) > 0   # measured (no timing
               for r in table if r["dtype"] == "float64")                                      # claims in tests)
    assert (tmp_path / "benchmark" / "benchmark.png").stat().st_size > 1000


def test_two_layer_net_training_and_shopping(tmp_path, mnist_pkl):
    out = run("train_two_layer_net.py", "--iterations", "600", "--train-set", "50000",
              "--runs-dir", str(tmp_path), data=mnist_pkl)
    assert "epoch  0 (iteration   500)" in out
    assert float(rows(tmp_path / "two_layer_net" / "metrics.csv")[-1]["test_accuracy"]) > 0.8
    assert "price: 715" in run("shopping.py")


def test_chapter5_draws_the_speeds_and_writes_the_table(tmp_path, mnist_pkl):
    out = run("chapter5.py", "--epochs", "3", "--seeds", "2", "--train-size", "100", "--runs-dir", str(tmp_path),
              data=mnist_pkl)
    assert "| [784, 30, 30, 10] | 1 | 0.0657 |" in out                 # the book's 5.5, helpers.book_reference
    table = rows(tmp_path / "chapter5" / "speeds.csv")
    assert len(table) == 3 * 3 * (2 + 3 + 4)          # activations x epochs x hidden layers of the 3 networks
    first = {(r["activation"], r["hidden_layers"], r["layer"]): float(r["speed"]) for r in table if r["epoch"] == "0"}
    # sigmoid: every earlier hidden layer slower than the next, at initialisation
    assert first["sigmoid", "4", "1"] < first["sigmoid", "4", "2"] < first["sigmoid", "4", "3"] < first["sigmoid", "4", "4"]
    for name in ("speed_sigmoid.png", "speed_tanh.png", "speed_relu.png", "initial_speeds.png"):
        assert (tmp_path / "chapter5" / name).stat().st_size > 1000


def test_chapter6_table_in_one_command(tmp_path, mnist_pkl):
    out = run("chapter6.py", "--rows", "6.1", "6.5", "--epochs", "2", "--train-size", "500", "--seeds", "1", "--jobs", "1",
              "--runs-dir", str(tmp_path), data=mnist_pkl)
    assert "[6.5] Epoch 1: validation accuracy" in out and "[6.1] Finished training network." in out
    assert re.search(r"6\.5 +the same with ReLU, relu, eta 0\.03, lambda 0\.1, 60 epochs: about \d+\.\d h", out)
    results = (tmp_path / "chapter6" / "RESULTS.md").read_text()
    assert "| 6.1 | FC 100 + softmax | sigmoid, eta 0.1, 60 epochs | 97.80% |" in results
    assert "| 6.5 | the same with ReLU | relu, eta 0.03, lambda 0.1, 60 epochs | 99.23% |" in results
    metrics = rows(tmp_path / "chapter6" / "6.5" / "metrics.csv")
    assert [r["epoch"] for r in metrics] == ["0", "1"] and float(metrics[-1]["validation_accuracy"]) > 0.2
    import network

    net = network.load(tmp_path / "chapter6" / "6.5" / "network.json")
    assert [type(l).__name__ for l in net.layers] == ["ConvPoolLayer", "ConvPoolLayer", "FullyConnectedLayer", "SoftmaxLayer"]


def test_conv_benchmark_prints_the_ratio_or_says_why_not(tmp_path, mnist_pkl):
    out = run("benchmark_conv.py", "--samples", "200", "--repeats", "1", "--batch-sizes", "10", "--threads", "1",
              "--runs-dir", str(tmp_path), data=mnist_pkl)
    assert "threads 1, mini-batch 10: ConvNetwork" in out and "epoch / roofline" in out
    assert ("ours / PyTorch = " in out) != ("PyTorch is not installed" in out)
    assert "matrix products alone" in out and (tmp_path / "benchmark_conv" / "benchmark.csv").is_file()


def test_a_second_run_of_the_same_name_never_overwrites_the_first(tmp_path, mnist_pkl):
    args = ("--epochs", "1", "--train-size", "1000", "--runs-dir", str(tmp_path))
    run("chapter1.py", *args, data=mnist_pkl)
    first = (tmp_path / "chapter1" / "metrics.csv").read_text()
    run("chapter1.py", *args, "--eta", "0.5", data=mnist_pkl)
    assert (tmp_path / "chapter1" / "metrics.csv").read_text() == first
    assert json.loads((tmp_path / "chapter1-2" / "config.json").read_text())["eta"] == 0.5
    result = subprocess.run([sys.executable, str(script_path("chapter1.py")), *args, "--eta", "0"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "'0' is not a finite number > 0" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chapter1", "chapter1-2"]   # nothing made for a bad run


def test_measured_figures_find_the_newest_runs_and_rewrite_only_their_lines(tmp_path):
    import os

    from measured import figures, newest, write_readme

    for name, age in (("chapter1", 30), ("chapter1-2", 10), ("chapter10", 0), ("chapter1-x", 0)):
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (1e9 - age, 1e9 - age))
    assert newest(tmp_path, "chapter1").name == "chapter1-2"       # not chapter10 nor chapter1-x
    assert newest(tmp_path, "chapter5") is None
    (tmp_path / "chapter1-2" / "metrics.csv").write_text("epoch,test_accuracy,seconds\n0,0.9065,4.21\n1,0.93,4.0\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "headline.json").write_text(json.dumps(dict(headline="40 of 45 ids agree")))
    (tmp_path / "chapter6-b").mkdir()
    (tmp_path / "chapter6-b" / "results.json").write_text(json.dumps(dict(
        rows=[dict(id="6.6", ours=99.45, test_at_best_validation=0.9945, training_seconds=5400)],
        runs=[dict(id="6.6", seed=0, test_at_best_validation=0.9945), dict(id="P6.3", seed=0, test_at_best_validation=0.99,
                                                                          training_seconds=720)],
        epochs=None, train_size=None)))
    rows, out = figures(tmp_path)
    by_what = {what: (figure, command) for what, figure, command in rows}
    assert by_what["chapter 6, test accuracy at the best validation epoch, one run per id"][0] == (
        "6.6 99.45% (book 99.37%); not run: 6.1, 6.3, 6.4, 6.5, 6.7, 6.8, 6.9, 6.10, 6.11, 6.12, 6.14")
    assert by_what["chapter5"] == ("not run yet", "`.venv/bin/python experiments/chapter5.py`")
    assert by_what["`Network([784, 30, 10])`, 30 epochs, mini-batch 10, eta 3.0"][0].startswith("93.00% final test accuracy")
    assert "40 of 45 ids agree (`runs/book/BOOK.md`)" in [f for f, _ in by_what.values()]
    readme = tmp_path / "README.md"
    readme.write_text("intro\n```\nEpoch 0: 1 / 10000  (9.00 s)\n```\nThe book, checked: old.\n"
                      "<!-- chapter6:start -->\nold table\n<!-- chapter6:end -->\nafter\n")
    write_readme(readme, out)
    assert readme.read_text() == (
        "intro\n```\nEpoch 0: 9065 / 10000  (4.21 s, about 4 s left)\n```\nThe book, checked: 40 of 45 ids agree.\n"
        "<!-- chapter6:start -->\n| id | book | ours: test accuracy at the best validation epoch | training time | run |\n"
        "|---|---|---|---|---|\n| 6.6 | 99.37% | 99.45% | 1.5 h | `runs/chapter6-b` |\n"
        "\n"
        "Not run here yet: 6.1, 6.3, 6.4, 6.5, 6.7, 6.8, 6.9, 6.10, 6.11, 6.12, 6.14 (`--list` gives each one's time).\n"
        "<!-- chapter6:end -->\nafter\n")


def test_a_diverged_run_or_failed_save_ends_a_script_with_one_line(capsys):
    from helpers.runlog import run_script

    def diverged():
        raise FloatingPointError("training diverged in epoch 2: weights[0] are no longer finite numbers")

    def unsaved():
        raise SaveError("cannot write runs/x/network.json: No space left on device")

    assert run_script(diverged) == 1
    assert capsys.readouterr().err == "error: training diverged in epoch 2: weights[0] are no longer finite numbers\n"
    assert run_script(unsaved) == 1
    assert capsys.readouterr().err == "error: cannot write runs/x/network.json: No space left on device\n"


@pytest.mark.parametrize("script, args, message", [
    ("chapter1.py", ["--train-size", "0"], "'0' is not an integer from 1 to 50000"),
    ("chapter1.py", ["--train-size", "-5"], "'-5' is not an integer from 1 to 50000"),
    ("chapter3.py", ["--train-size", "50001"], "'50001' is not an integer from 1 to 50000"),
    ("chapter3.py", ["--epochs", "0"], "'0' is not an integer >= 1"),
    ("book.py", ["--only", "1.5"], "unknown id(s) 1.5; `--list` shows every id"),
    ("book.py", ["--chapter", "4"], "invalid choice: 4"),
    ("book.py", ["--seeds", "0"], "'0' is not an integer >= 1"),
    ("book.py", ["--out", "docs/book"], "--out goes with --report RUN"),
    ("train_two_layer_net.py", ["--lr", "nan"], "'nan' is not a finite number > 0"),
    ("chapter3.py", ["--max-seconds", "abc"], "'abc' is not a finite number > 0"),
    ("chapter6.py", ["--rows", "8"], "invalid choice: '8'"),
    ("chapter3.py", ["--sizes", "100", "10"], "--sizes 100 10: a network for MNIST has 784 inputs and 10 outputs"),
    ("chapter3.py", ["--eta", "3", "--lmbda", "50000"], "the L2 decay factor 1 - eta lmbda / n would be -2"),
    ("chapter1.py", ["--name", "../escape"], "'../escape' is not a folder name"),
    ("chapter1.py", ["--name", ""], "'' is not a folder name"),
    ("chapter1.py", ["--name", "x" * 300], "is not a folder name (1 to 100 characters"),
    ("chapter1.py", ["--runs-dir", "/proc/self/runs"], "cannot make run folders there (/proc/self: "),
    ("inspect_network.py", ["missing.json"], "missing.json is not a file"),
    ("photographed_digits.py", ["missing.json"], "missing.json is not a file"),
    ("draw.py", ["missing.json"], "missing.json is not a file"),
])
def test_bad_script_arguments_are_refused_before_anything_is_made(script, args, message, tmp_path):
    runs = [] if "--runs-dir" in args else ["--runs-dir", str(tmp_path / "runs")]
    result = subprocess.run([sys.executable, str(script_path(script)), *args, *runs],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "runs").exists()


def test_a_runs_dir_that_is_a_file_is_refused_before_anything_is_loaded(tmp_path):
    (tmp_path / "file").write_text("")
    result = subprocess.run([sys.executable, str(script_path("chapter1.py")), "--runs-dir",
                             str(tmp_path / "file")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and f"{tmp_path / 'file'} is a file, not a folder" in result.stderr


def _claim(args):
    barrier, runs, k = args
    from helpers.runlog import new_run_dir
    barrier.wait()
    return str(new_run_dir(runs, "same"))


def test_two_runs_started_at_once_never_share_a_folder(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for round_ in range(10):
        runs = tmp_path / str(round_)
        with context.Manager() as manager:
            barrier = manager.Barrier(2)
            with context.Pool(2) as pool:
                folders = pool.map(_claim, [(barrier, runs, 0), (barrier, runs, 1)])
        assert len(set(folders)) == 2, folders


def test_a_full_disk_leaves_no_half_written_config(tmp_path, monkeypatch):
    import errno
    import os

    from helpers.runlog import RunLog

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SaveError, match=r"cannot start a run in .*run: cannot write .*config.json: No space left"):
        RunLog(tmp_path, "run", {"a": 1}, ["epoch"])
    assert list(tmp_path.iterdir()) == []          # no config.json at 0 bytes, no temp, no empty run folder


def test_a_diverging_two_layer_net_ends_with_the_divergence_error(tmp_path, mnist_pkl):
    result = subprocess.run([sys.executable, str(script_path("train_two_layer_net.py")), "--lr", "1e300",
                             "--iterations", "20", "--runs-dir", str(tmp_path), "--data", str(mnist_pkl)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: training diverged in iteration ")


def test_learning_curve_fit_recovers_a_known_power_law():
    """P3.15: error(n) = e_inf + b n^-c through exact points gives back e_inf, b and c; the
    bootstrap of exact points has no spread; with noise the asymptote lies inside its band."""
    import numpy as np
    import learning_curves as lc

    sizes = np.array([100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000], float)
    exact = 1 - (0.03 + 2.0 * sizes ** -0.5)
    model = lc.fit(sizes, exact)
    assert model["e_inf"] == pytest.approx(0.03, abs=1e-9)
    assert model["b"] == pytest.approx(2.0, rel=1e-6) and model["c"] == pytest.approx(0.5, abs=1e-9)
    assert lc.predict(model, 1e6) == pytest.approx(1 - 0.03 - 2.0e-3, abs=1e-9)
    band = lc.bootstrap(sizes, exact, rounds=20)
    assert band["low"] == pytest.approx(0.97, abs=1e-9) and band["high"] == pytest.approx(0.97, abs=1e-9)
    noisy = 1 - (0.03 + 2.0 * sizes ** -0.5) * np.exp(np.random.default_rng(0).normal(0, 0.05, sizes.size))
    band = lc.bootstrap(np.tile(sizes, 3), np.tile(noisy, 3), rounds=50)
    assert band["low"] < band["asymptote"] < band["high"] and abs(band["asymptote"] - 0.97) < 0.01
    below = lc.fit(sizes, 1 - (-0.001 + 2.0 * sizes ** -0.5))       # points that fall below zero error
    assert 0.0 <= below["e_inf"] < 0.001 and below["asymptote"] <= 1.0
