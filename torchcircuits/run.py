"""What defines a run: the data, the training config and the step count.

:class:`RunSettings` is shared by ``torchcircuits train`` and the desktop app:
the same option names parse into it (:func:`add_run_options`,
:func:`settings_from_args`), and it round-trips through JSON for sessions.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .activations import ACTIVATIONS
from .config import (
    BACKENDS,
    CLASS_WEIGHTS,
    DTYPES,
    LINE_SEARCHES,
    MODELS,
    TEXT_PARSERS,
    TrainConfig,
    config_from_json,
    parse_whole,
)
from .data import (
    DATASETS,
    FIXED_SETS,
    MAX_POINTS,
    REGRESSION_SETS,
    Dataset,
    check_imbalance,
    imbalance,
    load_csv,
    make_dataset,
    train_test_split,
)
from .errors import InputError, SettingError, finite_float
from .features import FEATURES
from .losses import LOSSES
from .models import BIAS_INITS, INITS
from .optim import OPTIMIZERS
from .regularizers import REGULARIZERS

__all__ = ["DataSpec", "RunSettings", "PRESETS", "MAX_STEPS", "add_run_options", "settings_from_args"]

#: a run takes at most this many steps
MAX_STEPS = 10**9


@dataclass(frozen=True)
class DataSpec:
    """A data set by name (or CSV path) and how to generate and split it.

    ``None`` means the set's default: see :func:`torchcircuits.data.make_dataset`;
    the test ratio defaults to 0 for the guide's sets and CSV files, 0.2 otherwise.
    A built-in name always means the built-in set; a file is a path ending in
    ``.csv`` or one written with a folder (``./guide``).
    """

    name: str = "guide"
    n: int | None = None
    noise: float | None = None
    classes: int | None = None
    test_ratio: float | None = None
    seed: int = 0
    #: smallest class / largest, by subsampling a generated classification set (1: as generated)
    imbalance: float = 1.0

    @property
    def is_file(self) -> bool:
        if self.name in DATASETS:
            return False
        return self.name.lower().endswith(".csv") or Path(self.name).name != self.name

    @property
    def label(self) -> str:
        """How outputs name the data: the set's name, or ``file NAME``."""
        return f"file {self.name}" if self.is_file else self.name

    def validated(self) -> DataSpec:
        """Checked types and ranges; SettingError naming the setting (``dataset``, ``n``, ...)."""
        if not isinstance(self.name, str) or (not self.is_file and self.name not in DATASETS):
            raise SettingError("dataset", f"must be one of {', '.join(DATASETS)}, or a FILE.csv, got {self.name!r}")
        for setting, value in (("n", self.n), ("classes", self.classes)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise SettingError(setting, f"must be a whole number, got {value!r}")
        if self.n is not None and not 1 <= self.n <= MAX_POINTS:
            raise SettingError("n", f"must be a number of points from 1 to {MAX_POINTS:,}, got {self.n}")
        for setting, number in (("noise", self.noise), ("test_ratio", self.test_ratio)):
            if number is not None and (isinstance(number, bool) or not isinstance(number, (int, float))):
                raise SettingError(setting, f"must be a number, got {number!r}")
        if self.test_ratio is not None and not 0.0 <= self.test_ratio < 1.0:
            raise SettingError("test_ratio", f"must be at least 0 and below 1, got {self.test_ratio}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= 2**63 - 1:
            raise SettingError("seed", f"must be a whole number from 0 to 2**63 - 1, got {self.seed!r}")
        ratio = check_imbalance(self.imbalance)
        if ratio != 1.0 and not self.is_file and self.name in REGRESSION_SETS:
            raise SettingError("imbalance", f"applies to classification sets; {self.name} is a regression set")
        if self.is_file or self.name in FIXED_SETS:
            given = [s for s, v in (("n", self.n), ("noise", self.noise), ("classes", self.classes),
                                    ("imbalance", None if ratio == 1.0 else ratio)) if v is not None]  # fmt: skip
            if given:
                what = "a data file" if self.is_file else f"the guide's fixed data set {self.name}"
                raise SettingError(given[0], f"does not apply to {what}")
        return replace(self, noise=None if self.noise is None else float(self.noise),
                       test_ratio=None if self.test_ratio is None else float(self.test_ratio),
                       imbalance=ratio)  # fmt: skip

    def effective_test_ratio(self) -> float:
        if self.test_ratio is not None:
            return self.test_ratio
        return 0.0 if self.is_file or self.name in FIXED_SETS else 0.2

    def load_all(self) -> Dataset:
        if self.is_file:
            return load_csv(self.name)
        data = make_dataset(self.name, n=self.n, noise=self.noise, seed=self.seed, classes=self.classes)
        return imbalance(data, self.imbalance, self.seed)

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
        config = asdict(self.config)
        for key in ("hidden", "features", "betas"):
            if config[key] is not None:
                config[key] = list(config[key])
        return {"config": config, "data": asdict(self.data), "steps": self.steps}

    @classmethod
    def from_json(cls, obj: object) -> RunSettings:
        """Rebuild from :meth:`to_json`'s output; unknown keys, wrong types or ranges are an InputError."""
        if not isinstance(obj, dict):
            raise InputError("the settings must be an object with config, data and steps")
        unknown = sorted(set(obj) - {"config", "data", "steps"})
        if unknown:
            raise InputError(f"unknown settings part {unknown[0]!r}: known ones are config, data, steps")
        if "config" not in obj or "data" not in obj:
            raise InputError("the settings need both config and data")
        config = config_from_json(obj["config"])
        data = obj["data"]
        if not isinstance(data, dict):
            raise InputError("data settings must be an object")
        known = set(DataSpec.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown data setting {unknown[0]!r}: known ones are {', '.join(sorted(known))}")
        steps = obj.get("steps", 0)
        if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
            raise SettingError("steps", f"must be a whole number from 0 to {MAX_STEPS:,}, got {steps!r}")
        return cls(config, DataSpec(**data).validated(), steps)


#: The guide's two Chapter 2 runs: its data, its start, its step size and spring.
PRESETS: dict[str, RunSettings] = {
    "guide-svm": RunSettings(
        TrainConfig(model="svm", lr=0.01, reg=0.5, batch=1, init="guide"), DataSpec("guide"), steps=400
    ),
    "guide-net": RunSettings(
        TrainConfig(model="net", hidden=(3,), activation="relu", lr=0.01, reg=0.5, batch=1, init="guide"),
        DataSpec("guide"),
        steps=400,
    ),
}

_DATA_OPTIONS = ("n", "noise", "classes", "test_ratio")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options of a run, shared by ``torchcircuits train`` and ``torchcircuits-gui``."""
    model = p.add_argument_group("model")
    model.add_argument("--preset", choices=sorted(PRESETS), help="the guide's runs; other options override it")
    model.add_argument("--model", help=f"one of {', '.join(MODELS)} (default svm)")
    model.add_argument("--loss", help=f"one of {', '.join(LOSSES)} (default: hinge for 2 classes, softmax for "
                       "more, l2 for regression)")  # fmt: skip
    model.add_argument("--hidden", help="hidden layer widths of the net, e.g. 8,8,4 (default 3)")
    model.add_argument("--activation", help=f"one of {', '.join(ACTIVATIONS)} (default relu)")
    model.add_argument("--features", help=f"input features, any of {','.join(FEATURES)} (default: the raw inputs)")
    model.add_argument("--init", help=f"one of {', '.join(INITS)} (default: guide for svm, he for relu nets, "
                       "xavier for tanh/sigmoid nets, small else)")  # fmt: skip
    model.add_argument("--bias-init", dest="bias_init", help=f"one of {', '.join(BIAS_INITS)}: the output bias "
                       "as the init draws it (default), zero, the targets' mean, or the class prior")  # fmt: skip
    opt = p.add_argument_group("optimization")
    opt.add_argument("--steps", help="training steps (default 1000)")
    opt.add_argument("--optimizer", help=f"one of {', '.join(OPTIMIZERS)} (default sgd)")
    opt.add_argument("--lr", help="step size (default 0.01)")
    opt.add_argument("--schedule", help="constant, step:EVERY:GAMMA, exp:GAMMA, inverse:K or cosine:T "
                     "(default constant)")  # fmt: skip
    opt.add_argument("--momentum", help="sgd momentum in [0, 1) (default 0)")
    opt.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=None,
                     help="Nesterov momentum (sgd with --momentum); --no-nesterov turns a saved one off")
    opt.add_argument("--betas", help="adam's two decay rates (default 0.9,0.999)")
    opt.add_argument("--eps", help="adam's and rmsprop's epsilon (default 1e-8)")
    opt.add_argument("--alpha", help="rmsprop's decay rate (default 0.99)")
    opt.add_argument("--line-search", dest="line_search", help=f"lbfgs line search: {', '.join(LINE_SEARCHES)}")
    opt.add_argument("--batch", help="examples per step, or 'all' (default 1: one random example, as the guide)")
    opt.add_argument("--reg", help="regularization strength: multiplies the sum of squared weights (default 0.001)")
    opt.add_argument("--reg-kind", dest="reg_kind", help=f"one of {', '.join(REGULARIZERS)} (default l2): group "
                     "switches whole neurons off, elastic mixes l1 and l2")  # fmt: skip
    opt.add_argument("--l1-ratio", dest="l1_ratio", help="elastic's L1 share, 0 to 1 (default 0.5)")
    opt.add_argument("--dropout", help="share of hidden units dropped in each training step, 0 to below 1 "
                     "(default 0)")  # fmt: skip
    opt.add_argument("--max-norm", dest="max_norm", help="after every step, clip each neuron's incoming weight "
                     "vector to this length (cs231n: 3 to 4; default none)")  # fmt: skip
    opt.add_argument("--early-stop", dest="early_stop", metavar="PATIENCE", help="stop when the test loss has "
                     "not improved for PATIENCE records and restore the best parameters (needs a test set)")
    opt.add_argument("--class-weight", dest="class_weight", help=f"one of {', '.join(CLASS_WEIGHTS)}: balanced "
                     "weighs class k by n / (K n_k) in the data loss (default none)")  # fmt: skip
    opt.add_argument("--backend", help=f"one of {', '.join(BACKENDS)}: gradients by hand or by autograd")
    opt.add_argument("--compare", action=argparse.BooleanOptionalAction, default=None,
                     help="compute both backends and report the largest difference")
    opt.add_argument("--dtype", help=f"one of {', '.join(DTYPES)}: the type of parameters, data, gradients and "
                     "optimizer state (default float64; float32 is faster, to about 7 digits)")  # fmt: skip
    opt.add_argument("--seed", help="seed of the data, the split, the init and the sampling (default 0)")
    data = p.add_argument_group("data")
    data.add_argument("--dataset", help=f"one of {', '.join(DATASETS)}, or a FILE.csv (default guide)")
    data.add_argument("--n", help="points of a generated data set")
    data.add_argument("--noise", help="noise of a generated data set")
    data.add_argument("--classes", help="classes of blobs or spiral")
    data.add_argument("--test-ratio", dest="test_ratio", help="held-out share (default 0.2; 0 for guide sets and CSV)")
    data.add_argument("--imbalance", help="smallest class / largest of a generated classification set, by "
                      "subsampling (default 1: balanced; 0.1 for 10:1)")  # fmt: skip


def settings_from_args(args: argparse.Namespace, base: RunSettings | None = None) -> RunSettings:
    """Parse and validate the options of :func:`add_run_options`.

    What is not given comes from ``base`` (a continued session's settings), else
    the preset, else the defaults.
    """
    if base is None:
        base = PRESETS[args.preset] if getattr(args, "preset", None) else RunSettings()
    changes: dict = {}
    for key, parse in TEXT_PARSERS.items():
        value = getattr(args, key, None)
        if value is not None:
            changes[key] = parse(value)
    for key in ("nesterov", "compare"):
        if getattr(args, key, None) is not None:
            changes[key] = bool(getattr(args, key))
    model = changes.get("model", base.config.model)
    for key in ("hidden", "activation"):
        if key in changes and not MODELS[model].hidden_layers:
            raise SettingError(key, f"applies to the net only; model {model} has no hidden layer")
    config = replace(base.config, **changes).validated()
    if "l1_ratio" in changes and config.reg_kind != "elastic":
        raise SettingError("l1_ratio", f"applies to --reg-kind elastic only; the reg kind is {config.reg_kind}")
    data_changes: dict = {"seed": config.seed} if getattr(args, "seed", None) is not None else {}
    if args.dataset is not None:
        data_changes["name"] = args.dataset
    if args.n is not None:
        data_changes["n"] = parse_whole(args.n, "n", 1, MAX_POINTS)
    if args.noise is not None:
        data_changes["noise"] = _float(args.noise, "noise")
    if args.classes is not None:
        data_changes["classes"] = parse_whole(args.classes, "classes", 2, 10)
    if args.test_ratio is not None:
        data_changes["test_ratio"] = _float(args.test_ratio, "test_ratio")
    if getattr(args, "imbalance", None) is not None:
        data_changes["imbalance"] = _float(args.imbalance, "imbalance")
    data = replace(base.data, **data_changes).validated()
    steps = base.steps if args.steps is None else parse_whole(args.steps, "steps", 0, MAX_STEPS)
    return RunSettings(config, data, steps)


def _float(text: object, setting: str) -> float:
    try:
        return finite_float(str(text).strip(), setting)
    except InputError:
        raise SettingError(setting, f"must be a finite number, got {text!r}") from None
