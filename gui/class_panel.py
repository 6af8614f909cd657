"""The Classes tab: the confusion matrix and per-class precision and recall, live (cs231n's and sklearn's report).

It draws the controller's :meth:`~TrainingController.class_report` (the
library's :func:`torchcircuits.metrics.class_report` on the test set, else the
training set). A cell's shade is its share of its row (the true class), so a
class with few points is as readable as a large one. When the classes are
unbalanced (largest / smallest class above :data:`UNBALANCED_AT`) the line above
the tables puts the balanced accuracy (mean recall) beside the accuracy: on a
10:1 set, predicting the large class everywhere scores 91% accuracy but 50%
balanced accuracy.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from torchcircuits.metrics import ClassReport

from .boundary import CLASS_COLOURS
from .controller import TrainingController
from .run_bar import RunBar

__all__ = ["ClassPanel", "UNBALANCED_AT", "summary_line"]

#: largest class / smallest class past which the classes count as unbalanced
UNBALANCED_AT = 1.5


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def summary_line(report: ClassReport, on: str) -> str:
    """Accuracy, and the balanced accuracy beside it when the classes are unbalanced."""
    total = sum(report.support)
    correct = sum(report.confusion[k][k] for k in range(len(report.support)))
    line = f"on the {on} set ({total} points): accuracy {_share(correct / total if total else None)}"
    present = [n for n in report.support if n]
    if present and max(present) / min(present) > UNBALANCED_AT:
        line += (f", balanced accuracy {_share(report.balanced_accuracy)} (the classes are unbalanced, "
                 f"{max(present)}:{min(present)}: the mean of the recalls weighs each class alike)")  # fmt: skip
    return line


class ClassPanel(QWidget):
    """A run bar, the summary line, the confusion matrix and the per-class table."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.run_bar = RunBar(controller)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.matrix = QTableWidget()
        self.matrix.setToolTip("Row: the true class; column: the class the model predicts. The diagonal is right; "
                               "a cell's shade is its share of the row")  # fmt: skip
        self.per_class = QTableWidget()
        self.per_class.setToolTip("Precision: of the points predicted as the class, the share that are it. Recall: "
                                  "of the class's points, the share predicted as it. — : nothing to divide by")
        for table in (self.matrix, self.per_class):
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        tables = QHBoxLayout()
        tables.addWidget(self.matrix, 3)
        tables.addWidget(self.per_class, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_bar)
        layout.addWidget(self.summary)
        layout.addLayout(tables, 1)
        self._key: object = None

    def redraw(self) -> None:
        """Draw the controller's class report (say why when there is none)."""
        self.run_bar.show_counter()
        key = (id(self.controller.trainer), self.controller.step_count, id(self.controller.train),
               id(self.controller.test))  # fmt: skip
        if key == self._key:
            return
        self._key = key
        found = self.controller.class_report()
        for table in (self.matrix, self.per_class):  # empty tables would only fill the tab with white
            table.setVisible(found is not None)
        if found is None:
            self.summary.setText("no class report: the model is not classifying (no model, or a regression set)")
            self.matrix.setRowCount(0)
            self.per_class.setRowCount(0)
            return
        report, on = found
        self.summary.setText(f"step {self.controller.step_count}, " + summary_line(report, on))
        self._fill_matrix(report)
        self._fill_per_class(report)

    def _fill_matrix(self, report: ClassReport) -> None:
        k = len(report.support)
        self.matrix.setRowCount(k)
        self.matrix.setColumnCount(k)
        self.matrix.setHorizontalHeaderLabels([f"predicted {j}" for j in range(k)])
        self.matrix.setVerticalHeaderLabels([f"true {i}" for i in range(k)])
        for i, row in enumerate(report.confusion):
            total = sum(row)
            for j, count in enumerate(row):
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                share = count / total if total else 0.0
                r, g, b = CLASS_COLOURS[j % len(CLASS_COLOURS)] if i == j else (200, 40, 40)
                item.setBackground(QBrush(QColor(int(r), int(g), int(b), int(30 + 170 * share))))
                item.setToolTip(f"{count} point(s) of class {i} predicted as {j} ({_share(share)} of class {i})")
                self.matrix.setItem(i, j, item)
        self.matrix.resizeColumnsToContents()

    def _fill_per_class(self, report: ClassReport) -> None:
        rows = report.per_class()
        self.per_class.setRowCount(len(rows))
        self.per_class.setColumnCount(4)
        self.per_class.setHorizontalHeaderLabels(["precision", "recall", "F1", "points"])
        self.per_class.setVerticalHeaderLabels([f"class {row['class']}" for row in rows])
        for i, row in enumerate(rows):
            cells = (_share(row["precision"]), _share(row["recall"]), _share(row["f1"]), str(row["support"]))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.per_class.setItem(i, j, item)
        self.per_class.resizeColumnsToContents()
