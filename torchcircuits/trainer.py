"""The one training loop, shared by ``torchcircuits train``, the tests and the app.

``Trainer(config, train, test)`` owns the parameters (an ``nn.Module`` whose
named parameters follow :class:`~torchcircuits.models.ModelSpec`'s layout),
the optimizer and the random stream. ``step()`` takes one SGD step and returns
its :class:`StepStats`; ``run(n)`` takes n and records a history; ``evaluate()``
measures loss and accuracy on the full train and test sets. Everything is
deterministic for a given seed, and no state lives outside the object.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import torch
from torch import Tensor

from .data import Dataset
from .errors import InputError, finite_float, unknown_name
from .losses import LOSSES, Loss, get_loss
from .models import (
    INITS,
    REGULARIZERS,
    ModelSpec,
    build_module,
    evaluate_scores,
    hand_loss_and_grads,
    init_params,
    loss_value,
    torch_loss_and_grads,
)
from .optim import SGD

__all__ = ["MODELS", "BACKENDS", "TrainConfig", "Trainer", "StepStats", "Evaluation", "Diverged", "ModelChoice"]

BACKENDS = ("hand", "torch")


@dataclass(frozen=True)
class ModelChoice:
    """A model name of the CLI: its architecture, the losses it takes, its default loss."""

    architecture: str
    losses: tuple[str, ...]
    binary_loss: str
    multiclass_loss: str
    description: str


MODELS: dict[str, ModelChoice] = {
    "svm": ModelChoice("linear", ("hinge", "squared_hinge", "multiclass_svm"), "hinge", "multiclass_svm",
                       "linear SVM (hinge loss; multiclass SVM for K classes)"),
    "softmax": ModelChoice("linear", ("softmax",), "softmax", "softmax", "linear softmax classifier"),
    "linear": ModelChoice("linear", tuple(LOSSES), "hinge", "softmax", "linear model, any loss"),
    "net": ModelChoice("net", tuple(LOSSES), "hinge", "softmax", "2-layer net: hidden layer, then scores"),
}  # fmt: skip


class Diverged(RuntimeError):
    """A step produced a non-finite loss, gradient or parameter."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run. ``loss=None`` picks the model's default.

    ``reg`` multiplies the sum of squared weights (L2) or of their absolute
    values (L1), biases excluded, added to the mean data loss of a batch; the
    guide's spring is L2 with reg = 0.5. ``batch=None`` is the full batch.
    """

    model: str = "svm"
    loss: str | None = None
    hidden: int = 3
    activation: str = "relu"
    lr: float = 0.01
    reg: float = 1e-3
    reg_kind: str = "l2"
    batch: int | None = 1
    momentum: float = 0.0
    backend: str = "hand"
    init: str | None = None
    seed: int = 0
    compare: bool = False

    def validated(self) -> TrainConfig:
        """This config with its numbers checked; InputError names the first bad one."""
        if self.model not in MODELS:
            raise unknown_name("model", self.model, MODELS)
        if self.loss is not None:
            get_loss(self.loss)
            if self.loss not in MODELS[self.model].losses:
                allowed = ", ".join(MODELS[self.model].losses)
                raise InputError(f"model {self.model} does not train the {self.loss} loss: choose one of {allowed}")
        if self.backend not in BACKENDS:
            raise unknown_name("backend", self.backend, BACKENDS)
        if self.reg_kind not in REGULARIZERS:
            raise unknown_name("regularization", self.reg_kind, REGULARIZERS)
        if self.init is not None and self.init not in INITS:
            raise unknown_name("init", self.init, INITS)
        lr = finite_float(self.lr, "--lr")
        reg = finite_float(self.reg, "--reg")
        momentum = finite_float(self.momentum, "--momentum")
        if lr <= 0:
            raise InputError(f"--lr must be a positive step size, got {self.lr}")
        if reg < 0:
            raise InputError(f"--reg must be >= 0, got {self.reg}")
        if not 0 <= momentum < 1:
            raise InputError(f"--momentum must be at least 0 and below 1, got {self.momentum}")
        if self.batch is not None and (isinstance(self.batch, bool) or int(self.batch) != self.batch or self.batch < 1):
            raise InputError(f"--batch must be a positive count or 'all', got {self.batch}")
        if int(self.hidden) != self.hidden or self.hidden < 1:
            raise InputError(f"--hidden must be a positive number of neurons, got {self.hidden}")
        return replace(self, lr=lr, reg=reg, momentum=momentum)

    def loss_for(self, num_classes: int) -> str:
        choice = MODELS[self.model]
        if self.loss is not None:
            return self.loss
        return choice.binary_loss if num_classes == 2 else choice.multiclass_loss

    def init_for(self) -> str:
        """The guide's start for the SVM; He for the net; small random for other linear models."""
        if self.init is not None:
            return self.init
        if self.model == "svm":
            return "guide"
        return "he" if MODELS[self.model].architecture == "net" else "small"


@dataclass(frozen=True)
class StepStats:
    """One step on one batch: the loss before the update and its gradient's size."""

    step: int
    loss: float
    data_loss: float
    reg_loss: float
    grad_norm: float
    max_grad_diff: float | None = None


@dataclass(frozen=True)
class Evaluation:
    """Loss and accuracy on the whole train and test sets (test ones None without a test set)."""

    step: int
    train_loss: float
    train_data_loss: float
    reg_loss: float
    train_accuracy: float
    test_loss: float | None
    test_accuracy: float | None

    def to_json(self) -> dict:
        return asdict(self)


#: up to this many numbers, reading tensors into Python beats launching tensor ops (measured here:
#: about 15 µs against 45 µs for the guide's 3-neuron net)
_SMALL = 1024


def _gradient_square_and_finite(grads: list[Tensor], params: list[Tensor]) -> tuple[float, bool]:
    """(sum of squared gradient entries, whether every new parameter is finite).

    The square is inf or nan when any gradient entry is (or past 1e154): divergence either way.
    """
    if sum(g.numel() for g in grads) <= _SMALL:
        square = sum(v * v for g in grads for v in g.reshape(-1).tolist())
        finite = all(math.isfinite(v) for p in params for v in p.reshape(-1).tolist())
        return square, finite
    norms = torch.stack(torch._foreach_norm([*grads, *params])).tolist()
    square = sum(n * n for n in norms[: len(grads)])
    return square, all(math.isfinite(n) for n in norms[len(grads) :])


def _check_data(config: TrainConfig, train: Dataset) -> Loss:
    """The loss this config trains on ``train``; InputError if the data cannot train it."""
    if len(train) == 0:
        raise InputError("the training set is empty: add points or choose a data set")
    loss = get_loss(config.loss_for(train.num_classes))
    if loss.binary and train.num_classes > 2:
        raise InputError(
            f"the {loss.name} loss takes two classes and {train.name or 'the data'} has "
            f"{train.num_classes}: use --loss softmax or multiclass_svm"
        )
    if train.classes_present < 2:
        raise InputError(f"the training set has only one class: the {loss.name} loss needs two")
    return loss


class Trainer:
    """SGD on one model and data set; the parameters are ``trainer.params`` (name → tensor)."""

    def __init__(self, config: TrainConfig, train: Dataset, test: Dataset | None = None) -> None:
        self.config = config = config.validated()
        self.loss = _check_data(config, train)
        self.train_set, self.test_set = train, test if test is not None and len(test) else None
        self.spec = ModelSpec(
            MODELS[config.model].architecture, self.loss.outputs(train.num_classes), config.hidden, config.activation
        )
        self.generator = torch.Generator().manual_seed(config.seed)
        self.module = build_module(self.spec, init_params(self.spec, config.init_for(), self.generator))
        self.params: dict[str, Tensor] = dict(self.module.named_parameters())
        # detached views share storage with the parameters: the hand backend reads and updates these
        self._values = {name: p.detach() for name, p in self.params.items()}
        self._make_optimizer({})
        self.step_count = 0
        self.diverged: str | None = None
        #: indices of the examples the last step used (None for the full batch)
        self.last_batch: Tensor | None = None

    @property
    def batch(self) -> int | None:
        """Examples per step; None (full batch) when the batch is at least the data set."""
        b = self.config.batch
        return None if b is None or b >= len(self.train_set) else b

    def _make_optimizer(self, velocity: dict[str, Tensor]) -> None:
        # one hand-written SGD for both backends: they differ in where the gradient comes from
        self._sgd = SGD(self.config.lr, self.config.momentum, {k: v.clone() for k, v in velocity.items()})

    def velocity(self) -> dict[str, Tensor]:
        """The momentum buffers by parameter name (empty before the first step or without momentum)."""
        return {k: v.clone() for k, v in self._sgd.velocity.items()}

    # --- changing a running trainer -----------------------------------------------------
    LIVE_SETTINGS = ("lr", "reg", "reg_kind", "batch", "momentum", "backend", "compare")

    def retune(self, config: TrainConfig) -> bool:
        """Apply ``config`` in place when only :attr:`LIVE_SETTINGS` differ; False if it needs a new Trainer."""
        config = config.validated()
        # a linear model has no hidden layer: its width and activation do not change it
        ignored = set(self.LIVE_SETTINGS) | ({"hidden", "activation"} if self.spec.architecture == "linear" else set())
        other = {f: getattr(config, f) for f in vars(config) if f not in ignored}
        mine = {f: getattr(self.config, f) for f in vars(self.config) if f not in ignored}
        if other != mine:
            return False
        velocity = self.velocity() if config.momentum else {}
        self.config = config
        self._make_optimizer(velocity)
        return True

    def replace_data(self, train: Dataset, test: Dataset | None = None) -> None:
        """Train on new data with the same model; InputError if the data needs another model shape."""
        loss = _check_data(self.config, train)
        if loss.outputs(train.num_classes) != self.spec.outputs or loss.name != self.loss.name:
            raise InputError(f"the data now has {train.num_classes} classes: the model must be reset")
        self.train_set, self.test_set = train, test if test is not None and len(test) else None

    # --- saving and restoring -------------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to continue exactly: parameters, step, random state, momentum (JSON-ready)."""
        return {
            "step": self.step_count,
            "parameters": {name: p.tolist() for name, p in self.parameters().items()},
            "velocity": {name: v.tolist() for name, v in self.velocity().items()},
            "generator": self.generator.get_state().tolist(),
            "diverged": self.diverged,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict`'s output; InputError on anything malformed."""
        try:
            params = {name: torch.tensor(state["parameters"][name], dtype=torch.float64) for name in self.params}
            velocity = {name: torch.tensor(v, dtype=torch.float64) for name, v in state.get("velocity", {}).items()}
            generator_state = torch.tensor(state["generator"], dtype=torch.uint8)
            step = int(state["step"])
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise InputError(f"the saved training state is malformed ({error})") from None
        if any(name not in self.params or v.shape != self.params[name].shape for name, v in velocity.items()):
            raise InputError("the saved momentum does not fit the model")
        if not all(torch.isfinite(p).all() for p in params.values()):
            raise InputError("the saved parameters are not all finite numbers")
        self.load_parameters(params)
        try:
            self.generator.set_state(generator_state)
        except RuntimeError:
            raise InputError("the saved random state is malformed") from None
        self._make_optimizer(velocity)
        self.step_count = step
        self.diverged = state.get("diverged")

    # --- stepping ---------------------------------------------------------------------
    def _batch(self) -> tuple[Tensor, Tensor]:
        data = self.train_set
        if self.batch is None:
            self.last_batch = None
            return data.X, data.labels
        if self.batch == 1:  # the guide's pick: one example uniformly at random
            index = torch.randint(len(data), (1,), generator=self.generator)
        else:  # distinct examples within a batch
            index = torch.randperm(len(data), generator=self.generator)[: self.batch]
        self.last_batch = index
        return data.X[index], data.labels[index]

    def _gradients(self, X: Tensor, labels: Tensor) -> tuple[Tensor, Tensor, dict[str, Tensor], float | None]:
        c = self.config
        diff = None
        if c.backend == "hand" or c.compare:
            hand = hand_loss_and_grads(self._values, self.spec, self.loss, X, labels, c.reg, c.reg_kind)
        if c.backend == "torch" or c.compare:
            autograd = torch_loss_and_grads(self.module, self.spec, self.loss, X, labels, c.reg, c.reg_kind)
        if c.compare:
            diff = max((hand[2][k] - autograd[2][k]).abs().max().item() for k in self.params)
        data_loss, reg_loss, grads = hand if c.backend == "hand" else autograd
        return data_loss, reg_loss, grads, diff

    def step(self) -> StepStats:
        """One SGD step on one batch. Raises :class:`Diverged` (parameters untouched) on a non-finite step."""
        if self.diverged:
            raise Diverged(self.diverged)
        X, labels = self._batch()
        data_loss, reg_loss, grads, diff = self._gradients(X, labels)
        step = self.step_count + 1
        proposal = self._sgd.propose(self._values, grads)
        data, reg = data_loss.item(), float(reg_loss)
        grad_sq, params_finite = _gradient_square_and_finite([grads[n] for n in proposal.names], proposal.params)
        if not (math.isfinite(data) and math.isfinite(reg) and math.isfinite(grad_sq) and params_finite):
            self._diverge(step)
        self._sgd.commit(self._values, proposal)
        self.step_count = step
        grad_norm = math.sqrt(grad_sq)
        return StepStats(step, data + reg, data, reg, grad_norm, diff)

    def _diverge(self, step: int) -> None:
        self.diverged = f"diverged at step {step}: lower the step size (--lr {self.config.lr:g})"
        raise Diverged(self.diverged)

    def run(
        self, steps: int, record_every: int = 1, on_record: Callable[[StepStats, Evaluation], None] | None = None
    ) -> list[dict]:
        """Take ``steps`` steps; every ``record_every`` (and at the last) evaluate and record.

        Returns the history: one dict per record with the step's stats and the
        evaluation. Raises :class:`Diverged` like :meth:`step`.
        """
        history = []
        for i in range(1, steps + 1):
            stats = self.step()
            if i % record_every == 0 or i == steps:
                evaluation = self.evaluate()
                history.append({**asdict(stats), **asdict(evaluation)})
                if on_record is not None:
                    on_record(stats, evaluation)
        return history

    # --- measuring ----------------------------------------------------------------------
    def scores(self, X: Tensor) -> Tensor:
        """Scores (N, M) of points X (N, 2): M = 1 for a binary loss, K otherwise.

        Computed in X's floating dtype (float64 for data; a plot's grid may pass float32).
        """
        if not X.is_floating_point():
            X = X.to(torch.float64)
        return evaluate_scores(self._values, self.spec, X)

    def predict(self, X: Tensor) -> Tensor:
        """Class indices: score > 0 is class 1 for one score, else the largest score."""
        scores = self.scores(X)
        if scores.shape[1] == 1:
            return (scores[:, 0] > 0).to(torch.int64)
        return scores.argmax(dim=1)

    def accuracy(self, data: Dataset) -> float:
        return (self.predict(data.X) == data.labels).to(torch.float64).mean().item()

    def _loss_on(self, data: Dataset) -> tuple[float, float]:
        c = self.config
        data_loss, reg_loss = loss_value(self._values, self.spec, self.loss, data.X, data.labels, c.reg, c.reg_kind)
        return data_loss.item(), float(reg_loss)

    def evaluate(self) -> Evaluation:
        data_loss, reg_loss = self._loss_on(self.train_set)
        test_loss = test_accuracy = None
        if self.test_set is not None:
            test_data, _ = self._loss_on(self.test_set)
            test_loss, test_accuracy = test_data + reg_loss, self.accuracy(self.test_set)
        return Evaluation(
            self.step_count,
            data_loss + reg_loss,
            data_loss,
            reg_loss,
            self.accuracy(self.train_set),
            test_loss,
            test_accuracy,
        )

    def parameters(self) -> dict[str, Tensor]:
        """A copy of the parameters, name → tensor."""
        return {name: p.detach().clone() for name, p in self.params.items()}

    def load_parameters(self, params: dict[str, Tensor]) -> None:
        with torch.no_grad():
            for name, p in self.params.items():
                if tuple(params[name].shape) != tuple(p.shape):
                    raise InputError(
                        f"parameter {name} has shape {tuple(params[name].shape)}, expected {tuple(p.shape)}"
                    )
                p.copy_(params[name])

    def hidden_activations(self, X: Tensor) -> list[Tensor]:
        """Each hidden layer's output (N, H) for points X (N, 2) under the current parameters; [] for a linear model."""
        if self.spec.architecture == "linear":
            return []
        from .layers import activation_pair  # local: this method is the trainer's only tie to the layers module

        forward, _ = activation_pair(self.spec.activation)
        with torch.no_grad():
            return [forward(X.to(torch.float64) @ self._values["W1"] + self._values["b1"])[0]]
