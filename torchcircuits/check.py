"""Cross-check every face of a circuit: hand, Unit engine, torch autograd, numerics.

The rules, in float64:

* hand-derived vs torch autograd (and vs ``Unit.backward``): every gradient
  within :data:`HAND_TORCH_TOL` = 1e-10 absolute. Both compute the same
  products in nearly the same order, so they differ by a few ulps only.
* hand-derived vs centered difference (h = 1e-5): cs231n's relative error below
  :data:`NUMERIC_REL_TOL` = 1e-6. The truncation error of a centered difference
  is O(h²) ≈ 1e-10 and its round-off ≈ eps·|f|/h ≈ 1e-11·|f|, far below that.
  A gradient much smaller than the output is below that round-off, and its
  relative error is noise (a true 0 against a numerical 1e-12 is relative
  error 1). So a component is compared in relative terms only where
  |hand| + |numeric| >= :data:`RELATIVE_FLOOR` · max(1, |f|) (1e-4: there the
  round-off is about 1e-7 relative); below that floor it must agree within
  :data:`NUMERIC_ABS_TOL` · max(1, |f|) absolute (1e-8), and it enters
  ``max_rel_error_numeric`` as 0. A wrong small gradient still fails: a hand
  0 against a true 5e-5 misses the absolute bound 5000-fold.
* the kink rule: where a max or ReLU gate's inputs are within
  :data:`~torchcircuits.circuits.KINK_GAP` (1e-3) of its switch point, the
  centered difference may straddle the switch and measure neither side's slope.
  Such a run is marked ``kink``: hand vs torch still counts, numerics do not.
  Random trials are drawn away from kinks, so only user-given inputs hit this.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass

from .circuits import CIRCUITS, KINK_GAP, Circuit, get_circuit
from .gradcheck import DEFAULT_H, max_abs_diff, numerical_gradient, rel_error

__all__ = [
    "CheckRun",
    "check_circuit",
    "run_checks",
    "HAND_TORCH_TOL",
    "NUMERIC_REL_TOL",
    "NUMERIC_ABS_TOL",
    "RELATIVE_FLOOR",
    "compare_numeric",
]

HAND_TORCH_TOL = 1e-10
NUMERIC_REL_TOL = 1e-6
NUMERIC_ABS_TOL = 1e-8
RELATIVE_FLOOR = 1e-4


@dataclass(frozen=True)
class CheckRun:
    """One circuit at one point, every face compared."""

    circuit: str
    run: str
    inputs: dict[str, float]
    output: float
    grad_hand: dict[str, float]
    grad_torch: dict[str, float]
    grad_units: dict[str, float]
    grad_numeric: dict[str, float]
    max_abs_diff_hand_torch: float
    max_abs_diff_hand_units: float
    max_rel_error_numeric: float
    at_kink: bool
    ok: bool

    def to_json(self) -> dict:
        return asdict(self)


def compare_numeric(hand: Mapping[str, float], numeric: Mapping[str, float], output: float) -> tuple[float, bool]:
    """(max relative error over comparable components, whether every component agrees)."""
    scale = max(1.0, abs(output))
    worst, agrees = 0.0, True
    for name, value in hand.items():
        estimate = numeric[name]
        if abs(value) + abs(estimate) >= RELATIVE_FLOOR * scale:
            worst = max(worst, rel_error(value, estimate))
        elif abs(value - estimate) >= NUMERIC_ABS_TOL * scale:
            agrees = False
    return worst, agrees and worst < NUMERIC_REL_TOL


def check_circuit(circuit: Circuit, values: Mapping[str, float], run: str = "seed", device: str = "cpu") -> CheckRun:
    """Compare hand, Unit, torch and centered-numerical gradients at ``values``."""
    values = circuit.validate(values)
    output, hand = circuit.grad_hand(values)
    torch_output, torch_grads = circuit.grad_torch(values, device=device)
    _, unit_grads = circuit.grad_units(values)
    numeric = numerical_gradient(circuit.forward, values, h=DEFAULT_H, method="centered")
    at_kink = circuit.kink_gap(values) <= KINK_GAP
    diff_torch = max(max_abs_diff(hand, torch_grads), abs(output - torch_output))
    diff_units = max_abs_diff(hand, unit_grads)
    rel, numeric_ok = compare_numeric(hand, numeric, output)
    ok = (
        math.isfinite(output)
        and diff_torch <= HAND_TORCH_TOL
        and diff_units <= HAND_TORCH_TOL
        and (at_kink or numeric_ok)
    )
    return CheckRun(
        circuit=circuit.name,
        run=run,
        inputs=dict(values),
        output=output,
        grad_hand=hand,
        grad_torch=torch_grads,
        grad_units=unit_grads,
        grad_numeric=numeric,
        max_abs_diff_hand_torch=diff_torch,
        max_abs_diff_hand_units=diff_units,
        max_rel_error_numeric=rel,
        at_kink=at_kink,
        ok=ok,
    )


def run_checks(
    names: Iterable[str] | None = None,
    trials: int = 3,
    seed: int = 0,
    inputs: Mapping[str, float] | None = None,
    device: str = "cpu",
    on_run: Callable[[int, int], None] | None = None,
) -> list[CheckRun]:
    """Check the named circuits (all by default) at their seed inputs and ``trials`` random points.

    ``inputs`` overrides some seed values (unknown names are refused). Random
    points come from one ``random.Random(seed)`` per circuit, so a circuit's
    trials do not depend on which other circuits are checked. ``on_run(done, total)``
    is called after each run (for a progress bar).
    """
    circuits = [get_circuit(name) for name in (names or CIRCUITS)]
    total = len(circuits) * (trials + 1)
    runs: list[CheckRun] = []

    def add(run: CheckRun) -> None:
        runs.append(run)
        if on_run is not None:
            on_run(len(runs), total)

    for circuit in circuits:
        start = circuit.validate(inputs or {}, partial=True)
        add(check_circuit(circuit, start, "seed" if not inputs else "given", device))
        rng = random.Random(f"{seed}:{circuit.name}")
        for trial in range(trials):
            add(check_circuit(circuit, circuit.random_inputs(rng), f"trial {trial + 1}", device))
    return runs
