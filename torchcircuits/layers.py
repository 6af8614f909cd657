"""Vectorized layers with hand-written backward passes on torch tensors, no autograd.

Each ``*_forward`` returns ``(out, cache)`` and the matching ``*_backward``
takes ``(dout, cache)``: the cache holds what the backward pass needs, as in
cs231n's layer API. Shapes: X (N, D), W (D, M), b (M,), out (N, M).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from .errors import unknown_name

__all__ = [
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "tanh_forward",
    "tanh_backward",
    "sigmoid_forward",
    "sigmoid_backward",
    "ACTIVATIONS",
    "activation_pair",
]


def affine_forward(X: Tensor, W: Tensor, b: Tensor) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """X @ W + b: (N, D) @ (D, M) + (M,) -> (N, M)."""
    return X @ W + b, (X, W)


def affine_backward(
    dout: Tensor, cache: tuple[Tensor, Tensor], need_dx: bool = True
) -> tuple[Tensor | None, Tensor, Tensor]:
    """(dX, dW, db) from dout (N, M); dX is None when ``need_dx`` is False (the data layer)."""
    X, W = cache
    return (dout @ W.T if need_dx else None), X.T @ dout, dout.sum(dim=0)


def relu_forward(X: Tensor) -> tuple[Tensor, Tensor]:
    return torch.relu(X), X


def relu_backward(dout: Tensor, cache: Tensor) -> Tensor:
    """dout where the input was > 0, else 0 (none at exactly 0, as the guide's ReLU and torch.relu).

    That is ``dout * (cache > 0)``; torch's fused ``threshold_backward`` kernel
    computes it in one pass, where the bool mask and multiply take three.
    """
    return torch.ops.aten.threshold_backward(dout, cache, 0.0)


def tanh_forward(X: Tensor) -> tuple[Tensor, Tensor]:
    out = torch.tanh(X)
    return out, out


def tanh_backward(dout: Tensor, cache: Tensor) -> Tensor:
    return dout * (1.0 - cache * cache)


def sigmoid_forward(X: Tensor) -> tuple[Tensor, Tensor]:
    out = torch.sigmoid(X)
    return out, out


def sigmoid_backward(dout: Tensor, cache: Tensor) -> Tensor:
    return dout * cache * (1.0 - cache)


Forward = Callable[[Tensor], tuple[Tensor, Tensor]]
Backward = Callable[[Tensor, Tensor], Tensor]

ACTIVATIONS: dict[str, tuple[Forward, Backward]] = {
    "relu": (relu_forward, relu_backward),
    "tanh": (tanh_forward, tanh_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
}


def activation_pair(name: str) -> tuple[Forward, Backward]:
    """The (forward, backward) pair of a hidden-layer activation by name."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise unknown_name("activation", name, ACTIVATIONS) from None
