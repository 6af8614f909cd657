"""Weight penalties added to the data loss, on the three faces.

``reg`` multiplies the penalty of the weight matrices (never the biases):

* ``l2``: reg · Σ w²,  gradient 2·reg·w. The guide's spring (pull -w on each
  weight) is l2 with reg = 0.5;
* ``l1``: reg · Σ |w|, gradient reg·sign(w), 0 at exactly 0 as torch's abs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor

from .errors import unknown_name
from .units import Unit

__all__ = ["REGULARIZERS", "regularization", "regularization_torch", "regularization_units"]

REGULARIZERS = ("l2", "l1")


def _check(kind: str) -> None:
    if kind not in REGULARIZERS:
        raise unknown_name("regularization", kind, REGULARIZERS)


def regularization(
    params: Mapping[str, Tensor], names: Sequence[str], reg: float, kind: str
) -> tuple[float, dict[str, Tensor]]:
    """(penalty as a float, its hand-derived gradient for each named weight matrix)."""
    _check(kind)
    loss = 0.0
    grads = {}
    with torch.no_grad():
        for name in names:
            w = params[name]
            if kind == "l2":
                loss += reg * (w * w).sum().item()
                grads[name] = 2.0 * reg * w
            else:
                loss += reg * w.abs().sum().item()
                grads[name] = reg * torch.sign(w)
    return loss, grads


def regularization_torch(weights: Sequence[Tensor], reg: float, kind: str) -> Tensor:
    """The penalty as a tensor autograd differentiates."""
    _check(kind)
    terms = [(w * w).sum() if kind == "l2" else w.abs().sum() for w in weights]
    return reg * torch.stack(terms).sum()


def regularization_units(weights: Sequence[Sequence[Unit]], reg: float, kind: str) -> Unit:
    """The penalty built from Units, one gate per weight."""
    _check(kind)
    total = Unit(0.0)
    for cells in weights:
        for w in cells:
            # |w| as relu(w) + relu(-w): gradient sign(w), 0 at exactly 0 as torch's abs
            total = total + reg * (w * w if kind == "l2" else w.relu() + (-w).relu())
    return total
