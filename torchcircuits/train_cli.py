"""``torchcircuits train``: train a model on a data set with the shared Trainer."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

from .progress import ProgressBar
from .run import add_run_options, settings_from_args
from .trainer import Diverged, Trainer

__all__ = ["add_train_parser", "run_train"]


def add_train_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model with SGD and report loss and accuracy",
        description="Train a model with SGD. The loss is the mean data loss of a batch plus --reg times the "
        "sum of squared weights (L2; the sum of |w| with --reg-kind l1), biases excluded. The guide's spring "
        "is --reg 0.5.",
    )
    add_run_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    p.set_defaults(handler=run_train)


def run_train(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    config, steps = settings.config, settings.steps
    train, test = settings.data.load()
    trainer = Trainer(config, train, test)
    record_every = max(1, math.ceil(steps / 200))  # at most 200 history records
    diverged = None
    start = time.perf_counter()
    history: list[dict] = []
    with ProgressBar(steps, "train") as bar:

        def on_record(stats, evaluation) -> None:
            bar.update(stats.step, f"loss {evaluation.train_loss:.4g} acc {evaluation.train_accuracy:.1%}")

        try:
            for chunk_start in range(0, steps, record_every):
                chunk = min(record_every, steps - chunk_start)
                history += trainer.run(chunk, record_every=chunk, on_record=on_record)
        except Diverged as error:
            diverged = str(error)
    elapsed = time.perf_counter() - start
    final = trainer.evaluate()
    done = trainer.step_count
    rate = done / elapsed if elapsed > 0 else math.inf
    summary = {
        "model": config.model,
        "loss": trainer.loss.name,
        "dataset": settings.data.name,
        "train_points": len(train),
        "test_points": len(test),
        "steps": done,
        "train_accuracy": final.train_accuracy,
        "test_accuracy": final.test_accuracy,
        "final_loss": final.train_loss,
        "final_data_loss": final.train_data_loss,
        "final_reg_loss": final.reg_loss,
        "steps_per_second": rate,
        "seconds": elapsed,
        "diverged": diverged,
        "settings": settings.to_json(),
        "parameters": {name: p.tolist() for name, p in trainer.parameters().items()},
        "history": history,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        test_text = "no test set" if final.test_accuracy is None else f"test accuracy {final.test_accuracy:.1%}"
        print(
            f"{config.model} ({trainer.loss.name} loss) on {settings.data.name}: {len(train)} train / "
            f"{len(test)} test points, {done} steps in {elapsed:.2f} s ({rate:,.0f} steps/s)"
        )
        print(
            f"loss {final.train_loss:.4f} (data {final.train_data_loss:.4f} + reg {final.reg_loss:.4f}), "
            f"train accuracy {final.train_accuracy:.1%}, {test_text}"
        )
        if history and history[-1].get("max_grad_diff") is not None:
            print(f"largest |hand - torch| gradient difference: {max(h['max_grad_diff'] for h in history):.1e}")
    if diverged:
        print(f"torchcircuits: {diverged}", file=sys.stderr)
        return 1
    return 0
