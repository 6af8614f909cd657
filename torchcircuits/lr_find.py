"""``torchcircuits lr-find``: the learning-rate range test (Leslie Smith's, as fastai's ``lr_find``).

One run from a fresh model with the step size growing exponentially, from
``start`` at the first step to ``end`` at the last: lr_i = start · (end/start)^(i/(steps-1)).
Each step's batch loss (data + regularization, before the update) is smoothed
by an exponential moving average with bias correction,
avg_i = β·avg_{i-1} + (1-β)·loss_i, smoothed_i = avg_i / (1 - β^i), β =
:data:`SMOOTHING` (0.9: about the last ten steps) by default. The test stops
when the loss is not finite or the smoothed loss exceeds :data:`DIVERGE_FACTOR`
(4) times the best so far, the best counted once the average spans its
1/(1-β) steps (10 for β = 0.9: before that one lucky batch would set it).

The suggested step size is where the loss falls fastest per unit of log(lr):
the most negative centered slope (s_{i+1} - s_{i-1}) / (ln lr_{i+1} - ln lr_{i-1})
of the smoothed loss. A moving average lags: smoothed_i is a weighted mean of
losses whose mean age is ``lag_i`` = Σ k·β^k / Σ β^k over k < i (β/(1-β) = 9
steps for β = 0.9 once warmed up), so a slope found at step i is credited to the
step size of step i - round(lag_i); so is the lowest smoothed loss. Any
``--schedule`` is replaced by the test's own growth.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from .errors import SettingError
from .run import RunSettings
from .trainer import Diverged, Trainer

__all__ = ["LrStep", "LrFindResult", "lr_range_test", "lr_at", "SMOOTHING", "DIVERGE_FACTOR", "LR_FIND_STEPS",
           "MIN_STEPS"]  # fmt: skip

SMOOTHING = 0.9
DIVERGE_FACTOR = 4.0
#: steps of the test when --steps is not given
LR_FIND_STEPS = 100
#: a centered slope needs three points
MIN_STEPS = 3


@dataclass(frozen=True)
class LrStep:
    """One step of the test: its step size, the batch loss before the update, the smoothed loss and its lag."""

    step: int
    lr: float
    loss: float
    smoothed: float
    #: the mean age in steps of the losses the smoothed value averages (0 without smoothing)
    lag: float = 0.0


@dataclass(frozen=True)
class LrFindResult:
    """The steps taken, why the test stopped, and the suggested step size (None with fewer than 3 steps)."""

    steps: list[LrStep]
    start: float
    end: float
    planned_steps: int
    smoothing: float
    #: "completed", "diverged: ..." (the loss grew past 4x its best) or "not finite: ..."
    stopped: str
    suggested_lr: float | None
    #: the step size at the lowest smoothed loss
    min_loss_lr: float | None

    @property
    def suggested_step(self) -> int | None:
        return next((s.step for s in self.steps if s.lr == self.suggested_lr), None)

    def to_json(self) -> dict:
        return {
            "suggested_lr": self.suggested_lr,
            "min_loss_lr": self.min_loss_lr,
            "start": self.start,
            "end": self.end,
            "planned_steps": self.planned_steps,
            "steps_taken": len(self.steps),
            "smoothing": self.smoothing,
            "stopped": self.stopped,
            "steps": [vars(s) for s in self.steps],
        }


def lr_at(start: float, end: float, steps: int, i: int) -> float:
    """The step size of step i (0-based) of ``steps``: start · (end/start)^(i/(steps-1))."""
    return start * (end / start) ** (i / (steps - 1))


def _check(start: float, end: float, steps: int, smoothing: float) -> None:
    if not (math.isfinite(start) and start > 0):
        raise SettingError("start", f"must be a positive step size, got {start:g}")
    if not (math.isfinite(end) and end > start):
        raise SettingError("end", f"must be a step size above --start ({start:g}), got {end:g}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < MIN_STEPS:
        raise SettingError("steps", f"must be a whole number >= {MIN_STEPS} for the range test, got {steps!r}")
    if not (math.isfinite(smoothing) and 0.0 <= smoothing < 1.0):
        raise SettingError("smoothing", f"must be at least 0 and below 1, got {smoothing:g}")


def _credited(steps: list[LrStep], index: int) -> LrStep:
    """The step whose step size the smoothed loss at ``steps[index]`` stands for: ``lag`` steps back."""
    return steps[max(0, index - round(steps[index].lag))]


def _steepest(steps: list[LrStep]) -> LrStep | None:
    """The step credited with the fastest fall of the smoothed loss against log(lr); None below three steps."""
    best, best_slope = None, math.inf
    for i in range(1, len(steps) - 1):
        before, after = steps[i - 1], steps[i + 1]
        slope = (after.smoothed - before.smoothed) / (math.log(after.lr) - math.log(before.lr))
        if slope < best_slope:
            best, best_slope = _credited(steps, i), slope
    return best


def lr_range_test(
    settings: RunSettings,
    start: float,
    end: float,
    steps: int = LR_FIND_STEPS,
    smoothing: float = SMOOTHING,
    on_step: Callable[[LrStep], None] | None = None,
) -> LrFindResult:
    """Run the range test on the run's training set (its model, batch, optimizer and regularization)."""
    _check(start, end, steps, smoothing)
    train, _ = settings.data.load()
    config = replace(settings.config, lr=start, schedule="constant").validated()
    trainer = Trainer(config, train)
    taken: list[LrStep] = []
    average, best = 0.0, math.inf
    weight, age = 0.0, 0.0  # Σ β^k and Σ k·β^k over the ages k of the averaged losses
    warm_up = round(1.0 / (1.0 - smoothing))  # the average's span: before it, one lucky batch would be the best
    stopped = "completed"
    for i in range(steps):
        lr = lr_at(start, end, steps, i)
        trainer.retune(replace(config, lr=lr))  # keeps the optimizer's state (momentum, Adam's moments)
        try:
            stats = trainer.step()
        except Diverged as error:
            stopped = f"not finite: {error}"
            break
        average = smoothing * average + (1.0 - smoothing) * stats.loss
        smoothed = average / (1.0 - smoothing ** (i + 1))
        weight, age = 1.0 + smoothing * weight, smoothing * (age + weight)
        record = LrStep(i + 1, lr, stats.loss, smoothed, age / weight)
        taken.append(record)
        if on_step is not None:
            on_step(record)
        if not math.isfinite(smoothed):
            stopped = f"not finite: the loss is {stats.loss} at step {i + 1} (lr {lr:.3g})"
            break
        if i + 1 >= warm_up:
            best = min(best, smoothed)
        if smoothed > DIVERGE_FACTOR * best:
            stopped = (f"diverged: the smoothed loss {smoothed:.4g} passed {DIVERGE_FACTOR:g}x its best "
                       f"{best:.4g} at step {i + 1} (lr {lr:.3g})")  # fmt: skip
            break
    finite = [s for s in taken if math.isfinite(s.smoothed)]
    steepest = _steepest(finite)
    lowest = min(range(len(finite)), key=lambda i: finite[i].smoothed, default=None)
    return LrFindResult(taken, start, end, steps, smoothing, stopped, None if steepest is None else steepest.lr,
                        None if lowest is None else _credited(finite, lowest).lr)  # fmt: skip
