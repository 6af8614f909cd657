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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .activations import get_activation

__all__ = ["SATURATION", "Health", "inactive_units", "dead_fraction", "update_ratios", "grad_norms"]

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


def inactive_units(hidden: Tensor, activation: str) -> Tensor:
    """Bool (H,): the units of one hidden layer's output ``hidden`` (N, H) dead or saturated on all N points."""
    name = get_activation(activation).name
    if hidden.shape[0] == 0:
        return torch.zeros(hidden.shape[1], dtype=torch.bool, device=hidden.device)
    if name == "relu":
        off = hidden <= 0
    elif name == "leaky_relu":
        off = hidden < 0
    elif name == "tanh":
        off = hidden.abs() > SATURATION
    elif name == "sigmoid":
        off = (2.0 * hidden - 1.0).abs() > SATURATION
    else:
        off = torch.zeros_like(hidden, dtype=torch.bool)
    return off.all(dim=0)


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
