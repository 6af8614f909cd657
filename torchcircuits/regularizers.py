"""Weight penalties added to the data loss, on the three faces.

``reg`` multiplies the penalty of the weight matrices (never the biases). A
weight matrix W is (fan_in, fan_out): column j holds the incoming weights of
neuron (or score) j.

* ``l2``: reg · Σ w²,  gradient 2·reg·w. The guide's spring (pull -w on each
  weight) is l2 with reg = 0.5;
* ``l1``: reg · Σ |w|, gradient reg·sign(w); at w = 0 the subgradient taken is
  0 (torch's abs, and the one of least size in [-reg, reg]);
* ``group``: the group lasso, reg · Σ_j ‖W[:, j]‖₂ over every neuron's incoming
  weights, so whole neurons switch off. Gradient reg·W[:, j]/‖W[:, j]‖; where a
  column is exactly 0 the subgradient taken is 0 (the one of least size in the
  unit ball reg·{g : ‖g‖ ≤ 1}; torch's ``vector_norm`` backward gives 0 there too);
* ``elastic``: reg · (ρ Σ |w| + (1 - ρ) Σ w²) with ρ = ``l1_ratio`` in [0, 1],
  gradient reg·(ρ sign(w) + 2 (1 - ρ) w), 0 for the L1 part at w = 0 as ``l1``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor

from .errors import unknown_name
from .units import Unit

__all__ = [
    "REGULARIZERS",
    "DEFAULT_L1_RATIO",
    "regularization",
    "regularization_torch",
    "regularization_units",
    "clip_max_norm_",
]

REGULARIZERS = ("l2", "l1", "group", "elastic")
#: elastic's share of L1 when none is given
DEFAULT_L1_RATIO = 0.5


def _check(kind: str) -> None:
    if kind not in REGULARIZERS:
        raise unknown_name("regularization", kind, REGULARIZERS)


def _penalty_and_grad(w: Tensor, kind: str, l1_ratio: float) -> tuple[Tensor, Tensor]:
    """(penalty of one weight matrix (D, M) before ``reg``, its gradient (D, M))."""
    if kind == "l2":
        return (w * w).sum(), 2.0 * w
    if kind == "l1":
        return w.abs().sum(), torch.sign(w)
    if kind == "group":
        norms = torch.linalg.vector_norm(w, dim=0)  # (M,): one per neuron's incoming weights
        safe = torch.where(norms > 0, norms, 1.0)
        return norms.sum(), torch.where(norms > 0, w / safe, 0.0)  # 0 for a switched-off neuron
    return (l1_ratio * w.abs().sum() + (1.0 - l1_ratio) * (w * w).sum(),
            l1_ratio * torch.sign(w) + 2.0 * (1.0 - l1_ratio) * w)  # fmt: skip


def regularization(
    params: Mapping[str, Tensor], names: Sequence[str], reg: float, kind: str, l1_ratio: float = DEFAULT_L1_RATIO
) -> tuple[float, dict[str, Tensor]]:
    """(penalty as a float, its hand-derived gradient for each named weight matrix)."""
    _check(kind)
    loss = 0.0
    grads = {}
    with torch.no_grad():
        for name in names:
            penalty, grad = _penalty_and_grad(params[name], kind, l1_ratio)
            loss += reg * penalty.item()
            grads[name] = reg * grad
    return loss, grads


def regularization_torch(
    weights: Sequence[Tensor], reg: float, kind: str, l1_ratio: float = DEFAULT_L1_RATIO
) -> Tensor:
    """The penalty as a tensor autograd differentiates."""
    _check(kind)
    terms = []
    for w in weights:
        if kind == "l2":
            terms.append((w * w).sum())
        elif kind == "l1":
            terms.append(w.abs().sum())
        elif kind == "group":
            terms.append(torch.linalg.vector_norm(w, dim=0).sum())
        else:
            terms.append(l1_ratio * w.abs().sum() + (1.0 - l1_ratio) * (w * w).sum())
    return reg * torch.stack(terms).sum()


def _abs_unit(w: Unit) -> Unit:
    # |w| as relu(w) + relu(-w): gradient sign(w), 0 at exactly 0 as torch's abs
    return w.relu() + (-w).relu()


def regularization_units(
    weights: Sequence[Sequence[Sequence[Unit]]], reg: float, kind: str, l1_ratio: float = DEFAULT_L1_RATIO
) -> Unit:
    """The penalty built from Units; ``weights`` holds each matrix as rows of Units (``[i][j]`` is W[i, j])."""
    _check(kind)
    total = Unit(0.0)
    for rows in weights:
        if kind == "group":
            for column in zip(*rows, strict=True):
                square = column[0] * column[0]
                for w in column[1:]:
                    square = square + w * w
                # the norm's gradient is undefined at 0: the term is left out there (subgradient 0, as above)
                if square.value > 0:
                    total = total + reg * square**0.5
            continue
        for row in rows:
            for w in row:
                if kind == "l2":
                    total = total + reg * (w * w)
                elif kind == "l1":
                    total = total + reg * _abs_unit(w)
                else:
                    total = total + reg * (l1_ratio * _abs_unit(w) + (1.0 - l1_ratio) * (w * w))
    return total


def clip_max_norm_(weights: Sequence[Tensor], bound: float) -> None:
    """In place: scale every column of each weight matrix (D, M) longer than ``bound`` back to length ``bound``.

    cs231n's max-norm constraint: a projection after the optimizer's step, not a penalty.
    """
    with torch.no_grad():
        for w in weights:
            norms = torch.linalg.vector_norm(w, dim=0)  # (M,): each neuron's incoming weights
            w.mul_(torch.where(norms > bound, bound / norms, 1.0))
