"""A training history of bounded memory: fixed-size float buffers that decimate as they fill.

Runs of millions of steps keep at most ``capacity`` records: when the buffer is
full, every other record is dropped and from then on only every second (then
fourth, ...) record is kept. Memory is ``capacity × columns × 8`` bytes, and
handing a column to a plot is a slice, not a list conversion.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DecimatingHistory"]


class DecimatingHistory:
    """Records of named float columns, at most ``capacity`` kept, evenly thinned."""

    def __init__(self, columns: tuple[str, ...], capacity: int = 4096) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self.columns = columns
        self.capacity = capacity
        self._data = np.full((capacity, len(columns)), np.nan, dtype=np.float64)
        self._size = 0
        self.stride = 1  # keep one record in every `stride` offered
        self._offered = 0

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def clear(self) -> None:
        self._data.fill(np.nan)
        self._size = 0
        self.stride = 1
        self._offered = 0

    def append(self, **values: float | None) -> None:
        """Offer one record; it is kept if it falls on the current stride. Missing values are NaN."""
        self._offered += 1
        if (self._offered - 1) % self.stride:
            return
        if self._size == self.capacity:
            half = self.capacity // 2
            self._data[:half] = self._data[0 : self.capacity : 2]
            self._data[half:] = np.nan
            self._size = half
            self.stride *= 2
            if (self._offered - 1) % self.stride:
                return
        row = self._data[self._size]
        for i, name in enumerate(self.columns):
            value = values.get(name)
            row[i] = np.nan if value is None else value
        self._size += 1

    def column(self, name: str) -> np.ndarray:
        """A view of one column's kept values (do not modify)."""
        return self._data[: self._size, self.columns.index(name)]

    def last(self, name: str) -> float | None:
        """The newest record's value of ``name``; None when missing, or when this history keeps no such column."""
        if not self._size or name not in self.columns:
            return None
        value = float(self._data[self._size - 1, self.columns.index(name)])
        return None if np.isnan(value) else value

    def to_json(self) -> dict:
        """The kept records and the thinning state; missing values as null (strict JSON)."""
        rows = [[None if np.isnan(v) else float(v) for v in row] for row in self._data[: self._size].tolist()]
        return {"columns": list(self.columns), "rows": rows, "stride": self.stride, "offered": self._offered}

    @classmethod
    def from_json(cls, obj: object, columns: tuple[str, ...], capacity: int = 4096) -> DecimatingHistory | None:
        """Rebuild :meth:`to_json`'s output; None when it is missing or does not fit ``columns``."""
        history = cls(columns, capacity)
        try:
            saved = list(obj["columns"])
            # a session saved with fewer columns (before RMSE and R² were recorded) reopens, the new ones empty
            if not set(saved) <= set(columns) or "step" not in saved or len(obj["rows"]) > capacity:
                return None
            rows = np.array([[np.nan if v is None else float(v) for v in row] for row in obj["rows"]], dtype=np.float64)
            if rows.size and rows.shape[1] != len(saved):
                return None
            for i, name in enumerate(saved):
                history._data[: len(rows), columns.index(name)] = rows.reshape(len(rows), len(saved))[:, i]
            history._size, history.stride, history._offered = len(rows), int(obj["stride"]), int(obj["offered"])
        except (KeyError, TypeError, ValueError):
            return None
        return history
