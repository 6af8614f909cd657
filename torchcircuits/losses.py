"""The losses, each on three faces with one meaning, and what each trains on.

Every loss takes scores ``S`` (N, M) and targets (N,), and is the *mean* over
the N examples. What the targets are is the loss's :attr:`Loss.target`:

* ``signs``: labels y in {-1, +1} (class 1 is +1), one score s = S[:, 0];
* ``classes``: class indices c in 0..K-1, K scores;
* ``values``: real targets t, one prediction s = S[:, 0] (regression).

=================  ===============================================  =======
name               per-example loss                                 target
=================  ===============================================  =======
hinge              max(0, 1 - y s)                                  signs
squared_hinge      max(0, 1 - y s)²  (the guide's variable pull)    signs
logistic           log(1 + exp(-y s))                               signs
softmax            -S_c + log Σ_j exp(S_j)  (cross-entropy)         classes
multiclass_svm     Σ_{j≠c} max(0, S_j - S_c + 1)  (Weston-Watkins)  classes
l2                 ½ (s - t)²  (the ½ makes the gradient s - t)     values
l1                 |s - t|                                          values
huber              ½ d² if |d| < 1 else |d| - ½,  d = s - t         values
=================  ===============================================  =======

Faces: ``hand(S, targets) -> (loss, dS)`` with a hand-derived gradient and no
autograd; ``torch(S, targets)`` built from torch's own functions
(``F.cross_entropy``, ``F.multi_margin_loss``, ``F.softplus``, ``F.mse_loss``,
``F.huber_loss``) so the two are independent; ``units(scores, target)``, the
loss of one example built from Units. Models, the trainer and the CLI never
branch on a loss's name: the loss says how many scores it needs, how targets
are prepared from a data set, and which metrics fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from .errors import unknown_name
from .units import Unit

__all__ = ["Loss", "LOSSES", "get_loss", "TARGETS", "losses_for"]

#: what a loss trains on
TARGETS = ("signs", "classes", "values")


# --- hand-derived, vectorized: one score column (s, y or t of shape (N,)) ------------------
def _hinge_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    margins = 1.0 - y * s
    loss = torch.relu(margins).mean()
    ds = torch.where(margins > 0, -y, 0.0) / n  # the hinge's strict kink: no gradient at margin 0
    return loss, ds


def _squared_hinge_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    slack = (1.0 - y * s).clamp(min=0.0)
    loss = (slack * slack).mean()
    ds = -2.0 * y * slack / n
    return loss, ds


def _logistic_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    z = -y * s
    # softplus(z) = max(z, 0) + log1p(exp(-|z|)): finite for any finite z
    loss = (z.clamp(min=0.0) + torch.log1p(torch.exp(-z.abs()))).mean()
    ds = -y * torch.sigmoid(z) / n
    return loss, ds


def _l2_hand(s: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    d = s - t
    loss = 0.5 * (d * d).mean()
    ds = d / n
    return loss, ds


def _l1_hand(s: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    d = s - t
    loss = d.abs().mean()
    ds = torch.sign(d) / n  # 0 at d = 0, as torch's abs
    return loss, ds


def _huber_hand(s: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    n = s.shape[0]
    d = s - t
    small = d.abs() < 1.0
    loss = torch.where(small, 0.5 * d * d, d.abs() - 0.5).mean()
    ds = torch.where(small, d, torch.sign(d)) / n
    return loss, ds


# --- hand-derived, vectorized: K score columns ------------------------------------------
def _softmax_hand(S: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    n = S.shape[0]
    shifted = S - S.max(dim=1, keepdim=True).values  # exp never overflows
    exp = torch.exp(shifted)
    total = exp.sum(dim=1, keepdim=True)
    index = c.unsqueeze(1)
    loss = (torch.log(total) - shifted.gather(1, index)).mean()
    probs = exp / total
    minus_one = torch.full(index.shape, -1.0, dtype=S.dtype, device=S.device)
    dS = probs.scatter_add(1, index, minus_one) / n  # softmax(S) - onehot(c)
    return loss, dS


def _multiclass_svm_hand(S: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    n = S.shape[0]
    rows = torch.arange(n)
    margins = S - S[rows, c].unsqueeze(1) + 1.0
    margins[rows, c] = 0.0
    active = (margins > 0).to(S.dtype)
    dS = active.clone()
    dS[rows, c] = -active.sum(dim=1)  # the true class is pulled down once per violating class
    return margins.clamp(min=0.0).sum(dim=1).mean(), dS / n


# --- torch autograd ----------------------------------------------------------------------
def _hinge_torch(s: Tensor, y: Tensor) -> Tensor:
    return torch.relu(1.0 - y * s).mean()


def _squared_hinge_torch(s: Tensor, y: Tensor) -> Tensor:
    return torch.relu(1.0 - y * s).pow(2).mean()


def _logistic_torch(s: Tensor, y: Tensor) -> Tensor:
    return F.softplus(-y * s).mean()


def _l2_torch(s: Tensor, t: Tensor) -> Tensor:
    return 0.5 * F.mse_loss(s, t)


def _l1_torch(s: Tensor, t: Tensor) -> Tensor:
    return F.l1_loss(s, t)


def _huber_torch(s: Tensor, t: Tensor) -> Tensor:
    return F.huber_loss(s, t, delta=1.0)


def _softmax_torch(S: Tensor, c: Tensor) -> Tensor:
    return F.cross_entropy(S, c)


def _multiclass_svm_torch(S: Tensor, c: Tensor) -> Tensor:
    # torch divides the sum over classes by K; the Weston-Watkins loss does not
    return F.multi_margin_loss(S, c, margin=1.0) * S.shape[1]


# --- one example on Units ----------------------------------------------------------------
def _hinge_units(s: Sequence[Unit], y: float) -> Unit:
    return (1.0 - y * s[0]).relu()


def _squared_hinge_units(s: Sequence[Unit], y: float) -> Unit:
    return (1.0 - y * s[0]).relu() ** 2


def _logistic_units(s: Sequence[Unit], y: float) -> Unit:
    return (1.0 + (-y * s[0]).exp()).log()


def _l2_units(s: Sequence[Unit], t: float) -> Unit:
    return 0.5 * (s[0] - t) ** 2


def _abs_units(d: Unit) -> Unit:
    # relu(d) + relu(-d) has gradient sign(d), and 0 at d = 0 exactly as torch's abs
    return d.relu() + (-d).relu()


def _l1_units(s: Sequence[Unit], t: float) -> Unit:
    return _abs_units(s[0] - t)


def _huber_units(s: Sequence[Unit], t: float) -> Unit:
    d = s[0] - t
    # the branch is chosen at build time from the forward value, as a max gate routes its gradient
    return 0.5 * d**2 if abs(d.value) < 1.0 else _abs_units(d) - 0.5


def _softmax_units(s: Sequence[Unit], c: int) -> Unit:
    total = s[0].exp()
    for score in s[1:]:
        total = total + score.exp()
    return total.log() - s[c]


def _multiclass_svm_units(s: Sequence[Unit], c: int) -> Unit:
    terms = [(score - s[c] + 1.0).relu() for j, score in enumerate(s) if j != c]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


@dataclass(frozen=True)
class Loss:
    """A loss by name, on its three faces, with the kind of target it trains on."""

    name: str
    target: str
    _hand: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]
    _torch: Callable[[Tensor, Tensor], Tensor]
    #: one example: its scores as Units and its target (±1, class index or real value)
    units: Callable[[Sequence[Unit], float], Unit]
    description: str

    @property
    def one_score(self) -> bool:
        """True when the loss reads one score column (signs and values)."""
        return self.target != "classes"

    @property
    def task(self) -> str:
        """``classification`` or ``regression``: which data sets and metrics fit."""
        return "regression" if self.target == "values" else "classification"

    def outputs(self, num_classes: int) -> int:
        """How many scores a model needs for this loss on data with ``num_classes`` classes."""
        return 1 if self.one_score else num_classes

    def targets(self, labels: Tensor) -> Tensor:
        """A data set's labels as this loss takes them: ±1 (class 1 is +1), class indices, or reals."""
        if self.target == "signs":
            return labels.to(torch.float64) * 2.0 - 1.0
        return labels

    def hand(self, S: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
        """(mean loss, dS (N, M)) from scores S (N, M), by the hand-derived gradient."""
        if not self.one_score:
            return self._hand(S, targets)
        loss, ds = self._hand(S[:, 0], targets.to(S.dtype))
        return loss, ds.unsqueeze(1)

    def torch(self, S: Tensor, targets: Tensor) -> Tensor:
        """The mean loss of scores S (N, M), differentiable by autograd."""
        return self._torch(S[:, 0], targets.to(S.dtype)) if self.one_score else self._torch(S, targets)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("hinge", "signs", _hinge_hand, _hinge_torch, _hinge_units, "max(0, 1 - y s), the SVM's"),
        Loss("squared_hinge", "signs", _squared_hinge_hand, _squared_hinge_torch, _squared_hinge_units,
             "max(0, 1 - y s)^2"),
        Loss("logistic", "signs", _logistic_hand, _logistic_torch, _logistic_units, "log(1 + exp(-y s))"),
        Loss("softmax", "classes", _softmax_hand, _softmax_torch, _softmax_units, "cross-entropy of softmax(S)"),
        Loss("multiclass_svm", "classes", _multiclass_svm_hand, _multiclass_svm_torch, _multiclass_svm_units,
             "sum_j max(0, S_j - S_c + 1)"),
        Loss("l2", "values", _l2_hand, _l2_torch, _l2_units, "1/2 (s - t)^2, mean squared error / 2"),
        Loss("l1", "values", _l1_hand, _l1_torch, _l1_units, "|s - t|, mean absolute error"),
        Loss("huber", "values", _huber_hand, _huber_torch, _huber_units, "1/2 d^2 for |d| < 1, else |d| - 1/2"),
    )
}  # fmt: skip


def get_loss(name: str) -> Loss:
    """The loss called ``name`` (see :data:`LOSSES`); an unknown name is one InputError listing the known ones."""
    try:
        return LOSSES[name]
    except KeyError:
        raise unknown_name("loss", name, LOSSES) from None


def losses_for(task: str) -> tuple[str, ...]:
    """The loss names that train a ``classification`` or a ``regression`` task."""
    return tuple(name for name, loss in LOSSES.items() if loss.task == task)
