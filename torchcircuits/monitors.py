"""Training-health measurements: dead or saturated units, update:data ratios, gradient flow.

Pure functions over tensors the trainer already has; the trainer records them
in its history and the app's health panel and network view draw them.

* A ReLU unit is *dead* when it outputs 0 on every training point: its
  gradient is 0 everywhere, so it never comes back (cs231n: "dying ReLUs").
  A leaky ReLU unit counts as dead when it is negative everywhere (it then
  learns only through the small slope). A tanh or sigmoid unit is *saturated*
  when its output sits in the outer 3% of its range on every point (|tanh| >
  0.97, |2σ - 1| > 0.97): its local derivative is below 0.06 there. A linear
  unit is never dead.
* The update:data ratio of a parameter is ‖θ_new - θ_old‖ / ‖θ_old‖
  (makemore's; healthy near 1e-3 per step). It is None where ‖θ_old‖ = 0.
* The gradient norm per parameter shows how the gradient flows down the stack.
* Sparsity: how many weights are exactly 0, and how many neurons are switched
  off (their incoming weight vector shorter than :data:`OFF_SHARE` of the
  longest in their layer: L1 and group lasso drive them there).

:class:`HealthWatcher` reads the history records and says, once each, when a
layer is more than half dead or an update ratio has left [1e-5, 1e-1] for 50
records in a row.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .activations import get_activation

__all__ = [
    "SATURATION",
    "OFF_SHARE",
    "Health",
    "HealthWatcher",
    "inactive_units",
    "dead_fraction",
    "update_ratios",
    "grad_norms",
    "zero_weights",
    "neurons_off",
]

#: |output| beyond which a tanh unit (or 2σ - 1 for a sigmoid) counts as saturated
SATURATION = 0.97


@dataclass(frozen=True)
class Health:
    """One record's health: per hidden layer, then per parameter name (W1, b1, ...)."""

    #: share of each hidden layer's units dead (ReLU) or saturated (tanh, sigmoid), first layer first
    dead_fraction: tuple[float, ...]
    #: ‖lr·update‖ / ‖θ‖ of each parameter for the step just taken; None where ‖θ‖ = 0
    update_ratio: dict[str, float | None]
    #: ‖dL/dθ‖ of each parameter (data loss plus regularization)
    grad_norm: dict[str, float]

    def to_json(self) -> dict:
        return {
            "dead_fraction": list(self.dead_fraction),
            "update_ratio": dict(self.update_ratio),
            "grad_norm": dict(self.grad_norm),
        }

    def record(self) -> dict:
        """The fields a history record carries; the per-parameter gradient norms as ``layer_grad_norm``
        (a record's ``grad_norm`` is the whole gradient's norm)."""
        return {
            "dead_fraction": list(self.dead_fraction),
            "update_ratio": dict(self.update_ratio),
            "layer_grad_norm": dict(self.grad_norm),
        }


def inactive_units(hidden: Tensor, activation: str) -> Tensor:
    """Bool (H,): the units of one hidden layer's output ``hidden`` (N, H) dead or saturated on all N points."""
    name = get_activation(activation).name
    if hidden.shape[0] == 0:
        return torch.zeros(hidden.shape[1], dtype=torch.bool, device=hidden.device)
    # "on every point" as one column reduction (max or min over N) instead of an (N, H) mask:
    # it runs at every record, and this is about 3 times cheaper (benchmarked in bench.py)
    if name == "relu":
        return hidden.amax(dim=0) <= 0  # (hidden <= 0).all(dim=0)
    if name == "leaky_relu":
        return hidden.amax(dim=0) < 0
    if name == "tanh":  # |t| > S on every point (either sign)
        return hidden.abs().amin(dim=0) > SATURATION
    if name == "sigmoid":  # |2σ - 1| > S on every point
        return (2.0 * hidden - 1.0).abs().amin(dim=0) > SATURATION
    return torch.zeros(hidden.shape[1], dtype=torch.bool, device=hidden.device)


def dead_fraction(hidden: Sequence[Tensor], activation: str) -> tuple[float, ...]:
    """The share of inactive units in each hidden layer's output (N, H_l), first layer first."""
    return tuple(inactive_units(h, activation).double().mean().item() for h in hidden)


def update_ratios(before: Mapping[str, Tensor], after: Mapping[str, Tensor]) -> dict[str, float | None]:
    """‖after - before‖ / ‖before‖ per parameter name; None where ‖before‖ is 0 (the ratio is undefined)."""
    ratios: dict[str, float | None] = {}
    for name, old in before.items():
        size = torch.linalg.vector_norm(old).item()
        change = torch.linalg.vector_norm(after[name] - old).item()
        ratios[name] = change / size if size > 0 else None
    return ratios


def grad_norms(grads: Mapping[str, Tensor]) -> dict[str, float]:
    """‖g‖ (Euclidean, over all entries) of each parameter's gradient."""
    return {name: torch.linalg.vector_norm(g).item() for name, g in grads.items()}


#: a neuron whose incoming weight vector is shorter than this share of its layer's longest is switched off
OFF_SHARE = 1e-3


def zero_weights(weights: Sequence[Tensor]) -> int:
    """How many entries of the weight matrices are exactly 0."""
    return sum(int((w == 0).sum()) for w in weights)


def neurons_off(weights: Sequence[Tensor]) -> list[int]:
    """Per weight matrix (D, M), how many of its M neurons have an incoming vector below OFF_SHARE of the longest."""
    counts = []
    for w in weights:
        norms = torch.linalg.vector_norm(w, dim=0)
        counts.append(int((norms <= OFF_SHARE * norms.max()).sum()) if norms.max() > 0 else int(norms.numel()))
    return counts


class HealthWatcher:
    """Reads history records; :meth:`observe` returns one-line warnings, each at most once per run.

    * a hidden layer more than ``dead_limit`` dead (or saturated);
    * a parameter's update ratio outside [``low``, ``high``] for ``patience`` records in a row
      (makemore: about 1e-3 is healthy; far below, it barely learns; far above, it thrashes).

    ``watch`` names the parameters whose ratios count (None: all). The CLI
    watches the weight matrices: a bias starts at 0, so its ratio is large
    early on without anything being wrong.
    """

    def __init__(
        self,
        dead_limit: float = 0.5,
        low: float = 1e-5,
        high: float = 1e-1,
        patience: int = 50,
        watch: Collection[str] | None = None,
    ) -> None:
        self.dead_limit, self.low, self.high, self.patience = dead_limit, low, high, patience
        self.watch = None if watch is None else frozenset(watch)
        self._warned: set[str] = set()
        self._outside: dict[str, int] = {}

    def observe(self, record: Mapping) -> list[str]:
        """Warnings this record triggers for the first time (usually none)."""
        warnings = []
        for layer, share in enumerate(record.get("dead_fraction") or (), start=1):
            key = f"dead{layer}"
            if share is not None and share > self.dead_limit and key not in self._warned:
                self._warned.add(key)
                warnings.append(f"hidden layer {layer}: {share:.0%} of its units are dead or saturated on every "
                                f"training point (step {record.get('step')}): lower the step size or change the init")
        for name, ratio in (record.get("update_ratio") or {}).items():
            if self.watch is not None and name not in self.watch:
                continue
            outside = ratio is not None and not self.low <= ratio <= self.high
            self._outside[name] = self._outside.get(name, 0) + 1 if outside else 0
            key = f"ratio{name}"
            if self._outside[name] >= self.patience and key not in self._warned:
                self._warned.add(key)
                where = "below" if ratio < self.low else "above"
                warnings.append(f"{name}: update:data ratio {ratio:.1e} has been {where} [{self.low:g}, "
                                f"{self.high:g}] for {self.patience} records (step {record.get('step')}): "
                                f"{'raise' if where == 'below' else 'lower'} the step size")
        return warnings
