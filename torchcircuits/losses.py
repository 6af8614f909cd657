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
ova_hinge          Σ_j max(0, 1 - y_j S_j), y_j = ±1 (one-vs-all)   classes
structured_svm     max(0, 1 + max_{j≠c} S_j - S_c) (Crammer-Singer)  classes
l2                 ½ (s - t)²  (the ½ makes the gradient s - t)     values
l1                 |s - t|                                          values
huber              ½ d² if |d| < 1 else |d| - ½,  d = s - t         values
=================  ===============================================  =======

Faces: ``hand(S, targets) -> (loss, dS)`` with a hand-derived gradient and no
autograd; ``torch(S, targets)`` built from torch's own functions
(``F.cross_entropy``, ``F.multi_margin_loss``, ``F.softplus``, ``F.mse_loss``,
``F.huber_loss``, ``F.one_hot`` with ``relu`` and ``max``) so the two are
independent; ``units(scores, target)``, the loss of one example built from Units.
``hand`` and ``torch`` take optional per-example ``weights`` (class weights): a
weighted mean normalised as torch's ``F.cross_entropy(weight=...)``, divided by
the batch's sum of weights. Models, the trainer and the CLI never
branch on a loss's name: the loss says how many scores it needs, how targets
are prepared from a data set, and which metrics fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from .errors import unknown_name
from .units import Unit

__all__ = ["Loss", "LOSSES", "get_loss", "TARGETS", "losses_for", "balanced_class_weights"]

#: what a loss trains on
TARGETS = ("signs", "classes", "values")


# --- hand-derived, vectorized: one score column (s, y or t of shape (N,)) ------------------
# Each returns (per-example losses (N,), d loss_i / d s_i (N,)); :meth:`Loss.hand` takes the mean
# (or the weighted mean) and scales the gradient to match.
def _hinge_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    margins = 1.0 - y * s
    ds = torch.where(margins > 0, -y, 0.0)  # the hinge's strict kink: no gradient at margin 0
    return torch.relu(margins), ds


def _squared_hinge_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    slack = (1.0 - y * s).clamp(min=0.0)
    return slack * slack, -2.0 * y * slack


def _logistic_hand(s: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    z = -y * s
    # softplus(z) = max(z, 0) + log1p(exp(-|z|)): finite for any finite z
    return z.clamp(min=0.0) + torch.log1p(torch.exp(-z.abs())), -y * torch.sigmoid(z)


def _l2_hand(s: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    d = s - t
    return 0.5 * (d * d), d


def _l1_hand(s: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    d = s - t
    return d.abs(), torch.sign(d)  # 0 at d = 0, as torch's abs


def _huber_hand(s: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    d = s - t
    small = d.abs() < 1.0
    return torch.where(small, 0.5 * d * d, d.abs() - 0.5), torch.where(small, d, torch.sign(d))


# --- hand-derived, vectorized: K score columns, (per-example losses (N,), dS (N, K)) ------------
def _softmax_hand(S: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    shifted = S - S.max(dim=1, keepdim=True).values  # exp never overflows
    exp = torch.exp(shifted)
    total = exp.sum(dim=1, keepdim=True)
    index = c.unsqueeze(1)
    losses = (torch.log(total) - shifted.gather(1, index))[:, 0]
    probs = exp / total
    minus_one = torch.full(index.shape, -1.0, dtype=S.dtype, device=S.device)
    return losses, probs.scatter_add(1, index, minus_one)  # softmax(S) - onehot(c)


def _multiclass_svm_hand(S: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    rows = torch.arange(S.shape[0])
    margins = S - S[rows, c].unsqueeze(1) + 1.0
    margins[rows, c] = 0.0
    active = (margins > 0).to(S.dtype)
    dS = active.clone()
    dS[rows, c] = -active.sum(dim=1)  # the true class is pulled down once per violating class
    return margins.clamp(min=0.0).sum(dim=1), dS


def _ova_hinge_hand(S: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    signs = -torch.ones_like(S)
    signs[torch.arange(S.shape[0]), c] = 1.0  # +1 for the true class, -1 for every other
    margins = 1.0 - signs * S
    dS = torch.where(margins > 0, -signs, 0.0)  # one binary hinge per class, strict kink
    return torch.relu(margins).sum(dim=1), dS


def _structured_svm_hand(S: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    rows = torch.arange(S.shape[0])
    others = S.clone()
    others[rows, c] = -torch.inf
    runner_up = others.argmax(dim=1)  # the first of equal runners-up, as a max gate and torch's max
    margins = 1.0 + S[rows, runner_up] - S[rows, c]
    active = (margins > 0).to(S.dtype)
    dS = torch.zeros_like(S)
    dS[rows, runner_up] = active  # only the top runner-up is pushed down ...
    dS[rows, c] = -active  # ... and the true class up
    return torch.relu(margins), dS


# --- torch autograd: per-example losses (N,) from torch's own functions --------------------
def _hinge_torch(s: Tensor, y: Tensor) -> Tensor:
    return torch.relu(1.0 - y * s)


def _squared_hinge_torch(s: Tensor, y: Tensor) -> Tensor:
    return torch.relu(1.0 - y * s).pow(2)


def _logistic_torch(s: Tensor, y: Tensor) -> Tensor:
    return F.softplus(-y * s)


def _l2_torch(s: Tensor, t: Tensor) -> Tensor:
    return 0.5 * F.mse_loss(s, t, reduction="none")


def _l1_torch(s: Tensor, t: Tensor) -> Tensor:
    return F.l1_loss(s, t, reduction="none")


def _huber_torch(s: Tensor, t: Tensor) -> Tensor:
    return F.huber_loss(s, t, delta=1.0, reduction="none")


def _softmax_torch(S: Tensor, c: Tensor) -> Tensor:
    return F.cross_entropy(S, c, reduction="none")


def _multiclass_svm_torch(S: Tensor, c: Tensor) -> Tensor:
    # torch divides the sum over classes by K; the Weston-Watkins loss does not
    return F.multi_margin_loss(S, c, margin=1.0, reduction="none") * S.shape[1]


def _ova_hinge_torch(S: Tensor, c: Tensor) -> Tensor:
    signs = 2.0 * F.one_hot(c, S.shape[1]).to(S.dtype) - 1.0
    return torch.relu(1.0 - signs * S).sum(dim=1)


def _structured_svm_torch(S: Tensor, c: Tensor) -> Tensor:
    true_score = S.gather(1, c.unsqueeze(1))[:, 0]
    runner_up = S.masked_fill(F.one_hot(c, S.shape[1]).bool(), -torch.inf).max(dim=1).values
    return torch.relu(1.0 + runner_up - true_score)


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


def _sum_units(terms: Sequence[Unit]) -> Unit:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _softmax_units(s: Sequence[Unit], c: int) -> Unit:
    return _sum_units([score.exp() for score in s]).log() - s[c]


def _multiclass_svm_units(s: Sequence[Unit], c: int) -> Unit:
    return _sum_units([(score - s[c] + 1.0).relu() for j, score in enumerate(s) if j != c])


def _ova_hinge_units(s: Sequence[Unit], c: int) -> Unit:
    return _sum_units([(1.0 - (1.0 if j == c else -1.0) * score).relu() for j, score in enumerate(s)])


def _structured_svm_units(s: Sequence[Unit], c: int) -> Unit:
    others = [score for j, score in enumerate(s) if j != c]
    runner_up = others[0]
    for score in others[1:]:
        runner_up = runner_up.max(score)  # a max gate sends the gradient to its first input on a tie
    return (1.0 + runner_up - s[c]).relu()


@dataclass(frozen=True)
class Loss:
    """A loss by name, on its three faces, with the kind of target it trains on."""

    name: str
    target: str
    _hand: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]
    _torch: Callable[[Tensor, Tensor], Tensor]
    #: one example: its scores as Units and its target (±1, class index or real value)
    units: Callable[[Sequence[Unit], Any], Unit]
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

    def hand(self, S: Tensor, targets: Tensor, weights: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(mean loss, dS (N, M)) from scores S (N, M), by the hand-derived gradient.

        ``weights`` (N,), one per example (class weights looked up by label), make it
        the weighted mean Σ w_i loss_i / Σ w_i, torch's ``F.cross_entropy(weight=...)``
        normalisation: the weights of the batch sum to one, so a weight scales an
        example's share, not the step size.
        """
        if self.one_score:
            losses, ds = self._hand(S[:, 0], targets.to(S.dtype))
            ds = ds.unsqueeze(1)
        else:
            losses, ds = self._hand(S, targets)
        if weights is None:
            return losses.mean(), ds / S.shape[0]
        share = weights.to(S.dtype) / weights.sum()  # (N,)
        return (share * losses).sum(), ds * share.unsqueeze(1)

    def torch(self, S: Tensor, targets: Tensor, weights: Tensor | None = None) -> Tensor:
        """The mean (or ``weights``' weighted mean, as :meth:`hand`) loss of scores S (N, M), by autograd."""
        losses = self._torch(S[:, 0], targets.to(S.dtype)) if self.one_score else self._torch(S, targets)
        if weights is None:
            return losses.mean()
        weights = weights.to(S.dtype)
        return (weights * losses).sum() / weights.sum()


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
        Loss("ova_hinge", "classes", _ova_hinge_hand, _ova_hinge_torch, _ova_hinge_units,
             "sum_j max(0, 1 - y_j S_j), y_j = +1 for the class, -1 else"),
        Loss("structured_svm", "classes", _structured_svm_hand, _structured_svm_torch, _structured_svm_units,
             "max(0, 1 + max_{j!=c} S_j - S_c)"),
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


def balanced_class_weights(labels: Tensor, num_classes: int) -> Tensor:
    """Weights (K,) float64 n / (K·n_k) of classes 0..K-1 from class indices (N,): each class weighs in equally.

    A class absent from ``labels`` gets n / K (its count taken as 1): it has no example to weigh.
    """
    counts = torch.bincount(labels, minlength=num_classes).to(torch.float64)
    return len(labels) / (num_classes * counts.clamp(min=1.0))
