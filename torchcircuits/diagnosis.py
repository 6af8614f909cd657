"""Per-gradient verdicts in makemore's words, and a precise diagnosis of a wrong one.

makemore's backprop-ninja exercise prints, per gradient, whether the hand
value is *exact* (bit for bit equal to autograd's), *approximate* (within
tolerance) or *wrong*, with the largest difference. Here the same verdict is
read off a :class:`~torchcircuits.check.CheckRun` with the checker's own rule
(:func:`~torchcircuits.check.component_agrees`), so a verdict never disagrees
with the run's OK/FAIL. Entries ``x[2, 1]`` of a layer's input are grouped under ``x``.

The reference of the largest difference is torch autograd where the circuit
has a torch face, else the centered difference (never *exact* then).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .check import CheckRun, component_agrees
from .diagram import format_number
from .usercheck import split_entry

__all__ = ["GradientVerdict", "verdicts", "summarize", "VERDICTS"]

#: From best to worst; a summary over runs keeps the worst.
VERDICTS = ("exact", "approximate", "wrong")


@dataclass(frozen=True)
class GradientVerdict:
    """The verdict on one input's gradient at one run, with the numbers at its worst entry."""

    circuit: str
    run: str
    input: str
    verdict: str
    #: largest |analytic - reference| over the input's entries
    max_diff: float
    reference: str  # "torch" or "numeric"
    #: the worst entry: ``x`` for a scalar, ``x[2, 1]`` for a tensor; its index alone (``[2, 1]`` or '')
    worst: str
    index: str
    value: float
    analytic: float
    torch: float | None
    numeric: float
    left: float
    right: float
    at_kink: bool
    point: str

    def to_json(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        """One line: which gradient, where, and analytic vs torch vs numeric at the worst entry."""
        if self.index:
            where = f"at {self.worst} (the worst entry, input value {format_number(self.value)})"
        else:
            where = f"at {self.point}"
        numbers = f"analytic {self.analytic:.6g}"
        if self.torch is not None:
            numbers += f", torch {self.torch:.6g}"
        numbers += f", numeric {self.numeric:.6g}"
        if self.at_kink:
            low, high = sorted((self.left, self.right))
            numbers += f" (a kink: it must lie between the one-sided differences {low:.6g} and {high:.6g})"
        return f"{self.circuit} {self.run}: d{self.input} is {self.verdict} {where}: {numbers}"


def _point(run: CheckRun) -> str:
    """The inputs of a scalar circuit; a layer's entries are too many to print (its run label says the draw)."""
    if any("[" in name for name in run.inputs):
        return ""
    return ", ".join(f"{k}={v:.6g}" for k, v in run.inputs.items())


def verdicts(run: CheckRun) -> list[GradientVerdict]:
    """One verdict per input of ``run`` (a tensor input's entries grouped), in input order."""
    groups: dict[str, list[str]] = {}
    for entry in run.grad_hand:
        groups.setdefault(split_entry(entry)[0], []).append(entry)
    reference = "torch" if run.grad_torch else "numeric"
    found = []
    for name, entries in groups.items():
        scored = []
        for entry in entries:
            hand = run.grad_hand[entry]
            torch_value = run.grad_torch.get(entry)
            agrees, kink, _ = component_agrees(
                hand, torch_value, run.grad_numeric[entry],
                run.grad_numeric_left[entry], run.grad_numeric_right[entry], run.output,
            )  # fmt: skip
            ref = torch_value if torch_value is not None else run.grad_numeric[entry]
            scored.append((not agrees, abs(hand - ref), entry, kink))
        wrong = any(bad for bad, _, _, _ in scored)
        exact = reference == "torch" and all(diff == 0.0 for _, diff, _, _ in scored)
        _, _, worst, kink = max(scored)  # failing entries first, then the largest difference
        found.append(
            GradientVerdict(
                circuit=run.circuit,
                run=run.run,
                input=name,
                verdict="wrong" if wrong else "exact" if exact else "approximate",
                max_diff=max(diff for _, diff, _, _ in scored),
                reference=reference,
                worst=worst,
                index=split_entry(worst)[1],
                value=run.inputs[worst],
                analytic=run.grad_hand[worst],
                torch=run.grad_torch.get(worst),
                numeric=run.grad_numeric[worst],
                left=run.grad_numeric_left[worst],
                right=run.grad_numeric_right[worst],
                at_kink=kink,
                point=_point(run),
            )
        )
    return found


def summarize(runs: Iterable[CheckRun]) -> list[GradientVerdict]:
    """Per (circuit, input): the worst verdict over the runs, with the largest difference over them all.

    The verdict kept is the first run's at the worst level (its diagnosis), its
    ``max_diff`` the largest over every run.
    """
    kept: dict[tuple[str, str], GradientVerdict] = {}
    largest: dict[tuple[str, str], float] = {}
    for run in runs:
        for verdict in verdicts(run):
            key = (verdict.circuit, verdict.input)
            largest[key] = max(largest.get(key, 0.0), verdict.max_diff)
            if key not in kept or VERDICTS.index(verdict.verdict) > VERDICTS.index(kept[key].verdict):
                kept[key] = verdict
    return [GradientVerdict(**{**asdict(v), "max_diff": largest[key]}) for key, v in kept.items()]
