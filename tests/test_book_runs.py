"""What book.py's and chapter6.py's runs record: a run that diverged is a result (``diverged``),
not a refusal; the negative-decay runs through network2's face say when their weights overflowed;
2.1 keeps the settings it timed with; results.json says how the runs were made; and nothing the
repository ships names a place outside it."""
from __future__ import annotations

import json
import random
import subprocess
import sys

import numpy as np
import pytest
from conftest import PROJECT_ROOT, script_path

import book
import chapter6
import network2
from network import MatrixNetwork


def options(data, train_size=None, epochs=None) -> dict:
    return dict(data=str(data), train_size=train_size, epochs=epochs, dtype="float64", seeds=None)


def poison_epoch(monkeypatch, epoch: int, poison) -> None:
    """MatrixNetwork's epochs train as always; after epoch ``epoch`` has trained, ``poison(net)``."""
    train_epoch, count = MatrixNetwork._train_epoch, []

    def poisoned(self, *args, **kwargs):
        train_epoch(self, *args, **kwargs)
        count.append(1)
        if len(count) == epoch + 1:
            poison(self)

    monkeypatch.setattr(MatrixNetwork, "_train_epoch", poisoned)


def test_a_run_that_diverges_is_kept_as_diverged_with_the_epochs_before(monkeypatch, mnist_pkl):
    def overflow(net):
        net.weights[0][0, 0] = np.inf                       # the library's own check finds it

    poison_epoch(monkeypatch, 1, overflow)
    result = book.run_job(("1.1", 0, options(mnist_pkl, train_size=300, epochs=3)))
    assert "refused" not in result
    assert result["diverged"]["epoch"] == 1 and "diverged in epoch 1" in result["diverged"]["message"]
    assert len(result["test"]) == len(result["epoch_seconds"]) == 1         # epoch 0, kept; epoch 1 not
    assert 0 < result["test"][0] <= 10000 and "saturated_start" in result and "saturated_end" not in result


def test_a_run_that_diverges_in_its_first_epoch_keeps_no_epochs(monkeypatch, mnist_pkl):
    poison_epoch(monkeypatch, 0, lambda net: net.biases[-1].fill(np.nan))
    result = book.run_job(("3.2", 0, options(mnist_pkl, train_size=100, epochs=2)))
    assert result["diverged"]["epoch"] == 0 and result["evaluation"] == [] and "refused" not in result


def test_a_setting_the_checks_refuse_is_refused_and_a_later_value_error_is_raised(monkeypatch, mnist_pkl):
    monkeypatch.setitem(book.RUNS, "bad momentum", book.net([784, 10], 0.5, 2, momentum=1.5))
    result = book.run_job(("bad momentum", 0, options(mnist_pkl, train_size=100)))
    assert "momentum" in result["refused"] and "diverged" not in result and "test" not in result

    def broken(net):
        raise ValueError("a bug after training began")

    poison_epoch(monkeypatch, 1, broken)
    with pytest.raises(ValueError, match="a bug after training began"):     # not a refusal: it trained
        book.run_job(("3.2", 0, options(mnist_pkl, train_size=100, epochs=3)))


def face_run(train, evaluation, spec: dict, epochs: int, seed: int = 0) -> tuple[network2.Network, list[int]]:
    """network2's face as the run used to call it: one SGD call of ``epochs`` epochs, on arrays."""
    np.random.seed(seed)
    random.seed(seed)
    net = network2.Network(spec["sizes"])
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        _, accuracy, _, _ = net.SGD(train, epochs, 10, spec["eta"], lmbda=spec["lmbda"], evaluation_data=evaluation,
                                    monitor_evaluation_accuracy=True)
    return net, accuracy


def finite(net) -> bool:
    return all(np.isfinite(a).all() for a in net.weights + net.biases)


def test_the_negative_decay_runs_record_when_their_weights_overflow(mnist_arrays, mnist_pkl, monkeypatch):
    (x, y), (vx, vy), _ = mnist_arrays
    train, evaluation = (x[:1000], y[:1000]), (vx[:100], vy[:100])
    grows = book.run_job(("3.29/10-1000", 0, options(mnist_pkl, epochs=5)))   # factor -9: 9-fold per step
    assert grows["engine"] == "network2" and "refused" not in grows and "diverged" not in grows
    j = grows["overflow_epoch"]
    assert j is not None and 0 < j < 5 and grows["nonfinite_share"] > 0
    spec = book.RUNS["3.29/10-1000"]
    assert finite(face_run(train, evaluation, spec, j)[0])                      # finite after epochs 0..j-1,
    assert not finite(face_run(train, evaluation, spec, j + 1)[0])              # not after epoch j
    one_call, accuracy = face_run(train, evaluation, spec, 5)
    entries = np.concatenate([a.ravel() for a in one_call.weights + one_call.biases])
    assert grows["evaluation"] == accuracy and grows["nonfinite_share"] == float(np.mean(~np.isfinite(entries)))

    made = []

    class Recorded(network2.Network):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(network2, "Network", Recorded)                         # to see the run's network
    flips = book.run_job(("3.29/100-20", 0, options(mnist_pkl, epochs=3)))      # factor -1: no growth from it
    assert flips["overflow_epoch"] is None and flips["nonfinite_share"] == 0
    one_call, _ = face_run(train, evaluation, book.RUNS["3.29/100-20"], 3)
    for a, b in zip(made[0].weights + made[0].biases, one_call.weights + one_call.biases):
        assert np.array_equal(a, b)                                            # the very steps of one call
    largest = max(float(np.abs(a).max()) for a in one_call.weights + one_call.biases)
    assert flips["max_abs_weight"] == largest and 0 < largest < np.inf


@pytest.mark.parametrize("name, epochs", [("3.29/100-20", 3), ("3.29/10-1000", 2)])    # finite weights: comparable
def test_training_epoch_by_epoch_through_the_face_is_one_run(mnist_arrays, name, epochs):
    """The claim behind ``overflow_epoch``: per-epoch calls on the book's list take the same steps."""
    (x, y), (vx, vy), _ = mnist_arrays
    spec = book.RUNS[name]
    one_call, accuracy = face_run((x[:1000], y[:1000]), (vx[:100], vy[:100]), spec, epochs)
    np.random.seed(0)
    random.seed(0)
    stepwise, samples, per_epoch = network2.Network(spec["sizes"]), book.book_samples(x[:1000], y[:1000], 10), []
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        for _ in range(epochs):
            per_epoch += stepwise.SGD(samples, 1, 10, spec["eta"], lmbda=spec["lmbda"],
                                      evaluation_data=(vx[:100], vy[:100]), monitor_evaluation_accuracy=True)[1]
    assert per_epoch == accuracy and finite(one_call)
    for a, b in zip(one_call.weights + one_call.biases, stepwise.weights + stepwise.biases):
        assert np.array_equal(a, b)
    np.random.seed(0)
    random.seed(0)
    reset = network2.Network(spec["sizes"])                    # arrays: each call starts from their order
    for _ in range(2):
        reset.SGD((x[:1000], y[:1000]), 1, 10, 0.5)
    np.random.seed(0)
    random.seed(0)
    two = network2.Network(spec["sizes"])
    two.SGD((x[:1000], y[:1000]), 2, 10, 0.5)
    assert not np.array_equal(reset.weights[0], two.weights[0])   # so the list is what makes them one run


def test_the_speed_up_records_the_settings_it_timed_with(mnist_pkl):
    result = book.run_job(("2.1", 0, options(mnist_pkl, train_size=100, epochs=1)))
    assert (result["eta"], result["mini_batch"], result["dtype"]) == (3.0, 10, "float64")
    assert (result["blas_threads"], result["blas_threads_from"]) == book.blas_threads()
    assert len(result["per_sample_seconds"]) == len(result["matrix_seconds"]) == 1


def test_blas_threads_from_threadpoolctl_else_the_environment(monkeypatch):
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        assert book.blas_threads() == (max(blas), "threadpoolctl")
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)          # not installed
    for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(variable, raising=False)
    assert book.blas_threads() == (None, None)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert book.blas_threads() == (4, "OMP_NUM_THREADS")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    assert book.blas_threads() == (1, "OPENBLAS_NUM_THREADS")


def test_results_json_says_where_the_jobs_ran_and_with_how_many_seeds(tmp_path, mnist_pkl):
    for extra, seeds in (([], book.SEEDS), (["--seeds", "3", "--name", "three"], 3)):
        done = subprocess.run([sys.executable, str(script_path("book.py")), "--only", "1.8", *extra, "--jobs", "1",
                               "--quiet", "--runs-dir", str(tmp_path), "--data", str(mnist_pkl)],
                              capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
        assert done.returncode == 0, done.stderr
        saved = json.loads((tmp_path / (extra[-1] if extra else "book") / "results.json").read_text())
        assert saved["scheduler"] is None and saved["jobs"] == 1 and saved["seeds"] == seeds


def test_chapter6_trains_its_default_rows_on_three_seeds_and_says_how(tmp_path, mnist_pkl):
    assert [chapter6.seeds_of(r, None) for r in ("6.1", "6.5", "6.6", "P6.5")] == [3, 3, 1, 1]
    assert chapter6.seeds_of("6.6", 2) == 2
    done = subprocess.run([sys.executable, str(script_path("chapter6.py")), "--rows", "6.1", "--epochs", "1",
                           "--train-size", "200", "--jobs", "1", "--quiet", "--runs-dir", str(tmp_path),
                           "--data", str(mnist_pkl)], capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    saved = json.loads((tmp_path / "chapter6" / "results.json").read_text())
    assert saved["shuffle"] is False and saved["ties"] == "last" and saved["seeds"] == {"6.1": 3}
    assert sorted(r["seed"] for r in saved["runs"]) == [0, 1, 2]
    assert all(r["seconds"] >= r["training_seconds"] > 0 for r in saved["runs"])
    assert all(r["seconds"] > 0 for r in saved["rows"])


NAMES_OUTSIDE = ("../shared", "/work/")
ALLOWED = {
    "tests/test_book_runs.py": "the strings it looks for",
    "notebooks/run.py": "its list of absolute paths a notebook's output must not show",
    "tests/conftest.py": "the tests' fallback to the MNIST files beside the project, where .ci/run points",
}


def test_nothing_shipped_names_a_place_outside_the_repository():
    files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True).stdout
    shipped = [f for f in files.splitlines() if f.startswith("docs/") or f == "README.md" or f.endswith(".py")]
    assert "README.md" in shipped and "workshop/book.py" in shipped
    found = [f"{f}:{k}: {line.strip()[:80]}" for f in shipped if f not in ALLOWED
             for k, line in enumerate((PROJECT_ROOT / f).read_text(errors="replace").splitlines(), 1)
             if any(name in line for name in NAMES_OUTSIDE)]
    assert found == []


def test_a_run_that_stops_keeps_its_finished_jobs_and_resumes(tmp_path, mnist_pkl):
    """Every finished job is in jobs.jsonl at once; a job that raises is recorded, the others go on;
    --resume runs only what is missing or failed, and the wall time adds the two segments."""
    command = [sys.executable, str(script_path("book.py")), "--only", "1.8", "3.17", "--runs-dir", str(tmp_path),
               "--quiet", "--data", str(mnist_pkl), "--jobs", "1"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
    assert first.returncode == 0, first.stderr
    run_dir = tmp_path / "book"
    jobs = [json.loads(line) for line in (run_dir / "jobs.jsonl").read_text().splitlines()]
    assert sorted((j["name"], j["seed"]) for j in jobs) == [("1.8", s) for s in range(8)] + [("counts", 0)]
    # a run that stopped: seed 3 of 1.8 failed, seeds 6 and 7 never finished, a last line cut short
    kept = [dict(j, failed="RuntimeError: boom") if (j["name"], j["seed"]) == ("1.8", 3) else j
            for j in jobs if (j["name"], j["seed"]) not in (("1.8", 6), ("1.8", 7))]
    (run_dir / "jobs.jsonl").write_text("".join(json.dumps(j) + "\n" for j in kept) + '{"name": "1.8", "se')
    (run_dir / "BOOK.md").unlink()
    again = subprocess.run([sys.executable, str(script_path("book.py")), "--resume", str(run_dir), "--data",
                            str(mnist_pkl), "--jobs", "1"], capture_output=True, text=True, timeout=300,
                           cwd=PROJECT_ROOT)
    assert again.returncode == 0, again.stderr
    assert "3 jobs in 1 worker(s) of one BLAS thread (6 finished before" in again.stdout
    results = json.loads((run_dir / "results.json").read_text())
    seeds = sorted(r["seed"] for r in results["results"] if r["name"] == "1.8")
    assert seeds == list(range(8)) and not any("failed" in r for r in results["results"])
    assert results["segments"] == 2
    assert "| 1.8 |" in (run_dir / "BOOK.md").read_text()


def test_the_svm_rows_need_scikit_learn_before_any_work(tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else real(name, *a))
    with pytest.raises(SystemExit):
        book.main(["--only", "1.10", "--runs-dir", str(tmp_path)])
    assert 'need scikit-learn: .venv/bin/pip install -e ".[baselines]"' in capsys.readouterr().err
    assert not any(tmp_path.iterdir())                                 # no run folder: nothing was started


def test_a_job_that_failed_then_ran_counts_once_and_runs_no_more():
    records = [dict(name="1.9", seed=0, failed="MemoryError"), dict(name="1.8", seed=0, correct=1),
               dict(name="1.9", seed=0, correct=2221), dict(name="1.8", seed=1, failed="boom")]
    assert book.latest_successes(records) == [dict(name="1.8", seed=0, correct=1), dict(name="1.9", seed=0, correct=2221)]
    two = [dict(name="x", seed=0, segment=1, elapsed=5.0), dict(name="x", seed=1, segment=1, elapsed=9.0, failed="f"),
           dict(name="x", seed=1, segment=2, elapsed=3.0)]
    assert book.wall_seconds(two) == 12.0                  # each segment's last job, a failed one too
