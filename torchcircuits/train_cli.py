"""``torchcircuits train``: train a model on a data set with the shared Trainer, or continue a session."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch

from .errors import InputError
from .metrics import is_unbalanced
from .models import weight_names
from .monitors import HealthWatcher
from .progress import ProgressBar
from .run import add_run_options, settings_from_args
from .session import load_session, restore_trainer, save_session
from .strict_json import dumps_strict
from .trainer import FLOAT32_COMPARE_ULPS, Trainer, compare_tolerance

__all__ = ["add_train_parser", "run_train"]

#: history records kept in the JSON output
MAX_RECORDS = 200


def add_train_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model and report its loss and metrics",
        description="Train a model. The loss is the mean data loss of a batch plus --reg times the penalty of the "
        "weights (L2: the sum of squares; L1: of |w|), biases excluded. The guide's spring is --reg 0.5. "
        "--session continues a session saved by the app or by --save.",
    )
    add_run_options(p)
    p.add_argument("--session", metavar="FILE.json", help="continue this saved session (its settings and data)")
    p.add_argument("--save", metavar="OUT.json", help="save the session after training (reopens in the app)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    p.set_defaults(handler=run_train)


_SESSION_EXCLUSIVE = ("preset", "model", "loss", "hidden", "activation", "features", "init", "bias_init", "dataset",
                      "n", "noise", "classes", "test_ratio", "seed", "imbalance", "dtype")  # fmt: skip


def _start(args: argparse.Namespace):
    """(settings, train, test, trainer, history so far) for a fresh run or a continued session."""
    if args.session is None:
        settings = settings_from_args(args)
        train, test = settings.data.load()
        return settings, train, test, Trainer(settings.config, train, test), []
    given = [name for name in _SESSION_EXCLUSIVE if getattr(args, name, None) is not None]
    if given:
        raise InputError(f"--{given[0].replace('_', '-')} cannot change a saved session's model or data; "
                         "--steps, --lr and the other optimization options can")  # fmt: skip
    session = load_session(args.session)
    settings = session.settings
    overrides = settings_from_args(args, base=settings)
    try:
        trainer = restore_trainer(session)
    except InputError as error:
        raise InputError(f"cannot open session {Path(args.session).name}: {error}") from None
    if not trainer.retune(overrides.config):
        raise InputError("these options would need a new model: continue with optimization options only")
    return overrides, session.train, session.test, trainer, list(session.history)


def _check_save_path(path: str) -> None:
    """Refuse a --save path that cannot be written before any training time is spent."""
    target = Path(path)
    if target.is_dir():
        raise InputError(f"--save {path} is a folder: give a file name such as run.json")
    if not target.parent.is_dir():
        raise InputError(f"--save {path}: the folder {target.parent} does not exist")


def number_text4(value: float) -> str:
    """A loss or metric as the summaries print it: four decimals, or four significant digits when huge."""
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.4g}"


def run_train(args: argparse.Namespace) -> int:
    if args.save:
        _check_save_path(args.save)
    settings, train, test, trainer, history = _start(args)
    steps = settings.steps
    record_every = max(1, math.ceil(steps / MAX_RECORDS))
    start = time.perf_counter()
    first_step = trainer.step_count
    with ProgressBar(steps, "train") as bar:
        note = ""

        def on_record(stats, evaluation) -> None:
            nonlocal note
            metric = evaluation.train_accuracy if evaluation.train_accuracy is not None else evaluation.train_r2
            name = "acc" if evaluation.train_accuracy is not None else "R²"
            note = f"loss {evaluation.train_loss:.4g} {name} {metric:.3g}"

        history += trainer.run(
            steps, record_every, on_record=on_record, on_step=lambda done: bar.update(done - first_step, note)
        )
    elapsed = time.perf_counter() - start
    watcher = HealthWatcher(watch=weight_names(trainer.spec))
    warnings = [line for record in history for line in watcher.observe(record)]
    final = trainer.evaluate()
    report = trainer.class_report()
    done = trainer.step_count - first_step
    rate = done / elapsed if elapsed > 0 else 0.0
    comparison = _comparison(history, settings.config.dtype)
    if args.save:
        try:
            save_session(args.save, settings, train, test, trainer, {}, history)
        except OSError as error:
            raise InputError(f"cannot save session {args.save}: {error.strerror or error}") from None
    summary = {
        "model": settings.config.model,
        "loss": trainer.loss.name,
        "task": trainer.loss.task,
        "dataset": settings.data.label,
        "features": list(trainer.features),
        "train_points": len(train),
        "test_points": len(test),
        "steps": trainer.step_count,
        "steps_this_run": done,
        **{k: v for k, v in final.to_json().items() if k != "step"},
        "final_loss": final.train_loss,
        "final_data_loss": final.train_data_loss,
        "final_reg_loss": final.reg_loss,
        "steps_per_second": rate,
        "seconds": elapsed,
        "diverged": trainer.diverged,
        "confusion": report.confusion if report else None,
        "balanced_accuracy": report.balanced_accuracy if report else None,
        "per_class": report.per_class() if report else None,
        "metrics_on": ("test" if trainer.test_set is not None else "train") if report else None,
        "sparsity": trainer.sparsity(),
        "early_stop": trainer.early_stopping.to_json() if trainer.early_stopping else None,
        "warnings": warnings,
        "compare": None if comparison is None else {k: v for k, v in comparison.items() if k != "text"},
        "settings": settings.to_json(),
        "parameters": {name: p.tolist() for name, p in trainer.parameters().items()},
        "history": history[-MAX_RECORDS:],
    }
    if args.json:
        print(dumps_strict(summary))
    else:
        print(_summary_text(settings, trainer, train, test, final, done, elapsed, rate))
        for line in _practice_lines(trainer, report):
            print(line)
        for line in warnings:
            print(f"torchcircuits: warning: {line}", file=sys.stderr)
        if comparison is not None:
            print(comparison["text"])
        if args.save:
            print(f"session saved to {args.save}")
    if trainer.diverged:
        print(f"torchcircuits: {trainer.diverged}", file=sys.stderr)
        return 1
    return 0


def _comparison(history: list[dict], dtype: str) -> dict | None:
    """--compare's verdict over the recorded steps: the largest difference and the dtype's tolerance; None without.

    The tolerance is :func:`~torchcircuits.trainer.compare_tolerance` at the record that comes closest to it.
    """
    records = [h for h in history if h.get("max_grad_diff") is not None]
    if not records:
        return None
    largest = max(h["max_grad_diff"] for h in records)
    worst = max(records, key=lambda h: h["max_grad_diff"] / compare_tolerance(dtype, h["grad_norm"] or 0.0))
    tolerance = compare_tolerance(dtype, worst["grad_norm"] or 0.0)
    agree = worst["max_grad_diff"] <= tolerance
    if dtype == "float64":
        rule = f"float64: tolerance {tolerance:.0e}, absolute"
    else:
        rule = (f"{dtype}: tolerance {tolerance:.1e} = {FLOAT32_COMPARE_ULPS} × its round-off "
                f"{torch.finfo(torch.float32).eps:.1e} × max(1, gradient norm)")  # fmt: skip
    text = f"largest |hand - torch| gradient difference: {largest:.1e} ({rule}: {'agree' if agree else 'DISAGREE'})"
    return {"max_grad_diff": largest, "tolerance": tolerance, "agree": agree, "text": text}


def _practice_lines(trainer: Trainer, report) -> list[str]:
    """Balanced accuracy on unbalanced classes, early stopping, sparsity under L1/group/elastic."""
    lines = []
    data = trainer.test_set if trainer.test_set is not None else trainer.train_set
    labels = trainer.train_set.labels if trainer.test_set is None else torch.cat([trainer.train_set.labels,
                                                                                    trainer.test_set.labels])
    if report is not None and is_unbalanced(labels, trainer.train_set.num_classes):  # the whole set: a split tilts
        counts = ", ".join(str(n) for n in report.support)
        where = "test" if trainer.test_set is not None else "train"
        recalls = ", ".join("n/a" if r is None else f"{r:.1%}" for r in report.recall)
        lines.append(f"unbalanced classes: {where} balanced accuracy {report.balanced_accuracy:.1%} "
                     f"(recall per class {recalls}; {counts} {where} points of each of {data.num_classes})")
    if trainer.spec.hidden:
        health = trainer.health()
        dead = ", ".join(f"{share:.0%}" for share in health.dead_fraction)
        ratios = ", ".join(f"{name} {'n/a' if r is None else f'{r:.1e}'}" for name, r in health.update_ratio.items()
                           if name.startswith("W"))  # fmt: skip
        lines.append(f"health: dead or saturated units per hidden layer {dead}"
                     + (f"; last update:data ratios {ratios}" if ratios else ""))  # fmt: skip
    stopper = trainer.early_stopping
    if stopper is not None and stopper.stopped_at is not None:
        lines.append(f"early stop at step {stopper.stopped_at}: the test loss had not improved for "
                     f"{stopper.patience} records; restored step {stopper.best_step}'s parameters "
                     f"(test loss {number_text4(stopper.best_loss)})")
    if trainer.config.reg_kind != "l2" and trainer.config.reg > 0:
        sparsity = trainer.sparsity()
        off = ", ".join(str(n) for n in sparsity["neurons_off"])
        lines.append(f"sparsity ({trainer.config.reg_kind}): {sparsity['zero_weights']} of {sparsity['weights']} "
                     f"weights exactly 0; neurons switched off per layer: {off}")
    return lines


def _summary_text(settings, trainer, train, test, final, done, elapsed, rate) -> str:
    head = (
        f"{settings.config.model} ({trainer.loss.name} loss) on {settings.data.label}: {len(train)} train / "
        f"{len(test)} test points, {done} steps in {elapsed:.2f} s ({rate:,.0f} steps/s)"
    )
    data, reg = number_text4(final.train_data_loss), number_text4(final.reg_loss)
    loss = f"loss {number_text4(final.train_loss)} (data {data} + reg {reg})"
    if trainer.loss.task == "classification":
        test_text = "no test set" if final.test_accuracy is None else f"test accuracy {final.test_accuracy:.1%}"
        return f"{head}\n{loss}, train accuracy {final.train_accuracy:.1%}, {test_text}"
    def r2(value: float | None) -> str:
        return "n/a (the targets do not vary)" if value is None else f"{value:.4f}"

    test_text = "no test set"
    if final.test_rmse is not None:
        test_text = f"test RMSE {number_text4(final.test_rmse)}, R² {r2(final.test_r2)}"
    return f"{head}\n{loss}, train RMSE {number_text4(final.train_rmse)}, R² {r2(final.train_r2)}, {test_text}"
