"""Strict JSON: what ``--json`` prints, readable by any standard parser.

Python's ``json`` writes ``Infinity`` and ``NaN``, which JSON does not have
(strict parsers, ``jq`` and browsers reject them). Here a non-finite number
becomes ``null``, and the record that held it gets a ``non_finite`` field
saying which value it was: ``{"output": null, "non_finite": {"output": "inf"}}``.
Paths into nested values are dotted (``"grad_hand.a"``, ``"history.3.loss"``).
A record is a top-level object, or an object directly inside a top-level array.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["strict_value", "dumps_strict", "NON_FINITE_FIELD"]

NON_FINITE_FIELD = "non_finite"


def _name(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _clean(value: Any, path: str, found: dict[str, str]) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        found[path] = _name(value)
        return None
    if isinstance(value, dict):
        return {key: _clean(item, f"{path}.{key}" if path else str(key), found) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item, f"{path}.{i}" if path else str(i), found) for i, item in enumerate(value)]
    return value


def _record(value: dict) -> dict:
    found: dict[str, str] = {}
    cleaned = _clean(value, "", found)
    if found:
        cleaned[NON_FINITE_FIELD] = found
    return cleaned


def strict_value(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None and reported in its record's ``non_finite``."""
    if isinstance(value, dict):
        return _record(value)
    if isinstance(value, (list, tuple)):
        return [_record(item) if isinstance(item, dict) else _clean(item, str(i), {}) for i, item in enumerate(value)]
    return _clean(value, "", {})


def dumps_strict(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` of :func:`strict_value`; ``allow_nan=False`` makes a missed non-finite number an error."""
    return json.dumps(strict_value(value), allow_nan=False, **kwargs)
