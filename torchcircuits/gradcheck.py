"""Numerical gradients and the relative error used to compare gradients.

Two finite differences, both probing one input at a time:

* ``forward``: (f(x + h) - f(x)) / h, as in the guide; error O(h);
* ``centered``: (f(x + h) - f(x - h)) / 2h, as in cs231n; error O(h²).

In float64 with h = 1e-5 the centered difference is accurate to about 1e-10
relative on smooth functions (truncation h²·f'''/6, round-off eps·|f|/h), so
a relative error below 1e-6 against an analytic gradient means agreement.
Every function here restores whatever it tweaks, also when ``f`` raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import Tensor

from .units import Unit

__all__ = [
    "DEFAULT_H",
    "numerical_gradient",
    "one_sided_gradients",
    "numerical_gradient_units",
    "numerical_gradient_tensors",
    "one_sided_gradients_tensors",
    "rel_error",
    "max_rel_error",
    "max_abs_diff",
]

DEFAULT_H = 1e-5
_METHODS = ("centered", "forward")


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise ValueError(f"unknown difference {method!r}: choose one of {', '.join(_METHODS)}")


def numerical_gradient(
    f: Callable[[Mapping[str, float]], float],
    inputs: Mapping[str, float],
    h: float = DEFAULT_H,
    method: str = "centered",
) -> dict[str, float]:
    """d f / d input for each named input of a function of a name → float mapping.

    ``f`` is called with fresh dicts; ``inputs`` is never modified. Costs
    ``len(inputs) + 1`` evaluations (forward) or ``2 * len(inputs)`` (centered).
    """
    _check_method(method)
    point = dict(inputs)
    base = f(point) if method == "forward" else 0.0
    grads = {}
    for name, value in inputs.items():
        up = f({**point, name: value + h})
        if method == "forward":
            grads[name] = (up - base) / h
        else:
            down = f({**point, name: value - h})
            grads[name] = (up - down) / (2.0 * h)
    return grads


def one_sided_gradients(
    f: Callable[[Mapping[str, float]], float],
    inputs: Mapping[str, float],
    h: float = DEFAULT_H,
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(left, centered, right) differences of ``f`` for each named input.

    left = (f(x) - f(x - h)) / h and right = (f(x + h) - f(x)) / h are the two
    one-sided slopes; at a kink they bracket every subgradient. centered is
    exactly :func:`numerical_gradient`'s. Costs ``2 * len(inputs) + 1`` evaluations.
    """
    point = dict(inputs)
    base = f(point)
    left, centered, right = {}, {}, {}
    for name, value in inputs.items():
        up = f({**point, name: value + h})
        down = f({**point, name: value - h})
        left[name] = (base - down) / h
        centered[name] = (up - down) / (2.0 * h)
        right[name] = (up - base) / h
    return left, centered, right


def numerical_gradient_units(
    forward: Callable[[], float],
    units: Sequence[Unit],
    h: float = DEFAULT_H,
    method: str = "centered",
) -> list[float]:
    """The guide's way: nudge each Unit's value in place, re-run ``forward``, restore it."""
    _check_method(method)
    base = forward() if method == "forward" else 0.0
    grads = []
    for unit in units:
        original = unit.value
        try:
            unit.value = original + h
            up = forward()
            if method == "forward":
                grads.append((up - base) / h)
            else:
                unit.value = original - h
                grads.append((up - forward()) / (2.0 * h))
        finally:
            unit.value = original
    return grads


def numerical_gradient_tensors(
    f: Callable[[], float | Tensor],
    params: Mapping[str, Tensor],
    h: float = DEFAULT_H,
) -> dict[str, Tensor]:
    """Centered differences of a scalar ``f()`` for every element of every tensor.

    The tensors are tweaked in place (under ``torch.no_grad``) and restored.
    Cost: two evaluations per element; meant for small models in float64.
    """
    return one_sided_gradients_tensors(f, params, h)[1]


def one_sided_gradients_tensors(
    f: Callable[[], float | Tensor],
    params: Mapping[str, Tensor],
    h: float = DEFAULT_H,
    entries: Mapping[str, Sequence[int]] | None = None,
) -> tuple[dict[str, Tensor], dict[str, Tensor], dict[str, Tensor]]:
    """(left, centered, right) differences of a scalar ``f()`` for every element of every tensor.

    As :func:`one_sided_gradients`, for tensors tweaked in place (under
    ``torch.no_grad``) and restored. ``entries`` limits each named tensor to
    those flat indices (cs231n's sparse check; the others are nan). Cost: two
    evaluations per element probed, plus one.
    """
    left, centered, right = {}, {}, {}
    with torch.no_grad():
        base = float(f())
        for name, tensor in params.items():
            probed = range(tensor.numel()) if entries is None else entries[name]
            ups, downs = torch.full_like(tensor, math.nan), torch.full_like(tensor, math.nan)
            flat = tensor.view(-1)
            for i in probed:
                original = flat[i].item()
                try:
                    flat[i] = original + h
                    ups.view(-1)[i] = float(f())
                    flat[i] = original - h
                    downs.view(-1)[i] = float(f())
                finally:
                    flat[i] = original
            left[name], centered[name], right[name] = (base - downs) / h, (ups - downs) / (2.0 * h), (ups - base) / h
    return left, centered, right


def rel_error(a: float, b: float) -> float:
    """cs231n's relative error |a - b| / (|a| + |b|); 0 where both are 0.

    Finite values near the float64 limit (1e308) are halved first, so the sum
    does not overflow into a false ``inf``; an infinite value gives 0 against
    the same infinity and ``inf`` against anything else.
    """
    if math.isinf(a) or math.isinf(b):
        return 0.0 if a == b else math.inf
    denom = abs(a) + abs(b)
    if denom == 0.0:
        return 0.0
    if math.isinf(denom):  # both finite, the sum overflowed: the ratio is the same for halves
        a, b = a / 2.0, b / 2.0
        denom = abs(a) + abs(b)
    return abs(a - b) / denom


def max_rel_error(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Largest :func:`rel_error` over the names of ``a`` (``b`` must have them all)."""
    return max((rel_error(a[k], b[k]) for k in a), default=0.0)


def max_abs_diff(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Largest |a[k] - b[k]| over the names of ``a``."""
    return max((abs(a[k] - b[k]) for k in a), default=0.0)
