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
* non-finite points: the faces follow IEEE 754 (1/0 is inf, 0/0 is nan). Where
  the output or a gradient is not finite, hand, Unit and torch must still agree
  (the same inf, nan where the other has nan), but no difference quotient can
  be compared: the run's status is ``not finite``. Where the output is finite
  but a difference overflows (f(x ± h) is inf), the numeric comparison is
  skipped likewise: ``numeric skipped``. Neither is a failure.

Every run carries a ``status`` (ok, kink, not finite, numeric skipped, fail)
and a ``reason``: for a failure, which comparison failed and by how much; for
a skip, why the numeric comparison did not run.

A circuit without a torch face (a user's, see :mod:`torchcircuits.usercheck`)
is compared with numerics only; one without a Unit face skips the Unit engine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field

from .circuits import CIRCUITS, KINK_GAP, Circuit, get_circuit
from .gradcheck import DEFAULT_H, one_sided_gradients, rel_error
from .strict_json import strict_value

__all__ = [
    "CheckRun",
    "check_circuit",
    "run_checks",
    "iter_checks",
    "STATUSES",
    "HAND_TORCH_TOL",
    "NUMERIC_REL_TOL",
    "NUMERIC_ABS_TOL",
    "RELATIVE_FLOOR",
    "not_finite_at",
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


#: every status a run can have; only "fail" is a disagreement
STATUSES = ("ok", "kink", "not finite", "numeric skipped", "fail")


@dataclass(frozen=True)
class CheckRun:
    """One circuit at one point, every face compared.

    ``ok`` is False only for ``status == "fail"``; ``reason`` says which
    comparison failed (or why the numeric one was skipped), empty for a plain OK.
    """

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
    status: str
    reason: str
    #: the one-sided differences (f(x) - f(x-h))/h and (f(x+h) - f(x))/h: the subgradient interval at a kink
    grad_numeric_left: dict[str, float] = field(default_factory=dict)
    grad_numeric_right: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        """A strict-JSON record: a non-finite number is null, named in its ``non_finite`` field."""
        return strict_value(asdict(self))


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


def _numeric_problem(
    hand: Mapping[str, float],
    numeric: Mapping[str, float],
    left: Mapping[str, float],
    right: Mapping[str, float],
    output: float,
) -> tuple[float, str, list[str]]:
    """(max relative error that counts, a description of the worst failing component or "", inputs at a kink)."""
    scale = max(1.0, abs(output))
    worst, problem, problem_size, kinks = 0.0, "", 0.0, []
    for name, value in hand.items():
        agrees, at_kink, rel = component_agrees(value, None, numeric[name], left[name], right[name], output)
        worst = max(worst, rel)
        if at_kink:
            kinks.append(name)
            if not agrees and problem_size < math.inf:
                problem_size = math.inf  # outside the interval: the worst kind of miss
                problem = (
                    f"hand vs one-sided differences: gradient of {name} is {value:.6g} by hand, outside "
                    f"[{min(left[name], right[name]):.6g}, {max(left[name], right[name]):.6g}] at a kink"
                )
        elif not agrees:
            estimate = numeric[name]
            if rel:
                size = rel / NUMERIC_REL_TOL
                text = f"rel err {rel:.1e} >= {NUMERIC_REL_TOL:g}"
            else:
                size = abs(value - estimate) / (NUMERIC_ABS_TOL * scale)
                text = (f"abs err {abs(value - estimate):.1e} >= {NUMERIC_ABS_TOL * scale:.1e} "
                        "(small gradients are compared absolutely)")  # fmt: skip
            if size > problem_size:
                problem_size = size
                problem = (
                    f"hand vs numeric: gradient of {name} is {value:.6g} by hand, {estimate:.6g} by centered "
                    f"difference: {text}"
                )
    return worst, problem, kinks


def _same(a: float, b: float) -> bool:
    """Identical non-finite values (inf and inf, nan and nan) count as agreeing."""
    return a == b or (math.isnan(a) and math.isnan(b))


def _face_gap(
    hand: tuple[float, Mapping[str, float]],
    other: tuple[float, Mapping[str, float]],
    face: str,
    skip: Iterable[str] = (),
) -> tuple[float, str]:
    """(max |hand - other| over the output and every gradient, a description of a failure or "").

    Where the two agree on a non-finite value the difference counts as 0; where
    only one is finite, or they differ in sign or kind, it is inf.
    """
    skip = set(skip)
    pairs = [("output", hand[0], other[0])]
    pairs += [(f"gradient of {k}", v, other[1][k]) for k, v in hand[1].items() if k not in skip]
    worst, problem = 0.0, ""
    for what, mine, theirs in pairs:
        if _same(mine, theirs):
            continue
        gap = abs(mine - theirs)
        gap = gap if math.isfinite(mine) and math.isfinite(theirs) and gap == gap else math.inf
        if gap > worst:
            worst = gap
            if gap > HAND_TORCH_TOL:
                problem = (
                    f"hand vs {face}: {what} is {mine:.17g} by hand, {theirs:.17g} by {face}: "
                    f"differs by {gap:.1e} > {HAND_TORCH_TOL:g}"
                )
    return worst, problem


def not_finite_at(output: float, gradient: Mapping[str, float]) -> str:
    """``the output is not finite at this point (inf)`` (or the first such gradient), or "" where all are finite."""
    if not math.isfinite(output):
        return f"the output is not finite at this point ({output})"
    for name, value in gradient.items():
        if not math.isfinite(value):
            return f"the gradient of {name} is not finite at this point ({value})"
    return ""


def check_circuit(circuit: Circuit, values: Mapping[str, float], run: str = "seed", device: str = "cpu") -> CheckRun:
    """Compare hand, Unit, torch and numerical gradients at ``values``, input by input (see the module's rules)."""
    values = circuit.validate(values)
    output, hand = circuit.grad_hand(values)
    torch_face = circuit.grad_torch(values, device=device)
    units_face = circuit.grad_units(values)
    left, numeric, right = one_sided_gradients(circuit.forward, values, h=DEFAULT_H)
    torch_grads = torch_face[1] if torch_face is not None else {}
    unit_grads = units_face[1] if units_face is not None else {}
    rel, numeric_problem = 0.0, ""
    kinks: list[str] = []
    not_finite = not_finite_at(output, hand)
    if not_finite:
        status, reason = "not finite", f"{not_finite}: numeric comparison skipped"
    elif not all(math.isfinite(v) for side in (left, numeric, right) for v in side.values()):
        name = next(k for k in numeric if not all(math.isfinite(side[k]) for side in (left, numeric, right)))
        status = "numeric skipped"
        reason = f"numeric gradient not finite at this point (nudging {name} by ±{DEFAULT_H:g} overflows): skipped"
    else:
        rel, numeric_problem, kinks = _numeric_problem(hand, numeric, left, right, output)
        status, reason = "ok", ""
        if kinks:
            status, reason = "kink", f"at a kink in {', '.join(kinks)}: checked against the one-sided differences"
        elif circuit.kink_gap(values) <= KINK_GAP:
            status, reason = "kink", f"a max or relu gate is within {KINK_GAP:g} of its switch"
    # at a kink torch may take either side: the subgradient interval decides there
    no_face: tuple[None, str] = (None, "")
    diff_torch, torch_problem = no_face if torch_face is None else _face_gap((output, hand), torch_face, "torch", kinks)
    diff_units, units_problem = no_face if units_face is None else _face_gap((output, hand), units_face, "Unit", kinks)
    failures = [p for p in (torch_problem, units_problem, numeric_problem) if p]
    if failures:
        status, reason = "fail", "; ".join(failures)
    at_kink = bool(kinks) or circuit.kink_gap(values) <= KINK_GAP
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
        ok=not failures,
        status=status,
        reason=reason,
        grad_numeric_left=left,
        grad_numeric_right=right,
    )


def iter_checks(
    names: Iterable[str] | None = None,
    trials: int = 3,
    seed: int = 0,
    inputs: Mapping[str, float] | None = None,
    device: str = "cpu",
    circuits: Mapping[str, Circuit] | None = None,
) -> Iterator[CheckRun]:
    """Check the named circuits (all by default) at their seed inputs and ``trials`` random points, lazily.

    Each run is yielded as soon as it is computed and nothing is kept, so a
    billion trials run in constant memory. ``inputs`` overrides some seed
    values (unknown names are refused, before the first run). Random points
    come from one ``random.Random(seed)`` per circuit, so a circuit's trials do
    not depend on which other circuits are checked. ``circuits`` is where the
    names are looked up: the registry by default, or a user's declarations.
    """
    if circuits is None:
        chosen = [get_circuit(name) for name in (names or CIRCUITS)]
    else:
        chosen = [circuits[name] for name in (names or circuits)]
    starts = [circuit.validate(inputs or {}, partial=True) for circuit in chosen]
    return _runs(chosen, starts, trials, seed, "seed" if not inputs else "given", device)


def _runs(circuits, starts, trials, seed, first, device) -> Iterator[CheckRun]:
    for circuit, start in zip(circuits, starts, strict=True):
        yield check_circuit(circuit, start, first, device)
        rng = random.Random(f"{seed}:{circuit.name}")
        for trial in range(trials):
            yield check_circuit(circuit, circuit.random_inputs(rng), f"trial {trial + 1}", device)


def run_checks(
    names: Iterable[str] | None = None,
    trials: int = 3,
    seed: int = 0,
    inputs: Mapping[str, float] | None = None,
    device: str = "cpu",
    on_run: Callable[[int, int], None] | None = None,
    circuits: Mapping[str, Circuit] | None = None,
) -> list[CheckRun]:
    """Every run of :func:`iter_checks` in a list; ``on_run(done, total)`` after each (for a progress bar)."""
    names = list(names) if names else None
    total = len(names or (circuits if circuits is not None else CIRCUITS)) * (trials + 1)
    runs: list[CheckRun] = []
    for run in iter_checks(names, trials, seed, inputs, device, circuits):
        runs.append(run)
        if on_run is not None:
            on_run(len(runs), total)
    return runs
