"""Confusion matrix, per-class precision/recall/F1 and balanced accuracy on counts worked out by hand."""

import pytest
import torch

from torchcircuits.metrics import class_report, confusion_matrix, is_unbalanced


def test_confusion_matrix_rows_are_true_classes():
    labels = torch.tensor([0, 0, 0, 1, 1, 2])
    predicted = torch.tensor([0, 1, 0, 1, 2, 2])
    assert confusion_matrix(predicted, labels, 3).tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_report_on_a_majority_voter():
    # 9 points of class 0, 1 of class 1, and a model that always says 0: 90% accurate, 50% balanced
    labels = torch.tensor([0] * 9 + [1])
    predicted = torch.zeros(10, dtype=torch.int64)
    report = class_report(predicted, labels, 2)
    assert report.confusion == [[9, 0], [1, 0]]
    assert report.recall == [1.0, 0.0]
    assert report.precision == [0.9, None]  # nothing predicted as class 1: precision undefined
    assert report.f1[0] == pytest.approx(2 * 0.9 / 1.9) and report.f1[1] is None
    assert report.balanced_accuracy == 0.5
    assert report.per_class()[1] == {"class": 1, "precision": None, "recall": 0.0, "f1": None, "support": 1}


def test_f1_and_balanced_accuracy_by_hand():
    labels = torch.tensor([0, 0, 0, 1, 1, 2])
    predicted = torch.tensor([0, 1, 0, 1, 2, 2])
    report = class_report(predicted, labels, 3)
    assert report.precision == [1.0, 0.5, 0.5]
    assert report.recall == pytest.approx([2 / 3, 0.5, 1.0])
    assert report.f1 == pytest.approx([0.8, 0.5, 2 / 3])
    assert report.balanced_accuracy == pytest.approx((2 / 3 + 0.5 + 1.0) / 3)
    assert report.support == [3, 2, 1]


def test_unbalanced_means_the_smallest_class_below_80_percent_of_the_largest():
    assert not is_unbalanced(torch.tensor([0] * 82 + [1] * 78), 2)
    assert is_unbalanced(torch.tensor([0] * 100 + [1] * 10), 2)
