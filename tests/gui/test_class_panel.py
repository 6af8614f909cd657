"""The Classes tab: the confusion matrix and per-class metrics follow training, balanced accuracy on unbalanced sets."""

from dataclasses import replace

import torch

from torchcircuits.metrics import class_report
from torchcircuits_gui.class_panel import summary_line


def _show_classes(window):
    window.tabs.setCurrentWidget(window.classes_tab)
    window.redraw()
    return window.classes_tab


def _matrix(panel):
    m = panel.matrix
    return [[int(m.item(i, j).text()) for j in range(m.columnCount())] for i in range(m.rowCount())]


def test_the_matrix_is_the_librarys_on_the_test_set_and_follows_training(window):
    c = window.controller
    c.choose(dataset="spiral", model="net")
    panel = _show_classes(window)
    trainer = c.trainer
    expected = class_report(trainer.predict(c.test.X), c.test.labels, 3)
    assert _matrix(panel) == expected.confusion and sum(map(sum, expected.confusion)) == len(c.test)
    before = _matrix(panel)
    c.run_steps(100)
    window.redraw()
    after = _matrix(panel)
    assert after != before  # live: 100 steps of the spiral net move points between cells
    assert after == class_report(trainer.predict(c.test.X), c.test.labels, 3).confusion
    assert sum(after[k][k] for k in range(3)) > sum(before[k][k] for k in range(3))  # training puts them right
    recall = panel.per_class.item(0, 1).text()
    assert recall == f"{100 * after[0][0] / sum(after[0]):.1f}%"


def test_unbalanced_blobs_show_the_balanced_accuracy_beside_the_accuracy(window):
    c = window.controller
    c.choose(dataset="blobs", model="net")
    c.apply_data(replace(c.settings.data, classes=3, imbalance=0.1))
    panel = _show_classes(window)
    assert panel.matrix.rowCount() == 3
    assert "balanced accuracy" in panel.summary.text() and "accuracy" in panel.summary.text()
    c.apply_data(replace(c.settings.data, imbalance=1.0, test_ratio=0.5))
    window.redraw()
    assert "accuracy" in panel.summary.text() and "balanced" not in panel.summary.text()


def test_balanced_accuracy_is_the_mean_recall_when_one_class_is_always_missed():
    # 9 points of class 0 found, 1 point of class 1 missed: 90% accuracy, 50% balanced
    report = class_report(torch.zeros(10, dtype=torch.int64), torch.tensor([0] * 9 + [1]), 2)
    line = summary_line(report, "test")
    assert "accuracy 90.0%" in line and "balanced accuracy 50.0%" in line and "9:1" in line


def test_without_a_test_set_the_report_is_on_the_training_set(window):
    panel = _show_classes(window)  # the guide's 6 points: no test set
    assert "training set (6 points)" in panel.summary.text() and panel.matrix.rowCount() == 2
    assert window.about_text().startswith("<b>Classes</b>")


def test_a_regression_set_gets_a_line_not_empty_tables(window):
    c = window.controller
    c.choose(dataset="sine", model="net")
    panel = _show_classes(window)
    assert "not classifying" in panel.summary.text()
    assert not panel.matrix.isVisibleTo(panel) and not panel.per_class.isVisibleTo(panel)
    c.choose(dataset="moons")
    window.redraw()
    assert panel.matrix.isVisibleTo(panel) and panel.matrix.rowCount() == 2
