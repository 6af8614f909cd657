"""One plain-language line from a run's health records: dead layers first, then update sizes.

The records are the ones :meth:`Trainer.health` returns, kept over time
(the app keeps them beside its curves). The line names the worst problem and
what to do about it, with the step since which it holds:
``layer 1: 62% of units dead since step 140: lower the step size or use leaky ReLU``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["read_health", "DEAD_LINE", "RATIO_HIGH", "RATIO_LOW", "RATIO_GOOD"]

#: a layer with at least this share of units dead or saturated is named
DEAD_LINE = 0.25
#: makemore's healthy update:data ratio, and the band beyond which a step is called too large or too small
RATIO_GOOD = 1e-3
RATIO_HIGH = 1e-2
RATIO_LOW = 1e-5

_SATURATING = ("tanh", "sigmoid")


def _since(steps: Sequence[float], values: Sequence[float], holds) -> float:
    """The first step of the trailing run of records where ``holds(value)``."""
    first = steps[-1]
    for step, value in zip(reversed(steps), reversed(values), strict=True):
        if not holds(value):
            break
        first = step
    return first


def read_health(
    steps: Sequence[float],
    dead: Sequence[Sequence[float]],
    ratios: Mapping[str, Sequence[float]],
    activation: str,
) -> str:
    """The line for records at ``steps``: per hidden layer its dead (or saturated) fractions, per weight its
    update:data ratios (NaN where undefined, e.g. before the first step)."""
    if not steps:
        return "no records yet: take a step"
    word = "saturated" if activation in _SATURATING else "dead"
    cure = ("scale the inputs down or start smaller (init xavier)" if word == "saturated"
            else "lower the step size or use leaky ReLU")  # fmt: skip
    worst = max(range(len(dead)), key=lambda k: dead[k][-1], default=None)
    if worst is not None and dead[worst][-1] >= DEAD_LINE:
        since = _since(steps, dead[worst], lambda v: v >= DEAD_LINE)
        return f"layer {worst + 1}: {dead[worst][-1]:.0%} of units {word} since step {since:,.0f}: {cure}"
    latest = {name: values[-1] for name, values in ratios.items() if len(values) and math.isfinite(values[-1])}
    if latest:
        name, ratio = max(latest.items(), key=lambda item: item[1])
        if ratio > RATIO_HIGH:
            return (f"{name}: each step changes it by {ratio:.1e} of its size, {ratio / RATIO_GOOD:.0f}× the healthy "
                    f"1e-3: lower the step size")  # fmt: skip
        name, ratio = min(latest.items(), key=lambda item: item[1])
        if ratio < RATIO_LOW:
            return f"{name}: each step changes it by {ratio:.1e} of its size: it barely learns: raise the step size"
    layers = f"no layer over {DEAD_LINE:.0%} {word}" if dead else "no hidden layer"
    if not latest:
        return f"no step taken yet: {layers}"
    return f"healthy: {layers}, updates within {RATIO_LOW:g} to {RATIO_HIGH:g} of the weights"
