"""What a network costs to run, per sample, from its layers' shapes: the bound every network keeps.

A network's parameters say little about its cost: 100,000 1x1 filters on a 28x28 image are
100,000 parameters and 78 million activations per image. So a network made or loaded here must
also keep, per sample of a forward pass:

- ``MAX_NUMBERS`` numbers made: a convolution's im2col columns (C kh kw by oh ow), its output
  (oh ow F) and the pooled output (F H' W'); a fully connected or softmax layer's n_out;
- ``MAX_FLOPS`` floating-point operations: 2 per multiply-add of a convolution (oh ow F C kh kw)
  or a fully connected layer (n_in n_out), one per comparison of the pooling;
- ``MAX_STEPS`` steps of Python: the pooling takes the maximum of its ph pw shifted views one
  view at a time, and the backward pass adds back kh kw windows one at a time.

``run_cost`` counts them; ``check_run_cost`` refuses a network over any of them with a
``ValueError`` naming the layer that is over. ConvNetwork's constructor and ``network.load``
(before a file's arrays are read) call it. The numbers and FLOPs bounds are about 60 times what
chapter 6's largest network needs (``tests/test_files.py`` computes it), and keep one sample's
forward pass of a network from elsewhere within the bounds measured in ``docs/untrusted-files.md``.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

MAX_NUMBERS = 4_000_000      # per sample: 32 MB in float64
MAX_FLOPS = 400_000_000      # per sample
MAX_STEPS = 20_000           # per sample: pooling views and kernel windows


class RunCost(NamedTuple):
    numbers: int
    flops: int
    steps: int


def _field(layer: Any, key: str) -> Any:
    return layer[key] if isinstance(layer, dict) else getattr(layer, key)


def layer_cost(layer: Any) -> RunCost:
    """One layer's cost per sample: a layer object (ConvPoolLayer, FullyConnectedLayer,
    SoftmaxLayer) or its description in a network file (a dict with the same names)."""
    if isinstance(layer, dict) and layer.get("type") == "ConvPoolLayer" or hasattr(layer, "filter_shape"):
        f, c, kh, kw = _field(layer, "filter_shape")
        _, h, w = _field(layer, "image_shape")
        ph, pw = _field(layer, "poolsize")
        oh, ow = h - kh + 1, w - kw + 1
        conv = oh * ow * f
        pooled = f * (oh // ph) * (ow // pw)
        return RunCost(c * kh * kw * oh * ow + conv + pooled, 2 * conv * c * kh * kw + conv, ph * pw + kh * kw)
    n_in, n_out = _field(layer, "n_in"), _field(layer, "n_out")
    return RunCost(n_out, 2 * n_in * n_out, 0)


def run_cost(layers: Sequence[Any]) -> RunCost:
    """The cost per sample of a forward pass through ``layers`` (see ``layer_cost``)."""
    costs = [layer_cost(l) for l in layers]
    return RunCost(*(sum(c[k] for c in costs) for k in range(3)))


def check_run_cost(layers: Sequence[Any]) -> RunCost:
    """``run_cost(layers)``, or a ValueError if it is over a bound, naming the costliest layer."""
    cost = run_cost(layers)
    for k, (what, limit) in enumerate((("numbers made", MAX_NUMBERS), ("floating-point operations", MAX_FLOPS),
                                       ("Python steps (pooling views, kernel windows)", MAX_STEPS))):
        if cost[k] > limit:
            worst = max(range(len(layers)), key=lambda i: layer_cost(layers[i])[k])
            raise ValueError(f"this network would need {cost[k]:,} {what} per sample to run, more than the "
                             f"{limit:,} a network may (layers[{worst}] needs {layer_cost(layers[worst])[k]:,})")
    return cost
