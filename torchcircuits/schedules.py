"""INTERIM (replaced by the optim branch)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Schedule", "parse_schedule", "SCHEDULES"]
SCHEDULES = ("constant",)


@dataclass(frozen=True)
class Schedule:
    text: str = "constant"

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr


def parse_schedule(text: str) -> Schedule:
    return Schedule(text)
