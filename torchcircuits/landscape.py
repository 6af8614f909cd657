"""The loss over two parameters: a map on a window around the current point, the others held.

deeplearning.ai's notes draw gradient descent's path on a loss surface; this is
that surface for the model being trained. Pick two scalar parameters
(:class:`ParameterRef`, e.g. ``W[0,0]`` and ``W[1,0]``, the guide's SVM's a and
b); :func:`loss_surface` evaluates the training loss (data plus
regularization, as :meth:`Trainer.evaluate` reports it) on a size×size grid of
their values with every other parameter at its current value. The grid's
centre is the current point, so the map there equals the trainer's loss (tested).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .losses import Loss
from .models import ModelSpec, loss_value, weight_names

__all__ = ["ParameterRef", "parameter_refs", "parse_ref", "default_pair", "flatten", "window_around",
           "LossSurface", "loss_surface"]  # fmt: skip

_REF = re.compile(r"^([A-Za-z]+\d*)\[(\d+(?:,\d+)*)\]$")


@dataclass(frozen=True)
class ParameterRef:
    """One scalar parameter: a tensor's name and an index into it (``W1[0,2]``)."""

    name: str
    index: tuple[int, ...]

    @property
    def label(self) -> str:
        return f"{self.name}[{','.join(map(str, self.index))}]"

    def offset(self, spec: ModelSpec) -> int:
        """Its position in :func:`flatten`'s vector (the parameters in layer order, each row-major)."""
        position = 0
        for name, shape in spec.shapes().items():
            if name == self.name:
                flat = 0
                for i, size in zip(self.index, shape, strict=True):
                    flat = flat * size + i
                return position + flat
            position += math.prod(shape)
        raise KeyError(self.name)


def parameter_refs(spec: ModelSpec) -> list[ParameterRef]:
    """Every scalar parameter of the model, in :func:`flatten`'s order."""
    refs = []
    for name, shape in spec.shapes().items():
        for flat in range(math.prod(shape)):
            index, rest = [], flat
            for size in reversed(shape):
                index.append(rest % size)
                rest //= size
            refs.append(ParameterRef(name, tuple(reversed(index))))
    return refs


def parse_ref(text: str, spec: ModelSpec) -> ParameterRef:
    """``W1[0,2]`` as a ParameterRef of this model; ValueError naming what is allowed otherwise."""
    match = _REF.match(text.replace(" ", ""))
    ref = ParameterRef(match.group(1), tuple(int(i) for i in match.group(2).split(","))) if match else None
    if ref is None or ref not in parameter_refs(spec):
        names = ", ".join(f"{n}{list(s)}" for n, s in spec.shapes().items())
        raise ValueError(f"{text!r} is not a parameter of this model: its parameters are {names}")
    return ref


def flatten(params: Mapping[str, Tensor], spec: ModelSpec) -> Tensor:
    """All parameters as one float64 vector, in layer order, each row-major."""
    return torch.cat([params[name].detach().reshape(-1).to(torch.float64) for name in spec.shapes()])


def default_pair(spec: ModelSpec, grads: Mapping[str, Tensor] | None = None) -> tuple[ParameterRef, ParameterRef]:
    """The pair the view starts with: a one-score linear model's first two weights (the guide's SVM's a and b);
    otherwise the two weights with the largest |gradient| (the first two weights without a gradient)."""
    weights = [ref for ref in parameter_refs(spec) if ref.name in weight_names(spec)]
    if spec.depth == 0 or grads is None or len(weights) < 2:
        refs = weights if len(weights) >= 2 else parameter_refs(spec)
        return refs[0], refs[1]
    size = torch.stack([grads[ref.name][ref.index].abs() for ref in weights])
    first, second = torch.topk(size, 2).indices.tolist()
    return weights[first], weights[second]


def window_around(centre: Sequence[float], path: Tensor | None = None, least: float = 0.5) -> tuple[float, float]:
    """Half-widths (along a, along b) of a window centred on ``centre`` that holds the ``path`` (P, 2) with room.

    At least ``least``, and at least half the parameter's own size, so the view shows where the spring pulls.
    """
    halves = []
    for k in range(2):
        half = max(least, 0.5 * abs(centre[k]))
        if path is not None and len(path):
            half = max(half, 1.2 * float((path[:, k] - centre[k]).abs().max()))
        halves.append(half)
    return halves[0], halves[1]


@dataclass(frozen=True)
class LossSurface:
    """The training loss on a grid of two parameters' values; row i is ``ys[i]``, column j ``xs[j]``."""

    pair: tuple[ParameterRef, ParameterRef]
    centre: tuple[float, float]
    xs: Tensor  # (S,)
    ys: Tensor  # (S,)
    loss: Tensor  # (S, S)


def loss_surface(
    params: Mapping[str, Tensor],
    spec: ModelSpec,
    loss: Loss,
    X: Tensor,
    targets: Tensor,
    reg: float,
    reg_kind: str,
    pair: tuple[ParameterRef, ParameterRef],
    halves: tuple[float, float],
    size: int = 31,
) -> LossSurface:
    """Data loss + regularization on inputs X (N, D) over a size×size grid (size odd: the centre is a node).

    The grid spans ``centre ± halves`` in each of the two parameters; every
    other parameter keeps its value in ``params``, which are not changed.
    """
    if size < 3 or size % 2 == 0:
        raise ValueError(f"size must be an odd number >= 3, got {size}")
    a, b = pair
    trial = {name: p.detach().clone().to(torch.float64) for name, p in params.items()}
    centre = (trial[a.name][a.index].item(), trial[b.name][b.index].item())
    xs = torch.linspace(centre[0] - halves[0], centre[0] + halves[0], size, dtype=torch.float64)
    ys = torch.linspace(centre[1] - halves[1], centre[1] + halves[1], size, dtype=torch.float64)
    xs[size // 2], ys[size // 2] = centre  # exactly the current values, not linspace's rounding of them
    surface = torch.empty(size, size, dtype=torch.float64)
    for i, y in enumerate(ys.tolist()):
        trial[b.name][b.index] = y
        for j, x in enumerate(xs.tolist()):
            trial[a.name][a.index] = x
            data, reg_loss = loss_value(trial, spec, loss, X, targets, reg, reg_kind)
            surface[i, j] = data.item() + float(reg_loss)
    return LossSurface(pair, centre, xs, ys, surface)
