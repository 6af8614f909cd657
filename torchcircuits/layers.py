"""Vectorized layers with hand-written backward passes on torch tensors, no autograd.

Each ``*_forward`` returns ``(out, cache)`` and the matching ``*_backward``
takes ``(dout, cache)``: the cache holds what the backward pass needs, as in
cs231n's layer API. Shapes: X (N, D), W (D, M), b (M,), out (N, M); an
activation keeps its input's shape.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = [
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "leaky_relu_forward",
    "leaky_relu_backward",
    "tanh_forward",
    "tanh_backward",
    "sigmoid_forward",
    "sigmoid_backward",
    "linear_forward",
    "linear_backward",
    "LEAKY_SLOPE",
]

#: the leaky ReLU's slope for negative inputs (torch's default)
LEAKY_SLOPE = 0.01


def affine_forward(X: Tensor, W: Tensor, b: Tensor) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """X @ W + b: (N, D) @ (D, M) + (M,) -> (N, M)."""
    return X @ W + b, (X, W)


def affine_backward(
    dout: Tensor, cache: tuple[Tensor, Tensor], need_dx: bool = True
) -> tuple[Tensor | None, Tensor, Tensor]:
    """(dX (N, D), dW (D, M), db (M,)) from dout (N, M); dX is None when ``need_dx`` is False (the data layer)."""
    X, W = cache
    dX = dout @ W.T if need_dx else None
    dW = X.T @ dout
    db = dout.sum(dim=0)
    return dX, dW, db


def relu_forward(X: Tensor) -> tuple[Tensor, Tensor]:
    return torch.relu(X), X


def relu_backward(dout: Tensor, cache: Tensor) -> Tensor:
    """dout where the input was > 0, else 0 (none at exactly 0, as the guide's ReLU and torch.relu).

    That is ``dout * (cache > 0)``; torch's fused ``threshold_backward`` kernel
    computes it in one pass, where the bool mask and multiply take three
    (tested equal in tests/test_layers.py).
    """
    return torch.ops.aten.threshold_backward(dout, cache, 0.0)


def leaky_relu_forward(X: Tensor) -> tuple[Tensor, Tensor]:
    return torch.where(X > 0, X, LEAKY_SLOPE * X), X


def leaky_relu_backward(dout: Tensor, cache: Tensor) -> Tensor:
    """dout where the input was > 0, else slope · dout (the slope at exactly 0, as torch)."""
    return torch.where(cache > 0, dout, LEAKY_SLOPE * dout)


def tanh_forward(X: Tensor) -> tuple[Tensor, Tensor]:
    out = torch.tanh(X)
    return out, out


def tanh_backward(dout: Tensor, cache: Tensor) -> Tensor:
    """d tanh(x)/dx = 1 - tanh(x)²."""
    return dout * (1.0 - cache * cache)


def sigmoid_forward(X: Tensor) -> tuple[Tensor, Tensor]:
    out = torch.sigmoid(X)
    return out, out


def sigmoid_backward(dout: Tensor, cache: Tensor) -> Tensor:
    """dσ(x)/dx = σ(x)(1 - σ(x))."""
    return dout * cache * (1.0 - cache)


def linear_forward(X: Tensor) -> tuple[Tensor, None]:
    return X, None


def linear_backward(dout: Tensor, cache: None) -> Tensor:
    """The identity passes the gradient unchanged."""
    return dout
