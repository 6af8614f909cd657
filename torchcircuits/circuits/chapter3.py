"""Chapter 3's multiclass loss family as circuits: one example's loss of three scores, true class 0.

Each circuit is a loss of :mod:`torchcircuits.losses` on one example, so
``torchcircuits check`` runs the same hand backward the trainer uses (on a
(1, 3) score tensor), its Unit expression and its torch twin at small sizes:
Weston-Watkins (``multiclass_svm``), one-vs-all hinge (``ova_hinge``),
Crammer-Singer (``structured_svm``, the guide's "structured SVM": the true
score against the top runner-up) and ``softmax`` (cross-entropy).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from ..losses import Loss, get_loss
from ..units import Unit
from .base import Circuit

__all__ = ["CHAPTER3", "TRUE_CLASS"]

#: the example's class: its scores are s0 (true), s1, s2
TRUE_CLASS = 0
_SCORES = ("s0", "s1", "s2")
#: away from every hinge's kink and from the runner-up's tie
_SEED = {"s0": 1.3, "s1": 0.5, "s2": -0.3}


def _loss_circuit(loss: Loss, formula: str, description: str) -> Circuit:
    target = torch.tensor([TRUE_CLASS])

    def hand(v: Mapping[str, float]) -> tuple[float, dict[str, float]]:
        S = torch.tensor([[v[name] for name in _SCORES]], dtype=torch.float64)
        value, dS = loss.hand(S, target)
        return value.item(), dict(zip(_SCORES, dS[0].tolist(), strict=True))

    def build(u: Mapping[str, Unit]) -> Unit:
        return loss.units([u[name] for name in _SCORES], TRUE_CLASS)

    def torch_forward(t: Mapping[str, torch.Tensor]) -> torch.Tensor:
        S = torch.stack([t[name] for name in _SCORES]).unsqueeze(0)  # (1, 3)
        return loss.torch(S, target.to(S.device))

    return Circuit(loss.name, formula, _SCORES, dict(_SEED), build, hand, torch_forward, description)


CHAPTER3: tuple[Circuit, ...] = (
    _loss_circuit(get_loss("multiclass_svm"), "max(0, s1 - s0 + 1) + max(0, s2 - s0 + 1)",
                  "Weston-Watkins multiclass SVM loss of one example of class 0."),
    _loss_circuit(get_loss("ova_hinge"), "max(0, 1 - s0) + max(0, 1 + s1) + max(0, 1 + s2)",
                  "One-vs-all hinge: one binary SVM per class, this example positive for class 0 only."),
    _loss_circuit(get_loss("structured_svm"), "max(0, 1 + max(s1, s2) - s0)",
                  "Crammer-Singer structured SVM: the true score against the top runner-up."),
    _loss_circuit(get_loss("softmax"), "log(exp(s0) + exp(s1) + exp(s2)) - s0",
                  "Softmax cross-entropy of one example of class 0."),
)  # fmt: skip
