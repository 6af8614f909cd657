"""``torchcircuits search``: random hyperparameter search with K-fold cross-validation.

cs231n's advice, as a command: search at random rather than on a grid (each
trial tries a new value of every setting), on a log scale for step sizes and
regularization strengths, scored by cross-validation on the training set (the
test split stays untouched), and widen a range whose best value sits at its
border.

* :func:`parse_vary` reads ``lr=1e-4:10:log,reg=1e-6:1e-1:log,hidden=8:128:int``:
  any numeric setting of :class:`~torchcircuits.config.TrainConfig` (``hidden``
  sets the width of every hidden layer), each end parsed by
  :data:`~torchcircuits.config.TEXT_PARSERS` and checked by
  :meth:`TrainConfig.validated`, exactly as ``train`` checks it. Scales:
  ``log`` (log-uniform), ``uniform``, ``int`` (a whole number, uniform);
  ``log`` on a whole-number setting rounds. Drawn floats are rounded to 3
  significant digits, so the table, the JSON and the train line show the very
  value that was tried.
* :func:`kfold_indices` splits N examples into K disjoint folds (a seeded
  shuffle, sizes differing by at most one) whose union is all N.
* :func:`random_search` draws every trial's values up front from one generator
  seeded with the run's seed, then runs trial × fold jobs in this process or in
  ``jobs`` separate processes (spawned, one torch thread each, as in this
  process during the search), so the same seed gives the same table whatever
  ``jobs`` is. The metric is the validation accuracy (classification, higher
  is better) or RMSE (regression, lower is better), mean ± std (n - 1) over the
  folds; a trial with a diverged fold ranks last.
"""

from __future__ import annotations

import math
import multiprocessing
import shlex
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal
from typing import Any

import torch

from .config import TEXT_PARSERS, TrainConfig
from .data import Dataset
from .errors import InputError, SettingError
from .run import RunSettings
from .schedules import number_text
from .trainer import Diverged, Trainer

__all__ = [
    "SCALES",
    "VaryRange",
    "Trial",
    "SearchResult",
    "numeric_settings",
    "parse_vary",
    "apply_values",
    "kfold_indices",
    "draw_trials",
    "random_search",
    "train_command",
    "SEARCH_STEPS",
    "BORDER",
    "MAX_TRIALS",
    "MAX_JOBS",
]

SCALES = ("log", "uniform", "int")
#: training steps per trial and fold when --steps is not given
SEARCH_STEPS = 200
#: the best value within this share of a range's width (its log width on a log scale) of an end is at the border
BORDER = 0.1
MAX_TRIALS = 100_000
MAX_JOBS = 64
_SIGNIFICANT = 3


def numeric_settings() -> dict[str, str]:
    """TrainConfig's settings that take a number, each with its kind: ``float`` or ``int``.

    Read from the dataclass's field types, so a new numeric setting is searchable
    at once; ``seed`` is not (the trials draw from it) and ``hidden`` is added as
    the width of every hidden layer.
    """
    kinds = {}
    for f in fields(TrainConfig):
        kind = str(f.type).replace(" ", "").removesuffix("|None")
        if kind in ("float", "int") and f.name in TEXT_PARSERS and f.name != "seed":
            kinds[f.name] = kind
    kinds["hidden"] = "int"
    return dict(sorted(kinds.items()))


@dataclass(frozen=True)
class VaryRange:
    """One setting's search range [low, high] on a scale (``log``, ``uniform`` or ``int``)."""

    setting: str
    low: float
    high: float
    scale: str
    #: ``float`` or ``int``: whether a drawn value is a whole number
    kind: str = "float"

    def draw(self, generator: torch.Generator) -> float | int:
        """One value: log-uniform, uniform or a uniform whole number; floats rounded to 3 significant digits."""
        u = torch.rand((), generator=generator, dtype=torch.float64).item()
        if self.scale == "int":
            return int(self.low) + min(int(u * (int(self.high) - int(self.low) + 1)), int(self.high - self.low))
        if self.scale == "log":
            value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + u * (self.high - self.low)
        if self.kind == "int":
            return min(max(round(value), int(self.low)), int(self.high))
        return min(max(float(f"{value:.{_SIGNIFICANT}g}"), self.low), self.high)

    def border(self, value: float) -> str | None:
        """``low`` or ``high`` when ``value`` lies within :data:`BORDER` of that end, else None."""
        if self.scale == "log":
            low, high, at = math.log(self.low), math.log(self.high), math.log(value)
        else:
            low, high, at = self.low, self.high, value
        width = high - low
        if at <= low + BORDER * width:
            return "low"
        if at >= high - BORDER * width:
            return "high"
        return None

    def text(self) -> str:
        return f"{self.setting}={number_text(self.low)}:{number_text(self.high)}:{self.scale}"

    def widened(self, side: str, config: TrainConfig) -> VaryRange | None:
        """This range reaching past its ``side`` end (``low`` or ``high``); None if the setting allows nothing there.

        A decade further on a log scale, half the width further on the others
        (whole numbers rounded outward), cut back to what ``config``'s setting
        allows (reg >= 0, dropout < 1), so :meth:`text` parses back as a --vary
        entry.
        """
        end = self.low if side == "low" else self.high
        outward = -1 if side == "low" else 1
        if self.scale == "log":
            target = end * 10.0**outward
        else:
            target = end + outward * (self.high - self.low) / 2
        target = float(f"{target:.12g}")  # 1e-5 / 10 is 1.0000000000000002e-06: show 1e-06
        if self.kind == "int":
            target = float(math.floor(target) if side == "low" else math.ceil(target))

        def allowed(value: float) -> bool:
            try:
                parse_vary(self._with_end(side, value).text(), config)
            except InputError:
                return False
            return True

        reach = target if allowed(target) else _farthest_allowed(end, target, self.kind == "int", allowed)
        return None if reach is None else self._with_end(side, reach)

    def _with_end(self, side: str, value: float) -> VaryRange:
        return replace(self, low=value) if side == "low" else replace(self, high=value)


def _farthest_allowed(end: float, target: float, whole: bool, allowed: Callable[[float], bool]) -> float | None:
    """The farthest value from ``end`` (allowed) toward ``target`` (not) that is allowed, in few digits; None if none.

    Bisection finds the setting's limit (dropout's 1, say); a value with few
    significant digits just inside it (0.99, not 0.9999999999999999) is what a
    person would type.
    """
    inside, outside = end, target
    if whole:
        while abs(outside - inside) > 1:
            middle = float((inside + outside) // 2)
            inside, outside = (middle, outside) if allowed(middle) else (inside, middle)
        return None if inside == end else inside
    for _ in range(60):
        middle = (inside + outside) / 2
        inside, outside = (middle, outside) if allowed(middle) else (inside, middle)
    inward = ROUND_FLOOR if target > end else ROUND_CEILING
    for digits in range(1, 18):
        for rounding in (ROUND_HALF_EVEN, inward):
            value = float(Context(prec=digits, rounding=rounding).plus(Decimal(inside)))
            if (value - end) * (target - end) > 0 and allowed(value):
                return value
    return None


def _vary_error(part: str, problem: str) -> InputError:
    return InputError(f"--vary {part}: {problem}")


def apply_values(config: TrainConfig, values: dict[str, float | int]) -> TrainConfig:
    """``config`` with the drawn values set (``hidden`` as every hidden layer's width), validated."""
    changes: dict[str, Any] = {k: v for k, v in values.items() if k != "hidden"}
    if "hidden" in values:
        changes["hidden"] = (int(values["hidden"]),) * len(config.hidden)
    return replace(config, **changes).validated()


def parse_vary(text: str, config: TrainConfig) -> list[VaryRange]:
    """``NAME=LOW:HIGH[:SCALE],...`` as ranges; one InputError line for anything malformed or out of range.

    The default scale is ``int`` for whole-number settings, ``uniform`` otherwise.
    Each end is parsed as ``train`` parses the setting and must give a valid
    config with the run's other settings.
    """
    known = numeric_settings()
    ranges: list[VaryRange] = []
    parts = [part.strip() for part in str(text).split(",")]
    if not any(parts):
        raise InputError(f"--vary needs NAME=LOW:HIGH[:SCALE] ranges such as lr=1e-4:10:log, got {text!r}")
    for part in parts:
        name, sep, spec = part.partition("=")
        name = name.strip()
        if not part or not sep or not name:
            raise _vary_error(part or "''", "expected NAME=LOW:HIGH[:SCALE], such as lr=1e-4:10:log")
        if name not in known:
            raise _vary_error(part, f"unknown setting {name!r}: choose one of {', '.join(known)}")
        if any(r.setting == name for r in ranges):
            raise _vary_error(part, f"{name} is given twice; give each setting one range")
        if name == "hidden" and not config.has_hidden_layers:
            raise _vary_error(part, f"hidden applies to the net only; model {config.model} has no hidden layer")
        pieces = [piece.strip() for piece in spec.split(":")]
        if len(pieces) not in (2, 3):
            raise _vary_error(part, "expected LOW:HIGH or LOW:HIGH:SCALE after the '='")
        kind = known[name]
        scale = pieces[2] if len(pieces) == 3 else ("int" if kind == "int" else "uniform")
        if scale not in SCALES:
            raise _vary_error(part, f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
        if scale == "int" and kind != "int":
            raise _vary_error(part, f"{name} takes any number: use the log or uniform scale, not int")
        ends = []
        for piece in pieces[:2]:
            try:
                parsed: Any = TEXT_PARSERS[name](piece)
                value = parsed[0] if name == "hidden" else parsed  # hidden: one width, set on every layer
                apply_values(config, {name: value})
            except SettingError as error:
                raise _vary_error(part, error.as_flag()) from None
            if value is None or isinstance(value, tuple):
                raise _vary_error(part, f"{piece!r} is not a number")
            ends.append(value)
        low, high = ends
        if not low < high:
            raise _vary_error(part, f"the range is empty: the low end {number_text(low)} must be below the high "
                              f"end {number_text(high)}")  # fmt: skip
        if scale == "log" and low <= 0:
            raise _vary_error(part, f"a log scale needs a low end above 0, got {number_text(low)}")
        ranges.append(VaryRange(name, float(low), float(high), scale, kind))
    return ranges


def kfold_indices(n: int, k: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """K (train, validation) index pairs over N examples: the validation folds partition 0..N-1.

    A seeded shuffle cut into K folds whose sizes differ by at most one; each
    training part is everything outside its fold. SettingError for K < 2 or K > N.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise SettingError("folds", f"must be a whole number >= 2 (one fold leaves nothing to train on), got {k!r}")
    if k > n:
        raise SettingError("folds", f"is {k}, more than the {n} training points: each fold needs at least one")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    sizes = [n // k + (1 if j < n % k else 0) for j in range(k)]
    folds = list(torch.split(order, sizes))
    return [(torch.cat(folds[:j] + folds[j + 1 :]), folds[j]) for j in range(k)]


@dataclass(frozen=True)
class Trial:
    """One drawn set of values and its cross-validated metric."""

    index: int
    values: dict[str, float | int]
    fold_metrics: tuple[float, ...]
    #: folds whose training diverged (their metric is the last finite model's)
    diverged_folds: int

    @property
    def mean(self) -> float:
        return sum(self.fold_metrics) / len(self.fold_metrics)

    @property
    def std(self) -> float:
        """The sample standard deviation (n - 1) over the folds."""
        m, n = self.mean, len(self.fold_metrics)
        return math.sqrt(sum((x - m) ** 2 for x in self.fold_metrics) / (n - 1)) if n > 1 else 0.0

    def to_json(self) -> dict:
        return {"trial": self.index, "settings": dict(self.values), "mean": self.mean, "std": self.std,
                "folds": list(self.fold_metrics), "diverged_folds": self.diverged_folds}  # fmt: skip


@dataclass(frozen=True)
class SearchResult:
    """Every trial, best first; the metric; the ranges; border warnings and the best run's train line."""

    trials: list[Trial]
    metric: str
    higher_is_better: bool
    ranges: list[VaryRange]
    folds: int
    steps: int
    settings: RunSettings
    warnings: list[str] = field(default_factory=list)
    train_command: str = ""

    @property
    def best(self) -> Trial:
        return self.trials[0]

    def to_json(self) -> dict:
        return {
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "vary": [asdict(r) for r in self.ranges],
            "folds": self.folds,
            "steps": self.steps,
            "trials": [t.to_json() for t in self.trials],
            "best": self.best.to_json(),
            "train_command": self.train_command,
            "warnings": list(self.warnings),
            "settings": self.settings.to_json(),
        }


def draw_trials(ranges: list[VaryRange], trials: int, seed: int) -> list[dict[str, float | int]]:
    """Every trial's values, drawn in order from one generator seeded with ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    return [{r.setting: r.draw(generator) for r in ranges} for _ in range(trials)]


def _fold_metric(config: TrainConfig, train: Dataset, validation: Dataset, steps: int) -> tuple[float, bool]:
    """(validation metric, diverged) of one trial on one fold."""
    trainer = Trainer(config, train, validation)
    for _ in range(steps):
        try:
            trainer.step()
        except Diverged:
            break
    evaluation = trainer.evaluate()
    metric = evaluation.test_accuracy if trainer.loss.task == "classification" else evaluation.test_rmse
    if metric is None:  # pragma: no cover - the validation fold is never empty (kfold_indices)
        raise AssertionError("a search trial needs a validation fold")
    return float(metric), trainer.diverged is not None


def _worker_setup() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, in one line
    torch.set_num_threads(1)


@contextmanager
def _one_thread() -> Iterator[None]:
    """Trials run on one torch thread here as in the workers, so --jobs changes nothing but speed."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def random_search(
    settings: RunSettings,
    ranges: list[VaryRange],
    trials: int,
    folds: int,
    steps: int = SEARCH_STEPS,
    jobs: int = 1,
    on_done: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Draw ``trials`` value sets, score each by ``folds``-fold cross-validation on the training set.

    ``on_done(done, total)`` after each trial × fold job (a progress bar). The
    folds are the same for every trial (seeded with the run's seed).
    """
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= MAX_TRIALS:
        raise SettingError("trials", f"must be a whole number from 1 to {MAX_TRIALS:,}, got {trials!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise SettingError("jobs", f"must be a whole number from 1 to {MAX_JOBS}, got {jobs!r}")
    if not ranges:
        raise InputError("--vary needs at least one range, such as lr=1e-4:10:log")
    train, _ = settings.data.load()
    seed = settings.config.seed
    parts = [(train.subset(a), train.subset(b)) for a, b in kfold_indices(len(train), folds, seed)]
    drawn = draw_trials(ranges, trials, seed)
    configs = [apply_values(settings.config, values) for values in drawn]
    Trainer(configs[0], *parts[0])  # refuse data the settings cannot train before any work (one line)
    jobs_list = [(t, f) for t in range(trials) for f in range(folds)]
    results: dict[tuple[int, int], tuple[float, bool]] = {}
    done = 0
    if jobs == 1:
        with _one_thread():
            for t, f in jobs_list:
                results[(t, f)] = _fold_metric(configs[t], *parts[f], steps)
                done += 1
                if on_done is not None:
                    on_done(done, len(jobs_list))
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(jobs, len(jobs_list)), mp_context=context, initializer=_worker_setup) as pool:
            futures = {pool.submit(_fold_metric, configs[t], *parts[f], steps): (t, f) for t, f in jobs_list}
            try:
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    done += 1
                    if on_done is not None:
                        on_done(done, len(jobs_list))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    regression = train.task == "regression"
    scored = []
    for t in range(trials):
        metrics, diverged = zip(*(results[(t, f)] for f in range(folds)), strict=True)
        scored.append(Trial(t, drawn[t], tuple(metrics), sum(diverged)))

    # diverged trials last; then by the mean (NaN last), best first; ties keep the draw order
    def rank(trial: Trial) -> tuple:
        mean = trial.mean
        return (trial.diverged_folds > 0, math.isnan(mean), -mean if not regression else mean, trial.index)

    scored.sort(key=rank)
    best = scored[0]
    warnings = []
    for r in ranges:
        side = r.border(best.values[r.setting])
        if side is not None and r.low != r.high:
            warnings.append(_border_warning(r, side, best.values[r.setting], settings.config))
    best_settings = replace(settings, config=apply_values(settings.config, best.values), steps=steps)
    metric = "validation RMSE" if regression else "validation accuracy"
    return SearchResult(scored, metric, not regression, ranges, folds, steps, settings, warnings,
                        train_command(best_settings))  # fmt: skip


def _border_warning(r: VaryRange, side: str, best: float, config: TrainConfig) -> str:
    """The best value sits at ``side`` of ``r``: the wider range to search next, or why there is none."""
    end = r.low if side == "low" else r.high
    where = f"the best {r.setting} ({number_text(best)}) is at the {side} end of its range ({number_text(end)})"
    wider = r.widened(side, config)
    if wider is None:
        direction = "lower" if side == "low" else "higher"
        return f"{where}, and {r.setting} can go no {direction}: the range cannot widen that way"
    return f"{where}: widen it to {wider.text()} and search again"


# --- the best run as a command line ----------------------------------------------------------
def _run_flags() -> dict[str, str]:
    """Each run option's destination -> its flag, read from the parser ``train`` uses."""
    import argparse

    from .run import add_run_options

    parser = argparse.ArgumentParser(add_help=False)
    add_run_options(parser)
    return {action.dest: action.option_strings[0] for action in parser._actions if action.option_strings}


def _value_text(value: object) -> str:
    if isinstance(value, (tuple, list)):
        return ",".join(_value_text(v) for v in value)
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def train_command(settings: RunSettings) -> str:
    """``torchcircuits train ...`` that runs ``settings``: every setting that differs from the defaults.

    Read generically from TrainConfig's and DataSpec's fields and the run
    options' flags, so settings added later appear without a change here.
    """
    flags = _run_flags()
    words = ["torchcircuits", "train"]
    default = RunSettings()
    pairs = [(f.name, getattr(settings.config, f.name), getattr(default.config, f.name)) for f in fields(TrainConfig)]
    data_names = {"name": "dataset"}
    pairs += [(data_names.get(f.name, f.name), getattr(settings.data, f.name), getattr(default.data, f.name))
              for f in fields(settings.data) if f.name != "seed"]  # fmt: skip
    pairs.append(("steps", settings.steps, default.steps))
    for name, value, default_value in pairs:
        if value == default_value or name not in flags:
            continue
        flag = flags[name]
        if isinstance(value, bool):
            words.append(flag if value else "--no-" + flag.removeprefix("--"))
        elif value is None:
            words += [flag, "all"] if name == "batch" else []
        else:
            words += [flag, shlex.quote(_value_text(value))]
    return " ".join(words)
