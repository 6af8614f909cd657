"""Learning-rate schedules: the step size as a function of the number of steps taken.

A schedule is written as text (the CLI's ``--schedule``, a field of the app):

* ``constant``:         lr_t = lr;
* ``step:EVERY:GAMMA``: lr_t = lr · GAMMA^⌊t / EVERY⌋ (torch's StepLR);
* ``exp:GAMMA``:        lr_t = lr · GAMMA^t (ExponentialLR);
* ``inverse:K``:        lr_t = lr / (1 + K·t), the 1/t decay of NNFS and cs231n (LambdaLR);
* ``cosine:T``:         lr_t = lr · (1 + cos(π·t/T)) / 2 (CosineAnnealingLR, eta_min 0; past T it
  rises again, as torch's does).

t is the number of completed steps: lr_0 is used for the first step, and the
schedule advances once per step after the update, as torch's usual loop
``optimizer.step(); scheduler.step()``. Tested against torch.optim.lr_scheduler.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .errors import SettingError

__all__ = ["SCHEDULES", "Schedule", "parse_schedule", "number_text"]

#: the forms of a schedule's text, for help texts and errors
SCHEDULES = ("constant", "step:EVERY:GAMMA", "exp:GAMMA", "inverse:K", "cosine:T")


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule; ``text`` is its canonical form (``parse_schedule(s.text) == s``)."""

    text: str
    kind: str
    numbers: tuple[float, ...] = ()

    def lr_at(self, base_lr: float, t: int) -> float:
        """The learning rate of the step taken after ``t`` completed steps (t = 0 for the first step)."""
        if self.kind == "step":
            every, gamma = self.numbers
            return base_lr * gamma ** (t // int(every))
        if self.kind == "exp":
            (gamma,) = self.numbers
            return base_lr * gamma**t
        if self.kind == "inverse":
            (k,) = self.numbers
            return base_lr / (1 + k * t)
        if self.kind == "cosine":
            (T,) = self.numbers
            return base_lr * (1 + math.cos(math.pi * t / T)) / 2
        return base_lr


def number_text(x: float) -> str:
    """The shortest text that reads back as the number ``x`` (``10``, ``0.5``, ``1e-08``)."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _parse_number(text: str, form: str, name: str, rule: str, ok: Callable[[float], bool]) -> float:
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if math.isfinite(x) and ok(x):
        return x
    shown = number_text(x) if math.isfinite(x) else repr(text)
    raise SettingError("schedule", f"{form} needs {name} {rule}, got {shown}")


def _whole(x: float) -> bool:
    return x.is_integer() and x >= 1


def _gamma(x: float) -> bool:
    return 0 < x <= 1


#: each form: its name, the names of its numbers with their rules
_FORMS = {
    "step": ("step:EVERY:GAMMA", (("EVERY", "a whole number >= 1", _whole), ("GAMMA", "in (0, 1]", _gamma))),
    "exp": ("exp:GAMMA", (("GAMMA", "in (0, 1]", _gamma),)),
    "inverse": ("inverse:K", (("K", "a number >= 0", lambda x: x >= 0),)),
    "cosine": ("cosine:T", (("T", "a whole number >= 1", _whole),)),
}


def parse_schedule(text: str) -> Schedule:
    """A :class:`Schedule` from ``constant``, ``step:EVERY:GAMMA``, ``exp:GAMMA``, ``inverse:K`` or ``cosine:T``.

    SettingError (setting ``schedule``) names the form and the number that is wrong.
    """
    kind, *args = text.strip().lower().split(":")
    if kind == "constant" and not args:
        return Schedule("constant", "constant")
    if kind not in _FORMS:
        raise SettingError("schedule", f"must be one of {', '.join(SCHEDULES)}, got {text!r}")
    form, rules = _FORMS[kind]
    if len(args) != len(rules):
        names = " and ".join(name for name, _, _ in rules)
        raise SettingError("schedule", f"{form} needs {names} after '{kind}:', got {text!r}")
    pairs = zip(args, rules, strict=True)
    numbers = tuple(_parse_number(a.strip(), form, name, rule, ok) for a, (name, rule, ok) in pairs)
    return Schedule(":".join([kind, *map(number_text, numbers)]), kind, numbers)
