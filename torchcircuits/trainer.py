"""The one training loop, shared by ``torchcircuits train``, the tests and the app.

``Trainer(config, train, test)`` owns one name -> tensor dict of parameters
(the parameters of an ``nn.Module`` whose layout is :class:`ModelSpec`'s), the
optimizer, the learning-rate schedule and the random stream. ``step()`` takes
one optimizer step and returns its :class:`StepStats`; ``run(n)`` takes n and
records a history; ``evaluate()`` measures loss and the task's metrics on the
full train and test sets. Everything is deterministic for a given seed, and no
state lives outside the object.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import Tensor

from .config import BACKENDS, MODELS, TrainConfig
from .data import Dataset
from .early_stop import EarlyStopping
from .errors import InputError, SettingError
from .features import check_features, default_features, featurize
from .losses import Loss, balanced_class_weights, get_loss
from .metrics import ClassReport, class_report
from .models import (
    ModelSpec,
    autograd_loss_and_grads,
    build_module,
    dropout_masks,
    evaluate_scores,
    forward_hidden,
    hand_loss_and_grads,
    hidden_activations,
    init_params,
    loss_value,
    scores_hand,
    weight_names,
)
from .monitors import Health, dead_fraction, grad_norms, neurons_off, update_ratios, zero_weights
from .notebook import History, PNGImage, boundary_png
from .optim import make_optimizer
from .regularizers import clip_max_norm_
from .schedules import parse_schedule
from .tensors import from_json_list

__all__ = ["MODELS", "BACKENDS", "TrainConfig", "Trainer", "StepStats", "Evaluation", "Diverged", "compare_tolerance",
           "check_data"]


class Diverged(RuntimeError):
    """A step produced a non-finite loss, gradient or parameter."""


@dataclass(frozen=True)
class StepStats:
    """One step on one batch: the loss before the update, its gradient's size, the step size used."""

    step: int
    loss: float
    data_loss: float
    reg_loss: float
    grad_norm: float
    lr: float
    max_grad_diff: float | None = None


@dataclass(frozen=True)
class Evaluation:
    """Loss and the task's metrics on the whole train and test sets.

    Classification fills the accuracies, regression the RMSE, MAE and R²; the
    other task's fields and every test field without a test set are None.
    """

    step: int
    train_loss: float
    train_data_loss: float
    reg_loss: float
    train_accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None
    train_rmse: float | None = None
    test_rmse: float | None = None
    train_mae: float | None = None
    test_mae: float | None = None
    train_r2: float | None = None
    test_r2: float | None = None

    def to_json(self) -> dict:
        return asdict(self)


def _target_kinds(data: Dataset) -> tuple[str, ...]:
    """Which loss targets fit the data, the preferred first: signs for two classes, classes, or values."""
    if data.task == "regression":
        return ("values",)
    return ("signs", "classes") if data.num_classes == 2 else ("classes",)


def check_data(config: TrainConfig, train: Dataset) -> Loss:
    """The loss this config trains on ``train``; InputError if the data cannot train it."""
    if len(train) == 0:
        raise InputError("the training set is empty: add points or choose a data set")
    name = train.name or "the data"
    loss = config.loss_for(_target_kinds(train), name, train.task)
    if loss.task != train.task:
        what = "real targets" if loss.task == "regression" else "class labels"
        raise SettingError("loss", f"{loss.name} trains on {what} and {name} is a {train.task} set: "
                                   f"choose one of {', '.join(_losses_for(config, train))}")  # fmt: skip
    if loss.target == "signs" and train.num_classes > 2:
        raise SettingError("loss", f"{loss.name} takes two classes and {name} has {train.num_classes}: "
                                   "use softmax or multiclass_svm")  # fmt: skip
    if train.task == "classification" and train.classes_present < 2:
        raise InputError(f"the training set has only one class: the {loss.name} loss needs two")
    return loss


def _check_early_stop(config: TrainConfig, test: Dataset | None) -> None:
    """SettingError when early stopping is asked for without a test set to watch."""
    if config.early_stop is not None and (test is None or len(test) == 0):
        raise SettingError("early_stop", "needs a test set to watch: set --test-ratio above 0 (the guide's sets "
                                         "and CSV files hold none out by default)")  # fmt: skip


def _losses_for(config: TrainConfig, data: Dataset) -> list[str]:
    """The losses of this model that train this data's task (for a refusal's message)."""
    return [n for n in MODELS[config.model].losses if get_loss(n).task == data.task] or ["(none: use linear or net)"]


def _r2(prediction: Tensor, target: Tensor) -> float | None:
    """1 - SS_res / SS_tot; None where the targets do not vary (a one-point test set): R² is undefined there."""
    residual = ((prediction - target) ** 2).sum().item()
    total = ((target - target.mean()) ** 2).sum().item()
    return 1.0 - residual / total if total > 0 else None


#: hand and autograd gradients (``compare``) agree within 1e-10, absolute, in float64: the rule of ``check``
FLOAT64_COMPARE_TOLERANCE = 1e-10
#: in float32, within this many units of round-off (float32's eps, 1.2e-7) times max(1, ‖gradient‖): the two
#: backends sum the same terms in different orders, which costs about log2(N) ulps per sum and a few per layer;
#: over the losses, activations and depths up to 3 measured here the worst was 1.0 ulp, so 64 leaves room while
#: a wrong gradient (off by its own size) still fails by 10^5
FLOAT32_COMPARE_ULPS = 64


def compare_tolerance(dtype: str, grad_norm: float) -> float:
    """The largest |hand - autograd| gradient entry accepted for a step in ``dtype`` with this gradient norm."""
    if dtype == "float64":
        return FLOAT64_COMPARE_TOLERANCE
    return FLOAT32_COMPARE_ULPS * torch.finfo(torch.float32).eps * max(1.0, grad_norm)


def _step_norms(
    grads: Mapping[str, Tensor], before: Mapping[str, Tensor], after: Mapping[str, Tensor]
) -> tuple[float, bool, dict[str, float], dict[str, float | None]]:
    """What a step checks and monitors, from one batch of norms read into Python once.

    Returns (sum of squared gradient entries, whether every new parameter is finite,
    ‖g‖ per parameter, the update:data ratio ‖after - before‖ / ‖before‖ per parameter,
    None where ‖before‖ is 0), as :func:`~torchcircuits.monitors.grad_norms` and
    :func:`~torchcircuits.monitors.update_ratios` define them. A norm is inf or nan when
    any entry is (or past about 1e154 in float64): divergence either way. One
    ``_foreach_norm`` and one ``tolist`` instead of three norms and three reads per
    parameter (measured: about 40 µs a step for the guide's 4-tensor net).
    """
    names = list(before)
    old, new = [before[n] for n in names], [after[n] for n in names]
    with torch.no_grad():
        changes = torch._foreach_sub(new, old)
        norms = torch.stack(torch._foreach_norm([*(grads[n] for n in names), *new, *old, *changes])).tolist()
    k = len(names)
    grad, new_size, size, change = norms[:k], norms[k : 2 * k], norms[2 * k : 3 * k], norms[3 * k :]
    ratios = {n: c / s if s > 0 else None for n, c, s in zip(names, change, size, strict=True)}
    square = sum(g * g for g in grad)
    return square, all(math.isfinite(v) for v in new_size), dict(zip(names, grad, strict=True)), ratios


class Trainer:
    """One model trained on one data set; the parameters are ``trainer.params`` (name -> tensor)."""

    #: settings a running trainer takes without a reset (the optimizer kind starts fresh optimizer state)
    LIVE_SETTINGS = ("optimizer", "lr", "momentum", "nesterov", "betas", "eps", "alpha", "line_search", "schedule",
                     "reg", "reg_kind", "batch", "backend", "compare", "dropout", "l1_ratio", "max_norm",
                     "early_stop", "class_weight")  # fmt: skip

    def __init__(self, config: TrainConfig, train: Dataset, test: Dataset | None = None) -> None:
        self.config = config = config.validated()
        #: the floating type of the parameters, the data, the gradients and the optimizer state
        self.dtype = config.torch_dtype
        self.loss = check_data(config, train)
        _check_early_stop(config, test)
        self.features = config.features or default_features(train.inputs)
        check_features(self.features, train.inputs)
        self._set_data(train, test)
        self.spec = ModelSpec(
            len(self.features), config.layer_widths(), self.loss.outputs(train.num_classes), config.activation
        )
        self.generator = torch.Generator().manual_seed(config.seed)
        params = init_params(self.spec, config.init_for(), self.generator)  # drawn in float64 for every dtype
        self._init_output_bias(params)
        self.module = build_module(self.spec, params).to(self.dtype)
        #: the one parameter dict: the module's own parameters, by name
        self.params: dict[str, Tensor] = dict(self.module.named_parameters())
        self.optimizer = make_optimizer(config.optimizer, config.lr, **config.optimizer_options())
        self.schedule = parse_schedule(config.schedule)
        self.step_count = 0
        self.diverged: str | None = None
        #: indices of the examples the last step used (None for the full batch)
        self.last_batch: Tensor | None = None
        #: per parameter, the last step's gradient norm and update:data ratio (see :meth:`health`)
        self._last_grad_norms: dict[str, float] = {}
        self._last_update_ratios: dict[str, float | None] = {}
        #: the early-stopping bookkeeping of the last :meth:`run` (None when --early-stop is off)
        self.early_stopping: EarlyStopping | None = None

    def _set_data(self, train: Dataset, test: Dataset | None) -> None:
        #: (step, dead fraction per hidden layer) from the last evaluate()'s forward pass, reused by health()
        self._dead_cache: tuple[int, tuple[float, ...]] | None = None
        self.train_set, self.test_set = train, test if test is not None and len(test) else None
        self._inputs = self._in_dtype(featurize(train.X, self.features))  # (N, D) features
        self._targets = self._in_dtype(self.loss.targets(train.labels))
        if self.test_set is not None:
            self._test_inputs = self._in_dtype(featurize(self.test_set.X, self.features))
            self._test_targets = self._in_dtype(self.loss.targets(self.test_set.labels))
        self._set_class_weights()

    def _in_dtype(self, tensor: Tensor) -> Tensor:
        """A floating tensor in the trainer's dtype; class indices stay whole numbers."""
        return tensor.to(self.dtype) if tensor.is_floating_point() else tensor

    def _set_class_weights(self) -> None:
        """Per-example weights of the data loss (None: all equal): n / (K n_k) for class k when ``balanced``."""
        self.class_weights: Tensor | None = None
        self._weights = self._test_weights = None
        if self.config.class_weight != "balanced" or self.loss.task != "classification":
            return
        self.class_weights = self._in_dtype(balanced_class_weights(self.train_set.labels,
                                                                   self.train_set.num_classes))  # (K,)
        self._weights = self.class_weights[self.train_set.labels]
        if self.test_set is not None:
            self._test_weights = self.class_weights[self.test_set.labels]

    def _init_output_bias(self, params: dict[str, Tensor]) -> None:
        """Karpathy's "init the final bias well": the targets' mean, or the classes' log prior."""
        kind = self.config.bias_init
        last_bias = self.spec.layer_names()[-1][1]
        if kind == "init":
            return
        if kind == "zero":
            params[last_bias].zero_()
        elif kind == "target-mean":
            if self.loss.task != "regression":
                raise SettingError("bias_init", "target-mean is for regression; use prior for classes")
            params[last_bias].fill_(self._targets.mean().item())
        else:  # prior
            if self.loss.task != "classification":
                raise SettingError("bias_init", "prior is for classification; use target-mean for regression")
            counts = torch.bincount(self.train_set.labels, minlength=self.train_set.num_classes).to(torch.float64)
            frequencies = (counts + 1.0) / (counts.sum() + counts.numel())  # add-one: no log of 0
            if self.spec.outputs == 1:  # one score: the log-odds of class 1
                params[last_bias].fill_(math.log(frequencies[1] / frequencies[0]))
            else:
                params[last_bias].copy_(torch.log(frequencies))

    @property
    def batch(self) -> int | None:
        """Examples per step; None (full batch) when the batch is at least the data set."""
        b = self.config.batch
        return None if b is None or b >= len(self.train_set) else b

    @property
    def lr(self) -> float:
        """The step size the next step uses (the schedule applied to the config's lr)."""
        return self.schedule.lr_at(self.config.lr, self.step_count)

    # --- changing a running trainer -----------------------------------------------------
    def retune(self, config: TrainConfig) -> bool:
        """Apply ``config`` in place when only :attr:`LIVE_SETTINGS` differ; False if it needs a new Trainer.

        The same optimizer kind keeps its state (momentum, Adam's moments); another kind starts fresh.
        """
        config = config.validated()
        # a linear model has no hidden layer: its widths and activation do not change it
        ignored = set(self.LIVE_SETTINGS) | ({"hidden", "activation"} if not self.spec.hidden else set())
        other = {f: getattr(config, f) for f in vars(config) if f not in ignored}
        mine = {f: getattr(self.config, f) for f in vars(self.config) if f not in ignored}
        if other != mine:
            return False
        optimizer = make_optimizer(config.optimizer, config.lr, **config.optimizer_options())
        if config.optimizer == self.config.optimizer:
            optimizer.load_state_dict(self.optimizer.state_dict(), self.params)
        _check_early_stop(config, self.test_set)
        self.config, self.optimizer, self.schedule = config, optimizer, parse_schedule(config.schedule)
        self._set_class_weights()
        return True

    def replace_data(self, train: Dataset, test: Dataset | None = None) -> None:
        """Train on new data with the same model; InputError if the data needs another model shape."""
        loss = check_data(self.config, train)
        if loss.outputs(train.num_classes) != self.spec.outputs or loss.name != self.loss.name:
            raise InputError(f"the data now has {train.num_classes} classes: the model must be reset")
        if train.inputs != self.train_set.inputs:
            raise InputError(f"the data now has {train.inputs} inputs: the model must be reset")
        self._set_data(train, test)

    # --- saving and restoring -------------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to continue exactly: parameters, step, random and optimizer state (JSON-ready)."""
        return {
            "step": self.step_count,
            "parameters": {name: p.tolist() for name, p in self.parameters().items()},
            "optimizer": {"kind": self.optimizer.name, "state": self.optimizer.state_dict()},
            "generator": self.generator.get_state().tolist(),
            "diverged": self.diverged,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict`'s output; InputError (one line naming the part) on anything malformed."""
        if not isinstance(state, dict):
            raise InputError("the saved training state must be an object")
        missing = [k for k in ("step", "parameters", "generator") if k not in state]
        if missing:
            raise InputError(f"the saved training state has no {missing[0]!r}")
        step = state["step"]
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= 2**62:
            raise InputError(f"the saved step must be a whole number >= 0, got {step!r}")
        saved = state["parameters"]
        if not isinstance(saved, dict) or set(saved) != set(self.params):
            raise InputError(f"the saved parameters must be exactly {', '.join(self.params)}")
        params = {
            name: from_json_list(saved[name], tuple(p.shape), f"parameter {name}") for name, p in self.params.items()
        }
        generator_state = from_json_list(state["generator"], None, "random state", dtype=torch.uint8)
        diverged = state.get("diverged")
        if diverged is not None and not isinstance(diverged, str):
            raise InputError(f"the saved divergence note must be text or null, got {diverged!r}")
        optimizer = make_optimizer(self.config.optimizer, self.config.lr, **self.config.optimizer_options())
        saved_optimizer = state.get("optimizer")
        if saved_optimizer is not None:
            if not isinstance(saved_optimizer, dict) or saved_optimizer.get("kind") != optimizer.name:
                raise InputError(f"the saved optimizer state is not for the {optimizer.name} optimizer")
            optimizer.load_state_dict(saved_optimizer.get("state"), self.params)
        check_generator = torch.Generator()
        try:
            check_generator.set_state(generator_state)
        except RuntimeError:
            raise InputError("the saved random state is malformed") from None
        self.load_parameters(params)
        self.generator.set_state(generator_state)
        self.optimizer = optimizer
        self.step_count = step
        self.diverged = diverged

    # --- stepping ---------------------------------------------------------------------
    def _batch(self) -> tuple[Tensor, Tensor, Tensor | None]:
        """(inputs, targets, per-example weights or None) of the next step's examples."""
        if self.batch is None:
            self.last_batch = None
            return self._inputs, self._targets, self._weights
        n = len(self.train_set)
        if self.batch == 1:  # the guide's pick: one example uniformly at random
            index = torch.randint(n, (1,), generator=self.generator)
        else:  # distinct examples within a batch
            index = torch.randperm(n, generator=self.generator)[: self.batch]
        self.last_batch = index
        weights = None if self._weights is None else self._weights[index]
        return self._inputs[index], self._targets[index], weights

    def _dropout_masks(self, n: int) -> list[Tensor] | None:
        """One inverted-dropout mask (n, H_l) per hidden layer, from the trainer's generator; None without dropout.

        Drawn once per step and shared by every face, so hand and autograd drop the same units.
        """
        p = self.config.dropout
        if not p or not self.spec.hidden:
            return None
        return [mask.to(self.dtype) for mask in dropout_masks(n, self.spec.hidden, p, self.generator)]

    def _gradients(
        self, X: Tensor, targets: Tensor, weights: Tensor | None = None, masks: list[Tensor] | None = None
    ) -> tuple[Tensor, float, dict[str, Tensor], float | None]:
        c = self.config
        diff = None
        options = {"l1_ratio": c.l1_ratio, "weights": weights, "masks": masks}
        if c.backend == "hand" or c.compare:
            hand = hand_loss_and_grads(self.params, self.spec, self.loss, X, targets, c.reg, c.reg_kind, **options)
        if c.backend == "torch" or c.compare:
            autograd = autograd_loss_and_grads(self.params, self.spec, self.loss, X, targets, c.reg, c.reg_kind,
                                               **options)  # fmt: skip
        if c.compare:
            diff = max((hand[2][k] - autograd[2][k]).abs().max().item() for k in self.params)
        data_loss, reg_loss, grads = hand if c.backend == "hand" else autograd
        return data_loss, reg_loss, grads, diff

    def step(self) -> StepStats:
        """One optimizer step. Raises :class:`Diverged` (parameters untouched) on a non-finite step."""
        if self.diverged:
            raise Diverged(self.diverged)
        step = self.step_count + 1
        lr = self.optimizer.lr = self.lr
        if self.optimizer.needs_closure:
            return self._closure_step(step, lr)
        X, targets, weights = self._batch()
        data_loss, reg_loss, grads, diff = self._gradients(X, targets, weights, self._dropout_masks(X.shape[0]))
        data = data_loss.item()
        proposal = self.optimizer.propose(self.params, grads)
        grad_sq, params_finite, norms, ratios = _step_norms(grads, self.params, proposal.params)
        self._check_finite(step, data, reg_loss, grad_sq, params_finite)
        self._last_grad_norms, self._last_update_ratios = norms, ratios
        self.optimizer.commit(self.params, proposal)
        self._clip_max_norm()
        self.step_count = step
        return StepStats(step, data + reg_loss, data, reg_loss, math.sqrt(grad_sq), lr, diff)

    def _clip_max_norm(self) -> None:
        """--max-norm C: project each neuron's incoming weight vector (a column of W) onto ‖w‖ ≤ C.

        A projection after the optimizer's step, not a gradient term (cs231n's max-norm constraint).
        """
        if self.config.max_norm is not None:
            clip_max_norm_([self.params[name] for name in weight_names(self.spec)], self.config.max_norm)

    def _closure_step(self, step: int, lr: float) -> StepStats:
        """L-BFGS: one ``optimizer.step(closure)`` on the full batch; a non-finite result is undone."""
        self.last_batch = None
        first: list = []
        masks = self._dropout_masks(len(self.train_set))  # one draw per step, however often L-BFGS evaluates

        def closure() -> tuple[float, dict[str, Tensor]]:
            data_loss, reg_loss, grads, diff = self._gradients(self._inputs, self._targets, self._weights, masks)
            if not first:
                first.append((data_loss.item(), reg_loss, grads, diff))
                grads_at_start.update({name: g.detach().clone() for name, g in grads.items()})
            return data_loss.item() + reg_loss, grads

        before = self.parameters()
        saved_state = self.optimizer.state_dict()
        grads_at_start: dict[str, Tensor] = {}
        self.optimizer.step_closure(self.params, closure)
        data, reg, grads, diff = first[0]
        grad_sq, params_finite, _, _ = _step_norms(grads, before, self.params)
        try:
            self._check_finite(step, data, reg, grad_sq, params_finite)
        except Diverged:
            self.load_parameters(before)
            self.optimizer.load_state_dict(saved_state, self.params)
            raise
        self._last_grad_norms = grad_norms(grads_at_start)
        self._clip_max_norm()
        self._last_update_ratios = update_ratios(before, self.params)
        self.step_count = step
        return StepStats(step, data + reg, data, reg, math.sqrt(grad_sq), lr, diff)

    def _check_finite(self, step: int, data: float, reg: float, grad_sq: float, params_finite: bool) -> None:
        """Raise Diverged, saying what is not finite and when, before anything is changed."""
        if math.isfinite(data) and math.isfinite(reg) and math.isfinite(grad_sq) and params_finite:
            return
        loss_finite = math.isfinite(data) and math.isfinite(reg)
        what = "gradient" if loss_finite else ("data loss" if not math.isfinite(data) else "regularization loss")
        if not (loss_finite and math.isfinite(grad_sq)) and step == 1:
            # nothing has been updated yet: no step size can help
            self.diverged = (f"the {what} is not finite at the start: the data's scale or the regularization "
                             f"is too large for {self.config.dtype}")  # fmt: skip
        elif not (loss_finite and math.isfinite(grad_sq)):
            self.diverged = f"the {what} is not finite at step {step}: lower the step size (now {self.lr:g})"
        else:
            self.diverged = f"step {step} would make the parameters non-finite: lower the step size (now {self.lr:g})"
        raise Diverged(self.diverged)

    def run(
        self,
        steps: int,
        record_every: int = 1,
        on_record: Callable[[StepStats, Evaluation], None] | None = None,
        on_step: Callable[[int], None] | None = None,
    ) -> History:
        """Take up to ``steps`` steps; every ``record_every`` (and at the last) evaluate and record.

        Returns the history, a list that draws itself as a chart in a notebook:
        one dict per record with the step's stats, the evaluation and the health
        monitors (``dead_fraction`` per hidden layer, ``update_ratio`` and
        ``layer_grad_norm`` per parameter). A divergence ends the run early:
        the history recorded until then is returned and :attr:`diverged` says
        what happened. With ``early_stop`` the run also
        ends when the test loss has not improved for that many records; the best
        parameters are restored and :attr:`early_stopping` says when. ``on_step``
        gets the step count after every step (a progress bar's hook).
        """
        history = History()
        patience = self.config.early_stop
        self.early_stopping = stopper = EarlyStopping(patience) if patience is not None else None
        for i in range(1, steps + 1):
            try:
                stats = self.step()
            except Diverged:
                break
            if on_step is not None:
                on_step(stats.step)
            if i % record_every == 0 or i == steps:
                evaluation = self.evaluate()
                history.append({**asdict(stats), **asdict(evaluation), **self.health().record()})
                if on_record is not None:
                    on_record(stats, evaluation)
                if stopper is not None and stopper.observe(stats.step, evaluation.test_loss, self.params):
                    self.load_parameters(stopper.best_params)
                    break
        return history

    # --- measuring ----------------------------------------------------------------------
    def scores(self, X: Tensor) -> Tensor:
        """Scores (N, M) of raw points X (N, D): M = 1 for a one-score loss, K otherwise.

        The features are computed here; computed in X's floating dtype (a plot's
        grid may pass float32); whole-number X in the trainer's dtype.
        """
        if not X.is_floating_point():
            X = X.to(self.dtype)
        return evaluate_scores(self.params, self.spec, featurize(X, self.features))

    def predict(self, X: Tensor) -> Tensor:
        """Class indices (score > 0 is class 1 for one score, else the largest), or predicted values."""
        return self._predictions(self.scores(X))

    def _predictions(self, scores: Tensor) -> Tensor:
        if self.loss.task == "regression":
            return scores[:, 0]
        if scores.shape[1] == 1:
            return (scores[:, 0] > 0).to(torch.int64)
        return scores.argmax(dim=1)

    def hidden_activations(self, X: Tensor) -> list[Tensor]:
        """Each hidden layer's output (N, H_l) on raw points X (N, D), first layer first."""
        return hidden_activations(self.params, self.spec, self._in_dtype(featurize(X.to(torch.float64), self.features)))

    def health(self) -> Health:
        """Dead or saturated units now, on the whole training set; update ratios and gradient norms of the last step.

        Before the first step the per-parameter dicts are empty. Right after
        :meth:`evaluate` the dead units are read off its forward pass (no second one).
        """
        cached = self._dead_cache
        if cached is not None and cached[0] == self.step_count:
            dead = cached[1]
        else:
            dead = dead_fraction(hidden_activations(self.params, self.spec, self._inputs), self.spec.activation)
        return Health(dead, dict(self._last_update_ratios), dict(self._last_grad_norms))

    def boundary_png(self, path: str | Path | None = None, size: int = 200) -> PNGImage:
        """The decision boundary as a PNG (a notebook shows it); see :func:`torchcircuits.notebook.boundary_png`."""
        return boundary_png(self, path, size)

    def accuracy(self, data: Dataset) -> float:
        return (self.predict(data.X) == data.labels).to(torch.float64).mean().item()

    def _metrics(self, data: Dataset, scores: Tensor | None = None) -> dict[str, float | None]:
        """The task's metrics of ``data``, from its ``scores`` when the caller has them."""
        prediction = self.predict(data.X) if scores is None else self._predictions(scores)
        if self.loss.task == "classification":
            return {"accuracy": (prediction == data.labels).to(torch.float64).mean().item()}
        error = prediction - data.labels
        return {
            "rmse": error.pow(2).mean().sqrt().item(),
            "mae": error.abs().mean().item(),
            "r2": _r2(prediction, data.labels),
        }

    def _loss_on(
        self, X: Tensor, targets: Tensor, weights: Tensor | None, scores: Tensor | None = None
    ) -> tuple[float, float]:
        c = self.config
        data_loss, reg_loss = loss_value(self.params, self.spec, self.loss, X, targets, c.reg, c.reg_kind,
                                         l1_ratio=c.l1_ratio, weights=weights, scores=scores)  # fmt: skip
        return data_loss.item(), float(reg_loss)

    def evaluate(self) -> Evaluation:
        """Loss (class-weighted when ``class_weight`` is balanced, as trained) and metrics on train and test.

        One forward pass over the training set gives the loss, the metrics and
        the dead units :meth:`health` reports at this step.
        """
        scores, hidden = forward_hidden(self.params, self.spec, self._inputs)
        self._dead_cache = (self.step_count, dead_fraction(hidden, self.spec.activation))
        data_loss, reg_loss = self._loss_on(self._inputs, self._targets, self._weights, scores)
        train = self._metrics(self.train_set, scores)
        test: dict[str, float | None] = {}
        test_loss = None
        if self.test_set is not None:
            test_scores = scores_hand(self.params, self.spec, self._test_inputs)  # in the trainer's dtype
            test_data, _ = self._loss_on(self._test_inputs, self._test_targets, self._test_weights, test_scores)
            test_loss, test = test_data + reg_loss, self._metrics(self.test_set, test_scores)
        return Evaluation(
            self.step_count,
            data_loss + reg_loss,
            data_loss,
            reg_loss,
            train.get("accuracy"),
            test_loss,
            test.get("accuracy"),
            train.get("rmse"),
            test.get("rmse"),
            train.get("mae"),
            test.get("mae"),
            train.get("r2"),
            test.get("r2"),
        )

    def class_report(self) -> ClassReport | None:
        """Confusion matrix, per-class precision/recall/F1, balanced accuracy on the test set (else the training set).

        None for regression.
        """
        if self.loss.task != "classification":
            return None
        data = self.test_set if self.test_set is not None else self.train_set
        return class_report(self.predict(data.X), data.labels, data.num_classes)

    def sparsity(self) -> dict:
        """Exact-zero weights and switched-off neurons (see :func:`torchcircuits.monitors.neurons_off`) per layer."""
        weights = [self.params[name].detach() for name in weight_names(self.spec)]
        return {"zero_weights": zero_weights(weights), "weights": sum(w.numel() for w in weights),
                "neurons_off": neurons_off(weights)}  # fmt: skip

    def parameters(self) -> dict[str, Tensor]:
        """A copy of the parameters, name -> tensor."""
        return {name: p.detach().clone() for name, p in self.params.items()}

    def load_parameters(self, params: dict[str, Tensor]) -> None:
        self._dead_cache = None
        with torch.no_grad():
            for name, p in self.params.items():
                if tuple(params[name].shape) != tuple(p.shape):
                    raise InputError(
                        f"parameter {name} has shape {tuple(params[name].shape)}, expected {tuple(p.shape)}"
                    )
                p.copy_(params[name])
