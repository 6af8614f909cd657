"""``torchcircuits doctor``: Karpathy's "recipe for training neural networks" as checks with numbers.

Each check measures one thing about a run's settings and says PASS, WARN or
FAIL (SKIP where it does not apply, e.g. dead units of a linear model):

* **loss at init**: the data loss of the freshly initialized model against the
  loss of all-zero scores (ln K for softmax, K-1 for Weston-Watkins, 1 for the
  hinge, ln 2 for the logistic loss; with ``--bias-init prior`` or
  ``target-mean``, of constant scores equal to that output bias). PASS within
  :data:`INIT_LOSS_PASS` (25%) of it: for softmax, scores of spread σ add about
  σ²(K-1)/2K, so 25% of ln 3 is a spread of about 1, an init that starts
  undecided. Up to three times the theory is a WARN (scores of spread a few
  units: the first steps spend themselves undoing the init, the "hockey stick"
  loss curve); beyond, the init is confidently wrong and FAILs. Below the
  theory is a WARN (the init already separates points: a fixed start such as
  the guide's, or labels leaking into the inputs). For regression the loss at
  init scales with the outputs' spread against the targets', so it WARNs at
  most.
* **input-independent baseline**: the same training with every input zeroed must
  end at a higher data loss than with the real inputs (FAIL otherwise; WARN when
  the real inputs help by less than :data:`BASELINE_MARGIN`, 10%).
* **overfit a tiny subset**: :data:`SUBSET` (5) training examples, one class
  after another, full batch, the run's settings otherwise (its regularization
  too): 100% accuracy and a data loss at most :data:`OVERFIT_FRACTION` (10%) of
  the uninformed loss (zero scores; the mean target for regression).
* **gradients**: the whole model's loss (data + regularization) on those
  examples, hand-derived and autograd gradients each against a centered
  difference, per parameter tensor, by the rule of ``torchcircuits check``
  (:func:`torchcircuits.check.component_agrees`: cs231n's relative error below
  1e-6; at a kink the analytic value must lie between the one-sided
  differences), and hand against torch within 1e-10. A model's kink can be
  small (a ReLU exactly at 0 on one of the examples, as at the spiral's centre,
  moves the slope by that example's share only), below that rule's kink
  threshold. So an entry that fails is checked again against one-sided
  differences at h/100 (their truncation h·|f''|/2 is then below round-off): if
  they split and the value lies between them within :data:`KINK_SLACK`
  (1e-8·max(1, |loss|)), it is right and counted as a kink. For a smooth entry
  that interval is only h·|f''|/100 wide, so a wrong gradient still misses it.
  A miss below 1e-4 (cs231n: "okay for objectives with kinks") is a WARN, above
  a FAIL.
* **no leaks between examples**: ∂score_i/∂x_j = 0 for j ≠ i, by autograd.
* **dead units at init**: the share of hidden units dead (ReLU) or saturated
  (tanh, sigmoid) on every training point (:mod:`torchcircuits.monitors`);
  any is a WARN, more than half of a layer a FAIL.

:func:`run_doctor` runs them all on :class:`~torchcircuits.run.RunSettings`;
each ``check_*`` function is usable alone (tests inject a wrong gradient or a
leaking forward through their arguments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import torch
from torch import Tensor

from .check import HAND_TORCH_TOL, NUMERIC_REL_TOL, component_agrees
from .config import TrainConfig
from .data import Dataset
from .errors import SettingError
from .features import featurize
from .gradcheck import DEFAULT_H, one_sided_gradients_tensors
from .losses import Loss
from .models import build_module, hand_loss_and_grads, loss_value, torch_loss_and_grads
from .run import RunSettings
from .trainer import Trainer

__all__ = [
    "STATUSES",
    "DoctorCheck",
    "TensorGradient",
    "run_doctor",
    "counts",
    "tiny_subset",
    "uninformed_loss",
    "check_initial_loss",
    "check_input_independent",
    "check_overfit",
    "check_gradients",
    "gradient_errors",
    "check_no_leak",
    "check_dead_units",
    "DOCTOR_STEPS",
    "SUBSET",
    "INIT_LOSS_PASS",
    "INIT_LOSS_WARN",
    "BASELINE_MARGIN",
    "OVERFIT_FRACTION",
    "KINK_FREE_REL",
    "KINK_SLACK",
    "MAX_ENTRIES",
]

STATUSES = ("PASS", "WARN", "FAIL", "SKIP")
#: training steps of the baseline and overfit checks when --steps is not given
DOCTOR_STEPS = 300
#: examples the overfit, gradient and leak checks use
SUBSET = 5
#: the loss at init PASSes within this share of its theoretical value, WARNs up to INIT_LOSS_WARN
INIT_LOSS_PASS = 0.25
INIT_LOSS_WARN = 2.0
#: the real inputs must lower the baseline's data loss by at least this share, else WARN
BASELINE_MARGIN = 0.1
#: overfitting must bring the data loss to at most this share of the uninformed loss
OVERFIT_FRACTION = 0.1
#: cs231n: a relative error below 1e-4 is "okay for objectives with kinks": a miss below it WARNs
KINK_FREE_REL = 1e-4
#: an analytic entry within this (times max(1, |loss|)) of [left, right] one-sided differences lies between them
KINK_SLACK = 1e-8
#: the step of the second, finer one-sided differences, as a share of h
FINE_H = 0.01
#: entries compared per parameter tensor at most (two loss evaluations each): a seeded sample of bigger ones
MAX_ENTRIES = 200


@dataclass(frozen=True)
class DoctorCheck:
    """One check's verdict: ``status`` is PASS, WARN, FAIL or SKIP; ``summary`` is its one line with the numbers."""

    name: str
    status: str
    #: the check's headline number (a loss, an error, a share), None where it has none
    measured: float | None
    summary: str
    details: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"name": self.name, "status": self.status, "measured": self.measured, "summary": self.summary,
                "details": self.details}  # fmt: skip


@dataclass(frozen=True)
class TensorGradient:
    """One parameter tensor's gradient check: cs231n relative errors against the centered difference."""

    name: str
    #: the largest relative error that counts (see check.component_agrees), hand and torch against numeric
    rel_error_hand: float
    rel_error_torch: float
    #: the largest |hand - torch| away from kinks
    max_abs_hand_torch: float
    #: entries whose one-sided differences split (a kink): checked against that interval instead
    kinks: int
    #: entries where hand, torch or their agreement fails the rule
    wrong_hand: int
    wrong_torch: int
    hand_torch_disagree: int
    #: misses that are not a small relative error (>= 1e-4, outside a kink's interval, a small gradient's
    #: absolute miss, hand against torch): these FAIL, the others WARN
    serious: int
    #: entries compared: all of a small tensor, a seeded sample of MAX_ENTRIES of a big one
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.wrong_hand or self.wrong_torch or self.hand_torch_disagree)

    @property
    def worst(self) -> float:
        return max(self.rel_error_hand, self.rel_error_torch)


def _check(name: str, status: str, measured: float | None, summary: str, **details) -> DoctorCheck:
    return DoctorCheck(name, status, measured, summary, details)


def _inputs_and_targets(trainer: Trainer, data: Dataset) -> tuple[Tensor, Tensor]:
    """The features (N, D) the model reads and the targets as its loss takes them."""
    return featurize(data.X, trainer.features), trainer.loss.targets(data.labels)


def uninformed_loss(loss: Loss, targets: Tensor, outputs: int, constant: Tensor | None = None) -> float:
    """The mean data loss of scores that ignore the input: all zero, or ``constant`` (M,) for every example."""
    scores = torch.zeros(targets.shape[0], outputs, dtype=torch.float64)
    if constant is not None:
        scores += constant
    return loss.hand(scores, targets)[0].item()


def tiny_subset(data: Dataset, size: int, seed: int) -> Dataset:
    """``size`` examples shuffled with ``seed``, taking the classes in turn (so at least two classes are in).

    Inputs are distinct: a point repeated with another label (the spiral's arms all
    start at the origin) cannot be fit by any model.
    """
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    if data.task == "classification":
        labels = data.labels[order]
        queues = [order[labels == k].tolist() for k in range(data.num_classes)]
    else:
        queues = [order.tolist()]
    picked: list[int] = []
    seen: set[tuple[float, ...]] = set()
    while len(picked) < size and any(queues):
        for queue in queues:
            while queue and len(picked) < size:
                index = queue.pop(0)
                point = tuple(data.X[index].tolist())
                if point not in seen:
                    seen.add(point)
                    picked.append(index)
                    break
    return data.subset(torch.tensor(picked, dtype=torch.int64))


# --- the checks ---------------------------------------------------------------------------
def check_initial_loss(trainer: Trainer) -> DoctorCheck:
    """The data loss at init against the loss of input-independent scores (see the module's docstring)."""
    X, targets = _inputs_and_targets(trainer, trainer.train_set)
    constant = None
    if trainer.config.bias_init in ("prior", "target-mean"):
        constant = trainer.params[trainer.spec.layer_names()[-1][1]].detach()
    theory = uninformed_loss(trainer.loss, targets, trainer.spec.outputs, constant)
    measured = trainer.evaluate().train_data_loss
    what = "constant scores at the output bias" if constant is not None else "all-zero scores"
    gap = abs(measured - theory)
    scale = max(theory, 1e-12)
    # a regression loss at init scales with the outputs' spread against the targets': a hint, never a failure
    regression = trainer.loss.task == "regression"
    if gap <= INIT_LOSS_PASS * scale:
        status = "PASS"
    elif measured < theory or gap <= INIT_LOSS_WARN * scale or regression:
        status = "WARN"
    else:
        status = "FAIL"
    share = f"{gap / scale:.0%} off" if theory > 0 else f"{gap:.3g} off"
    summary = f"{measured:.4f} against {theory:.4f} for {what} ({share}; PASS within {INIT_LOSS_PASS:.0%})"
    if status != "PASS" and measured < theory:
        summary += ": below it, the init already separates some points (a fixed start, or a leak of the labels?)"
    elif status != "PASS":
        summary += ": the init's scores are large; scale the last layer down or try --init small"
    return _check("loss at init", status, measured, summary, theory=theory)


def _trained_data_loss(config: TrainConfig, data: Dataset, steps: int) -> tuple[float, str | None]:
    trainer = Trainer(config, data)
    trainer.run(steps, record_every=max(steps, 1))
    return trainer.evaluate().train_data_loss, trainer.diverged


def check_input_independent(config: TrainConfig, train: Dataset, steps: int) -> DoctorCheck:
    """Train on zeroed inputs and on the real ones, same settings and steps: the real inputs must do better."""
    zeroed = Dataset(torch.zeros_like(train.X), train.labels, train.num_classes, train.name)
    real, real_diverged = _trained_data_loss(config, train, steps)
    blind, _ = _trained_data_loss(config, zeroed, steps)
    details = {"real_data_loss": real, "zeroed_data_loss": blind, "steps": steps}
    summary = f"data loss {real:.4f} with the inputs, {blind:.4f} with them zeroed, after {steps} steps"
    if real_diverged:
        return _check("input-independent baseline", "FAIL", real, f"{summary}: {real_diverged}", **details)
    if not real < blind:
        return _check("input-independent baseline", "FAIL", real,
                      f"{summary}: the model learns nothing from its inputs", **details)  # fmt: skip
    if real > (1.0 - BASELINE_MARGIN) * blind:
        return _check("input-independent baseline", "WARN", real,
                      f"{summary}: the inputs help by less than {BASELINE_MARGIN:.0%}", **details)  # fmt: skip
    return _check("input-independent baseline", "PASS", real, summary, **details)


def check_overfit(config: TrainConfig, subset: Dataset, steps: int) -> DoctorCheck:
    """Full-batch training on a few examples must reach 100% and a data loss near zero."""
    config = replace(config, batch=None).validated()
    trainer = Trainer(config, subset)
    trainer.run(steps, record_every=max(steps, 1))
    final = trainer.evaluate()
    X, targets = _inputs_and_targets(trainer, subset)
    constant = None if trainer.loss.task == "classification" else targets.mean().reshape(1)
    reference = uninformed_loss(trainer.loss, targets, trainer.spec.outputs, constant)
    accuracy = final.train_accuracy
    reached = f"accuracy {accuracy:.0%}, " if accuracy is not None else ""
    summary = (
        f"{len(subset)} examples, {steps} full-batch steps: {reached}data loss {final.train_data_loss:.4f} "
        f"(goal <= {OVERFIT_FRACTION * reference:.4f}, {OVERFIT_FRACTION:.0%} of the uninformed {reference:.4f})"
    )
    details = {"examples": len(subset), "steps": steps, "accuracy": accuracy, "reference_loss": reference}
    fitted = (accuracy is None or accuracy == 1.0) and final.train_data_loss <= OVERFIT_FRACTION * reference
    if trainer.diverged:
        return _check("overfit a tiny subset", "FAIL", final.train_data_loss, f"{summary}: {trainer.diverged}",
                      **details)  # fmt: skip
    if not fitted:
        hint = f"; try --reg 0 to see if the regularization ({config.reg:g}) holds it back" if config.reg else ""
        return _check("overfit a tiny subset", "FAIL", final.train_data_loss,
                      f"{summary}: it cannot fit them{hint}", **details)  # fmt: skip
    return _check("overfit a tiny subset", "PASS", final.train_data_loss, summary, **details)


HandGradients = Callable[..., tuple[Tensor, float, dict[str, Tensor]]]


def gradient_errors(
    trainer: Trainer, data: Dataset, hand: HandGradients = hand_loss_and_grads, h: float = DEFAULT_H
) -> list[TensorGradient]:
    """Each parameter tensor's hand and autograd gradient of the whole loss on ``data`` against numerics.

    ``hand`` has :func:`torchcircuits.models.hand_loss_and_grads`'s signature (a
    test passes a wrong one). The parameters are copied, never changed.
    """
    c = trainer.config
    spec, loss = trainer.spec, trainer.loss
    X, targets = _inputs_and_targets(trainer, data)
    # in float64 whatever the run's dtype: the numeric rule (1e-6 relative, h = 1e-5) needs its round-off
    params = {name: p.detach().to(torch.float64, copy=True) for name, p in trainer.params.items()}
    data_loss, reg_loss, hand_grads = hand(params, spec, loss, X, targets, c.reg, c.reg_kind)
    output = data_loss.item() + reg_loss
    _, _, torch_grads = torch_loss_and_grads(build_module(spec, params), spec, loss, X, targets, c.reg, c.reg_kind)

    def total() -> float:
        data_part, reg_part = loss_value(params, spec, loss, X, targets, c.reg, c.reg_kind)
        return data_part.item() + reg_part

    generator = torch.Generator().manual_seed(c.seed)
    entries = {  # cs231n's sparse check on big tensors: a seeded sample of entries, in order
        name: sorted(torch.randperm(p.numel(), generator=generator)[:MAX_ENTRIES].tolist())
        for name, p in params.items()
    }
    left, numeric, right = one_sided_gradients_tensors(total, params, h, entries)
    results = []
    for name in params:
        columns = [[g[name].reshape(-1)[i].item() for i in entries[name]]
                   for g in (hand_grads, torch_grads, numeric, left, right)]  # fmt: skip
        checked = [
            (component_agrees(a, None, n, lo, hi, output), component_agrees(t, None, n, lo, hi, output))
            for a, t, n, lo, hi in zip(*columns, strict=True)
        ]
        if not all(hand_ok and torch_ok for (hand_ok, _, _), (torch_ok, _, _) in checked):
            # a small kink: the one-sided differences at h/100 bracket a right value within round-off
            fine = one_sided_gradients_tensors(total, {name: params[name]}, h * FINE_H, entries)
            bounds = [(fine[0][name].reshape(-1)[i].item(), fine[2][name].reshape(-1)[i].item()) for i in entries[name]]
            checked = [
                (_between(hand, columns[0][i], *bound, output), _between(tor, columns[1][i], *bound, output))
                for i, ((hand, tor), bound) in enumerate(zip(checked, bounds, strict=True))
            ]
        rel_hand = rel_torch = gap = 0.0
        kinks = wrong_hand = wrong_torch = disagree = serious = 0
        for a, t, ((hand_ok, hand_kink, rel_h), (torch_ok, torch_kink, rel_t)) in zip(*columns[:2], checked,
                                                                                         strict=True):  # fmt: skip
            at_kink = hand_kink or torch_kink
            rel_hand, rel_torch = max(rel_hand, rel_h), max(rel_torch, rel_t)
            kinks += at_kink
            wrong_hand += not hand_ok
            wrong_torch += not torch_ok
            for ok, rel in ((hand_ok, rel_h), (torch_ok, rel_t)):
                serious += not ok and not (not at_kink and NUMERIC_REL_TOL <= rel < KINK_FREE_REL)
            if not at_kink:  # at a kink torch may take the other side: the interval decides there
                gap = max(gap, abs(a - t))
                disagree += not abs(a - t) <= HAND_TORCH_TOL
        serious += disagree
        results.append(TensorGradient(name, rel_hand, rel_torch, gap, kinks, wrong_hand, wrong_torch, disagree,
                                      serious, len(entries[name])))  # fmt: skip
    return results


def _between(
    verdict: tuple[bool, bool, float], value: float, left: float, right: float, output: float
) -> tuple[bool, bool, float]:
    """A failed entry's verdict again: right (at a kink) when ``value`` lies between the fine one-sided differences."""
    if verdict[0]:
        return verdict
    slack = KINK_SLACK * max(1.0, abs(output))
    if abs(right - left) > slack and min(left, right) - slack <= value <= max(left, right) + slack:
        return True, True, 0.0
    return verdict


def check_gradients(trainer: Trainer, data: Dataset, hand: HandGradients = hand_loss_and_grads) -> DoctorCheck:
    """:func:`gradient_errors` as one verdict naming every tensor that fails."""
    tensors = gradient_errors(trainer, data, hand)
    worst = max((t.worst for t in tensors), default=0.0)
    kinks = sum(t.kinks for t in tensors)
    details = {"tensors": [_tensor_json(t) for t in tensors], "examples": len(data)}
    kink_note = f", {kinks} entries at a kink checked against the one-sided differences" if kinks else ""
    sampled = [f"{t.checked} of {trainer.params[t.name].numel():,} entries of {t.name}" for t in tensors
               if t.checked < trainer.params[t.name].numel()]  # fmt: skip
    kink_note += f"; sampled {', '.join(sampled)}" if sampled else ""
    bad = [t for t in tensors if not t.ok]
    if not bad:
        gap = max((t.max_abs_hand_torch for t in tensors), default=0.0)
        return _check("gradients", "PASS", worst,
                      f"max rel error {worst:.1e} over {len(tensors)} tensors ({', '.join(t.name for t in tensors)}), "
                      f"|hand - torch| {gap:.1e}{kink_note}", **details)  # fmt: skip
    parts = []
    for t in bad:
        faces = [f for f, wrong in (("hand", t.wrong_hand), ("torch", t.wrong_torch)) if wrong]
        if t.hand_torch_disagree:
            faces.append(f"hand vs torch {t.max_abs_hand_torch:.1e}")
        parts.append(f"{t.name} ({', '.join(faces)}; rel error {t.worst:.1e})")
    status = "FAIL" if any(t.serious for t in bad) else "WARN"
    limit = f"rel error < {NUMERIC_REL_TOL:g}, hand = torch within {HAND_TORCH_TOL:g}"
    return _check("gradients", status, worst, f"wrong gradient in {', '.join(parts)} ({limit})", **details)


def _tensor_json(t: TensorGradient) -> dict:
    return {"name": t.name, "rel_error_hand": t.rel_error_hand, "rel_error_torch": t.rel_error_torch,
            "max_abs_hand_torch": t.max_abs_hand_torch, "kinks": t.kinks, "checked": t.checked, "ok": t.ok}  # fmt: skip


def check_no_leak(trainer: Trainer, data: Dataset, forward: Callable[[Tensor], Tensor] | None = None) -> DoctorCheck:
    """∂score_i/∂x_j over the examples of ``data`` by autograd: every j ≠ i must be exactly 0.

    ``forward`` maps features (N, D) to scores (N, M); the trainer's module by default.
    """
    module = build_module(trainer.spec, {n: p.detach() for n, p in trainer.params.items()})
    forward = module if forward is None else forward
    X = featurize(data.X, trainer.features).clone().requires_grad_(True)  # (N, D)
    scores = forward(X)  # (N, M)
    n = X.shape[0]
    leak = 0.0
    for i in range(n):
        (dX,) = torch.autograd.grad(scores[i].sum(), X, retain_graph=i < n - 1, allow_unused=True)
        if dX is not None:
            others = torch.cat([dX[:i], dX[i + 1 :]])
            leak = max(leak, others.abs().max().item() if others.numel() else 0.0)
    summary = f"max |d score_i / d x_j| for j != i: {leak:.1e} over {n} examples"
    if leak == 0.0 or n < 2:
        return _check("no leaks between examples", "PASS", leak, summary)
    return _check("no leaks between examples", "FAIL", leak, f"{summary}: one example's score depends on another's "
                  "input (a batch statistic?)")  # fmt: skip


def check_dead_units(trainer: Trainer) -> DoctorCheck:
    """Dead (ReLU) or saturated (tanh, sigmoid) hidden units on every training point, at init."""
    if not trainer.spec.hidden:
        return _check("dead units at init", "SKIP", None, "no hidden layer")
    fractions = trainer.health().dead_fraction
    worst = max(fractions)
    shown = ", ".join(f"layer {i}: {f:.0%}" for i, f in enumerate(fractions, start=1))
    word = "dead" if trainer.config.activation in ("relu", "leaky_relu") else "saturated"
    summary = f"{word} on every training point: {shown}"
    details = {"dead_fraction": list(fractions)}
    if worst > 0.5:
        return _check("dead units at init", "FAIL", worst, f"{summary}: more than half of a layer never passes a "
                      "gradient; try another init or --bias-init", **details)  # fmt: skip
    return _check("dead units at init", "WARN" if worst > 0 else "PASS", worst, summary, **details)


def run_doctor(
    settings: RunSettings,
    steps: int = DOCTOR_STEPS,
    hand: HandGradients = hand_loss_and_grads,
    on_check: Callable[[DoctorCheck], None] | None = None,
) -> list[DoctorCheck]:
    """Every check on the run's data and settings; ``on_check`` gets each as it is done (a CLI prints it).

    The baseline and overfit checks train for ``steps`` steps; the other checks
    look at the model as initialized with the run's seed.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise SettingError("steps", f"must be at least 1 for the doctor's training checks, got {steps!r}")
    train, test = settings.data.load()
    trainer = Trainer(settings.config, train, test)
    subset = tiny_subset(train, SUBSET, settings.config.seed)
    checks = []
    for make in (
        lambda: check_initial_loss(trainer),
        lambda: check_dead_units(trainer),
        lambda: check_gradients(trainer, subset, hand),
        lambda: check_no_leak(trainer, subset),
        lambda: check_input_independent(trainer.config, train, steps),
        lambda: check_overfit(trainer.config, subset, steps),
    ):
        check = make()
        checks.append(check)
        if on_check is not None:
            on_check(check)
    return checks


def counts(checks: list[DoctorCheck]) -> Mapping[str, int]:
    """How many checks have each status."""
    return {status: sum(c.status == status for c in checks) for status in STATUSES}
