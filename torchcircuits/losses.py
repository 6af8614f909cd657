"""Classification losses, each on three faces with one meaning.

Binary losses take scores ``s`` (N,) and labels ``y`` in {-1, +1} (N,);
K-class losses take scores ``S`` (N, K) and class indices ``c`` (N,). Every
loss is the *mean* over the N examples.

=================  ===========================================  ==============
name               per-example loss                             classes
=================  ===========================================  ==============
hinge              max(0, 1 - y s)                              2
squared_hinge      max(0, 1 - y s)²  (the guide's variable pull)  2
logistic           log(1 + exp(-y s))                           2
softmax            -S_c + log Σ_j exp(S_j)  (cross-entropy)     K >= 2
multiclass_svm     Σ_{j≠c} max(0, S_j - S_c + 1)  (Weston-Watkins) K >= 2
=================  ===========================================  ==============

Faces: ``hand`` returns ``(loss, dscores)`` with a hand-derived gradient and
no autograd; ``torch`` is built from torch's own functions for autograd
(``F.cross_entropy``, ``F.multi_margin_loss``, ``F.softplus``) so that the two
are independent; ``units`` builds the loss of one example from Units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from .errors import unknown_name
from .units import Unit

__all__ = ["Loss", "LOSSES", "get_loss", "BINARY_LOSSES", "MULTICLASS_LOSSES"]


# --- hand-derived, vectorized --------------------------------------------------------
def _hinge_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    margins = 1.0 - y * s
    # -y/n where the margin is violated (> 0), else 0: the hinge's strict kink
    return torch.relu(margins).mean(), torch.ops.aten.threshold_backward(-y / n, margins, 0.0)


def _squared_hinge_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    slack = (1.0 - y * s).clamp(min=0.0)
    return (slack * slack).mean(), -2.0 * y * slack / n


def _logistic_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    z = -y * s
    # softplus(z) = max(z, 0) + log1p(exp(-|z|)): finite for any finite z
    loss = z.clamp(min=0.0) + torch.log1p(torch.exp(-z.abs()))
    return loss.mean(), -y * torch.sigmoid(z) / n


def _softmax_hand(S: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    n = S.shape[0]
    shifted = S - S.max(dim=1, keepdim=True).values  # exp never overflows
    exp = torch.exp(shifted)
    total = exp.sum(dim=1, keepdim=True)
    index = c.unsqueeze(1)
    loss = (torch.log(total) - shifted.gather(1, index)).mean()
    # dS = softmax(S) - onehot(c), then / n for the mean
    dS = exp.div_(total).scatter_add_(1, index, torch.full(index.shape, -1.0, dtype=S.dtype))
    return loss, dS.div_(n)


def _multiclass_svm_hand(S: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    n = S.shape[0]
    rows = torch.arange(n)
    margins = S - S[rows, c].unsqueeze(1) + 1.0
    margins[rows, c] = 0.0
    active = (margins > 0).to(S.dtype)
    dS = active.clone()
    dS[rows, c] = -active.sum(dim=1)
    return margins.clamp(min=0.0).sum(dim=1).mean(), dS / n


# --- torch autograd ----------------------------------------------------------------------
def _hinge_torch(s: Tensor, y: Tensor) -> Tensor:
    return torch.relu(1.0 - y * s).mean()


def _squared_hinge_torch(s: Tensor, y: Tensor) -> Tensor:
    return torch.relu(1.0 - y * s).pow(2).mean()


def _logistic_torch(s: Tensor, y: Tensor) -> Tensor:
    return F.softplus(-y * s).mean()


def _softmax_torch(S: Tensor, c: Tensor) -> Tensor:
    return F.cross_entropy(S, c)


def _multiclass_svm_torch(S: Tensor, c: Tensor) -> Tensor:
    # torch divides the sum over classes by K; the Weston-Watkins loss does not
    return F.multi_margin_loss(S, c, margin=1.0) * S.shape[1]


# --- one example on Units ----------------------------------------------------------------
def _hinge_units(s: Sequence[Unit], label: int) -> Unit:
    return (1.0 - label * s[0]).relu()


def _squared_hinge_units(s: Sequence[Unit], label: int) -> Unit:
    return (1.0 - label * s[0]).relu() ** 2


def _logistic_units(s: Sequence[Unit], label: int) -> Unit:
    return (1.0 + (-label * s[0]).exp()).log()


def _softmax_units(s: Sequence[Unit], label: int) -> Unit:
    total = s[0].exp()
    for score in s[1:]:
        total = total + score.exp()
    return total.log() - s[label]


def _multiclass_svm_units(s: Sequence[Unit], label: int) -> Unit:
    terms = [(score - s[label] + 1.0).relu() for j, score in enumerate(s) if j != label]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


@dataclass(frozen=True)
class Loss:
    """A loss by name: binary (one score, ±1 labels) or K-class (K scores, class indices)."""

    name: str
    binary: bool
    hand: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]
    torch: Callable[[Tensor, Tensor], Tensor]
    #: one example: scores as Units, label ±1 (binary) or class index
    units: Callable[[Sequence[Unit], int], Unit]
    description: str

    def outputs(self, num_classes: int) -> int:
        """How many scores a model needs for this loss."""
        return 1 if self.binary else num_classes


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("hinge", True, _hinge_hand, _hinge_torch, _hinge_units, "max(0, 1 - y s), the SVM's"),
        Loss("squared_hinge", True, _squared_hinge_hand, _squared_hinge_torch, _squared_hinge_units,
             "max(0, 1 - y s)^2"),
        Loss("logistic", True, _logistic_hand, _logistic_torch, _logistic_units, "log(1 + exp(-y s))"),
        Loss("softmax", False, _softmax_hand, _softmax_torch, _softmax_units, "cross-entropy of softmax(S)"),
        Loss("multiclass_svm", False, _multiclass_svm_hand, _multiclass_svm_torch, _multiclass_svm_units,
             "sum_j max(0, S_j - S_c + 1)"),
    )
}  # fmt: skip
BINARY_LOSSES = tuple(name for name, loss in LOSSES.items() if loss.binary)
MULTICLASS_LOSSES = tuple(name for name, loss in LOSSES.items() if not loss.binary)


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise unknown_name("loss", name, LOSSES) from None
