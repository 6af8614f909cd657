"""The three ways Chapter 1 of the guide makes a circuit's output go up.

Each strategy takes a circuit and a starting point, never modifies the mapping
it is given, and returns a :class:`StrategyResult` with the point it reached,
the output there, and how many forward evaluations of the circuit it spent
(the quantity the guide's story is about: search needs many, the numerical
gradient one per input, the analytic gradient just one).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from .circuits import Circuit

__all__ = [
    "StrategyResult",
    "random_local_search",
    "numerical_gradient_ascent",
    "analytic_gradient_ascent",
]


@dataclass(frozen=True)
class StrategyResult:
    """Where a strategy went: start and end points, outputs, cost."""

    strategy: str
    start: dict[str, float]
    start_output: float
    end: dict[str, float]
    end_output: float
    evaluations: int
    gradient: dict[str, float] = field(default_factory=dict)


class _CountingForward:
    """The circuit's forward pass, counting its calls."""

    def __init__(self, circuit: Circuit) -> None:
        self.circuit = circuit
        self.calls = 0

    def __call__(self, values: Mapping[str, float]) -> float:
        self.calls += 1
        return self.circuit.forward(values)


def _tunable(circuit: Circuit, names: tuple[str, ...] | None) -> tuple[str, ...]:
    return circuit.inputs if names is None else names


def random_local_search(
    circuit: Circuit,
    start: Mapping[str, float],
    tweak: float = 0.01,
    iterations: int = 100,
    rng: random.Random | None = None,
    names: tuple[str, ...] | None = None,
) -> StrategyResult:
    """Try ``iterations`` random nudges in [-tweak, tweak] of each input; keep the best.

    Costs 1 + ``iterations`` evaluations. ``names`` limits which inputs move.
    """
    rng = rng if rng is not None else random.Random(0)
    forward = _CountingForward(circuit)
    point = circuit.validate(start)
    best_point, best = dict(point), forward(point)
    start_output = best
    for _ in range(iterations):
        trial = dict(point)
        for name in _tunable(circuit, names):
            trial[name] += tweak * (2.0 * rng.random() - 1.0)
        output = forward(trial)
        if output > best:
            best, best_point = output, trial
    return StrategyResult("random local search", point, start_output, best_point, best, forward.calls)


def _step(point: dict[str, float], gradient: Mapping[str, float], step_size: float) -> dict[str, float]:
    return {name: value + step_size * gradient.get(name, 0.0) for name, value in point.items()}


def numerical_gradient_ascent(
    circuit: Circuit,
    start: Mapping[str, float],
    step_size: float = 0.01,
    h: float = 1e-4,
    names: tuple[str, ...] | None = None,
) -> StrategyResult:
    """One step along the forward-difference gradient, as the guide does (h = 1e-4).

    Costs 1 + len(inputs) evaluations for the gradient and 1 for the new output.
    """
    forward = _CountingForward(circuit)
    point = circuit.validate(start)
    tunable = _tunable(circuit, names)
    start_output = forward(point)

    # the forward difference reuses start_output rather than paying for f(point) again
    gradient = {name: (forward({**point, name: point[name] + h}) - start_output) / h for name in tunable}
    end = _step(point, gradient, step_size)
    return StrategyResult("numerical gradient", point, start_output, end, forward(end), forward.calls, gradient)


def analytic_gradient_ascent(
    circuit: Circuit,
    start: Mapping[str, float],
    step_size: float = 0.01,
    names: tuple[str, ...] | None = None,
) -> StrategyResult:
    """One step along the hand-derived gradient: 1 forward+backward, 1 evaluation after."""
    forward = _CountingForward(circuit)
    point = circuit.validate(start)
    start_output, grads = circuit.grad_hand(point)
    forward.calls += 1  # the forward half of the forward+backward pass
    gradient = {name: grads[name] for name in _tunable(circuit, names)}
    end = _step(point, gradient, step_size)
    return StrategyResult("analytic gradient", point, start_output, end, forward(end), forward.calls, gradient)
