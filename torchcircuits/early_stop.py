"""Early stopping: watch the test (validation) loss at each record, remember the best parameters.

:class:`EarlyStopping` is the bookkeeping only: the trainer calls
:meth:`EarlyStopping.observe` after each record and, when it says stop,
restores :attr:`EarlyStopping.best_params`. A record improves on the best when
its test loss is strictly lower; after ``patience`` records in a row without
an improvement training stops.
"""

from __future__ import annotations

from collections.abc import Mapping

from torch import Tensor

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """The best test loss so far, at which step, its parameters, and how long since it improved."""

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.best_loss = float("inf")
        self.best_step: int | None = None
        self.best_params: dict[str, Tensor] | None = None
        self.records_since_best = 0
        #: the step at which training stopped (None while it runs on)
        self.stopped_at: int | None = None

    def observe(self, step: int, test_loss: float, params: Mapping[str, Tensor]) -> bool:
        """Record one evaluation; True when training should stop (``patience`` records without improvement)."""
        if test_loss < self.best_loss:  # a nan loss never improves
            self.best_loss, self.best_step = test_loss, step
            self.best_params = {name: p.detach().clone() for name, p in params.items()}
            self.records_since_best = 0
            return False
        self.records_since_best += 1
        if self.records_since_best >= self.patience:
            self.stopped_at = step
            return True
        return False

    def to_json(self) -> dict:
        """What the run's JSON reports: the patience, where it stopped (or null) and which step's parameters won."""
        return {
            "patience": self.patience,
            "stopped_at_step": self.stopped_at,
            "best_step": self.best_step,
            "best_test_loss": self.best_loss if self.best_step is not None else None,
            "restored": self.stopped_at is not None,
        }
