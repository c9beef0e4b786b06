"""Numerical gradient vs backprop on TwoLayerNet(784, 50, 10) and a mini-batch of 100 MNIST images.

The numerical gradient perturbs each of the 39,760 parameters up and down: 79,520 loss
evaluations. Backprop gets the same gradient from one forward and one backward pass. This
prints both times, their ratio and the max relative difference per parameter, and writes
runs/<name>/numerical_vs_backprop.json.

Two numerical gradients are timed: the book's (each perturbed loss a full forward pass) and
the fastest correct one we have (the same loss values, each computed from the unperturbed
forward pass plus the one hidden unit or output the parameter touches).

Where W1 and b1 disagree, a hidden pre-activation lies within the step h of ReLU's kink, where
central differences straddle a corner and no derivative exists; the script counts them and
gives the difference over the other columns too.

    python experiments/numerical_vs_backprop.py
"""
from __future__ import annotations

import json
import sys
import time

import numpy as np
from helpers.runlog import (
    new_run_dir, add_run_arguments, make_parser, nonnegative_int, positive_float, positive_int, run_script,
    versions, save_text,
)

import mnist_loader
from network import TwoLayerNet
from network.gradient_check import relative_error


def main(argv=None) -> int:
    p = make_parser(__doc__)
    p.add_argument("--hidden", type=positive_int, default=50, help="hidden units")
    p.add_argument("--batch", type=positive_int, default=100, help="mini-batch size")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed")
    p.add_argument("--h", type=positive_float, default=1e-4, help="central-difference step")
    p.add_argument("--skip-slow", action="store_true", help="time only the fast numerical gradient")
    add_run_arguments(p, "numerical_vs_backprop")
    args = p.parse_args(argv)

    (x, t), _, _ = mnist_loader.load_data(args.data)
    x, t = x[:args.batch].astype(np.float64), t[:args.batch]
    net = TwoLayerNet(784, args.hidden, 10, seed=args.seed)
    n_params = sum(v.size for v in net.params.values())
    print(f"TwoLayerNet(784, {args.hidden}, 10): {n_params} parameters, mini-batch of {args.batch}: "
          f"{2 * n_params} loss evaluations for one numerical gradient")

    start = time.perf_counter()
    for _ in range(10):
        grad_backprop = net.gradient(x, t)
    backprop_s = (time.perf_counter() - start) / 10
    start = time.perf_counter()
    grad_fast = net.numerical_gradient(x, t, h=args.h, fast=True)
    fast_s = time.perf_counter() - start
    if args.skip_slow:
        grad_numerical, numerical_s = grad_fast, float("nan")
    else:
        start = time.perf_counter()
        grad_numerical = net.numerical_gradient(x, t, h=args.h, verbose=not args.quiet)
        numerical_s = time.perf_counter() - start
    agreement = max(relative_error(grad_fast[k], grad_numerical[k]) for k in grad_fast)

    diffs = {k: relative_error(grad_backprop[k], grad_numerical[k]) for k in grad_backprop}
    mean_abs = {k: float(np.mean(np.abs(grad_backprop[k] - grad_numerical[k]))) for k in grad_backprop}
    z1 = x @ net.params["W1"] + net.params["b1"]
    near_kink = np.abs(z1) <= args.h * np.max(np.abs(x), axis=1, keepdims=True)  # (N, hidden)
    clean = ~near_kink.any(axis=0)
    clean_diff = {k: relative_error(grad_backprop[k][..., clean], grad_numerical[k][..., clean]) for k in ("W1", "b1")}
    if args.skip_slow:
        print("numerical gradient, the book's way: skipped (--skip-slow); compared below: the fast one")
    else:
        print(f"numerical gradient, the book's way: {numerical_s:.2f} s "
              f"({numerical_s / (2 * n_params) * 1e6:.0f} us per loss evaluation)")
    print(f"numerical gradient, fast (same loss values): {fast_s:.2f} s; agrees with the book's to {agreement:.1e}")
    print(f"backprop gradient: {backprop_s * 1e3:.3f} ms (mean of 10)")
    print("ratio: backprop is " + ("" if args.skip_slow else f"{numerical_s / backprop_s:,.0f}x faster than the "
                                   "book's numerical gradient, ") + f"{fast_s / backprop_s:,.0f}x faster than the fast one")
    for k in grad_backprop:
        print(f"  {k}: max relative difference {diffs[k]:.2e}, mean |difference| {mean_abs[k]:.2e}")
    print(f"  {int(near_kink.sum())} of {near_kink.size} hidden pre-activations lie within h * max|x| of the ReLU kink, "
          f"in {int((~clean).sum())} of {clean.size} hidden units; over the other units W1 differs by "
          f"{clean_diff['W1']:.2e}, b1 by {clean_diff['b1']:.2e}")
    result = {"parameters": n_params, "loss_evaluations": 2 * n_params, "numerical_seconds": numerical_s,
              "fast_numerical_seconds": fast_s, "fast_vs_book_numerical": agreement,
              "backprop_seconds": backprop_s, "ratio": None if args.skip_slow else numerical_s / backprop_s,
              "max_relative_difference": diffs, "mean_abs_difference": mean_abs,
              "pre_activations_near_kink": int(near_kink.sum()), "units_near_kink": int((~clean).sum()),
              "max_relative_difference_away_from_kinks": clean_diff,
              "hidden": args.hidden, "batch": args.batch, "h": args.h, "versions": versions()}
    out = new_run_dir(args.runs_dir, args.name)
    save_text(out / "numerical_vs_backprop.json", json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}/numerical_vs_backprop.json")
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
