"""Classroom mode and the challenge line: a session a teacher hands out that opens as a prepared exercise.

Classroom mode (``torchcircuits-gui --classroom`` or View → Classroom mode)
hides the control groups the teacher picked (View → Hide in classroom mode),
and enlarges the window's fonts and the plot's points for a projector. Both the
mode and the picks are saved in the session's view options, so the file opens
the way the teacher left it (TF Playground's URL state, as a file).

A challenge is one line the session carries, such as ``reach test loss <= 0.18
on xor with at most 4 neurons`` (the ML Crash Course's exercise style); the app
checks it after every frame and shows met or not yet, with the number it reads.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from torchcircuits.errors import InputError

__all__ = ["Challenge", "parse_challenge", "CLASSROOM_FONT_PT", "CLASSROOM_POINT_SCALE", "METRICS"]

#: font size of the whole window in classroom mode (points)
CLASSROOM_FONT_PT = 13
#: how much larger the plot's points are drawn in classroom mode
CLASSROOM_POINT_SCALE = 1.8
#: the challenge's words for a measure -> the Evaluation field it reads
METRICS = {"test loss": "test_loss", "train loss": "train_loss", "loss": "train_loss",
           "test accuracy": "test_accuracy", "train accuracy": "train_accuracy", "accuracy": "train_accuracy",
           "test r2": "test_r2", "train r2": "train_r2"}  # fmt: skip
_PATTERN = re.compile(
    r"^(?:reach\s+)?(?P<metric>" + "|".join(sorted(METRICS, key=len, reverse=True)) + r")\s*(?P<op><=|>=|≤|≥)\s*"
    r"(?P<target>[-+0-9.eE]+%?)(?:\s+on\s+(?P<dataset>[\w.-]+))?(?:\s+with\s+at\s+most\s+(?P<neurons>\d+)\s+neurons?)?"
    r"\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Challenge:
    """A goal on one measure: ``field`` (an Evaluation field) at most or at least ``target``; optional conditions."""

    text: str
    field: str
    at_most: bool
    target: float
    dataset: str | None = None
    max_neurons: int | None = None

    def verdict(self, evaluation, dataset: str, hidden: tuple[int, ...]) -> tuple[bool, str]:
        """(met, what the app shows) for the last evaluation, the data set's name and the net's hidden widths."""
        value = None if evaluation is None else getattr(evaluation, self.field)
        if value is None:
            return False, f"not yet: no {self.field.replace('_', ' ')} to read"
        number = f"{value:.1%}" if self.field.endswith("accuracy") else f"{value:.3g}"
        shown = f"{self.field.replace('_', ' ')} {number}"
        reasons = []
        if not (value <= self.target if self.at_most else value >= self.target):
            reasons.append(shown)
        if self.dataset is not None and dataset != self.dataset:
            reasons.append(f"the data set is {dataset}, not {self.dataset}")
        neurons = sum(hidden)
        if self.max_neurons is not None and neurons > self.max_neurons:
            reasons.append(f"{neurons} neurons, more than {self.max_neurons}")
        if reasons:
            return False, "not yet: " + "; ".join(reasons)
        return True, f"met: {shown}"


def parse_challenge(text: str) -> Challenge:
    """A challenge line, or an InputError saying the form it takes."""
    match = _PATTERN.match(text.strip())
    if match is None:
        raise InputError(f"challenge must read like 'reach test loss <= 0.18 on xor with at most 4 neurons' "
                         f"(measures: {', '.join(METRICS)}), got {text!r}")  # fmt: skip
    target_text = match["target"]
    try:
        target = float(target_text.rstrip("%")) / (100.0 if target_text.endswith("%") else 1.0)
    except ValueError:
        raise InputError(f"challenge target must be a number, got {target_text!r}") from None
    field = METRICS[match["metric"].lower()]
    if not math.isfinite(target):
        raise InputError(f"challenge target must be a finite number, got {target_text!r}")
    if field.endswith("r2") and target > 1.0:
        raise InputError(f"challenge R² must be at most 1 (a perfect fit), got {target_text}")
    if field.endswith("accuracy") and not 0.0 <= target <= 1.0:
        raise InputError(f"challenge accuracy must be from 0% to 100%, got {target_text}")
    if field.endswith("loss") and target < 0.0:
        raise InputError(f"challenge loss must be 0 or more (a loss is never negative), got {target_text}")
    neurons = None if match["neurons"] is None else int(match["neurons"])
    if neurons is not None and neurons < 1:
        raise InputError(f"challenge neurons must be at least 1, got {neurons}")
    return Challenge(text.strip(), field, match["op"] in ("<=", "≤"), target, match["dataset"], neurons)
