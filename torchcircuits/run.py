"""What defines a run: the data, the training config and the step count.

:class:`RunSettings` is shared by ``torchcircuits train`` and the desktop app:
the same option names parse into it (:func:`add_run_options`,
:func:`settings_from_args`), and it round-trips through JSON for sessions.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from .data import DATASETS, Dataset, load_csv, make_dataset, train_test_split
from .errors import InputError, finite_float, parse_float, unknown_name
from .layers import ACTIVATIONS
from .losses import LOSSES
from .models import INITS, REGULARIZERS
from .trainer import BACKENDS, MODELS, TrainConfig

__all__ = ["DataSpec", "RunSettings", "PRESETS", "add_run_options", "settings_from_args", "parse_batch", "whole"]


def whole(value: object, flag: str, minimum: int) -> int:
    """A whole number >= minimum, or an InputError naming ``flag``."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InputError(f"{flag} must be a whole number >= {minimum}, got {value!r}") from None
    if number < minimum:
        raise InputError(f"{flag} must be a whole number >= {minimum}, got {number}")
    return number


def parse_batch(text: object) -> int | None:
    """A positive count, or ``all`` (None) for the full batch."""
    if text is None or str(text).strip().lower() == "all":
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        raise InputError(f"--batch must be a positive count or 'all', got {text!r}") from None
    if value < 1:
        raise InputError(f"--batch must be a positive count or 'all', got {value}")
    return value


@dataclass(frozen=True)
class DataSpec:
    """A data set by name (or CSV path) and how to generate and split it.

    ``None`` means the set's default: see :func:`torchcircuits.data.make_dataset`;
    the test ratio defaults to 0 for the guide's sets and CSV files, 0.2 otherwise.
    """

    name: str = "guide"
    n: int | None = None
    noise: float | None = None
    classes: int | None = None
    test_ratio: float | None = None
    seed: int = 0

    @property
    def is_file(self) -> bool:
        return self.name.lower().endswith(".csv") or Path(self.name).is_file()

    def validated(self) -> DataSpec:
        if not self.is_file and self.name not in DATASETS:
            raise unknown_name("data set", self.name, [*DATASETS, "FILE.csv"])
        ratio = None if self.test_ratio is None else finite_float(self.test_ratio, "--test-ratio")
        if ratio is not None and not 0.0 <= ratio < 1.0:
            raise InputError(f"--test-ratio must be at least 0 and below 1, got {ratio}")
        return replace(self, test_ratio=ratio)

    def effective_test_ratio(self) -> float:
        if self.test_ratio is not None:
            return self.test_ratio
        return 0.0 if self.is_file or self.name.startswith("guide") else 0.2

    def load_all(self) -> Dataset:
        if self.is_file:
            return load_csv(self.name)
        return make_dataset(self.name, n=self.n, noise=self.noise, seed=self.seed, classes=self.classes)

    def load(self) -> tuple[Dataset, Dataset]:
        """(train, test), split with the seed."""
        return train_test_split(self.load_all(), self.effective_test_ratio(), self.seed)


@dataclass(frozen=True)
class RunSettings:
    """The data, the training config and how many steps to take."""

    config: TrainConfig = field(default_factory=TrainConfig)
    data: DataSpec = field(default_factory=DataSpec)
    steps: int = 1000

    def to_json(self) -> dict:
        return {"config": asdict(self.config), "data": asdict(self.data), "steps": self.steps}

    @classmethod
    def from_json(cls, obj: dict) -> RunSettings:
        """Rebuild from :meth:`to_json`'s output; unknown or missing keys are an InputError."""
        try:
            config = _from_fields(TrainConfig, obj["config"], "config")
            data = _from_fields(DataSpec, obj["data"], "data")
            steps = whole(obj.get("steps", 0), "steps", 0)
        except (KeyError, TypeError) as error:
            raise InputError(f"settings are missing {error}") from None
        return cls(config.validated(), data.validated(), steps)


def _from_fields(kind: type, values: dict, what: str):
    known = {f.name for f in fields(kind)}
    if not isinstance(values, dict):
        raise InputError(f"{what} settings must be an object")
    unknown = set(values) - known
    if unknown:
        raise InputError(f"unknown {what} setting {sorted(unknown)[0]!r}: known ones are {', '.join(sorted(known))}")
    return kind(**values)


#: The guide's two Chapter 2 runs: its data, its start, its step size and spring.
PRESETS: dict[str, RunSettings] = {
    "guide-svm": RunSettings(
        TrainConfig(model="svm", lr=0.01, reg=0.5, batch=1, init="guide"), DataSpec("guide"), steps=400
    ),
    "guide-net": RunSettings(
        TrainConfig(model="net", hidden=3, activation="relu", lr=0.01, reg=0.5, batch=1, init="guide"),
        DataSpec("guide"),
        steps=400,
    ),
}

_CONFIG_OPTIONS = ("model", "loss", "lr", "reg", "reg_kind", "batch", "momentum", "hidden", "activation", "backend",
                   "init", "seed")  # fmt: skip
_DATA_OPTIONS = ("dataset", "n", "noise", "classes", "test_ratio")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options of a run, shared by ``torchcircuits train`` and ``torchcircuits-gui``."""
    p.add_argument("--preset", choices=sorted(PRESETS), help="the guide's runs; other options override it")
    p.add_argument("--model", help=f"one of {', '.join(MODELS)} (default svm)")
    p.add_argument("--dataset", help=f"one of {', '.join(DATASETS)}, or a FILE.csv (default guide)")
    p.add_argument("--loss", help=f"one of {', '.join(LOSSES)} (default: hinge for 2 classes, softmax for more)")
    p.add_argument("--steps", help="SGD steps (default 1000)")
    p.add_argument("--lr", help="step size (default 0.01)")
    p.add_argument("--reg", help="regularization strength: multiplies the sum of squared weights (default 0.001)")
    p.add_argument("--reg-kind", dest="reg_kind", help=f"one of {', '.join(REGULARIZERS)} (default l2)")
    p.add_argument("--batch", help="examples per step, or 'all' (default 1: one random example, as the guide)")
    p.add_argument("--momentum", help="momentum in [0, 1) (default 0)")
    p.add_argument("--hidden", help="hidden neurons of the net (default 3)")
    p.add_argument("--activation", help=f"one of {', '.join(ACTIVATIONS)} (default relu)")
    p.add_argument("--backend", help=f"one of {', '.join(BACKENDS)}: gradients by hand or by autograd")
    p.add_argument("--compare", action="store_true", help="compute both backends and report the largest difference")
    p.add_argument("--init", help=f"one of {', '.join(INITS)} (default: guide for svm, he for net, small else)")
    p.add_argument("--seed", help="seed of the data, the split, the init and the sampling (default 0)")
    p.add_argument("--n", help="points of a generated data set")
    p.add_argument("--noise", help="noise of a generated data set")
    p.add_argument("--classes", help="classes of blobs or spiral")
    p.add_argument("--test-ratio", dest="test_ratio", help="held-out share (default 0.2; 0 for guide sets and CSV)")


def settings_from_args(args: argparse.Namespace) -> RunSettings:
    """Parse and validate the options of :func:`add_run_options`; a preset fills what is not given."""
    base = PRESETS[args.preset] if getattr(args, "preset", None) else RunSettings()
    config, data = base.config, base.data
    changes: dict = {}
    for key in _CONFIG_OPTIONS:
        value = getattr(args, key, None)
        if value is None:
            continue
        if key in ("lr", "reg", "momentum"):
            value = parse_float(value, f"--{key}")
        elif key == "hidden":
            value = whole(value, "--hidden", 1)
        elif key == "seed":
            value = whole(value, "--seed", 0)
        elif key == "batch":
            value = parse_batch(value)
        changes[key] = value
    if getattr(args, "compare", False):
        changes["compare"] = True
    config = replace(config, **changes).validated()
    data_changes: dict = {"seed": config.seed}
    if args.dataset is not None:
        data_changes["name"] = args.dataset
    if args.n is not None:
        data_changes["n"] = whole(args.n, "--n", 1)
    if args.noise is not None:
        data_changes["noise"] = parse_float(args.noise, "--noise")
    if args.classes is not None:
        data_changes["classes"] = whole(args.classes, "--classes", 2)
    if args.test_ratio is not None:
        data_changes["test_ratio"] = parse_float(args.test_ratio, "--test-ratio")
    data = replace(data, **data_changes).validated()
    steps = base.steps if args.steps is None else whole(args.steps, "--steps", 0)
    return RunSettings(config, data, steps)
