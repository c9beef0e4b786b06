"""BOOK.md of workshop/book.py: every id of the book's reference (experiments/helpers/book_reference.py), its runs,
and how ours is read against the book's number; the problems; the book's figures of runs, redrawn
from ours.

A row's ``check`` reads the results of its runs and returns an Outcome: ours, the rule, the verdict
the rule computes (agrees, differs, not run; or no verdict, for an id with no number to judge: a
timing on the book's machine, a claim without a number, one run of chapter 6), and a note of
facts measured by the same runs, printed beside a verdict and never changing it. A run that
diverged is a result (differs); a run the library refused before training, or a run too short
for its rule (``--epochs``, ``--train-size``), is not run; any other failure of a rule is raised.
The rules:

- a stochastic number: the book's number against the distribution of one run of ours, over 8
  seeds or more (3 for chapter 6's hour-long rows): it agrees inside the 95% prediction interval
  of one more run, mean +- t(0.975, n - 1) s sqrt(1 + 1/n); otherwise it differs, by
  (book - mean) / s standard deviations;
- where the book reports its best of three runs (chapter 1's accuracies, chapter 6): the same
  with the distribution of the best of three runs, simulated from the seeds' mean and spread
  (and for chapter 1's transcript, the run with the best peak of three, simulated jointly);
- a curve claim: a reading of each seed's curve (falls in 95% of epochs, rises in 20%, ...) that
  holds for every seed, and the book's numbers on the curve judged as stochastic numbers;
- a deterministic number exactly (the SVM within 10 images: its library's version moves it).
"""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

import learning_curves
from helpers.book_reference import BOOK as REFERENCE_BOOK, FIGURE_MARKS, MORE_DATA_SIZES as SIZES, REFERENCE, book
from helpers.runlog import save_figure, save_text, versions

MIN_SEEDS = 8        # fewer seeds leave a stochastic id not judged (the spread of 8 is the rule's)
MIN_SEEDS_CHAPTER6 = 3                      # chapter 6's rows take an hour each
# Student's t, two-sided 95%, by degrees of freedom (beyond 30: 1.96 + 2.4 / df, within 0.002)
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


@dataclass
class Outcome:
    ours: str
    rule: str
    verdict: str                 # 'agrees', 'differs: ...', 'not run: ...' or 'no verdict: ...'
    note: str = ""               # measured facts beside the verdict


@dataclass
class Row:
    id: str
    chapter: int
    what: str
    book: str
    runs: list[str]
    check: Callable = field(repr=False)


# ---------------------------------------------------------------------- the rules
def pct(v: float) -> str:
    return f"{100 * v:.2f}%"


def count(v: float) -> str:
    return f"{v:,.0f}"


def t95(df: int) -> float:
    return T95[df - 1] if df <= len(T95) else 1.96 + 2.4 / df


def prediction(values: list[float]) -> tuple[float, float, float]:
    """(mean, standard deviation, half-width of the 95% prediction interval of one more run)."""
    v = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(v)):
        raise ValueError(f"a value to judge is not finite: {values}")
    n = len(v)
    m, s = float(v.mean()), float(v.std(ddof=1))
    return m, s, t95(n - 1) * s * (1 + 1 / n) ** 0.5


def sds(book: float, m: float, s: float) -> str:
    return f"{abs(book - m) / s:.1f} sd {'above' if book > m else 'below'} our mean" if s > 0 else \
        f"{'above' if book > m else 'below'} every seed (no spread)"


def too_few(values: list[float], label: str, show: Callable, min_seeds: int) -> tuple[str, str] | None:
    """(ours, 'not run') when there are fewer seeds than the rule needs, else None."""
    if len(values) >= min_seeds:
        return None
    return f"{label}{', '.join(show(v) for v in values)}", \
        f"not run: {len(values)} seed(s), the rule needs {min_seeds} or more"


def judge(values: list[float], book: float, show: Callable = pct, what: str = "",
          min_seeds: int = MIN_SEEDS) -> tuple[str, str]:
    """(ours: mean and the interval of one run; the verdict) of the book's number ``book`` against
    the seeds' values, by the prediction interval of one run."""
    label = f"{what}: " if what else ""
    if few := too_few(values, label, show, min_seeds):
        return few
    m, s, half = prediction(values)
    text = f"{label}{show(m)} (one run: {show(m - half)}–{show(m + half)}, {len(values)} seeds)"
    if abs(book - m) <= half:
        return text, "agrees"
    return text, f"differs: {label}the book's {show(book)} is {sds(book, m, s)}"


def one_run_draws(values: list[float], shape: tuple[int, ...], seed: int = 0,
                  spread: tuple[float, int] | None = None) -> np.ndarray:
    """Draws of one more run: mean + s sqrt(1 + 1/n) t(df), the prediction interval's
    distribution (s and df = n - 1 the seeds', or ``spread``'s, pooled over several rows), from a
    fixed seed (the report is the same every time it is written)."""
    n = len(values)
    m, s, _ = prediction(values)
    s, df = spread or (s, n - 1)
    return m + s * (1 + 1 / n) ** 0.5 * np.random.default_rng(seed).standard_t(df, shape)


def in_simulated_range(simulated: np.ndarray, book: float, show: Callable, label: str, of: str) -> tuple[str, str]:
    """(the simulated statistic's median and 2.5-97.5% range, and how often it reaches the book's;
    the verdict: agrees inside that range, else differs by so many of its standard deviations)."""
    low, high = np.percentile(simulated, [2.5, 97.5])
    text = f"{label}{of} {show(float(np.median(simulated)))} ({show(low)}–{show(high)}"
    if low <= book <= high:
        return text, "agrees"
    return text, f"differs: {label}the book's {show(book)} is " \
                 f"{sds(book, float(np.mean(simulated)), float(np.std(simulated)))} (of the {of})"


def best_of_three(values: list[float], book: float, show: Callable = pct, what: str = "",
                  min_seeds: int = MIN_SEEDS, draws: int = 20000,
                  spread: tuple[float, int] | None = None) -> tuple[str, str]:
    """The book's best of three runs against ours: the best of three draws from the distribution
    of one run (mean and spread of the seeds, Student's t); it agrees inside the 2.5-97.5
    percentiles of that best."""
    label = f"{what}: " if what else ""
    if few := too_few(values, label, show, min_seeds):
        return few
    best = one_run_draws(values, (draws, 3), spread=spread).max(axis=1)
    m, s, _ = prediction(values)
    s = spread[0] if spread else s
    text, verdict = in_simulated_range(best, book, show, label, "best of three")
    pooled = f", its spread pooled ({spread[1]} degrees of freedom)" if spread else ""
    return (f"{text}, simulated from {len(values)} seeds: one run {show(m)} ± {show(s)}{pooled}); a best of three "
            f"reaches the book's in {float(np.mean(best >= book)):.0%}"), verdict


def kept_of_three(peaks: list[float], values: list[float], book: float, show: Callable = count, what: str = "",
                  draws: int = 20000) -> tuple[str, str]:
    """A number of the run the book kept of three, the one with the best peak: (peak, value) drawn
    jointly for three runs (a bivariate Student's t of n - 1 degrees of freedom about the seeds'
    means, their covariance widened by 1 + 1/n as one more run, as ``judge``'s interval), the value
    of the best-peaked of each three; it agrees inside its 2.5-97.5%."""
    label = f"{what}: " if what else ""
    if few := too_few(values, label, show, MIN_SEEDS):
        return few
    n = len(values)
    pairs = np.array([peaks, values], dtype=np.float64)
    cov = np.cov(pairs) * (1 + 1 / n)
    rng = np.random.default_rng(0)
    normal = rng.multivariate_normal(np.zeros(2), cov, (draws, 3))                          # (draws, 3, 2)
    scale = np.sqrt(rng.chisquare(n - 1, (draws, 3, 1)) / (n - 1))                         # t: normal / scale
    draw = pairs.mean(axis=1) + normal / scale
    kept = draw[np.arange(draws), np.argmax(draw[:, :, 0], axis=1), 1]
    text, verdict = in_simulated_range(kept, book, show, label, "kept run of three")
    return f"{text}, {n} seeds)", verdict


def combine(*verdicts: str) -> str:
    """One verdict of several: differs if any part does (each reason, and any part not run beside
    it), else not run if any part is, else agrees."""
    parts = {word: [v.partition(": ")[2] or v for v in verdicts if v.startswith(word)] for word in ("differs", "not run")}
    if parts["differs"]:
        return "differs: " + "; ".join(dict.fromkeys(parts["differs"])) + \
            ("; not run: " + "; ".join(dict.fromkeys(parts["not run"])) if parts["not run"] else "")
    if parts["not run"]:
        return "not run: " + "; ".join(dict.fromkeys(parts["not run"]))
    return "agrees"


def rule_holds(ok: bool, failure: str) -> str:
    return "agrees" if ok else f"differs: {failure}"


class Results:
    def __init__(self, results: list[dict], chapter6: dict[str, list[dict]] | None = None):
        self.chapter6 = chapter6 or {}          # chapter6.py's runs by id
        self.by_name: dict[str, list[dict]] = {}
        seen = set()
        for r in sorted(results, key=lambda r: r["seed"]):
            if (r["name"], r["seed"]) in seen:               # two records of one job would narrow every interval
                raise ValueError(f"the results hold {r['name']} seed {r['seed']} twice")
            seen.add((r["name"], r["seed"]))
            self.by_name.setdefault(r["name"], []).append(r)

    def runs(self, name: str) -> list[dict]:
        if name not in self.by_name:
            raise Missing(name)
        failed = [r for r in self.by_name[name] if "failed" in r]
        if failed:
            raise Failed(f"{name} seed {failed[0]['seed']}: {failed[0]['failed']}")
        return self.by_name[name]

    def trained(self, name: str) -> list[dict]:
        """The runs that trained; a run refused before training raises Refused, one that diverged
        while it trained raises Diverged."""
        runs = self.runs(name)
        for r in runs:
            if "diverged" in r or "training diverged" in r.get("refused", ""):
                raise Diverged(f"{name} seed {r['seed']}: " + (r["diverged"]["message"] if "diverged" in r
                                                                else r["refused"]))
        refused = [r["refused"] for r in runs if "refused" in r]
        if refused:
            raise Refused(refused[0])
        return runs

    def frac(self, name: str, key: str, pick: Callable) -> list[float]:
        """pick(list of counts) / the size of that set, per seed."""
        size = {"test": "n_test", "evaluation": "n_evaluation", "training_accuracy": "n_train"}[key]
        return [pick(r[key]) / r[size] for r in self.trained(name)]

    def seconds(self, names: list[str]) -> float:
        return sum(r["seconds"] for n in names if n in self.by_name for r in self.by_name[n])


class Refused(Exception):
    """A run the library refused before training: its id is not run."""


class Diverged(Exception):
    """A run whose weights or cost became inf or nan while it trained: its id differs."""


class Failed(Exception):
    """A job that raised (book.py records it and goes on): its id is not run until it runs again."""


class Missing(KeyError):
    """A run that is not part of these results: its id is not run."""


class TooShort(Exception):
    """A run shortened below what its rule reads: its id is not run."""


NOT_SHOWN = (KeyError, IndexError, ValueError, Failed, Diverged, Refused, TooShort)   # a section left out


PEAK, FINAL = max, (lambda v: v[-1])


def first_at_least(values, level) -> int | None:
    return next((i for i, v in enumerate(values) if v >= level), None)


def stops_improving(counts: list[int], within: int = 10) -> int:
    """The epoch from which the best accuracy so far is within ``within`` samples of the run's best."""
    best, running = max(counts), np.maximum.accumulate(counts)
    return int(np.argmax(running >= best - within))


def falling(costs, start: int = 0) -> float:
    """The fraction of epochs from ``start`` on whose cost is below the one before."""
    c = np.asarray(costs[start:])
    return float(np.mean(np.diff(c) < 0)) if len(c) > 1 else 1.0


# ---------------------------------------------------------------------- the checks, id by id
def transcript(name: str, rid: str, kept: bool = False):
    """A transcript of one run of the book (a count per epoch, BOOK[rid] by epoch): each epoch's
    count judged by the prediction interval of one run of ours at that epoch; ``kept``: the book's
    transcript is the run it kept of three, the one with the best peak, judged as such a run."""
    def check(res: Results) -> Outcome:
        runs = res.trained(name)
        cells, verdicts = [], []
        for epoch, value in epochs_of(rid).items():
            if not all(len(r["test"]) > epoch for r in runs):
                short(f"epoch {epoch} not reached")
            ours = [r["test"][epoch] for r in runs]
            text, verdict = (kept_of_three([max(r["test"]) for r in runs], ours, value, count, f"epoch {epoch}")
                             if kept else judge(ours, value, count, f"epoch {epoch}"))
            cells.append(text)
            verdicts.append(verdict)
        rule = ("each epoch in the 2.5–97.5% range of the best-peaked of three runs, simulated from the seeds"
                if kept else "each epoch in the 95% prediction interval of one run")
        return Outcome("; ".join(cells), rule, combine(*verdicts), network_py_note(runs))
    return check


def epochs_of(rid: str) -> dict:
    """The book's numbers of a transcript id: epoch -> count."""
    return {k: v for k, v in REFERENCE_BOOK[rid].items() if isinstance(k, int)}


def short(what: str):
    """A run too short for its rule (``--epochs``): the id is not run."""
    raise TooShort(what)


def network_py_note(runs: list[dict]) -> str:
    """Measured on network.py's runs (N(0, 1) weights, quadratic cost): how saturated the hidden
    layer is at the start and at the end, and the runs that answer one digit for most images."""
    if not runs or "saturated_start" not in runs[0]:
        return ""
    start = statistics.median(r["saturated_start"] for r in runs)
    end = statistics.median(r["saturated_end"] for r in runs)
    stuck = [r for r in runs if r["answer_share"] >= 0.9]
    text = (f"of the first hidden layer's activations on the test images, those with sigma'(z) < 1e-3: median "
            f"{start:.0%} at the start, {end:.0%} at the end ({len(runs)} seeds)")
    if stuck:
        text += "; " + ", ".join(f"seed {r['seed']} answers {r['answer']} for {r['answer_share']:.0%} of the images "
                                 f"(the test set has {r['digit_counts'][r['answer']]:,} {r['answer']}s)" for r in stuck)
    else:
        text += "; no seed answers one digit for 90% of the images at the end"
    return text


def reach_note(values: list[float], book: float, show: Callable = pct) -> str:
    """How many seeds reach the book's number, and their range."""
    return (f"{sum(v >= book for v in values)} of our {len(values)} seeds reach the book's {show(book)} "
            f"(ours {show(min(values))}–{show(max(values))})")


def chapter1_best(name: str, rid: str):
    """A chapter-1 accuracy: the book reports its best of three runs."""
    def check(res: Results) -> Outcome:
        peaks = res.frac(name, "test", PEAK)
        value = book(rid, "peak") / 100
        text, verdict = best_of_three(peaks, value, pct, "peak")
        return Outcome(text, "the best of three in its simulated 95% range", verdict,
                       reach_note(peaks, value) + "; " + network_py_note(res.runs(name)))
    return check


BOOK_EPOCHS_1_6 = 30


def one_digit_for_every_image(res: Results) -> Outcome:
    """1.6: eta 100 drives every output into saturation: the network names one digit for every
    image, so each epoch's count is exactly one digit's count in the test set (the book's 1,009
    and 982 are the test set's 9s and 4s)."""
    runs = res.trained("1.6")
    if any(len(r["test"]) < BOOK_EPOCHS_1_6 for r in runs):
        short(f"fewer than the book's {BOOK_EPOCHS_1_6} epochs")
    digits = runs[0]["digit_counts"]
    one_digit = [all(c in digits for c in r["test"]) for r in runs]
    shown = "; ".join(f"seed {r['seed']}: {', '.join(f'{c:,}' for c in r['test'][:4])} ... "
                      f"{', '.join(f'{c:,}' for c in r['test'][-3:])}" for r in runs[:3])
    books = [book("1.6", "early"), book("1.6", "late")]
    named = ", ".join(f"{b:,} = the {digits.index(b)}s" if b in digits else f"{b:,} (no digit's count)" for b in books)
    return Outcome(f"{shown} ({sum(one_digit)} of {len(runs)} seeds at one digit's test count at every epoch)",
                   "every seed, every epoch: exactly one digit's count in the test set",
                   rule_holds(all(one_digit), f"{len(runs) - sum(one_digit)} seed(s) not at one digit's count"),
                   f"the book's {named} in this test set; " + network_py_note(runs))


def stochastic(name: str, key: str, pick, rid: str, number: str, note: bool = False):
    """A number of one run (BOOK[rid][number], in percent) judged by the prediction interval of
    one run; ``note``: an old-init row, beside it how many seeds reach the book's."""
    def check(res: Results) -> Outcome:
        values, value = res.frac(name, key, pick), book(rid, number) / 100
        text, verdict = judge(values, value)
        return Outcome(text, "in the 95% prediction interval of one run", verdict,
                       reach_note(values, value) if note else "")
    return check


def no_number(name: str, key: str, pick):
    def check(res: Results) -> Outcome:
        values = res.frac(name, key, pick)
        m = statistics.mean(values)
        return Outcome(f"{pct(m)} (mean of {len(values)} seeds, {pct(min(values))}–{pct(max(values))})", "",
                       "no verdict: the book gives no number")
    return check


def random_check(res: Results) -> Outcome:
    text, verdict = judge([r["correct"] / 10000 for r in res.runs("1.8")], book("1.8", "accuracy") / 100)
    return Outcome(text, "in the 95% prediction interval of one run", verdict)


BOOK_EPOCHS_OVERFITTING = 400


def overfitting(res: Results) -> list[dict]:
    """The readings of 3.4-3.9 on the overfitting runs (1,000 images, 400 epochs), per seed; a
    run shortened below 400 epochs is too short for them."""
    out = []
    for r in res.trained("3.4"):
        test, n, cost, tc = r["test"], r["n_test"], r["evaluation_cost"], r["training_cost"]
        if len(test) < BOOK_EPOCHS_OVERFITTING:
            short(f"{len(test)} of the book's {BOOK_EPOCHS_OVERFITTING} epochs")
        out.append(dict(falling=falling(tc, 200), cost200=tc[200], cost399=tc[399], at199=test[199] / n,
                        best_to_199=max(test[:200]) / n, stops=stops_improving(test), peak=max(test) / n,
                        final=test[-1] / n, cost_min_epoch=int(np.argmin(cost)), cost_min=min(cost),
                        at279=test[279] / n, cost0=cost[0], cost_last=cost[-1],
                        first_100=first_at_least(r["training_accuracy"], r["n_train"])))
    return out


def reading(*readings: tuple[str, str, str, Callable, str]):
    """Numbers read off each seed's overfitting curves, each judged as a stochastic number:
    (our reading's key, the book's id, its number's key, how to show it, what it is)."""
    def check(res: Results) -> Outcome:
        claims = overfitting(res)
        cells, verdicts = [], []
        for key, rid, number, show, what in readings:
            value = book(rid, number) / (100 if show is pct else 1)
            values = [c[key] for c in claims]
            if any(v is None for v in values):             # 3.8: a level some seeds never reach in 400 epochs
                cells.append(f"{what}: never, in {sum(v is None for v in values)} of {len(values)} seeds")
                verdicts.append(f"differs: {what}: {sum(v is None for v in values)} of {len(values)} seeds never "
                                f"get there in {BOOK_EPOCHS_OVERFITTING} epochs")
                continue
            text, verdict = judge(values, value, show, what)
            if key in EPOCH_READINGS and len(values) >= MIN_SEEDS:
                m, _, half = prediction(values)
                if m - half <= 0 and m + half >= BOOK_EPOCHS_OVERFITTING - 1:    # no epoch would differ
                    verdict = (f"no verdict: {what}: one run's interval ({m - half:.0f} to {m + half:.0f}) "
                               f"covers every epoch of the run, so this reading cannot tell")
            cells.append(text)
            verdicts.append(verdict)
        if all(v.startswith("no verdict") for v in verdicts):
            return Outcome("; ".join(cells), "", "; ".join(verdicts))
        return Outcome("; ".join(cells), "each in the 95% prediction interval of one run",
                       combine(*(v for v in verdicts if not v.startswith("no verdict"))),
                       "; ".join(v.partition(": ")[2] for v in verdicts if v.startswith("no verdict")))
    return check


EPOCH_READINGS = ("stops", "cost_min_epoch", "first_100")


def smooth_decrease(res: Results) -> Outcome:
    """3.4: from epoch 200 the training cost falls at (nearly) every epoch, in every seed, and the
    book's costs at 200 and 399 are where one run of ours puts them."""
    claims = overfitting(res)
    fractions = [c["falling"] for c in claims]
    a, va = judge([c["cost200"] for c in claims], book("3.4", "cost200"), lambda v: f"{v:.4f}", "cost at 200")
    b, vb = judge([c["cost399"] for c in claims], book("3.4", "cost399"), lambda v: f"{v:.4f}", "at 399")
    smooth = rule_holds(min(fractions) >= 0.95, f"the cost falls in only {min(fractions):.0%} of epochs 200-399 "
                                                f"in one seed")
    return Outcome(f"falls in {min(fractions):.0%}–{max(fractions):.0%} of epochs 200-399 (seeds); {a}; {b}",
                   "falls in 95% of epochs 200-399 in every seed; the costs in the interval of one run",
                   combine(smooth, va, vb))


def full_gap(res: Results) -> Outcome:
    """3.10: the best training and best test accuracy on the 50,000 images (3.1's runs), and the
    gap between them against the 1,000-image runs' (3.4)."""
    runs = res.trained("3.1")
    training = [max(r["training_accuracy"]) / r["n_train"] for r in runs]
    test = [max(r["test"]) / r["n_test"] for r in runs]
    t1, v1 = judge(training, book("3.10", "training") / 100, pct, "best training")
    t2, v2 = judge(test, book("3.10", "test") / 100, pct, "best test")
    cells, verdicts = [t1, t2], [v1, v2]
    if "3.4" not in res.by_name:
        verdicts.append("not run: the gap on 1,000 images needs 3.4's runs")
    else:
        small = [c["peak"] for c in overfitting(res)]
        gaps = [max(r["training_accuracy"]) / r["n_train"] - c for r, c in zip(res.trained("3.4"), small)]
        t3, v3 = judge(gaps, book("3.10", "gap_1000") / 100, lambda v: f"{100 * v:.2f} pt",
                       "gap on 1,000 images (3.4)")
        cells.append(t3)
        verdicts.append(v3)
    return Outcome("; ".join(cells), "each in the 95% prediction interval of one run", combine(*verdicts))


def peak_3_1(res: Results) -> Outcome:
    peaks = res.frac("3.1", "test", PEAK)
    value, figure_value = book("3.1", "peak") / 100, book("3.10", "test") / 100
    text, verdict = judge(peaks, value)
    _, figure = judge(peaks, figure_value)
    return Outcome(text, "in the 95% prediction interval of one run", verdict,
                   f"the data of the book's own figure of this configuration (3.10) give {pct(figure_value)}: "
                   f"{'inside the interval' if figure == 'agrees' else figure.partition(': ')[2]}; "
                   + reach_note(peaks, value))


def error_change(res: Results) -> Outcome:
    """3.3: the test error of 1.3 (quadratic, the book's best of three) against 3.2's (one
    cross-entropy run): the change simulated as one 3.2 run's error minus the best of three 1.3
    runs' error, from each set of seeds; the book's change judged in its 2.5-97.5% range."""
    quadratic, cross = res.frac("1.3", "test", PEAK), res.frac("3.2", "test", PEAK)
    if min(len(quadratic), len(cross)) < MIN_SEEDS:
        return Outcome(f"{len(quadratic)} and {len(cross)} seeds", "",
                       f"not run: {min(len(quadratic), len(cross))} seed(s), the rule needs {MIN_SEEDS} or more")
    draws = 20000
    change = one_run_draws(quadratic, (draws, 3)).max(axis=1) - one_run_draws(cross, (draws,), seed=1)
    value = (book("3.3", "cross_entropy") - book("3.3", "quadratic")) / 100
    show = lambda v: f"{100 * v:+.2f} pt"  # noqa: E731
    text, verdict = in_simulated_range(change, value, show, "error change: ", "change")
    return Outcome(f"{text}; 1.3 best of three, 3.2 one run, {len(quadratic)} and {len(cross)} seeds)",
                   "the change of one 3.2 run against the best of three 1.3 runs, in its simulated 95% range", verdict)


def regularized_claims(res: Results) -> Outcome:
    """3.11: lambda 0.1 on 1,000 images: the peak and the final accuracy, and the accuracy still
    rising at 400 epochs (the last 50 epochs above the 50 before, the seeds' median)."""
    runs = res.trained("3.11")
    if len(runs[0]["test"]) < BOOK_EPOCHS_OVERFITTING:
        short(f"{len(runs[0]['test'])} of the book's {BOOK_EPOCHS_OVERFITTING} epochs")
    a, va = judge([max(r["test"]) / r["n_test"] for r in runs], book("3.11", "peak") / 100, pct, "peak")
    b, vb = judge([r["test"][-1] / r["n_test"] for r in runs], book("3.11", "final") / 100, pct, "final")
    rising = [float(np.mean(r["test"][-50:]) - np.mean(r["test"][-100:-50])) for r in runs]
    still = rule_holds(statistics.median(rising) > 0,
                       f"the last 50 epochs median {statistics.median(rising):+.1f} images against the 50 before")
    return Outcome(f"{a}; {b}; the last 50 epochs {statistics.median(rising):+.1f} images above the 50 before (median)",
                   "peak and final in the interval of one run; still rising: the last 50 epochs above the 50 "
                   "before (median)", combine(va, vb, still))


def regularized_full(res: Results) -> Outcome:
    runs = res.trained("3.12")
    peaks = [max(r["test"]) / r["n_test"] for r in runs]
    a, va = judge(peaks, book("3.12", "peak") / 100, pct, "peak test")
    b, vb = judge([r["test"][-1] / r["n_test"] for r in runs], book("3.12", "final") / 100, pct, "final test")
    return Outcome(f"{a}; {b}", "each in the 95% prediction interval of one run", combine(va, vb),
                   reach_note(peaks, book("3.12", "peak") / 100))


def peak_gap(res: Results) -> Outcome:
    runs = res.trained("3.12")
    gaps = [max(r["training_accuracy"]) / r["n_train"] - max(r["test"]) / r["n_test"] for r in runs]
    value = (book("3.13", "training") - book("3.13", "test")) / 100
    text, verdict = judge(gaps, value, lambda v: f"{100 * v:.2f} pt", "peak training - peak test")
    under = rule_holds(max(gaps) < 0.01, f"a seed's gap is {100 * max(gaps):.2f} points")
    return Outcome(text, "under one point in every seed; in the interval of one run", combine(under, verdict))


def with_old_init(res: Results) -> Outcome:
    value = book("3.15", "peak") / 100
    text, verdict = judge(res.frac("3.15", "evaluation", PEAK), value, pct, "new init")
    note = ""
    if "3.15/old" in res.by_name:
        old_peaks = res.frac("3.15/old", "evaluation", PEAK)
        old, old_verdict = judge(old_peaks, value, pct, "old init")
        note = (f"with the old init (that of the book's run before it, 3.14): {old}: "
                + ("the book's number inside" if old_verdict == "agrees" else old_verdict.partition(": ")[2])
                + "; " + reach_note(old_peaks, value))
    return Outcome(text, "in the 95% prediction interval of one run (the new init, the settings' default)", verdict, note)


def recalled(res: Results) -> Outcome:
    text, verdict = judge(res.frac("3.15", "evaluation", PEAK), book("6.2", "validation") / 100)
    return Outcome(text + " (3.15's runs)", "in the 95% prediction interval of one run", verdict)


def exact_counts(rid: str, ours: dict[str, int]) -> Outcome:
    """Counts of parameters, exactly the book's (BOOK[rid], by the same names)."""
    want = REFERENCE_BOOK[rid]
    shown = "; ".join(f"{ours[k]:,}" for k in want)
    wrong = [f"{k}: {ours[k]:,} against {v:,}" for k, v in want.items() if ours[k] != v]
    return Outcome(shown, "exactly", rule_holds(not wrong, ", ".join(wrong)))


def parameters(res: Results) -> Outcome:
    return exact_counts("3.17", res.runs("counts")[0]["networks"])


def conv_parameters(res: Results) -> Outcome:
    return exact_counts("6.27", res.runs("counts")[0])


def more_data(res: Results, kind: str) -> list[list[float]]:
    if kind == "svm":
        return [[r["correct"]["validation"] / 10000 for r in res.runs(f"3.19/{n}")] for n in SIZES]
    return [[r["final_evaluation"] / r["n_evaluation"] for r in res.trained(f"3.18/{n}")] for n in SIZES]


def sizes_check(kind: str):
    def check(res: Results) -> Outcome:
        cells, verdicts = [], []
        values_by_size = more_data(res, kind)
        for n, values, b in zip(SIZES, values_by_size, book("3.18" if kind == "net" else "3.19", "validation")):
            if kind == "svm":
                cells.append(f"{n:,}: {pct(values[0])}")
                verdicts.append(rule_holds(abs(100 * values[0] - b) <= 0.1,
                                           f"at {n:,} {100 * values[0] - b:+.2f} pt"))
            else:
                text, verdict = judge(values, b / 100, pct, f"{n:,}")
                cells.append(text)
                verdicts.append(verdict)
        rule = ("each size in the 95% prediction interval of one run" if kind == "net"
                else "each size within 0.1 pt (deterministic; its library's version moves it)")
        return Outcome("; ".join(cells), rule, combine(*verdicts))
    return check


def beats_svm(res: Results) -> Outcome:
    net, svm = more_data(res, "net"), more_data(res, "svm")
    lost = [n for n, a, b in zip(SIZES, net, svm) if statistics.mean(a) <= b[0]]
    margins = ", ".join(f"{n:,}: {100 * (statistics.mean(a) - b[0]):+.2f}" for n, a, b in zip(SIZES, net, svm))
    return Outcome(f"network minus SVM, points: {margins}", "the network's mean above the SVM at every size",
                   rule_holds(not lost, f"not above at {', '.join(f'{n:,}' for n in lost)}"))


def speeds_init(hidden: int, rid: str):
    def check(res: Results) -> Outcome:
        runs = np.array(res.runs("5.5")[0]["initial"][str(hidden)])          # (seeds, layers)
        cells, verdicts = zip(*(judge(list(runs[:, l]), b, lambda v: f"{v:.4f}", f"layer {l + 1}")
                                for l, b in enumerate(book(rid, "speeds"))))
        return Outcome("; ".join(cells), f"each layer in the 95% prediction interval of one network ({len(runs)} seeds)",
                       combine(*verdicts))
    return check


def first_six(res: Results) -> Outcome:
    vectors = res.runs("5.5")[0]["first_six"]                                 # (seeds, layers, 6)
    first = [float(np.linalg.norm(v[0])) for v in vectors]
    second = [float(np.linalg.norm(v[1])) for v in vectors]
    a, va = judge(first, book("5.8", "length1"), lambda v: f"{v:.4f}", "layer 1")
    b, vb = judge(second, book("5.8", "length2"), lambda v: f"{v:.4f}", "layer 2")
    larger = sum(s > f for f, s in zip(first, second))
    mostly = rule_holds(2 * larger > len(first), f"the second larger in only {larger} of {len(first)} seeds")
    return Outcome(f"lengths of the six-vectors: {a}; {b}; the second larger in {larger} of {len(first)} seeds",
                   "the second larger in most seeds; each length in the interval of one network",
                   combine(mostly, va, vb))


def speeds_training(hidden: int):
    """5.9-5.11: the speed of each hidden layer per epoch, 500 epochs, per seed."""
    def check(res: Results) -> Outcome:
        runs = [np.array(r["speeds"]) for r in res.runs(f"5.9/{hidden}")]     # (epochs, hidden layers) per seed
        ordered = [float(np.mean(np.all(np.diff(s, axis=1) > 0, axis=1))) for s in runs]
        cells = [f"earlier layers slower in {min(ordered):.0%}–{max(ordered):.0%} of epochs ({len(runs)} seeds)"]
        verdicts = [rule_holds(min(ordered) >= 0.9, f"earlier layers slower in only {min(ordered):.0%} of epochs")]
        rule = "earlier layers slower in 90% of epochs, every seed"
        if hidden == 2:                      # the book says of this run that the speeds fall fast, then rebound
            low = [int(np.argmin(s[:, 0])) for s in runs]
            fell = [float(s[:, 0].min() / s[0, 0]) for s in runs]
            rose = [float(s[-1, 0] / s[:, 0].min()) for s in runs]
            ok = all(f <= 0.5 and r >= 1.5 and 0 < e < len(s) - 1 for f, r, e, s in zip(fell, rose, low, runs))
            cells.append(f"layer 1 falls to {min(fell):.2f}–{max(fell):.2f} of its start by epoch "
                         f"{min(low)}–{max(low)}, then ends {min(rose):.1f}–{max(rose):.1f}x above that low")
            verdicts.append(rule_holds(ok, "layer 1 does not fall to half its start and rise 1.5x again in every seed"))
            rule += "; falls to half its start, then ends 1.5x above its low, every seed"
        if hidden == 4:
            a, va = judge([float(s[0, -1] / s[0, 0]) for s in runs], book("5.11", "ratio0"), lambda v: f"{v:.1f}x",
                          "last / first, epoch 0")
            b, vb = judge([float(np.median(s[:, -1] / s[:, 0])) for s in runs], book("5.11", "median_ratio"),
                          lambda v: f"{v:.1f}x", "median")
            cells += [a, b]
            verdicts += [va, vb]
            rule += "; the ratios in the interval of one run"
        return Outcome("; ".join(cells), rule, combine(*verdicts))
    return check


def darkness_check(res: Results) -> Outcome:
    """1.9, deterministic: exactly the book's count; the note says how ours computes it and what
    the book program's arithmetic (a Python loop over the pixels) gives on the same data."""
    r = res.runs("1.9")[0]
    value = book("1.9", "correct")
    seq = r["sequential"]
    note = (f"ours sums each image's pixels in float64, averages those sums per digit over the training images, "
            f"and gives a test image the digit whose average is closest; the book's program as today's numpy "
            f"runs it (the pixels "
            f"added one at a time in float32, the totals in {seq['accumulation']}, a tie to the lowest digit) "
            f"gives {seq['correct']:,} on the same images: "
            + ("the same count, so the difference from the book's is in the images, not in this arithmetic"
               if seq["correct"] == r["correct"] else
               f"{seq['correct'] - r['correct']:+d} images from the arithmetic alone"))
    return Outcome(f"{r['correct']:,} / 10,000", "exactly",
                   rule_holds(r["correct"] == value, f"{r['correct'] - value:+d} images"), note)


SPEED_UP_AT_LEAST = 1.5          # the book's "about 2x", less a quarter


def speed_up(res: Results) -> Outcome:
    r = res.runs("2.1")[0]
    ratio = np.median(r["per_sample_seconds"]) / np.median(r["matrix_seconds"])
    same = r["per_sample_test"][0] == r["matrix_test"][0]
    gap = max(abs(a - b) for a, b in zip(r["per_sample_test"], r["matrix_test"]))
    growth = r["nudge_growth"]
    how = ", ".join(f"{label} {r[key]}" for key, label in (("eta", "eta"), ("dtype", "dtype"),
                                                           ("mini_batch", "mini-batch"),
                                                           ("blas_threads", "BLAS threads")) if r.get(key) is not None)
    if r.get("blas_threads") is not None:
        how += f" (read from {r['blas_threads_from']})"
    note = (f"after epoch 0 the two networks' weights differ by at most {r['weights_apart_after_epoch_0']:.1g}; "
            f"a nudge of {r['nudge']:g} to every weight of one MatrixNetwork grows to {growth[0]:.1g} by the end of "
            f"epoch 0 and to {growth[1]:.1g} by the end of epoch 1 (seed {r['seed']}); the two networks' "
            f"test counts differ by at most {gap} images over the {len(r['matrix_test'])} epochs")
    return Outcome(f"{ratio:.1f}x ({np.median(r['per_sample_seconds']):.2f} s against "
                   f"{np.median(r['matrix_seconds']):.2f} s per epoch{', ' + how if how else ''}); test count after "
                   f"epoch 0: {r['per_sample_test'][0]:,} and {r['matrix_test'][0]:,}",
                   f"at least {SPEED_UP_AT_LEAST}x faster, with the same test count after epoch 0",
                   rule_holds(ratio >= SPEED_UP_AT_LEAST and same,
                              f"{ratio:.1f}x, epoch 0's counts {'equal' if same else 'differ'}"), note)


def svm_test(res: Results) -> Outcome:
    r, today = res.runs("3.19/50000")[0], res.runs("1.10/scale")[0]
    c, value = r["correct"]["test"], book("1.10", "correct")
    return Outcome(f"{c:,} / 10,000 (gamma 1/784, scikit-learn {r['sklearn']}, {r['fit_seconds']:.0f} s to fit); "
                   f"today's default gamma 'scale': {today['correct']['test']:,}", "within 10 images",
                   rule_holds(abs(c - value) <= 10, f"{c - value:+d} images"))


def tiny_check(name: str, rid: str):
    """3.29-3.32: [784, 10] on 1,000 images, the first 100 validation images: the book's counts of
    its first epochs (or one count for every epoch), each judged as a stochastic number. A negative
    decay factor (3.29, 3.31) is warned and run, as the book ran it."""
    def check(res: Results) -> Outcome:
        runs = res.trained(name)
        numbers = REFERENCE_BOOK[rid]
        if "every_epoch" in numbers:                # the same count at every epoch of every seed
            want = numbers["every_epoch"]
            at = [sum(c == want for c in r["evaluation"]) / len(r["evaluation"]) for r in runs]
            counts_seen = sorted({c for r in runs for c in r["evaluation"]})
            text = (f"{want} in {min(at):.0%}–{max(at):.0%} of the epochs ({len(runs)} seeds); counts seen: "
                    + ", ".join(str(c) for c in counts_seen[:8]) + (" ..." if len(counts_seen) > 8 else ""))
            verdict = rule_holds(min(at) == 1.0, f"{want} in only {min(at):.0%} of one seed's epochs")
        else:
            if not all(len(r["evaluation"]) >= len(numbers["first"]) for r in runs):
                short(f"fewer than {len(numbers['first'])} epochs")
            cells, verdicts = zip(*(judge([r["evaluation"][e] for r in runs], b, count, f"epoch {e}")
                                    for e, b in enumerate(numbers["first"])))
            text, verdict = "; ".join(cells), combine(*verdicts)
        warned = sorted({w for r in runs for w in r.get("warnings", [])})
        notes = [f"warned: {warned[0]}"] if warned else []
        if runs[0].get("engine") == "network2":
            notes.append("run through network2.py's face, which trains on whatever the weights become")
        if "overflow_epoch" in runs[0]:
            over = [r["overflow_epoch"] for r in runs if r["overflow_epoch"] is not None]
            notes.append(f"the weights turned inf or nan in {len(over)} of {len(runs)} seeds"
                         + (f" (from epoch {min(over)}–{max(over)})" if over else "")
                         + "; at the end, the share of weights and biases that are inf or nan: "
                         + f"{min(r.get('nonfinite_share', 0.0) for r in runs):.0%}–"
                         + f"{max(r.get('nonfinite_share', 0.0) for r in runs):.0%}")
        rule = ("the book's count at every epoch of every seed" if "every_epoch" in numbers
                else "each epoch in the 95% prediction interval of one run")
        return Outcome(text, rule, verdict, "; ".join(notes))
    return check


def chance_check(res: Results) -> Outcome:
    runs = res.trained("3.28")
    allv = [c for r in runs for c in r["evaluation"]]
    shown = "; ".join(f"seed {r['seed']}: " + ", ".join(f"{c:,}" for c in r["evaluation"][:3]) + " ... "
                      + f"{r['evaluation'][-1]:,}" for r in runs[:3])
    return Outcome(f"{shown}; all seeds {min(allv):,}–{max(allv):,}", "every epoch of every seed within 8-12% of 10,000",
                   rule_holds(800 <= min(allv) and max(allv) <= 1200, f"{min(allv):,}–{max(allv):,}"))


def init_check(hidden: int, rid: str, epochs: dict[str, tuple[str, int]]):
    """Validation accuracy of new and old initialisation: BOOK[rid][number] for each number of
    ``epochs`` (number -> (init, epoch)), each as a stochastic number."""
    def check(res: Results) -> Outcome:
        cells, verdicts, notes = [], [], []
        for number, (kind, e) in epochs.items():
            runs = res.trained(f"3.25/{hidden}-{kind}")
            if not all(len(r["evaluation"]) > e for r in runs):
                short(f"epoch {e} not reached")
            values, value = [r["evaluation"][e] / r["n_evaluation"] for r in runs], book(rid, number) / 100
            text, verdict = judge(values, value, pct, f"{kind}, epoch {e}")
            cells.append(text)
            verdicts.append(verdict)
            if kind == "old":
                notes.append(f"{kind}, epoch {e}: " + reach_note(values, value))
        return Outcome("; ".join(cells), "each in the 95% prediction interval of one run", combine(*verdicts),
                       "; ".join(notes))
    return check


def eta_check(res: Results) -> Outcome:
    costs = {eta: [r["training_cost"] for r in res.trained(f"3.35/{eta}")] for eta in ("0.025", "0.25", "2.5")}
    slow = min(falling(c) for c in costs["0.025"])
    fast = min(1 - falling(c) for c in costs["2.5"])
    b = REFERENCE_BOOK["3.35"]
    cells, verdicts = zip(
        judge([c[0] for c in costs["0.025"]], b["0.025_first"], f3, "0.025 at 0"),
        judge([c[-1] for c in costs["0.025"]], b["0.025_last"], f3, "at 29"),
        judge([float(np.argmin(c)) for c in costs["0.25"]], b["0.25_min_epoch"], count, "0.25 lowest at epoch"),
        judge([min(c) for c in costs["0.25"]], b["0.25_min"], f3, "its minimum"),
        judge([min(c) for c in costs["2.5"]], b["2.5_low"], f3, "2.5 lowest"),
        judge([max(c) for c in costs["2.5"]], b["2.5_high"], f3, "highest"))
    shape = [rule_holds(slow >= 0.9, f"0.025 falls in only {slow:.0%} of epochs in one seed"),
             rule_holds(fast >= 0.2, f"2.5 rises in only {fast:.0%} of epochs in one seed")]
    return Outcome(f"0.025 falls in {slow:.0%}+ of epochs, 2.5 rises in {fast:.0%}+ (every seed); " + "; ".join(cells),
                   "0.025 falls in 90% of epochs, 2.5 rises in 20%, every seed; the book's readings in the interval "
                   "of one run", combine(*shape, *verdicts))


THRESHOLD_GRID = ("0.025", "0.25", "0.5", "1", "2.5")


def threshold_check(res: Results) -> Outcome:
    """3.36: per seed, the largest eta of the grid up to which every eta's training cost falls in
    the first epochs: it rises in at most one of the four steps between epochs 0 and 4 (one rise
    allows SGD's noise; oscillating rises in two or more); the book's threshold 0.5."""
    curves = {eta: [r["training_cost"][:5] for r in res.trained(f"3.35/{eta}" if eta in ("0.025", "0.25", "2.5")
                                                               else f"3.36/{eta}")] for eta in THRESHOLD_GRID}
    seeds = min(len(v) for v in curves.values())
    found = []
    for s in range(seeds):
        threshold = 0.0
        for eta in THRESHOLD_GRID:
            c = np.asarray(curves[eta][s])
            if len(c) < 5:
                short("fewer than 5 epochs")
            if np.sum(np.diff(c) > 0) > 1:
                break
            threshold = float(eta)
        found.append(threshold)
    median, value = statistics.median(found), book("3.36", "eta")
    return Outcome(f"{', '.join(f'{v:g}' for v in found)} (seeds; grid {', '.join(THRESHOLD_GRID)})",
                   f"the median threshold at least the book's {value:g} and below the next eta of the grid but one "
                   f"(2.5; cost rising in at most one of epochs 1-4)",
                   rule_holds(value <= median < 2.5, f"median threshold {median:g}"))


def timing(names: list[str], book_time: str, per_epoch: bool, extra: Callable | None = None):
    """A time on the book's machine: ours beside it, no verdict (the machines differ)."""
    def check(res: Results) -> Outcome:
        cells = []
        for name in names:
            runs = res.trained(name)
            secs = [statistics.median(r["epoch_seconds"]) if per_epoch else sum(r["epoch_seconds"]) for r in runs]
            cells.append(f"{name}: {statistics.median(secs):.2f} s" + (" per epoch" if per_epoch else
                                                                       f" for {len(runs[0]['epoch_seconds'])} epochs"))
        text = "; ".join(cells) + " (median of the seeds)"
        if extra:
            text += "; " + extra(res)
        return Outcome(text, "", f"no verdict: a time on the book's machine ({book_time})")
    return check


def per_sample_time(res: Results) -> str:
    r = res.runs("2.1")[0]
    return f"the per-sample Network: {sum(r['per_sample_seconds']):.0f} s for {len(r['per_sample_seconds'])} epochs"


CHAPTER6_JUDGED = ("6.1", "6.3", "6.4", "6.5")            # the rows of an hour or so, run with 3 seeds


def pooled_spread(res: Results) -> tuple[float, int] | None:
    """The seeds' standard deviation pooled over chapter 6's judged rows (sum of squares about
    each row's mean / the sum of n - 1): one spread for networks of one family, 8 degrees of
    freedom from 3 seeds of 4 rows where each row alone has 2; None without two seeds of a row."""
    groups = [np.array([r["test"] for r in res.chapter6.get(rid, [])], dtype=np.float64) for rid in CHAPTER6_JUDGED]
    groups = [g for g in groups if len(g) >= 2]
    df = sum(len(g) - 1 for g in groups)
    if not df:
        return None
    return float(np.sqrt(sum(float(((g - g.mean()) ** 2).sum()) for g in groups) / df)), df


def chapter6_runs(res: Results, rid: str) -> list[dict]:
    if not res.chapter6.get(rid):
        raise Missing(rid)
    return res.chapter6[rid]


def chapter6_check(rid: str):
    """A row of chapter 6, read from chapter6.py's runs (network3's figure: the test accuracy of
    the latest epoch whose validation accuracy ties or beats every earlier one): with 3 seeds or
    more, the book's best of three judged against the best of three simulated from ours; the
    longer rows, run once, are shown as one run."""
    def check(res: Results) -> Outcome:
        runs = chapter6_runs(res, rid)
        values, value = [r["test"] for r in runs], book(rid, "test") / 100
        where = "chapter6.py's runs"
        if len(values) >= MIN_SEEDS_CHAPTER6 or rid in CHAPTER6_JUDGED:
            spread = pooled_spread(res) if rid in CHAPTER6_JUDGED else None
            text, verdict = best_of_three(values, value, pct, "test at best validation", MIN_SEEDS_CHAPTER6,
                                          spread=spread)
            return Outcome(f"{text} ({where})", "the best of three in its simulated 95% range"
                           + (f" (the seeds' spread pooled over {', '.join(CHAPTER6_JUDGED)})" if spread else ""),
                           verdict)
        return Outcome(f"{', '.join(pct(v) for v in values)} (test at best validation; {where})", "",
                       f"no verdict: {'one run' if len(values) == 1 else f'{len(values)} runs'}")
    return check


def chapter6_one(rid: str, what: str):
    def check(res: Results) -> Outcome:
        r = chapter6_runs(res, rid)[0]
        return Outcome(f"{pct(r['test'])}" + (f" ({r['errors']} errors)" if "errors" in r else "") + " (chapter6.py's run)",
                       "", f"no verdict: one run ({what})")
    return check


def narrower(res: Results) -> Outcome:
    wide, narrow = chapter6_runs(res, "6.12"), chapter6_runs(res, "6.13")
    a, b = statistics.mean(r["validation"] for r in wide), statistics.mean(r["validation"] for r in narrow)
    return Outcome(f"best validation: FC 1000 {pct(a)}, FC 300 {pct(b)}", "", "no verdict: one run each, no number")


def error_cut(res: Results) -> Outcome:
    plain, conv = chapter6_runs(res, "6.1"), chapter6_runs(res, "6.3")
    a, b = 1 - statistics.mean(r["test"] for r in plain), 1 - statistics.mean(r["test"] for r in conv)
    cut = 1 - book("6.15", "conv_error") / book("6.15", "plain_error")
    return Outcome(f"test error {pct(a)} -> {pct(b)} (mean of {len(plain)} and {len(conv)} runs): cut by {1 - b / a:.0%}",
                   f"the error cut to under two thirds (the book's: cut by {cut:.0%})", rule_holds(b < a * 2 / 3, f"cut by {1 - b / a:.0%}"))


def relu_better(res: Results) -> Outcome:
    sigmoid, relu = chapter6_runs(res, "6.4"), chapter6_runs(res, "6.5")
    a, b = statistics.mean(r["test"] for r in sigmoid), statistics.mean(r["test"] for r in relu)
    return Outcome(f"6.4 (sigmoid) {pct(a)}, 6.5 (ReLU) {pct(b)} (means of {len(sigmoid)} and {len(relu)} runs)",
                   "ReLU above sigmoid in the pair", rule_holds(b > a, f"ReLU {100 * (b - a):+.2f} pt"))


f4 = lambda v: f"{v:.4f}"  # noqa: E731
f3 = lambda v: f"{v:.3f}"  # noqa: E731

CHECKS: dict[str, tuple[list[str], Callable]] = {
    "1.1": (["1.1"], transcript("1.1", "1.1", kept=True)),
    "1.2": (["1.1"], chapter1_best("1.1", "1.2")),
    "1.3": (["1.3"], chapter1_best("1.3", "1.3")),
    "1.4": (["1.4"], transcript("1.4", "1.4", kept=True)),
    "1.6": (["1.6"], one_digit_for_every_image),
    "1.7": (["1.7"], no_number("1.7", "test", PEAK)),
    "1.8": (["1.8"], random_check),
    "1.9": (["1.9"], darkness_check),
    "1.10": (["3.19/50000", "1.10/scale"], svm_test),
    "1.13": (["1.1", "2.1"], timing(["1.1"], "a few minutes", False, per_sample_time)),
    "1.14": (["1.3"], timing(["1.3"], "tens of seconds", True)),
    "2.1": (["2.1"], speed_up),
    "3.1": (["3.1"], peak_3_1),
    "3.2": (["3.2"], stochastic("3.2", "test", PEAK, "3.2", "peak")),
    "3.3": (["1.3", "3.2"], error_change),
    "3.4": (["3.4"], smooth_decrease),
    "3.5": (["3.4"], reading(("at199", "3.5", "at199", pct, "test at epoch 199"),
                             ("best_to_199", "3.5", "best_to_199", pct, "best of epochs 0-199"))),
    "3.6": (["3.4"], reading(("stops", "3.6", "epoch", count, "stops improving at epoch"),
                             ("at279", "3.6", "accuracy", pct, "test at epoch 279"))),
    "3.7": (["3.4"], reading(("cost_min_epoch", "3.7", "epoch", count, "lowest test cost at epoch"),
                             ("cost_min", "3.7", "cost", f4, "its value"), ("cost0", "3.7", "cost0", f3, "at 0"),
                             ("cost_last", "3.7", "cost399", f3, "at 399"))),
    "3.8": (["3.4"], reading(("first_100", "3.8", "epoch", count, "first at 100% at epoch"))),
    "3.9": (["3.4"], reading(("peak", "3.9", "peak", pct, "peak"), ("final", "3.9", "final", pct, "final"))),
    "3.10": (["3.1", "3.4"], full_gap),
    "3.11": (["3.11"], regularized_claims),
    "3.12": (["3.12"], regularized_full),
    "3.13": (["3.12"], peak_gap),
    "3.14": (["3.14"], stochastic("3.14", "evaluation", FINAL, "3.14", "final", note=True)),
    "3.15": (["3.15", "3.15/old"], with_old_init),
    "3.17": (["counts"], parameters),
    "3.18": ([f"3.18/{n}" for n in SIZES], sizes_check("net")),
    "3.19": ([f"3.19/{n}" for n in SIZES], sizes_check("svm")),
    "3.20": ([f"3.18/{n}" for n in SIZES] + [f"3.19/{n}" for n in SIZES], beats_svm),
    "3.25": (["3.25/30-new", "3.25/30-old"], init_check(30, "3.25", {"new": ("new", 29), "old": ("old", 29)})),
    "3.26": (["3.25/30-new", "3.25/30-old"], init_check(30, "3.26", {"new": ("new", 0), "old": ("old", 0)})),
    "3.27": (["3.25/100-new", "3.25/100-old"],
             init_check(100, "3.27", {"new0": ("new", 0), "new29": ("new", 29), "old0": ("old", 0),
                                      "old29": ("old", 29)})),
    "3.28": (["3.28"], chance_check),
    "3.29": (["3.29/10-1000"], tiny_check("3.29/10-1000", "3.29")),
    "3.30": (["3.29/10-20"], tiny_check("3.29/10-20", "3.30")),
    "3.31": (["3.29/100-20"], tiny_check("3.29/100-20", "3.31")),
    "3.32": (["3.29/1-20"], tiny_check("3.29/1-20", "3.32")),
    "3.33": (["3.1", "3.29/1-20"], timing(["3.1", "3.29/1-20"], "about 10 s; well under a second", True)),
    "3.35": ([f"3.35/{e}" for e in ("0.025", "0.25", "2.5")], eta_check),
    "3.36": ([f"3.35/{e}" for e in ("0.025", "0.25", "2.5")] + ["3.36/0.5", "3.36/1"], threshold_check),
    **{f"5.{k}": ([f"5.1/{k}"], stochastic(f"5.1/{k}", "evaluation", PEAK, f"5.{k}", "validation"))
       for k in (1, 2, 3, 4)},
    "5.5": (["5.5"], speeds_init(2, "5.5")),
    "5.6": (["5.5"], speeds_init(3, "5.6")),
    "5.7": (["5.5"], speeds_init(4, "5.7")),
    "5.8": (["5.5"], first_six),
    **{f"5.{k + 7}": ([f"5.9/{k}"], speeds_training(k)) for k in (2, 3, 4)},
    "5.12": ([f"5.1/{k}" for k in (1, 2, 3, 4)], timing([f"5.1/{k}" for k in (1, 2, 3, 4)], "some minutes", False)),
    "6.2": (["3.15"], recalled),
    "6.13": ([], narrower),
    "6.14": ([], chapter6_one("6.14", "five networks voting")),
    "6.15": ([], error_cut),
    "6.16": ([], relu_better),
    "6.27": (["counts"], conv_parameters),
}

ROWS = [Row(rid, chapter, what, shown, *(CHECKS[rid] if rid in CHECKS else ([], chapter6_check(rid))))
        for rid, chapter, what, shown in REFERENCE]
PROBLEM_RUNS = ["P3.18/0.5", "P3.18/1", "P3.18/2", "P3.18/5", "P3.26/0", "P3.26/0.5", "P3.26/0.9", "P3.21/stop",
                "3.1", "3.14", "3.15", "3.25/30-new"] + [f"3.18/{n}" for n in SIZES] + [f"3.19/{n}" for n in SIZES]
ROWS.append(Row("problems", 3, "the coding problems of chapters 1-3 (P1.8, P3.15, P3.18, P3.21, P3.26)", "", PROBLEM_RUNS,
                lambda res: Outcome("see the Problems section", "", "measured")))


def summary(values: list[float]) -> str:
    """'mean (min–max)' of fractions, in percent (no verdict: the problems have no book number)."""
    m = statistics.mean(values)
    return pct(m) if len(values) == 1 else f"{pct(m)} ({pct(min(values))}–{pct(max(values))})"


def fit_text(res: Results) -> list[str]:
    """P3.15: the learning curves of 3.18 and 3.19, fitted and extrapolated."""
    lines = ["| learner | fitted asymptotic accuracy (16–84%) | exponent c | 50,000 predicted from the sizes up to 20,000 | measured at 50,000 |",
             "|---|---|---|---|---|"]
    for label, kind in (("network [784, 30, 10]", "net"), ("SVM, gamma 1/784", "svm")):
        accs = more_data(res, kind)
        sizes = [n for n, v in zip(SIZES, accs) for _ in v]
        values = [a for v in accs for a in v]
        model = learning_curves.bootstrap(sizes, values)
        small = [(n, a) for n, a in zip(sizes, values) if n <= 20000]
        early = learning_curves.fit([n for n, _ in small], [a for _, a in small])
        lines.append(f"| {label} | {pct(model['asymptote'])} ({pct(model['low'])}–{pct(model['high'])}) | "
                     f"{model['c']:.2f} | {pct(learning_curves.predict(early, 50000))} | "
                     f"{pct(statistics.mean(accs[-1]))} |")
    return lines


def read_chapter6(runs_dir: Path) -> dict[str, list[dict]]:
    """Chapter 6's runs by id, from every full chapter6.py run under runs_dir that trained as
    network3 (no reshuffling, the latest of tying validation epochs; the newest run of each id and
    seed): test at best validation, best validation, training seconds, the folder."""
    found: dict[tuple[str, int], dict] = {}
    for path in sorted(Path(runs_dir).glob("chapter6*/results.json"), key=lambda p: p.stat().st_mtime):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("epochs") or data.get("train_size") \
                or data.get("shuffle") is not False or data.get("ties") != "last":
            continue                           # a shortened run, or one not trained as network3 trains
        for r in data.get("runs", []):
            found[(r["id"], r["seed"])] = dict(seed=r["seed"], test=r["test_at_best_validation"],
                                               validation=r["best_validation"],
                                               seconds=r.get("training_seconds", 0), folder=path.parent.name)
        for row in data.get("rows", []):
            if "errors" in row:                                  # the ensemble: one vote of five networks
                found[(row["id"], 0)] = dict(seed=0, test=row["ours"] / 100, errors=row["errors"],
                                             seconds=row.get("training_seconds", 0), folder=path.parent.name)
    out: dict[str, list[dict]] = {}
    for (rid, _), r in sorted(found.items(), key=lambda kv: kv[0][1]):
        out.setdefault(rid, []).append(r)
    return out


class Report:
    """BOOK.md from one run's results: ``run`` is what book.py saved beside them (options, the
    command, the workers or the scheduler, the versions), so a report written again later says
    how the run was made, not how the report was."""

    def __init__(self, results: list[dict], options: dict, out: Path, runs_dir: str, run: dict | None = None):
        self.res, self.options, self.out = Results(results, read_chapter6(Path(runs_dir))), options, out
        self.run = run or {}

    def shortened(self) -> bool:
        return bool(self.options.get("epochs") or self.options.get("train_size"))

    def outcome(self, row: Row) -> Outcome:
        """The row's check, with the three ways an id is not judged by its rule: a run the library
        refused (not run), a run that diverged (differs), a run missing or too short (not run).
        Any other error of a rule on full-length runs is a bug, raised; on shortened runs (smoke
        tests) it reads as not run."""
        try:
            with np.errstate(all="ignore"):
                return row.check(self.res)
        except Refused as exc:
            return Outcome(f"refused before training: {exc}", "", "not run: the library refused the setting")
        except Failed as exc:
            return Outcome(f"a job failed: {exc}", "", "not run: a job failed (`book.py --resume` runs it again)")
        except Diverged as exc:
            return Outcome(f"diverged: {exc}", "", "differs: a run diverged (the book's trained)")
        except Missing as missing:
            command = (f"`python experiments/chapter6.py --rows {row.id} --seeds 3`" if row.chapter == 6 and not row.runs
                       else f"run {missing}")
            return Outcome(f"not run: {command}", "", "not run")
        except TooShort as exc:
            if not self.shortened():
                raise RuntimeError(f"{row.id}: full-length runs too short for the rule: {exc}") from None
            return Outcome(f"runs too short: {exc}", "", "not run: runs too short")
        except (IndexError, ValueError, KeyError, statistics.StatisticsError) as exc:
            if not self.shortened():
                raise
            return Outcome(f"cannot be read from runs this short ({type(exc).__name__})", "", "not run: runs too short")

    def seconds(self, row: Row) -> float:
        if row.chapter == 6 and not row.runs:
            return sum(r["seconds"] for r in self.res.chapter6.get(row.id, []))
        return self.res.seconds(row.runs)

    def header(self, total: float, args) -> list[str]:
        """How the run was made, from what it saved (the report's own command where it saved none)."""
        run, seeds = self.run, self.options.get("seeds") or self.run.get("seeds")
        command = run.get("command") or self.argv(args)
        where = ("on a Dask cluster" if run.get("scheduler")
                 else f"with {run.get('jobs', getattr(args, 'jobs', 1))} worker process(es) of one BLAS thread")
        saved = run.get("versions") or versions()
        return [f"Command: `python workshop/book.py {' '.join(command)}`  ",
                (f"{seeds} seeds per stochastic run" if seeds else f"seeds per stochastic run: each run's own "
                 f"({MIN_SEEDS} or more; chapter 6's rows {MIN_SEEDS_CHAPTER6})") +
                f"; MatrixNetwork in {self.options['dtype']} (2.1 also the per-sample Network; 3.29 and 3.31 through "
                f"network2.py's face), mini-batch 10, the 50,000 training images unless a row says otherwise. Wall "
                f"time {total:.0f} s {where}. " + ", ".join(f"{k} {v}" for k, v in saved.items() if k != "platform")]

    def write(self, rows: list[Row], total: float, args) -> str:
        lines = ["# Nielsen's book, checked number by number", "", *self.header(total, args),
                 "", "Rules: a stochastic number agrees when the book's lies in the 95% prediction interval of one "
                 f"run of ours (mean ± t s sqrt(1 + 1/n) over n seeds, n at least {MIN_SEEDS}; "
                 f"{MIN_SEEDS_CHAPTER6} for chapter 6's rows), or, where the book reports its best of three runs "
                 "(chapter 1's accuracies, chapter 6), in the 2.5–97.5% range of a best of three simulated from our "
                 "seeds (for 1.1's transcript, of the best-peaked run of three); otherwise it differs, by so many "
                 "standard deviations. A curve claim: a reading of every seed's curve, and the book's numbers on the "
                 "curve as stochastic numbers. A deterministic number: exactly (the SVM within 10 images). A run "
                 "that diverged differs; a run the library refused, or one missing, is not run. The book's numbers, "
                 "ids and settings: experiments/helpers/book_reference.py.", "",
                 "| id | run | book | ours | rule | verdict | seconds |", "|---|---|---|---|---|---|---|"]
        outcomes = []
        for row in rows:
            if row.id == "problems":
                continue
            o = self.outcome(row)
            outcomes.append((row, o))
            lines.append(f"| {row.id} | {row.what} | {row.book} | {o.ours} | {o.rule} | {o.verdict} | "
                         f"{self.seconds(row):.0f} |")
        headline, counts = self.headline(outcomes)
        lines[1:1] = ["", f"**{headline}**"]
        shown = [r.id for r, o in outcomes if o.verdict.startswith("no verdict")]
        if shown:
            lines += ["", f"Shown without a verdict (a time on the book's machine, a claim with no number, or one "
                          f"run of chapter 6): {', '.join(shown)}."]
        lines += ["", *self.notes(outcomes)]
        if any(r.id == "problems" for r in rows):
            lines += ["", *self.problems()]
        lines += ["", *self.figures()]
        text = "\n".join(lines) + "\n"
        save_text(self.out / "BOOK.md", text)
        save_text(self.out / "headline.json", json.dumps(dict(counts, headline=headline)) + "\n")
        return text

    @staticmethod
    def headline(outcomes: list[tuple[Row, Outcome]]) -> tuple[str, dict]:
        """What agrees, what differs, what was not run: nothing else."""
        verdicts = [o.verdict for _, o in outcomes]
        counts = {word: sum(v.startswith(word) for v in verdicts) for word in ("agrees", "differs", "not run")}
        text = f"{counts['agrees']} agree, {counts['differs']} differ, {counts['not run']} not run"
        return text, counts

    def notes(self, outcomes) -> list[str]:
        """The facts measured beside the verdicts, id by id: they explain, they never change a verdict."""
        noted = [(r, o) for r, o in outcomes if o.note]
        if not noted:
            return []
        return ["## Measured beside the verdicts", "",
                "Facts the same runs measured, printed beside a row's verdict; a verdict is only its rule's.", "",
                *[f"- {r.id} ({o.verdict.partition(':')[0]}): {o.note}." for r, o in noted]]

    @staticmethod
    def argv(args) -> list[str]:
        """The options of a book.py command that decide what it runs (no paths: the report names
        nothing of the machine it ran on)."""
        out = []
        for flag in ("only", "chapter"):
            if getattr(args, flag):
                out += [f"--{flag}"] + [str(v) for v in getattr(args, flag)]
        for flag in ("seeds", "train_size", "epochs"):
            value = getattr(args, flag)
            if value:
                out += [f"--{flag.replace('_', '-')}", str(value)]
        if args.dtype != "float64":
            out += ["--dtype", args.dtype]
        return out

    def problems(self) -> list[str]:
        res, lines = self.res, ["## The coding problems of chapters 1-3", ""]
        try:
            base = res.runs("3.1")
            best_test = lambda runs: [r["test"][int(np.argmax(r["evaluation"]))] / r["n_test"] for r in runs]  # noqa: E731
            lines += ["### P1.8: [784, 10], no hidden layer", "", f"Peak test accuracy over the seeds, eta 3.0, quadratic "
                      f"cost: {summary(res.frac('1.7', 'test', PEAK))} (id 1.7).", "",
                      "### P3.18: L1 regularisation, [784, 30, 10], old init, eta 0.5, 30 epochs", "",
                      "w -> w - (eta l1 / n) sgn(w) - eta dC0/dw, as `MatrixNetwork.SGD(l1_lmbda=...)`; the test "
                      "accuracy at the epoch of best validation accuracy, median (range):", "",
                      "| l1_lmbda | test at best validation | beats the unregularised run's median? |", "|---|---|---|",
                      f"| 0 (3.1's runs) | {summary(best_test(base))} | - |"]
            plain = statistics.median(best_test(base))
            for l1 in ("0.5", "1", "2", "5"):
                values = best_test(res.runs(f"P3.18/{l1}"))
                lines.append(f"| {l1} | {summary(values)} | "
                             f"{'yes' if statistics.median(values) > plain else 'no'} ({100 * (statistics.median(values) - plain):+.2f} pt) |")
            lines += ["", "### P3.26: momentum-based SGD, [784, 30, 10], new init, eta 0.1, lambda 5.0", "",
                      "v -> mu v - eta grad C, w -> w + v, as `MatrixNetwork.SGD(momentum=mu)`:", "",
                      "| mu | epochs to reach 95% validation accuracy (median, seeds) | validation after epoch 0 | final validation |",
                      "|---|---|---|---|"]
            for mu in ("0", "0.5", "0.9"):
                runs = res.runs(f"P3.26/{mu}")
                reach = [first_at_least(r["evaluation"], 9500) for r in runs]
                median = statistics.median([e if e is not None else float("inf") for e in reach])
                lines.append(f"| {mu} | {'never' if median == float('inf') else f'{median:.0f}'} "
                             f"({', '.join(str(e) if e is not None else 'never' for e in reach)}) | "
                             f"{summary([r['evaluation'][0] / 10000 for r in runs])} | "
                             f"{summary([r['evaluation'][-1] / 10000 for r in runs])} |")
            lines += ["", *self._early_stopping(), "", "### P3.15: accuracy against training-set size, fitted", "",
                      "error(n) = e_inf + b n^(-c), fitted in log-error (workshop/learning_curves.py); "
                      "the uncertainty a bootstrap over the residuals:", "", *fit_text(res)]
        except NOT_SHOWN as why:
            lines.append(f"(not shown: {type(why).__name__}: {why})")
        return lines

    def _early_stopping(self) -> list[str]:
        """P3.21: no-improvement-in-10 against ours (no improvement of more than 0.1% of the
        validation set in 10 epochs), read off full runs' validation curves: what SGD's
        early_stopping_n and early_stopping_delta do; one real run checks the reading."""
        res = self.res

        def stop(curve, n, delta):
            best, since = -1, 0
            for epoch, v in enumerate(curve):
                if v > best + delta:
                    best, since = v, 0
                else:
                    since += 1
                if since >= n:
                    return epoch
            return len(curve) - 1

        lines = ["### P3.21: an early-stopping rule against no-improvement-in-10", "",
                 "Ours stops after 10 epochs without an improvement of more than 0.1% of the validation set "
                 "(`early_stopping_delta=0.001`): late gains of a few images no longer extend the run. Both rules "
                 "are read off the validation curves of full runs (the trajectory does not depend on the rule):", "",
                 "| experiment | rule | epochs run (median) | test at best validation so far (median) |", "|---|---|---|---|"]
        for name, label in (("3.15", "[784, 100, 10], new init, eta 0.1, lambda 5.0, 60 epochs (3.15)"),
                            ("3.14", "[784, 100, 10], old init, eta 0.5, lambda 5.0, 30 epochs (3.14)"),
                            ("3.25/30-new", "[784, 30, 10], new init, eta 0.1, lambda 5.0, 30 epochs (3.25)")):
            runs = res.runs(name)
            for rule, delta in (("no improvement in 10", 0), ("ours", 0.001)):
                stops = [stop(r["evaluation"], 10, delta * r["n_evaluation"]) for r in runs]
                tests = [r["test"][int(np.argmax(r["evaluation"][:s + 1]))] / r["n_test"] for r, s in zip(runs, stops)]
                lines.append(f"| {label} | {rule} | {statistics.median(stops) + 1:.0f} | {summary(tests)} |")
        real = res.runs("P3.21/stop")
        lines += ["", f"A real run with `early_stopping_n=10, early_stopping_delta=0.001` (1,000 images, lambda 0.1) "
                  f"stopped after {', '.join(str(len(r['evaluation'])) for r in real)} epochs (seeds)."]
        return lines

    def figures(self) -> list[str]:
        """The book's figures of chapter 3's runs, from our seed-0 runs, the book's values marked."""
        res = self.res

        def curve(name: str, key: str, start: int = 0, size: str | None = None) -> tuple[list, list]:
            r = res.runs(name)[0]
            values = [v / r[size] * 100 if size else v for v in r[key]]
            return list(range(start, len(values))), values[start:]

        figures = [  # file, title, y label, series: {label: (run, key, start, size)}, the book's (x, y) marks
            ("overfitting1.png", "overfitting1: training cost from epoch 200 (1,000 images)", "cost",
             {"training cost": ("3.4", "training_cost", 200, None)}, []),
            ("overfitting2.png", "overfitting2: test accuracy from epoch 200", "accuracy (%)",
             {"test accuracy": ("3.4", "test", 200, "n_test")}, FIGURE_MARKS["overfitting2"]),
            ("overfitting3.png", "overfitting3: test cost", "cost",
             {"test cost": ("3.4", "evaluation_cost", 0, None)}, FIGURE_MARKS["overfitting3"]),
            ("overfitting4.png", "overfitting4: training accuracy", "accuracy (%)",
             {"training accuracy": ("3.4", "training_accuracy", 0, "n_train")}, FIGURE_MARKS["overfitting4"]),
            ("overfitting_full.png", "overfitting_full: 50,000 images", "accuracy (%)",
             {"test": ("3.1", "test", 0, "n_test"), "training": ("3.1", "training_accuracy", 0, "n_train")}, FIGURE_MARKS["overfitting_full"]),
            ("regularized1.png", "regularized1: training cost, lambda 0.1, 1,000 images", "cost",
             {"training cost": ("3.11", "training_cost", 0, None)}, []),
            ("regularized2.png", "regularized2: test accuracy, lambda 0.1, 1,000 images", "accuracy (%)",
             {"test accuracy": ("3.11", "test", 0, "n_test")}, FIGURE_MARKS["regularized2"]),
            ("regularized_full.png", "regularized_full: lambda 5.0, 50,000 images", "accuracy (%)",
             {"test": ("3.12", "test", 0, "n_test"), "training": ("3.12", "training_accuracy", 0, "n_train")}, FIGURE_MARKS["regularized_full"]),
            ("weight_initialization_30.png", "weight_initialization_30: validation accuracy", "accuracy (%)",
             {"new init": ("3.25/30-new", "evaluation", 0, "n_evaluation"),
              "old init": ("3.25/30-old", "evaluation", 0, "n_evaluation")}, FIGURE_MARKS["weight_initialization_30"]),
            ("weight_initialization_100.png", "weight_initialization_100: validation accuracy", "accuracy (%)",
             {"new init": ("3.25/100-new", "evaluation", 0, "n_evaluation"),
              "old init": ("3.25/100-old", "evaluation", 0, "n_evaluation")}, FIGURE_MARKS["weight_initialization_100"]),
            ("multiple_eta.png", "multiple_eta: training cost", "cost",
             {f"eta {eta}": (f"3.35/{eta}", "training_cost", 0, None) for eta in ("0.025", "0.25", "2.5")}, FIGURE_MARKS["multiple_eta"]),
        ]
        made = []
        for file, title, ylabel, series, marks in figures:
            try:
                made.append(self._draw(file, {label: curve(*how) for label, how in series.items()}, marks, title, ylabel))
            except NOT_SHOWN:
                continue
        for hidden in (2, 3, 4):                                      # 5.9-5.11: the speeds during training
            try:
                speeds = np.array(res.runs(f"5.9/{hidden}")[0]["speeds"])  # (epochs, hidden layers)
            except NOT_SHOWN:
                continue
            epochs = list(range(len(speeds)))
            made.append(self._draw(f"training_speed_{hidden}_layers.png",
                                   {f"hidden layer {l + 1}": (epochs, list(speeds[:, l])) for l in range(hidden)}, [],
                                   f"training_speed_{hidden}_layers: the speed of learning, 1,000 images",
                                   "||dC/db|| of the layer"))
        try:
            net, svm = [[100 * statistics.mean(v) for v in more_data(res, k)] for k in ("net", "svm")]
            book_net, book_svm = book("3.18", "validation"), book("3.19", "validation")
            for file, log in (("more_data.png", False), ("more_data_log.png", True)):
                made.append(self._draw(file, {"network, ours": (SIZES, net)}, list(zip(SIZES, book_net)),
                                       "more_data: validation accuracy against training-set size", "accuracy (%)",
                                       "training images", log))
            made.append(self._draw("more_data_comparison.png", {"network, ours": (SIZES, net), "SVM, ours": (SIZES, svm)},
                                   list(zip(SIZES, book_net)) + list(zip(SIZES, book_svm)),
                                   "more_data_comparison: the network and the SVM", "accuracy (%)", "training images", True))
        except NOT_SHOWN:
            pass
        return ["## The book's figures, redrawn from our runs (seed 0; the book's values as black stars, or dotted "
                "lines where it gives no epoch)", "",
                ", ".join(made) if made else "(none: their runs were not part of this run)"]

    def _draw(self, file: str, series: dict, marks: list, title: str, ylabel: str, xlabel: str = "epoch",
              logx: bool = False) -> str:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4.5))
        for label, (xs, ys) in series.items():
            ax.plot(xs, ys, marker="o" if len(xs) < 60 else None, markersize=3, label=label)
        points = [m for m in marks if m[0] is not None]
        if points:
            ax.plot([m[0] for m in points], [m[1] for m in points], "k*", markersize=10, label="the book")
        for i, (_, level) in enumerate(m for m in marks if m[0] is None):     # a number the book gives no epoch for
            ax.axhline(level, color="k", linestyle=":", linewidth=1, label="the book (no epoch given)" if i == 0 else None)
        if logx:
            ax.set_xscale("log")
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        save_figure(fig, self.out / file)
        return file


