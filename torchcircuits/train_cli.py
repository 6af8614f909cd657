"""``torchcircuits train``: train a model on a data set with the shared Trainer."""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from .data import DATASETS, Dataset, load_csv, make_dataset, train_test_split
from .errors import InputError, parse_float, unknown_name
from .losses import LOSSES
from .models import INITS, REGULARIZERS
from .progress import ProgressBar
from .trainer import BACKENDS, MODELS, Diverged, TrainConfig, Trainer

__all__ = ["add_train_parser", "PRESETS", "load_data", "parse_batch"]

#: The guide's two Chapter 2 runs: its data, its start, its step size and spring.
PRESETS: dict[str, dict] = {
    "guide-svm": {"model": "svm", "dataset": "guide", "lr": 0.01, "reg": 0.5, "batch": 1, "init": "guide",
                  "steps": 400},
    "guide-net": {"model": "net", "dataset": "guide", "hidden": 3, "activation": "relu", "lr": 0.01, "reg": 0.5,
                  "batch": 1, "init": "guide", "steps": 400},
}  # fmt: skip

DEFAULTS: dict = {
    "model": "svm",
    "dataset": "guide",
    "steps": 1000,
    "lr": 0.01,
    "reg": 1e-3,
    "batch": 1,
    "momentum": 0.0,
    "hidden": 3,
    "activation": "relu",
    "backend": "hand",
    "reg_kind": "l2",
}


def parse_batch(text: str) -> int | None:
    """A positive count, or ``all`` (None) for the full batch."""
    if text.strip().lower() == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"--batch must be a positive count or 'all', got {text!r}") from None
    if value < 1:
        raise InputError(f"--batch must be a positive count or 'all', got {value}")
    return value


def _whole(text: str, flag: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{flag} must be a whole number >= {minimum}, got {text!r}") from None
    if value < minimum:
        raise InputError(f"{flag} must be a whole number >= {minimum}, got {value}")
    return value


def load_data(
    dataset: str, n: int | None, noise: float | None, classes: int | None, seed: int, test_ratio: float | None
) -> tuple[Dataset, Dataset]:
    """(train, test) from a data set name or a CSV path; see ``--test-ratio`` for the default split."""
    if dataset.lower().endswith(".csv") or Path(dataset).is_file():
        data = load_csv(dataset)
        default_ratio = 0.0
    elif dataset in DATASETS:
        data = make_dataset(dataset, n=n, noise=noise, seed=seed, classes=classes)
        default_ratio = 0.0 if dataset.startswith("guide") else 0.2
    else:
        raise unknown_name("data set", dataset, [*DATASETS, "FILE.csv"])
    if len(data) == 0:
        raise InputError(f"data set {dataset} is empty")
    return train_test_split(data, default_ratio if test_ratio is None else test_ratio, seed)


def add_train_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model with SGD and report loss and accuracy",
        description="Train a model with SGD. The loss is the mean data loss of a batch plus --reg times the "
        "sum of squared weights (L2; the sum of |w| with --reg-kind l1), biases excluded. The guide's spring "
        "is --reg 0.5.",
    )
    p.add_argument("--preset", choices=sorted(PRESETS), help="the guide's runs; other options override it")
    p.add_argument("--model", help=f"one of {', '.join(MODELS)} (default svm)")
    p.add_argument("--dataset", help=f"one of {', '.join(DATASETS)}, or a FILE.csv (default guide)")
    p.add_argument("--loss", help=f"one of {', '.join(LOSSES)} (default: hinge for 2 classes, softmax for more)")
    p.add_argument("--steps", help="SGD steps (default 1000)")
    p.add_argument("--lr", help="step size (default 0.01)")
    p.add_argument("--reg", help="regularization strength (default 0.001)")
    p.add_argument("--reg-kind", dest="reg_kind", help=f"one of {', '.join(REGULARIZERS)} (default l2)")
    p.add_argument("--batch", help="examples per step, or 'all' (default 1: one random example, as the guide)")
    p.add_argument("--momentum", help="momentum in [0, 1) (default 0)")
    p.add_argument("--hidden", help="hidden neurons of the net (default 3)")
    p.add_argument("--activation", help="relu, tanh or sigmoid (default relu)")
    p.add_argument("--backend", help=f"one of {', '.join(BACKENDS)}: gradients by hand or by autograd")
    p.add_argument("--compare", action="store_true", help="compute both backends and report the largest difference")
    p.add_argument("--init", help=f"one of {', '.join(INITS)} (default: guide for svm, he for net, small else)")
    p.add_argument("--seed", default="0", help="seed of the data, the split, the init and the sampling (default 0)")
    p.add_argument("--n", help="points of a generated data set")
    p.add_argument("--noise", help="noise of a generated data set")
    p.add_argument("--classes", help="classes of blobs or spiral")
    p.add_argument("--test-ratio", dest="test_ratio", help="held-out share (default 0.2; 0 for guide sets and CSV)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    p.set_defaults(handler=run_train)


def _settings(args: argparse.Namespace) -> dict:
    settings = dict(DEFAULTS)
    if args.preset:
        settings.update(PRESETS[args.preset])
    for key in (*DEFAULTS, "loss", "init"):
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    return settings


def config_from_settings(settings: dict) -> TrainConfig:
    """Parse the CLI's string settings into a validated TrainConfig."""

    def number(key: str) -> float:
        value = settings[key]
        return value if isinstance(value, int | float) else parse_float(value, f"--{key.replace('_', '-')}")

    batch = settings["batch"]
    return TrainConfig(
        model=settings["model"],
        loss=settings.get("loss"),
        hidden=_whole(str(settings["hidden"]), "--hidden", 1),
        activation=settings["activation"],
        lr=number("lr"),
        reg=number("reg"),
        reg_kind=settings["reg_kind"],
        batch=batch if isinstance(batch, int) else parse_batch(batch),
        momentum=number("momentum"),
        backend=settings["backend"],
        init=settings.get("init"),
        seed=_whole(str(settings["seed"]), "--seed", 0),
        compare=bool(settings.get("compare")),
    ).validated()


def run_train(args: argparse.Namespace) -> int:
    settings = _settings(args)
    settings["seed"] = args.seed
    settings["compare"] = args.compare
    config = config_from_settings(settings)
    steps = _whole(str(settings["steps"]), "--steps", 0)
    n = None if args.n is None else _whole(args.n, "--n", 1)
    noise = None if args.noise is None else parse_float(args.noise, "--noise")
    classes = None if args.classes is None else _whole(args.classes, "--classes", 2)
    ratio = None if args.test_ratio is None else parse_float(args.test_ratio, "--test-ratio")
    train, test = load_data(settings["dataset"], n, noise, classes, config.seed, ratio)
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
        "dataset": settings["dataset"],
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
        "config": {k: v for k, v in vars(config).items()},
        "parameters": {name: p.tolist() for name, p in trainer.parameters().items()},
        "history": history,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        test_text = "no test set" if final.test_accuracy is None else f"test accuracy {final.test_accuracy:.1%}"
        print(
            f"{config.model} ({trainer.loss.name} loss) on {settings['dataset']}: {len(train)} train / "
            f"{len(test)} test points, {done} steps in {elapsed:.2f} s ({rate:,.0f} steps/s)"
        )
        print(
            f"loss {final.train_loss:.4f} (data {final.train_data_loss:.4f} + reg {final.reg_loss:.4f}), "
            f"train accuracy {final.train_accuracy:.1%}, {test_text}"
        )
        if history and history[-1].get("max_grad_diff") is not None:
            print(f"largest |hand - torch| gradient difference: {max(h['max_grad_diff'] for h in history):.1e}")
    if diverged:
        print(f"torchcircuits: {diverged}", file=__import__("sys").stderr)
        return 1
    return 0
