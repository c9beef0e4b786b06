"""The book check's rules can fail: each is shown to give 'differs' on a deliberately wrong network
(BP2 without sigma', eta ten times too small) or a wrong curve, and 'agrees' on the right one; a
verdict is only its rule's; book.py's jobs run on a Dask cluster."""
from __future__ import annotations

import dataclasses
import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import PROJECT_ROOT, script_path

import book
import book_report as br
import chapter5
from helpers import book_reference
from network import MatrixNetwork


class WithoutSigmaPrime(MatrixNetwork):
    """A wrong network: BP2 without sigma'(z), delta^l = (W^{l+1})^T delta^{l+1} alone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.activation = dataclasses.replace(self.activation, prime=lambda z, a=None: np.ones_like(z))


def runs_of(mnist_arrays, name: str, seeds, eta: float = 0.5, network=MatrixNetwork, epochs: int = 3) -> list[dict]:
    """Small runs of [784, 30, 10] (old init, cross-entropy, 1,000 images), as book.py's results."""
    (x, y), _, (tx, ty) = mnist_arrays
    out = []
    for seed in seeds:
        net = network([784, 30, 10], seed=seed, init="large")
        h = net.SGD((x[:1000], y[:1000]), epochs, 10, eta, test_data=(tx[:2000], ty[:2000]), verbose=False)
        out.append(dict(name=name, seed=seed, test=h.test_accuracy, n_test=2000, n_train=1000, seconds=0.0))
    return out


@pytest.fixture(scope="module")
def reference(mnist_arrays) -> list[dict]:
    """The right network on other seeds: what plays the book's number in these tests."""
    return runs_of(mnist_arrays, "x", range(100, 108))


def test_the_prediction_interval_of_one_run():
    # mean 2, s 1, 3 seeds: 2 +- 4.303 * sqrt(4/3) = 2 +- 4.9686
    assert br.judge([1.0, 2.0, 3.0], 6.96, str, min_seeds=3)[1] == "agrees"
    assert br.judge([1.0, 2.0, 3.0], 6.98, str, min_seeds=3)[1] == "differs: the book's 6.98 is 5.0 sd above our mean"
    assert br.judge([1.0, 2.0, 3.0], -3.0, str, "x", 3)[1] == "differs: x: the book's -3.0 is 5.0 sd below our mean"
    # 8 seeds 1..8: mean 4.5, s 2.449, t(7) 2.365: 4.5 +- 6.144
    assert br.judge([float(v) for v in range(1, 9)], 10.6, str)[1] == "agrees"
    assert br.judge([float(v) for v in range(1, 9)], 10.7, str)[1].startswith("differs: the book's 10.7 is 2.5 sd")
    assert br.judge([float(v) for v in range(1, 8)], 4.0)[1] == "not run: 7 seed(s), the rule needs 8 or more"
    assert br.judge([10.0] * 8, 10.0, str)[1] == "agrees"                           # no spread: exactly
    assert br.judge([10.0] * 8, 11.0, str)[1].endswith("above every seed (no spread)")


def test_a_best_of_three_lies_above_one_run():
    values = list(0.95 + 0.002 * np.random.default_rng(0).standard_normal(8))
    m, s, half = br.prediction(values)
    high = m + 1.1 * half                                   # outside one run's interval, not a best of three's
    assert br.judge(values, high)[1].startswith("differs")
    assert br.best_of_three(values, high)[1] == "agrees"
    assert br.best_of_three(values, m - half)[1].startswith("differs: the book's")   # a best of three that low: no
    assert br.best_of_three(values, m + 3 * half)[1].startswith("differs")


def test_the_stochastic_rule_catches_eta_ten_times_too_small(mnist_arrays, reference, monkeypatch):
    book_value = float(np.mean([max(r["test"]) / 2000 for r in reference]))
    monkeypatch.setitem(book_reference.BOOK, "x", {"peak": 100 * book_value})
    check = br.stochastic("x", "test", br.PEAK, "x", "peak")
    right = br.Results(runs_of(mnist_arrays, "x", range(8)))
    wrong = br.Results(runs_of(mnist_arrays, "x", range(8), eta=0.05))
    assert check(right).verdict == "agrees"
    assert check(wrong).verdict.startswith("differs: the book's") and "sd above our mean" in check(wrong).verdict


def test_the_transcript_rule_catches_bp2_without_sigma_prime(mnist_arrays, reference, monkeypatch):
    counts = {e: round(float(np.mean([r["test"][e] for r in reference]))) for e in range(3)}
    monkeypatch.setitem(book_reference.BOOK, "x", counts)
    check = br.transcript("x", "x")
    assert check(br.Results(runs_of(mnist_arrays, "x", range(8)))).verdict == "agrees"
    wrong = check(br.Results(runs_of(mnist_arrays, "x", range(8), network=WithoutSigmaPrime)))
    assert wrong.verdict.startswith("differs: epoch 0: the book's")
    assert check(br.Results(runs_of(mnist_arrays, "x", range(2)))).verdict.startswith("not run")


def test_the_kept_run_of_three_sits_above_one_run():
    """The book's transcript is the best-peaked of three runs: where the count goes with the peak,
    that run's count sits above one run's; where it is unrelated to the peak, the choice does not
    move it."""
    rng = np.random.default_rng(1)
    peaks = 9500 + 10 * rng.standard_normal(8)
    tied = list(peaks - 20)                                          # the count moves with the peak
    m, _, half = br.prediction(tied)
    assert br.judge(tied, m - 0.75 * half)[1] == "agrees"            # inside one run's interval,
    assert br.kept_of_three(list(peaks), tied, m - 0.75 * half)[1].startswith("differs")   # not a kept run's
    assert br.kept_of_three(list(peaks), tied, m + 0.9 * half)[1] == "agrees"
    other = rng.standard_normal(8)
    centred = peaks - peaks.mean()
    free = other - centred * (other @ centred) / (centred @ centred)      # uncorrelated with the peaks
    free = list(9480 + 10 * free / free.std(ddof=1))
    mf, _, half_f = br.prediction(free)
    assert br.kept_of_three(list(peaks), free, mf - 0.75 * half_f)[1] == "agrees"
    assert br.kept_of_three(list(peaks[:7]), tied[:7], m)[1] == "not run: 7 seed(s), the rule needs 8 or more"


def test_the_speeds_rule_catches_bp2_without_sigma_prime(mnist_arrays, monkeypatch):
    (x, y), _, _ = mnist_arrays
    data = (x[:200].astype(np.float64), y[:200])

    def results():
        return br.Results([dict(name="5.9/3", seed=s, seconds=0.0, speeds=chapter5.speeds_during_training(
            chapter5.NETWORKS[3], "sigmoid", data, 20, s, False).tolist()) for s in range(3)])

    assert br.speeds_training(3)(results()).verdict == "agrees"
    monkeypatch.setattr(chapter5, "MatrixNetwork", WithoutSigmaPrime)
    assert br.speeds_training(3)(results()).verdict.startswith("differs: earlier layers slower in only")


def overfitting_runs(cost: np.ndarray, seeds: int = 8) -> br.Results:
    """3.4-3.9's runs with a given training cost curve (400 epochs) and the book's other readings."""
    rng = np.random.default_rng(0)
    runs = []
    for s in range(seeds):
        test = np.linspace(8190, 8227, 400).astype(int).tolist()
        runs.append(dict(name="3.4", seed=s, seconds=0.0, n_test=10000, n_train=1000, test=test,
                         training_cost=(cost * (1 + 0.02 * rng.standard_normal())).tolist(),
                         evaluation_cost=[1.2] * 400, training_accuracy=[1000] * 400))
    return br.Results(runs)


def test_the_smooth_decrease_rule_fails_an_oscillating_or_slow_curve():
    epochs = np.arange(400)
    book_like = 0.0097 * (0.0042 / 0.0097) ** ((epochs - 200) / 199)        # through the book's two readings
    assert br.smooth_decrease(overfitting_runs(book_like)).verdict == "agrees"
    oscillating = book_like * (1 + 0.2 * (epochs % 2))
    assert "the cost falls in only" in br.smooth_decrease(overfitting_runs(oscillating)).verdict
    slow = book_like * 10                                                   # smooth, but where eta / 10 leaves it
    verdict = br.smooth_decrease(overfitting_runs(slow)).verdict
    assert verdict.startswith("differs: cost at 200: the book's") and "falls in only" not in verdict


def test_a_refused_run_is_not_run_a_diverged_one_differs_and_a_broken_rule_raises(tmp_path):
    rows = {r.id: r for r in br.ROWS}
    refused = [dict(name="3.29/10-1000", seed=s, seconds=0.0, refused="negative") for s in range(8)]
    report = br.Report(refused, dict(seeds=None, dtype="float64"), tmp_path, str(tmp_path))
    assert report.outcome(rows["3.29"]).verdict == "not run: the library refused the setting"
    diverged = [dict(name="3.1", seed=s, seconds=0.0, test=[9000], n_test=10000) for s in range(7)]
    diverged.append(dict(name="3.1", seed=7, seconds=0.0, diverged=dict(epoch=3, message="training diverged in epoch 3")))
    report = br.Report(diverged, dict(seeds=None, dtype="float64"), tmp_path, str(tmp_path))
    outcome = report.outcome(rows["3.1"])
    assert outcome.verdict == "differs: a run diverged (the book's trained)" and "3.1 seed 7" in outcome.ours
    broken = [dict(name="3.1", seed=s, seconds=0.0, tests=[9000], n_test=10000) for s in range(8)]   # a wrong key
    with pytest.raises(KeyError, match="test"):
        br.Report(broken, dict(seeds=None, dtype="float64"), tmp_path, str(tmp_path)).outcome(rows["3.1"])
    smoke = br.Report(broken, dict(seeds=None, dtype="float64", epochs=2), tmp_path, str(tmp_path))
    assert smoke.outcome(rows["3.1"]).verdict == "not run: runs too short"         # shortened runs: a smoke test
    cut = [dict(name="1.1", seed=s, seconds=0.0, test=[9000] * 10, n_test=10000) for s in range(8)]   # 10 of 30
    with pytest.raises(RuntimeError, match="1.1: full-length runs too short for the rule: epoch 27 not reached"):
        br.Report(cut, dict(seeds=None, dtype="float64"), tmp_path, str(tmp_path)).outcome(rows["1.1"])
    with pytest.raises(ValueError, match="the results hold 1.1 seed 0 twice"):
        br.Results(cut + cut[:1])


def test_a_negative_decay_runs_as_the_book(mnist_pkl):
    result = book.run_job(("3.29/100-20", 0, dict(data=str(mnist_pkl), train_size=None, epochs=2, dtype="float64", seeds=None)))
    assert "refused" not in result and len(result["evaluation"]) == 2            # the book's setting, trained
    assert result["engine"] == "network2"                                         # which trains on past overflow
    assert any("negative" in w for w in result["warnings"])


def test_ten_every_epoch_means_every_epoch_of_every_seed():
    rows = {r.id: r for r in br.ROWS}

    def runs(counts):
        return br.Results([dict(name="3.29/10-1000", seed=s, seconds=0.0, evaluation=counts) for s in range(8)])

    assert rows["3.29"].check(runs([10] * 30)).verdict == "agrees"
    half = rows["3.29"].check(runs([10] * 16 + [60] * 14))         # the median is 10, the claim is not
    assert half.verdict == "differs: 10 in only 53% of one seed's epochs"


def test_deterministic_rules_are_exact():
    darkness = dict(name="1.9", seed=0, seconds=0.0, correct=2225, sequential=dict(correct=2225, accumulation="float32"))
    same = br.darkness_check(br.Results([darkness]))
    assert same.verdict == "agrees" and "in the images, not in this arithmetic" in same.note
    off = br.darkness_check(br.Results([dict(darkness, correct=2221)]))
    assert off.verdict == "differs: -4 images" and "+4 images from the arithmetic alone" in off.note   # a note beside it
    counts = dict(name="counts", seed=0, seconds=0.0, networks={"[784, 30, 10]": 23860, "[784, 100, 10]": 79510},
                  conv20=520, fc784_30=23550)
    assert br.parameters(br.Results([counts])).verdict == "agrees"
    assert br.conv_parameters(br.Results([dict(counts, conv20=500)])).verdict.startswith("differs")
    assert book._counts() == {k: v for k, v in counts.items() if k not in ("name", "seed", "seconds")}


def test_the_headline_counts_agrees_differs_and_not_run_only():
    rows = [br.Row(str(i), 1, "", "", [], None) for i in range(5)]
    outcomes = [br.Outcome("", "", v, note="a measured fact") for v in
                ("agrees", "differs: x", "differs: y", "not run", "no verdict: a time")]
    text, counts = br.Report.headline(list(zip(rows, outcomes)))
    assert text == "1 agree, 2 differ, 1 not run"
    assert counts == {"agrees": 1, "differs": 2, "not run": 1}
    assert br.combine("agrees", "differs: a", "differs: b") == "differs: a; b"
    assert br.combine("differs: a", "not run: b") == "differs: a; not run: b"          # a part not run hides nothing
    assert br.combine("agrees", "not run: b") == "not run: b"


def test_every_number_the_rules_read_is_in_the_reference_text():
    import re

    shown = {rid: text for rid, _, _, text in book_reference.REFERENCE}
    for rid, numbers in book_reference.BOOK.items():
        printed = {float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*\.?\d*", shown[rid])}
        values = [v for k, v in numbers.items() for v in (v if isinstance(v, list) else [v])]
        values += [k for k in numbers if isinstance(k, int)]                  # a transcript's epochs
        assert {float(v) for v in values} <= printed, rid
    with pytest.raises(KeyError, match="no number 'peak' for id 1.1"):
        book_reference.book("1.1", "peak")


def test_every_id_of_the_reference_in_its_order():
    ids = [r.id for r in br.ROWS if r.id != "problems"]
    assert ids == [rid for rid, *_ in br.REFERENCE]
    assert ids[ids.index("3.4"):ids.index("3.10")] == ["3.4", "3.5", "3.6", "3.7", "3.8", "3.9"]
    assert {"1.13", "1.14", "3.3", "3.13", "3.17", "3.20", "3.33", "3.36", "5.8", "5.12", "6.2", "6.13", "6.15",
            "6.16", "6.27"} <= set(ids)
    runs = {n for r in br.ROWS for n in r.runs}
    assert runs <= set(book.RUNS)                                    # every run a row reads is one book.py runs


def test_chapter6_rows_read_the_runs_and_judge_three_seeds(tmp_path):
    folder = tmp_path / "chapter6"
    folder.mkdir()
    runs = [dict(id="6.1", seed=s, test_at_best_validation=v, best_validation=v, training_seconds=1.0)
            for s, v in enumerate((0.9770, 0.9775, 0.9780))]
    runs.append(dict(id="6.3", seed=0, test_at_best_validation=0.9878, best_validation=0.99, training_seconds=1.0))
    (folder / "results.json").write_text(json.dumps(dict(rows=[], runs=runs, epochs=None, train_size=None,
                                                         shuffle=False, ties="last")))
    old = tmp_path / "chapter6-2"                                  # reshuffled, first maximum: not network3's
    old.mkdir()
    (old / "results.json").write_text(json.dumps(dict(rows=[], runs=[dict(runs[0], id="6.4")], epochs=None,
                                                      train_size=None)))
    res = br.Results([], br.read_chapter6(tmp_path))
    six = {r.id: r for r in br.ROWS}
    assert br.chapter6_check("6.1")(res).verdict == "agrees"                  # 97.80%: a best of three of these
    assert br.chapter6_check("6.3")(res).verdict == "not run: 1 seed(s), the rule needs 3 or more"
    assert br.error_cut(res).verdict == "agrees"                             # 2.25% -> 1.22%
    report = br.Report([], dict(seeds=None, dtype="float64"), tmp_path, str(tmp_path))
    assert report.outcome(six["6.4"]).ours == "not run: `python experiments/chapter6.py --rows 6.4 --seeds 3`"
    assert report.seconds(six["6.1"]) == 3.0


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask.distributed is not installed")
def test_book_jobs_run_on_a_dask_cluster(tmp_path, mnist_pkl):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster:             # the workers: threads of this process
        result = subprocess.run([sys.executable, str(script_path("book.py")), "--only", "1.8", "3.17",
                                 "--scheduler", cluster.scheduler_address, "--runs-dir", str(tmp_path), "--quiet",
                                 "--data", str(mnist_pkl)], capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
        six = subprocess.run([sys.executable, str(script_path("chapter6.py")), "--rows", "6.1",
                              "--epochs", "1", "--train-size", "200", "--seeds", "2", "--scheduler",
                              cluster.scheduler_address, "--runs-dir", str(tmp_path), "--data", str(mnist_pkl)],
                             capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    assert six.returncode == 0, six.stderr
    assert "2 network(s) to train on the Dask cluster at" in six.stdout
    assert sorted(r["seed"] for r in json.loads((tmp_path / "chapter6" / "results.json").read_text())["runs"]) == [0, 1]
    assert f"jobs on the Dask cluster at {cluster.scheduler_address}" in result.stdout
    text = (tmp_path / "book" / "BOOK.md").read_text()
    assert "| 3.17 |" in text and "| 23,860; 79,510 | exactly | agrees |" in text
    assert "8 seeds)" in text.split("| 1.8 |")[1].splitlines()[0]                  # 1.8's 8 seeds ran there


def test_the_threshold_rule_fails_when_every_eta_falls():
    def results(rising_from: float) -> br.Results:
        runs = []
        for eta in br.THRESHOLD_GRID:
            name = f"3.35/{eta}" if eta in ("0.025", "0.25", "2.5") else f"3.36/{eta}"
            cost = [0.5, 0.45, 0.5, 0.44, 0.5] if float(eta) >= rising_from else [0.5, 0.45, 0.46, 0.42, 0.40]
            runs += [dict(name=name, seed=s, seconds=0.0, training_cost=cost) for s in range(3)]
        return br.Results(runs)

    assert br.threshold_check(results(1.0)).verdict == "agrees"                      # 0.5, as the book
    assert br.threshold_check(results(99.0)).verdict == "differs: median threshold 2.5"   # eta / 10: all fall
    assert br.threshold_check(results(0.25)).verdict == "differs: median threshold 0.025"


def test_the_book_programs_darkness_breaks_a_tie_to_the_lowest_digit():
    """Python 2 iterates a dict of the keys 0-9 in that order, so the book's min() takes the lower
    digit of a tie; the training labels' order (1 seen first here) must not decide it."""
    import baselines

    train = np.array([[20.0], [10.0]], dtype=np.float32)             # a 1 of darkness 20, a 0 of darkness 10
    result = baselines.average_darkness_sequential(train, np.array([1, 0]), np.array([[15.0]], dtype=np.float32),
                                                   np.array([0]))
    assert result["correct"] == 1                                   # 15 is as far from both: the 0


def test_chapter6_pools_the_spread_of_its_judged_rows():
    """3 seeds alone leave t(2): a best of three reaching far above the mean agrees; the spread
    pooled over 6.1, 6.3, 6.4 and 6.5 (8 degrees of freedom) tells it apart."""
    offsets = (-0.0005, 0.0, 0.0005)                                 # s = 0.05 point in every row
    chapter6 = {rid: [dict(seed=k, test=book_reference.book(rid, "test") / 100 - 0.004 + d, validation=0.0, seconds=1.0)
                      for k, d in enumerate(offsets)] for rid in ("6.1", "6.3", "6.4", "6.5")}
    alone = br.Results([], {"6.1": chapter6["6.1"]})
    pooled = br.Results([], chapter6)
    assert br.pooled_spread(pooled) == pytest.approx((0.0005, 8))
    assert br.chapter6_check("6.1")(alone).verdict == "agrees"             # the book 0.4 pt above: 8 sd
    verdict = br.chapter6_check("6.1")(pooled).verdict
    assert verdict.startswith("differs: test at best validation: the book's 97.80% is")
