"""Tensors to and from JSON: nested lists checked for shape, type and finiteness."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .errors import InputError

__all__ = ["from_json_list"]


def _flatten(value: object, what: str, depth: int = 0) -> tuple[list, tuple[int, ...]]:
    if isinstance(value, bool):
        raise InputError(f"{what} holds {value!r} where a number belongs")
    if isinstance(value, (int, float)):
        return [value], ()
    if not isinstance(value, list):
        raise InputError(f"{what} must be a list of numbers, got {type(value).__name__}")
    if depth > 3:
        raise InputError(f"{what} is nested deeper than a matrix")
    flat: list = []
    shapes = set()
    for item in value:
        values, shape = _flatten(item, what, depth + 1)
        flat += values
        shapes.add(shape)
    if len(shapes) > 1:
        raise InputError(f"{what} is ragged: its rows differ in length")
    return flat, (len(value), *(shapes.pop() if shapes else ()))


def from_json_list(
    value: object, shape: tuple[int, ...] | None, what: str, dtype: torch.dtype = torch.float64
) -> Tensor:
    """A tensor from nested JSON lists; InputError naming ``what`` on a wrong type, shape or a non-finite entry.

    ``shape=None`` accepts any shape. Integer dtypes take whole numbers in their range only.
    """
    flat, found = _flatten(value, what)
    if shape is not None and found != tuple(shape):
        raise InputError(f"{what} has shape {found}, expected {tuple(shape)}")
    if dtype.is_floating_point:
        if not all(math.isfinite(v) for v in flat):
            raise InputError(f"{what} holds a number that is not finite")
    else:
        info = torch.iinfo(dtype)
        if not all(isinstance(v, int) and info.min <= v <= info.max for v in flat):
            raise InputError(f"{what} must hold whole numbers from {info.min} to {info.max}")
    return torch.tensor(flat, dtype=dtype).reshape(found)
