"""The Doctor tab: ``torchcircuits doctor`` on the current settings, in a worker process.

Each check's line appears as it finishes (the library's :func:`~torchcircuits.doctor.run_doctor`
reports them one by one), coloured by its verdict: PASS green, WARN amber, FAIL
red, SKIP grey; the tally follows when all are done.
"""

from __future__ import annotations

from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from torchcircuits.doctor import DOCTOR_STEPS, DoctorCheck, counts, run_doctor

from .background import BackgroundJob
from .controller import TrainingController
from .help import in_app_words
from .run_bar import RunBar

__all__ = ["DoctorPanel", "STATUS_COLOURS", "doctor_job"]

STATUS_COLOURS = {"PASS": "#1a7f37", "WARN": "#b36b00", "FAIL": "#c00000", "SKIP": "#777777"}


def doctor_job(settings, report) -> list[DoctorCheck]:
    """The worker's work: every check, each reported as it is done."""
    return run_doctor(settings, DOCTOR_STEPS, on_check=report)


class DoctorPanel(QWidget):
    """Run doctor, Cancel, and the checks' lines."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.run_bar = RunBar(controller)
        self.run = QPushButton("Run doctor")
        self.run.setToolTip("Check the current settings the way cs231n advises before a long run: the loss at the "
                            "start, the gradients against numerical ones, overfitting a tiny subset, ...")  # fmt: skip
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop the checks now")
        self.lines = QListWidget()
        self.tally = QLabel()
        self.tally.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.run)
        row.addWidget(self.cancel)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_bar)
        layout.addLayout(row)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.tally)
        self.job = BackgroundJob(self)
        self.job.sigNews.connect(lambda news: self.add_check(news[0]))
        self.job.sigDone.connect(self.show_done)
        self.job.sigFailed.connect(self._failed)
        self.run.clicked.connect(self.start)
        self.cancel.clicked.connect(self.stop)
        self.cancel.setEnabled(False)

    def redraw(self) -> None:
        self.run_bar.show_counter()

    def start(self) -> None:
        self.lines.clear()
        self.tally.setText(f"checking in the background (training checks take {DOCTOR_STEPS} steps)…")
        self.run.setEnabled(False)
        self.cancel.setEnabled(True)
        self.job.start(doctor_job, (self.controller.settings,))

    def stop(self) -> None:
        self.job.cancel()
        self.run.setEnabled(True)
        self.cancel.setEnabled(False)
        self.tally.setText("doctor cancelled")

    def add_check(self, check: DoctorCheck) -> None:
        item = QListWidgetItem(in_app_words(f"{check.status:<4}  {check.name}: {check.summary}"))
        item.setForeground(QColor(STATUS_COLOURS.get(check.status, "#000000")))
        self.lines.addItem(item)

    def show_done(self, checks: list[DoctorCheck]) -> None:
        self.run.setEnabled(True)
        self.cancel.setEnabled(False)
        tally = counts(checks)
        self.tally.setText(f"{len(checks)} checks: " + ", ".join(f"{n} {s}" for s, n in tally.items() if n))

    def _failed(self, line: str) -> None:
        self.run.setEnabled(True)
        self.cancel.setEnabled(False)
        self.tally.setText(in_app_words(line))
        self.controller.sigMessage.emit("error", line)
