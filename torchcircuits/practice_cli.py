"""``torchcircuits doctor``, ``search`` and ``lr-find``: Chapter 3's practice of training, as commands.

Thin: each parses the run options of ``train`` (:func:`torchcircuits.run.add_run_options`)
and its own, calls its library function (:mod:`torchcircuits.doctor`,
:mod:`torchcircuits.search`, :mod:`torchcircuits.lr_find`) and prints the
result as a table or strict JSON.
"""

from __future__ import annotations

import argparse
import time

from .config import parse_whole
from .errors import parse_float
from .progress import ProgressBar
from .run import RunSettings, add_run_options, settings_from_args
from .strict_json import dumps_strict
from .train_cli import number_text4

__all__ = ["add_practice_parsers"]


def _settings(args: argparse.Namespace, default_steps: int) -> RunSettings:
    """The run's settings; the command's own step count where ``--steps`` is not given."""
    settings = settings_from_args(args)
    if args.steps is None:
        settings = RunSettings(settings.config, settings.data, default_steps)
    return settings


def _describe(settings: RunSettings) -> str:
    c = settings.config
    hidden = f" {','.join(map(str, c.hidden))}" if c.has_hidden_layers else ""
    return (f"{c.model}{hidden} on {settings.data.label}, {c.optimizer} lr {c.lr:g}, batch "
            f"{'all' if c.batch is None else c.batch}, reg {c.reg:g}, seed {c.seed}")  # fmt: skip


# --- doctor ------------------------------------------------------------------------------------
def _run_doctor(args: argparse.Namespace) -> int:
    from .doctor import DOCTOR_STEPS, counts, run_doctor

    settings = _settings(args, DOCTOR_STEPS)
    width = 28
    shown: list = []

    def show(check) -> None:
        if args.json:
            return
        if not shown:  # the heading once the settings have trained a model: a refusal stays one line
            print(f"doctor: {_describe(settings)}; training checks take {settings.steps} steps")
        shown.append(check)
        print(f"{check.status:<4}  {check.name:<{width}}{check.summary}", flush=True)

    checks = run_doctor(settings, settings.steps, on_check=show)
    tally = counts(checks)
    failed = tally["FAIL"] > 0
    if args.json:
        print(dumps_strict({"checks": [c.to_json() for c in checks], "counts": dict(tally), "passed": not failed,
                            "settings": settings.to_json()}))  # fmt: skip
    else:
        tally_text = ", ".join(f"{n} {s}" for s, n in tally.items() if n)
        print(f"{len(checks)} checks: {tally_text}")
    return 1 if failed else 0


# --- search ------------------------------------------------------------------------------------
def _search_table(result) -> str:
    names = [r.setting for r in result.ranges]
    header = ["rank", "trial", *names, f"mean {result.metric}", "std", "note"]
    rows = []
    for rank, trial in enumerate(result.trials, start=1):
        values = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in (trial.values[n] for n in names)]
        folds = trial.diverged_folds
        note = f"diverged in {folds} fold{'s' * (folds > 1)}" if folds else ""
        rows.append([str(rank), str(trial.index + 1), *values, number_text4(trial.mean), number_text4(trial.std), note])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _run_search(args: argparse.Namespace) -> int:
    from .search import MAX_JOBS, MAX_TRIALS, SEARCH_STEPS, parse_vary, random_search

    settings = _settings(args, SEARCH_STEPS)
    ranges = parse_vary(args.vary, settings.config)
    trials = parse_whole(args.trials, "trials", 1, MAX_TRIALS)
    folds = parse_whole(args.folds, "folds", 2)
    jobs = parse_whole(args.jobs, "jobs", 1, MAX_JOBS)
    start = time.perf_counter()
    with ProgressBar(trials * folds, "search") as bar:
        result = random_search(settings, ranges, trials, folds, settings.steps, jobs,
                               on_done=lambda done, total: bar.update(done))  # fmt: skip
    elapsed = time.perf_counter() - start
    if args.json:
        print(dumps_strict({**result.to_json(), "seconds": elapsed, "jobs": jobs}))
    else:
        print(f"search: {_describe(settings)}; {trials} trials x {folds} folds of {settings.steps} steps on the "
              f"training set, {elapsed:.1f} s")  # fmt: skip
        print(_search_table(result))
        best = result.best
        print(f"best: {result.metric} {best.mean:.4f} ± {best.std:.4f} (trial {best.index + 1})")
        for warning in result.warnings:
            print(f"warning: {warning}")
        print(result.train_command)
    return 0


# --- lr-find -----------------------------------------------------------------------------------
#: rows the text table shows at most (every step is in --json)
_LR_ROWS = 30


def _run_lr_find(args: argparse.Namespace) -> int:
    from .lr_find import LR_FIND_STEPS, lr_range_test

    settings = _settings(args, LR_FIND_STEPS)
    start, end = parse_float(args.start, "--start"), parse_float(args.end, "--end")
    smoothing = parse_float(args.smoothing, "--smoothing")
    with ProgressBar(settings.steps, "lr-find") as bar:

        def show(s) -> None:
            bar.update(s.step, f"lr {s.lr:.2g} loss {s.smoothed:.4g}")

        result = lr_range_test(settings, start, end, settings.steps, smoothing, on_step=show)
    if args.json:
        print(dumps_strict(result.to_json()))
        return 0
    print(f"lr-find: {_describe(settings)}; lr from {start:g} to {end:g} over {settings.steps} steps, "
          f"smoothing {smoothing:g}")  # fmt: skip
    steps = result.steps
    every = max(1, -(-len(steps) // _LR_ROWS))
    marked = {result.suggested_step}
    shown = [s for s in steps if s.step % every == 0 or s.step in marked or s is steps[-1] or s.step == 1]
    print(f"{'step':>5}  {'lr':>9}  {'loss':>10}  {'smoothed':>10}")
    for s in shown:
        mark = "  <- steepest descent" if s.step == result.suggested_step else ""
        print(f"{s.step:>5}  {s.lr:>9.3g}  {s.loss:>10.4g}  {s.smoothed:>10.4g}{mark}")
    print(f"stopped: {result.stopped} after {len(steps)} steps")
    if result.suggested_lr is None:
        print("no suggestion: the test needs at least 3 finite steps; lower --start")
    else:
        print(f"suggested lr {result.suggested_lr:.3g} (steepest descent of the smoothed loss); "
              f"lowest smoothed loss at lr {result.min_loss_lr:.3g}")  # fmt: skip
    return 0


def add_practice_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``doctor``, ``search`` and ``lr-find``, each with every option of ``train``."""
    doctor = sub.add_parser(
        "doctor",
        help="check a run's settings the way Karpathy's recipe does: loss at init, baselines, gradients, ...",
        description="Checks, each one line with PASS/WARN/FAIL/SKIP and its number: loss at init against the loss "
        "of all-zero scores, an input-independent baseline, overfitting 5 examples, the whole model's hand and "
        "autograd gradients against centered differences, no leaks between examples, dead units at init. Exit "
        "status 0 when nothing fails, 1 otherwise. The training checks take --steps steps (default 300).",
    )
    add_run_options(doctor)
    doctor.add_argument("--json", action="store_true", help="print one JSON object instead of the lines")
    doctor.set_defaults(handler=_run_doctor)

    search = sub.add_parser(
        "search",
        help="random hyperparameter search with K-fold cross-validation on the training set",
        description="Random search (log-uniform, uniform or whole-number ranges) scored by K-fold "
        "cross-validation on the training set; each trial and fold trains --steps steps (default 200). "
        "Prints the trials best first and the best as a train command.",
    )
    add_run_options(search)
    search.add_argument("--vary", required=True, metavar="NAME=LOW:HIGH[:SCALE],...",
                        help="ranges of numeric settings, e.g. lr=1e-4:10:log,reg=1e-6:1e-1:log,hidden=8:128:int "
                        "(scales: log, uniform, int)")  # fmt: skip
    search.add_argument("--trials", default="20", help="value sets to try (default 20)")
    search.add_argument("--folds", default="5", help="cross-validation folds, at least 2 (default 5)")
    search.add_argument("--jobs", default="1", help="processes to run trials in (default 1)")
    search.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    search.set_defaults(handler=_run_search)

    lr_find = sub.add_parser(
        "lr-find",
        help="the learning-rate range test: the loss as the step size grows exponentially",
        description="One run with the step size growing exponentially from --start to --end over --steps steps "
        "(default 100); stops when the smoothed loss passes 4x its best or is not finite; suggests the step size "
        "where the smoothed loss falls fastest.",
    )
    add_run_options(lr_find)
    lr_find.add_argument("--start", default="1e-6", help="the first step size (default 1e-6)")
    lr_find.add_argument("--end", default="10", help="the last step size (default 10)")
    lr_find.add_argument("--smoothing", default="0.9", help="the loss's moving-average factor in [0, 1) (default 0.9)")
    lr_find.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    lr_find.set_defaults(handler=_run_lr_find)
