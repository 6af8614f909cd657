"""What defines a training run's model and optimization, checked once, in one place.

:class:`TrainConfig` is the one set of settings the trainer, the CLI, the app
and session files share. :meth:`TrainConfig.validated` checks every setting's
type and range and raises :class:`~torchcircuits.errors.SettingError` naming
the setting (the CLI shows it as ``--flag``, the app as its field's label).
Nothing is coerced silently: a string where a number belongs is refused.
The text parsers (:data:`TEXT_PARSERS`) turn a command line's or a text
field's words into those typed values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import torch

from .activations import ACTIVATIONS
from .data import MAX_POINTS
from .errors import InputError, SettingError
from .features import parse_features
from .losses import LOSSES, Loss, get_loss
from .models import BIAS_INITS, INITS, check_hidden
from .optim import OPTIMIZERS, make_optimizer
from .regularizers import DEFAULT_L1_RATIO, REGULARIZERS
from .schedules import parse_schedule

__all__ = [
    "MODELS",
    "BACKENDS",
    "DTYPES",
    "CLASS_WEIGHTS",
    "LINE_SEARCHES",
    "MAX_SEED",
    "ModelChoice",
    "TrainConfig",
    "TEXT_PARSERS",
    "parse_hidden",
    "parse_batch",
    "parse_whole",
    "config_from_json",
]

BACKENDS = ("hand", "torch")
#: the floating-point types training runs in, by name: float64 (the default, what ``check`` and the gradient tests
#: use) or float32 (half the memory traffic; about 7 significant digits)
DTYPES: dict[str, torch.dtype] = {"float64": torch.float64, "float32": torch.float32}
#: how the data loss weighs classes: equally per example, or n / (K n_k) per example of class k
CLASS_WEIGHTS = ("none", "balanced")
#: --early-stop patience and similar record counts stay below this
MAX_PATIENCE = 10**9
LINE_SEARCHES = ("strong_wolfe",)
#: seeds are what torch.Generator.manual_seed accepts without wrapping: 0 .. 2**63 - 1
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class ModelChoice:
    """A model name: whether it has hidden layers, the losses it takes, its default loss per target kind."""

    hidden_layers: bool
    losses: tuple[str, ...]
    #: target kind (signs, classes, values) -> default loss; a kind missing here is not trained by this model
    defaults: dict[str, str]
    description: str


MODELS: dict[str, ModelChoice] = {
    "svm": ModelChoice(False, ("hinge", "squared_hinge", "multiclass_svm", "ova_hinge", "structured_svm"),
                       {"signs": "hinge", "classes": "multiclass_svm"},
                       "linear SVM (hinge loss; multiclass SVM for K classes)"),
    "softmax": ModelChoice(False, ("softmax",), {"classes": "softmax", "signs": "softmax"},
                           "linear softmax classifier"),
    "linear": ModelChoice(False, tuple(LOSSES), {"signs": "hinge", "classes": "softmax", "values": "l2"},
                          "linear model, any loss"),
    "net": ModelChoice(True, tuple(LOSSES), {"signs": "hinge", "classes": "softmax", "values": "l2"},
                       "layer stack: hidden layers, then scores"),
}  # fmt: skip


def _number(value: object, setting: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingError(setting, f"must be a number, got {value!r}")
    if not math.isfinite(value):
        raise SettingError(setting, f"must be a finite number, got {value!r}")
    return float(value)


def _flag(value: object, setting: str) -> bool:
    if not isinstance(value, bool):
        raise SettingError(setting, f"must be true or false, got {value!r}")
    return value


def _name(value: object, setting: str, known, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or value not in known:
        raise SettingError(setting, f"must be one of {', '.join(known)}, got {value!r}")
    return value


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run's model and updates. ``loss=None`` picks the model's default.

    ``hidden`` lists the widths of the hidden layers (the net only; ``(3,)`` is
    the guide's net). ``reg`` multiplies the penalty of ``reg_kind`` over the
    weights, added to the mean data loss of a batch; the guide's spring is l2
    with reg = 0.5. ``batch=None`` is the full batch. ``features=None`` uses the
    raw inputs. ``init=None`` picks the model's default: the guide's start for
    the SVM, He for ReLU-family nets, Xavier for tanh/sigmoid nets, small random
    for other linear models. ``schedule`` is a form of
    :func:`torchcircuits.schedules.parse_schedule`.

    Practice settings (Chapter 3): ``dropout`` is the share p in [0, 1) of hidden
    units dropped in each training step (inverted dropout; evaluation never
    drops); ``l1_ratio`` is the L1 share of ``reg_kind`` elastic; ``max_norm`` C
    (None: off) projects each neuron's incoming weight vector back onto ‖w‖ ≤ C
    after every step; ``early_stop`` (None: off) is the patience in records of
    the test loss before training stops and restores the best parameters;
    ``class_weight`` ``balanced`` weighs each example of class k by n / (K n_k).

    ``dtype`` (a name in :data:`DTYPES`) is the type of the parameters, the
    data, the gradients and the optimizer state while training and evaluating.
    """

    model: str = "svm"
    loss: str | None = None
    hidden: tuple[int, ...] = (3,)
    activation: str = "relu"
    features: tuple[str, ...] | None = None
    optimizer: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.0
    nesterov: bool = False
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    alpha: float = 0.99
    line_search: str | None = None
    schedule: str = "constant"
    reg: float = 1e-3
    reg_kind: str = "l2"
    batch: int | None = 1
    backend: str = "hand"
    init: str | None = None
    bias_init: str = "init"
    seed: int = 0
    compare: bool = False
    dropout: float = 0.0
    l1_ratio: float = DEFAULT_L1_RATIO
    max_norm: float | None = None
    early_stop: int | None = None
    class_weight: str = "none"
    dtype: str = "float64"

    def validated(self) -> TrainConfig:
        """This config with every setting's type and range checked; SettingError names the first bad one."""
        model = _name(self.model, "model", MODELS)
        if self.loss is not None:
            get_loss(_name(self.loss, "loss", LOSSES))
            if self.loss not in MODELS[model].losses:
                allowed = ", ".join(MODELS[model].losses)
                raise SettingError("loss", f"{self.loss} is not trained by model {model}: choose one of {allowed}")
        hidden = (self.hidden,) if isinstance(self.hidden, int) and not isinstance(self.hidden, bool) else self.hidden
        if not isinstance(hidden, (tuple, list)) or not hidden:
            raise SettingError("hidden", f"must list one or more layer widths, got {self.hidden!r}")
        hidden = tuple(hidden)
        check_hidden(hidden)
        _name(self.activation, "activation", ACTIVATIONS)
        features = None if self.features is None else parse_features(self.features)
        _name(self.optimizer, "optimizer", OPTIMIZERS)
        _flag(self.nesterov, "nesterov")
        if self.nesterov and (self.optimizer != "sgd" or not self.momentum):
            raise SettingError("nesterov", "needs the sgd optimizer with momentum > 0")
        _name(self.line_search, "line_search", LINE_SEARCHES, optional=True)
        betas = tuple(self.betas) if isinstance(self.betas, (tuple, list)) else self.betas
        # the optimizer checks its own numbers (types and ranges) and refuses settings of another kind
        optimizer = make_optimizer(
            self.optimizer, self.lr, momentum=self.momentum, nesterov=self.nesterov, betas=betas, eps=self.eps,
            alpha=self.alpha, line_search=self.line_search,
        )  # fmt: skip
        if not isinstance(self.schedule, str):
            raise SettingError("schedule", f"must be text such as step:500:0.5, got {self.schedule!r}")
        parse_schedule(self.schedule)
        reg = _number(self.reg, "reg")
        if reg < 0:
            raise SettingError("reg", f"must be >= 0, got {self.reg}")
        _name(self.reg_kind, "reg_kind", REGULARIZERS)
        batch = self.batch
        whole_count = isinstance(batch, int) and not isinstance(batch, bool)
        if batch is not None and (not whole_count or not 1 <= batch <= MAX_POINTS):
            raise SettingError("batch", f"must be a count from 1 to {MAX_POINTS:,} or 'all', got {batch!r}")
        if self.optimizer == "lbfgs" and batch is not None:
            raise SettingError("batch", "must be 'all' for the lbfgs optimizer: L-BFGS works on the full batch")
        _name(self.backend, "backend", BACKENDS)
        _name(self.init, "init", INITS, optional=True)
        _name(self.bias_init, "bias_init", BIAS_INITS)
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            raise SettingError("seed", f"must be a whole number from 0 to 2**63 - 1, got {seed!r}")
        _flag(self.compare, "compare")
        dropout = _number(self.dropout, "dropout")
        if not 0.0 <= dropout < 1.0:
            raise SettingError("dropout", f"must be at least 0 and below 1 (the share of hidden units dropped), "
                                          f"got {self.dropout}")  # fmt: skip
        if dropout > 0 and not MODELS[model].hidden_layers:
            raise SettingError("dropout", f"applies to the net only; model {model} has no hidden layer")
        l1_ratio = _number(self.l1_ratio, "l1_ratio")
        if not 0.0 <= l1_ratio <= 1.0:
            raise SettingError("l1_ratio", f"must be from 0 (all L2) to 1 (all L1), got {self.l1_ratio}")
        max_norm = None if self.max_norm is None else _number(self.max_norm, "max_norm")
        if max_norm is not None and max_norm <= 0:
            raise SettingError("max_norm", f"must be > 0 (cs231n uses 3 to 4), got {self.max_norm}")
        patience = self.early_stop
        if patience is not None and (isinstance(patience, bool) or not isinstance(patience, int)
                                     or not 1 <= patience <= MAX_PATIENCE):  # fmt: skip
            raise SettingError("early_stop", f"must be a whole number of records from 1 to {MAX_PATIENCE:,}, "
                                             f"got {patience!r}")  # fmt: skip
        _name(self.class_weight, "class_weight", CLASS_WEIGHTS)
        _name(self.dtype, "dtype", DTYPES)
        return replace(self, hidden=hidden, features=features, lr=optimizer.lr, momentum=float(self.momentum),
                       betas=tuple(float(b) for b in betas), eps=float(self.eps), alpha=float(self.alpha),
                       reg=reg, dropout=dropout, l1_ratio=l1_ratio, max_norm=max_norm)  # fmt: skip

    @property
    def torch_dtype(self) -> torch.dtype:
        """The torch type of :attr:`dtype`."""
        return DTYPES[self.dtype]

    @property
    def has_hidden_layers(self) -> bool:
        return MODELS[self.model].hidden_layers

    def layer_widths(self) -> tuple[int, ...]:
        """The hidden widths the model really has: none for a linear model."""
        return tuple(self.hidden) if self.has_hidden_layers else ()

    def loss_for(self, target_kinds: tuple[str, ...], data_name: str, task: str) -> Loss:
        """The loss this config trains on data whose loss target kinds are ``target_kinds`` (first preferred)."""
        choice = MODELS[self.model]
        if self.loss is not None:
            return get_loss(self.loss)
        for kind in target_kinds:
            if kind in choice.defaults:
                return get_loss(choice.defaults[kind])
        raise SettingError("model", f"{self.model} does not train {task} data like {data_name}: use linear or net")

    def init_for(self) -> str:
        """The guide's start for the SVM; He for ReLU-family nets, Xavier for others; small random otherwise."""
        if self.init is not None:
            return self.init
        if self.model == "svm":
            return "guide"
        if not self.has_hidden_layers:
            return "small"
        return "he" if self.activation in ("relu", "leaky_relu") else "xavier"

    def optimizer_options(self) -> dict:
        """Keyword arguments of :func:`torchcircuits.optim.make_optimizer` for this config."""
        return {"momentum": self.momentum, "nesterov": self.nesterov, "betas": tuple(self.betas), "eps": self.eps,
                "alpha": self.alpha, "line_search": self.line_search}  # fmt: skip


def parse_whole(text: object, setting: str, minimum: int, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum] from text, or a SettingError naming ``setting``."""
    try:
        number = int(str(text).strip())
    except ValueError:
        raise SettingError(setting, f"must be a whole number >= {minimum}, got {text!r}") from None
    if number < minimum or (maximum is not None and number > maximum):
        bound = f"from {minimum} to {maximum:,}" if maximum is not None else f">= {minimum}"
        raise SettingError(setting, f"must be a whole number {bound}, got {number}")
    return number


def parse_batch(text: object) -> int | None:
    """A positive count, or ``all`` (None) for the full batch."""
    if text is None or str(text).strip().lower() == "all":
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        raise SettingError("batch", f"must be a positive count or 'all', got {text!r}") from None
    if not 1 <= value <= MAX_POINTS:
        raise SettingError("batch", f"must be a count from 1 to {MAX_POINTS:,} or 'all', got {value}")
    return value


def parse_hidden(text: object) -> tuple[int, ...]:
    """``8,8,4`` -> (8, 8, 4): one width per hidden layer, each a whole number >= 1."""
    parts = [part.strip() for part in str(text).split(",")]
    if any(not part for part in parts):
        raise SettingError("hidden", f"must be layer widths separated by commas, such as 8,8,4, got {text!r}")
    widths = []
    for part in parts:
        if not part.isdigit():
            raise SettingError("hidden", f"widths must be whole numbers, got {part!r} in {text!r}")
        widths.append(int(part))
    widths_tuple = tuple(widths)
    check_hidden(widths_tuple)
    return widths_tuple


def _parse_float(setting: str) -> Callable[[object], float]:
    def parse(text: object) -> float:
        try:
            value = float(str(text).strip())
        except ValueError:
            raise SettingError(setting, f"must be a number, got {text!r}") from None
        if not math.isfinite(value):
            raise SettingError(setting, f"must be a finite number, got {text!r}")
        return value

    return parse


def _parse_betas(text: object) -> tuple[float, float]:
    parts = str(text).split(",")
    if len(parts) != 2:
        raise SettingError("betas", f"must be two numbers such as 0.9,0.999, got {text!r}")
    first, second = (_parse_float("betas")(part) for part in parts)
    return first, second


def _text(text: object) -> str:
    return str(text).strip()


def _parse_max_norm(text: object) -> float | None:
    """A positive bound, or ``none`` (off)."""
    if str(text).strip().lower() == "none":
        return None
    return _parse_float("max_norm")(text)


#: setting -> parser of its text form (command line, text field); validated() checks the result's range
TEXT_PARSERS: dict[str, Callable[[object], object]] = {
    "model": _text,
    "loss": _text,
    "hidden": parse_hidden,
    "activation": _text,
    "features": parse_features,
    "optimizer": _text,
    "lr": _parse_float("lr"),
    "momentum": _parse_float("momentum"),
    "betas": _parse_betas,
    "eps": _parse_float("eps"),
    "alpha": _parse_float("alpha"),
    "line_search": _text,
    "schedule": _text,
    "reg": _parse_float("reg"),
    "reg_kind": _text,
    "batch": parse_batch,
    "backend": _text,
    "init": _text,
    "bias_init": _text,
    "seed": lambda text: parse_whole(text, "seed", 0, MAX_SEED),
    "dropout": _parse_float("dropout"),
    "l1_ratio": _parse_float("l1_ratio"),
    "max_norm": _parse_max_norm,
    "early_stop": lambda text: parse_whole(text, "early_stop", 1, MAX_PATIENCE),
    "class_weight": _text,
    "dtype": _text,
}
assert set(TEXT_PARSERS) | {"nesterov", "compare"} == {f.name for f in fields(TrainConfig)}


def config_from_json(values: object) -> TrainConfig:
    """A validated TrainConfig from a JSON object; unknown keys and wrong types are a SettingError/InputError."""
    if not isinstance(values, dict):
        raise InputError("config settings must be an object")
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(f"unknown config setting {unknown[0]!r}: known ones are {', '.join(sorted(known))}")
    typed = dict(values)
    for key in ("hidden", "features", "betas"):
        if isinstance(typed.get(key), list):
            typed[key] = tuple(typed[key])
    return TrainConfig(**typed).validated()


