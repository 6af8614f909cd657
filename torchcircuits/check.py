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
  Such a run is marked ``kink``. Where the one-sided differences of one input
  split by more than :data:`KINK_SPLIT` · max(1, |f|) (1e-3: a smooth function
  splits them by h·|f''| only), the input is at a kink and its hand gradient must
  lie in the subgradient interval [left, right], widened by :data:`KINK_SLACK` ·
  max(1, |f|) (1e-4, for the O(h) truncation of a one-sided difference), instead
  of matching the centered difference or torch's choice of side. Random trials
  are drawn away from kinks, so only given inputs hit this.

A circuit without a torch face (a user's, see :mod:`torchcircuits.usercheck`)
is compared with numerics only; one without a Unit face skips the Unit engine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field

from .circuits import CIRCUITS, KINK_GAP, Circuit, get_circuit
from .gradcheck import DEFAULT_H, max_abs_diff, one_sided_gradients, rel_error

__all__ = [
    "CheckRun",
    "check_circuit",
    "run_checks",
    "HAND_TORCH_TOL",
    "NUMERIC_REL_TOL",
    "NUMERIC_ABS_TOL",
    "RELATIVE_FLOOR",
    "compare_numeric",
    "component_agrees",
    "KINK_SPLIT",
    "KINK_SLACK",
]

HAND_TORCH_TOL = 1e-10
NUMERIC_REL_TOL = 1e-6
NUMERIC_ABS_TOL = 1e-8
RELATIVE_FLOOR = 1e-4
KINK_SPLIT = 1e-3
KINK_SLACK = 1e-4


@dataclass(frozen=True)
class CheckRun:
    """One circuit at one point, every face compared."""

    circuit: str
    run: str
    inputs: dict[str, float]
    output: float
    grad_hand: dict[str, float]
    #: empty for a circuit without a torch face (then the diff is None) or a Unit face
    grad_torch: dict[str, float]
    grad_units: dict[str, float]
    grad_numeric: dict[str, float]
    max_abs_diff_hand_torch: float | None
    max_abs_diff_hand_units: float | None
    max_rel_error_numeric: float
    at_kink: bool
    ok: bool
    #: the one-sided differences (f(x) - f(x-h))/h and (f(x+h) - f(x))/h: the subgradient interval at a kink
    grad_numeric_left: dict[str, float] = field(default_factory=dict)
    grad_numeric_right: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


def _numeric_agrees(value: float, estimate: float, scale: float) -> tuple[float, bool]:
    """(relative error that counts, agrees) for one component against its centered difference."""
    if abs(value) + abs(estimate) >= RELATIVE_FLOOR * scale:
        rel = rel_error(value, estimate)
        return rel, rel < NUMERIC_REL_TOL
    return 0.0, abs(value - estimate) < NUMERIC_ABS_TOL * scale


def component_agrees(
    hand: float,
    torch: float | None,
    numeric: float,
    left: float,
    right: float,
    output: float,
) -> tuple[bool, bool, float]:
    """(agrees, at a kink, relative error vs numeric that counts) for one gradient component.

    Away from a kink: within :data:`HAND_TORCH_TOL` of torch (where there is a
    torch face) and within the numeric rule. At a kink (the one-sided slopes
    split): inside the subgradient interval, whatever side torch picked.
    """
    scale = max(1.0, abs(output))
    at_kink = abs(right - left) > KINK_SPLIT * scale
    if at_kink:
        slack = KINK_SLACK * scale
        return min(left, right) - slack <= hand <= max(left, right) + slack, True, 0.0
    rel, numeric_ok = _numeric_agrees(hand, numeric, scale)
    torch_ok = torch is None or abs(hand - torch) <= HAND_TORCH_TOL
    return torch_ok and numeric_ok, False, rel


def compare_numeric(hand: Mapping[str, float], numeric: Mapping[str, float], output: float) -> tuple[float, bool]:
    """(max relative error over comparable components, whether every component agrees)."""
    scale = max(1.0, abs(output))
    worst, agrees = 0.0, True
    for name, value in hand.items():
        rel, ok = _numeric_agrees(value, numeric[name], scale)
        worst, agrees = max(worst, rel), agrees and ok
    return worst, agrees


def check_circuit(circuit: Circuit, values: Mapping[str, float], run: str = "seed", device: str = "cpu") -> CheckRun:
    """Compare hand, Unit, torch and numerical gradients at ``values``, input by input (see the module's rules)."""
    values = circuit.validate(values)
    output, hand = circuit.grad_hand(values)
    torch_face = circuit.grad_torch(values, device=device)
    units_face = circuit.grad_units(values)
    left, numeric, right = one_sided_gradients(circuit.forward, values, h=DEFAULT_H)
    torch_grads = torch_face[1] if torch_face is not None else {}
    unit_grads = units_face[1] if units_face is not None else {}
    diff_torch = None if torch_face is None else max(max_abs_diff(hand, torch_grads), abs(output - torch_face[0]))
    diff_units = None if units_face is None else max_abs_diff(hand, unit_grads)
    verdicts = [
        component_agrees(value, torch_grads.get(name), numeric[name], left[name], right[name], output)
        for name, value in hand.items()
    ]
    at_kink = circuit.kink_gap(values) <= KINK_GAP or any(kink for _, kink, _ in verdicts)
    ok = (
        math.isfinite(output)
        and (torch_face is None or abs(output - torch_face[0]) <= HAND_TORCH_TOL)
        and (diff_units is None or diff_units <= HAND_TORCH_TOL)
        and all(agrees for agrees, _, _ in verdicts)
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
        max_rel_error_numeric=max((rel for _, _, rel in verdicts), default=0.0),
        at_kink=at_kink,
        ok=ok,
        grad_numeric_left=left,
        grad_numeric_right=right,
    )


def run_checks(
    names: Iterable[str] | None = None,
    trials: int = 3,
    seed: int = 0,
    inputs: Mapping[str, float] | None = None,
    device: str = "cpu",
    on_run: Callable[[int, int], None] | None = None,
    circuits: Mapping[str, Circuit] | None = None,
) -> list[CheckRun]:
    """Check the named circuits (all by default) at their seed inputs and ``trials`` random points.

    ``inputs`` overrides some seed values (unknown names are refused). Random
    points come from one ``random.Random(seed)`` per circuit, so a circuit's
    trials do not depend on which other circuits are checked. ``on_run(done, total)``
    is called after each run (for a progress bar). ``circuits`` is where the
    names are looked up: the registry by default, or a user's declarations.
    """
    registry = CIRCUITS if circuits is None else circuits
    chosen = [registry[name] if circuits is not None else get_circuit(name) for name in (names or registry)]
    total = len(chosen) * (trials + 1)
    runs: list[CheckRun] = []

    def add(run: CheckRun) -> None:
        runs.append(run)
        if on_run is not None:
            on_run(len(runs), total)

    for circuit in chosen:
        start = circuit.validate(inputs or {}, partial=True)
        add(check_circuit(circuit, start, "seed" if not inputs else "given", device))
        rng = random.Random(f"{seed}:{circuit.name}")
        for trial in range(trials):
            add(check_circuit(circuit, circuit.random_inputs(rng), f"trial {trial + 1}", device))
    return runs
