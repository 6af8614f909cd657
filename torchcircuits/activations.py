"""The hidden-layer activations: one registry entry each, holding all its faces.

An :class:`Activation` carries the vectorized pair from :mod:`torchcircuits.layers`
(forward with a cache, hand-written backward), the torch function autograd
differentiates, and the :class:`~torchcircuits.units.Unit` method that builds it
from gates. Adding an activation is one entry in :data:`ACTIVATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from . import layers
from .errors import unknown_name
from .units import Unit

__all__ = ["Activation", "ACTIVATIONS", "get_activation"]


@dataclass(frozen=True)
class Activation:
    """One nonlinearity on its faces; ``forward``/``backward`` work on (N, H) tensors."""

    name: str
    forward: Callable[[Tensor], tuple[Tensor, object]]
    backward: Callable[[Tensor, Any], Tensor]  # the cache is whatever its forward returned
    torch: Callable[[Tensor], Tensor]
    unit: Callable[[Unit], Unit]
    #: the function applied in place where no backward pass follows (a plot's grid)
    in_place: Callable[[Tensor], Tensor]
    description: str


def _identity(x):
    return x


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("relu", layers.relu_forward, layers.relu_backward, torch.relu, Unit.relu, torch.relu_,
                   "max(0, x)"),
        Activation("leaky_relu", layers.leaky_relu_forward, layers.leaky_relu_backward,
                   lambda x: F.leaky_relu(x, layers.LEAKY_SLOPE), lambda u: u.leaky_relu(layers.LEAKY_SLOPE),
                   lambda x: F.leaky_relu_(x, layers.LEAKY_SLOPE), f"x if x > 0 else {layers.LEAKY_SLOPE} x"),
        Activation("tanh", layers.tanh_forward, layers.tanh_backward, torch.tanh, Unit.tanh, torch.tanh_, "tanh(x)"),
        Activation("sigmoid", layers.sigmoid_forward, layers.sigmoid_backward, torch.sigmoid, Unit.sigmoid,
                   torch.sigmoid_, "1 / (1 + exp(-x))"),
        Activation("linear", layers.linear_forward, layers.linear_backward, _identity, _identity, _identity,
                   "x (no nonlinearity)"),
    )
}  # fmt: skip


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise unknown_name("activation", name, ACTIVATIONS) from None
