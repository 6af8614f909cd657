"""Classification metrics beyond accuracy: the confusion matrix, per-class precision, recall and F1, balanced accuracy.

Pure functions of predicted and true class indices; the trainer reports them
for every classification run (on the test set, or the training set without
one). On unbalanced data accuracy flatters a model that always answers the
majority class; balanced accuracy (the mean of the per-class recalls) does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = ["ClassReport", "confusion_matrix", "class_report", "is_unbalanced", "UNBALANCED_BELOW"]


def confusion_matrix(predicted: Tensor, labels: Tensor, num_classes: int) -> Tensor:
    """Counts (K, K) int64: row = true class, column = predicted class, from index tensors (N,) in 0..K-1."""
    flat = labels.to(torch.int64) * num_classes + predicted.to(torch.int64)
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class ClassReport:
    """The confusion matrix and what it says per class; None where a ratio has no denominator."""

    #: (K, K) counts, row = true class, column = predicted
    confusion: list[list[int]]
    #: of the points predicted as class k, the share that are k (None: nothing predicted as k)
    precision: list[float | None]
    #: of the points of class k, the share predicted as k (None: no point of class k)
    recall: list[float | None]
    #: harmonic mean of precision and recall (None when either is None; 0 when both are 0)
    f1: list[float | None]
    #: points of each class
    support: list[int]
    #: mean recall over the classes present
    balanced_accuracy: float | None

    def per_class(self) -> list[dict]:
        """One JSON-ready dict per class: class, precision, recall, f1, support."""
        return [
            {"class": k, "precision": p, "recall": r, "f1": f, "support": n}
            for k, (p, r, f, n) in enumerate(zip(self.precision, self.recall, self.f1, self.support, strict=True))
        ]


def class_report(predicted: Tensor, labels: Tensor, num_classes: int) -> ClassReport:
    """Confusion matrix, per-class precision/recall/F1 and balanced accuracy of predictions (N,) against labels (N,)."""
    matrix = confusion_matrix(predicted, labels, num_classes)
    counts = matrix.tolist()
    support = matrix.sum(dim=1).tolist()
    predicted_as = matrix.sum(dim=0).tolist()
    precision = [_ratio(counts[k][k], predicted_as[k]) for k in range(num_classes)]
    recall = [_ratio(counts[k][k], support[k]) for k in range(num_classes)]
    f1: list[float | None] = []
    for p, r in zip(precision, recall, strict=True):
        if p is None or r is None:
            f1.append(None)
        else:
            f1.append(2 * p * r / (p + r) if p + r > 0 else 0.0)
    present = [r for r in recall if r is not None]
    balanced = sum(present) / len(present) if present else None
    return ClassReport(counts, precision, recall, f1, support, balanced)


#: a set whose smallest class has fewer than this share of the largest's points counts as unbalanced
UNBALANCED_BELOW = 0.8


def is_unbalanced(labels: Tensor, num_classes: int) -> bool:
    """True when the smallest class has fewer than :data:`UNBALANCED_BELOW` times the points of the largest.

    A random split of a balanced set stays above it (100/100 split 80/20 gives about 80 ± 6 per class).
    """
    counts = torch.bincount(labels.to(torch.int64), minlength=num_classes)
    return int(counts.min()) < UNBALANCED_BELOW * int(counts.max())
