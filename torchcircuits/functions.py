"""The guide's three plain gates as ``torch.autograd.Function`` s.

Each forward is the gate's forward on tensors (elementwise, with broadcasting)
and each backward is the hand-derived local derivative times ``grad_output``,
exactly the gate's ``backward`` in :mod:`torchcircuits.units`. They plug into
any torch graph and pass ``torch.autograd.gradcheck`` in float64.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

__all__ = [
    "MultiplyFunction",
    "AddFunction",
    "SigmoidFunction",
    "multiply",
    "add",
    "sigmoid",
]


def _unbroadcast(grad: Tensor, shape: torch.Size) -> Tensor:
    """Sum ``grad`` over the dimensions that broadcasting added to ``shape``."""
    while grad.dim() > len(shape):
        grad = grad.sum(dim=0)
    for dim, size in enumerate(shape):
        if size == 1 and grad.shape[dim] != 1:
            grad = grad.sum(dim=dim, keepdim=True)
    return grad


class MultiplyFunction(torch.autograd.Function):
    """x * y; backward: dx = y * dout, dy = x * dout."""

    @staticmethod
    def forward(x: Tensor, y: Tensor) -> Tensor:
        return x * y

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor, Tensor], output: Tensor) -> None:
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, Tensor]:
        x, y = ctx.saved_tensors
        return (
            _unbroadcast(y * grad_output, x.shape),
            _unbroadcast(x * grad_output, y.shape),
        )


class AddFunction(torch.autograd.Function):
    """x + y; backward: the gradient passes to both inputs unchanged."""

    @staticmethod
    def forward(x: Tensor, y: Tensor) -> Tensor:
        return x + y

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor, Tensor], output: Tensor) -> None:
        ctx.shapes = (inputs[0].shape, inputs[1].shape)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, Tensor]:
        x_shape, y_shape = ctx.shapes
        return _unbroadcast(grad_output, x_shape), _unbroadcast(grad_output, y_shape)


class SigmoidFunction(torch.autograd.Function):
    """1 / (1 + e^-x); backward: dx = s * (1 - s) * dout, from the saved output s."""

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        return torch.sigmoid(x)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor], output: Tensor) -> None:
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        (s,) = ctx.saved_tensors
        return s * (1.0 - s) * grad_output


multiply = MultiplyFunction.apply
add = AddFunction.apply
sigmoid = SigmoidFunction.apply
