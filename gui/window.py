"""The main window: controls on the left, the decision boundary, the curves and readouts."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from torchcircuits.data import save_csv
from torchcircuits.errors import InputError
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.session import load_session, restore_trainer, save_session

from .boundary import BoundaryView, plot_bounds
from .circuit_view import CircuitView
from .controller import TrainingController
from .controls import ControlPanel
from .curves import CurvesView
from .image_files import save_png

__all__ = ["MainWindow"]

_HINGE_LIKE = ("hinge", "squared_hinge")
CURVE_HZ = 10


class MainWindow(QMainWindow):
    """The app's window; ``redraw()`` draws the controller's state, at most once per frame."""

    def __init__(self, settings: RunSettings | None = None, grid_size: int = 200, fps: int = 40) -> None:
        super().__init__()
        self.setWindowTitle("torchcircuits: watch SGD train")
        self.controller = TrainingController(settings, parent=self)
        self.boundary = BoundaryView(grid_size)
        self.curves = CurvesView()
        self.controls = ControlPanel(self.controller)
        self._dirty = True
        self._bounds_key: object = None
        self.last_frame_ms = 0.0
        self._curves_drawn_at = 0.0

        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(350)

        self.readout = QLabel()
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.log_scale = QCheckBox("log-scale loss")
        self.hard = QCheckBox("hard boundary")
        self.log_scale.toggled.connect(self._set_log_scale)
        self.hard.toggled.connect(self._set_hard)
        buttons = QWidget()
        grid = QGridLayout(buttons)
        grid.setContentsMargins(0, 0, 0, 0)
        actions = [
            ("Load CSV…", self.ask_load_csv), ("Save CSV…", self.ask_save_csv),
            ("Open session…", self.ask_load_session), ("Save session…", self.ask_save_session),
            ("Export PNG…", self.ask_export_png),
        ]  # fmt: skip
        for i, (title, slot) in enumerate(actions):
            button = QPushButton(title)
            button.clicked.connect(slot)
            grid.addWidget(button, i // 2, i % 2)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.curves, 1)
        right_layout.addWidget(self.readout)
        right_layout.addWidget(self.log_scale)
        right_layout.addWidget(self.hard)
        right_layout.addWidget(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self.boundary)
        splitter.addWidget(right)
        splitter.setSizes([350, 620, 430])
        splitter.setStretchFactor(1, 1)
        self.training_tab = splitter

        self.circuit_view = CircuitView(self.controller)
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, "Training")
        self.tabs.addTab(self.circuit_view, "Circuit")
        self.status = QLabel()
        self.status.setWordWrap(True)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self.resize(1440, 860)

        self.controller.sigReset.connect(self._on_reset)
        self.controller.sigStepped.connect(self._mark_dirty)
        self.controller.sigMessage.connect(self.show_message)
        self.boundary.sigPointClicked.connect(self._add_point)
        self._frame_timer = QTimer(self)
        self._frame_timer.setInterval(max(1, 1000 // fps))
        self._frame_timer.timeout.connect(self._frame)
        self._frame_timer.start()
        self._on_reset()

    # --- drawing -------------------------------------------------------------------------------
    def _mark_dirty(self) -> None:
        self._dirty = True

    def _frame(self) -> None:
        if self._dirty:
            self.redraw()

    def _on_reset(self) -> None:
        c = self.controller
        points = c.all_points()
        key = (c.settings.data, len(points) == 0)
        if key != self._bounds_key:
            self._bounds_key = key
            self.boundary.set_bounds(plot_bounds(points.X.numpy()))
        self._dirty = True
        self.redraw()

    def redraw(self, curves: bool | None = None) -> None:
        """Boundary, points, curves and readouts from the controller's current state.

        While training runs the curves are redrawn at most CURVE_HZ times a second
        (a loss curve needs no more, and painting it costs as much as the boundary);
        ``curves=True`` forces them.
        """
        start = time.perf_counter()
        self._dirty = False
        c, trainer = self.controller, self.controller.trainer
        if trainer is None:
            self.boundary.show_scores(None, margins=False)
            self.boundary.show_points(
                c.train, c.test, torch.zeros(len(c.train), dtype=torch.bool), torch.zeros(len(c.test), dtype=torch.bool)
            )
        else:
            scores = trainer.scores(self.boundary.grid())  # float32 grid: a picture needs no more
            self.boundary.show_scores(scores, margins=trainer.loss.name in _HINGE_LIKE)
            train_wrong = trainer.predict(c.train.X) != c.train.labels
            test_wrong = trainer.predict(c.test.X) != c.test.labels if len(c.test) else torch.zeros(0, dtype=bool)
            self.boundary.show_points(c.train, c.test, train_wrong, test_wrong)
        if curves is None:
            curves = not c.running or start - self._curves_drawn_at >= 1.0 / CURVE_HZ
        if curves:
            self.curves.show_history(c.history)
            self._curves_drawn_at = start
        self.readout.setText(self._readout_html())
        if self.circuit_view.follow.isChecked() and self.tabs.currentWidget() is self.circuit_view:
            self.circuit_view.refresh()
        self.last_frame_ms = (time.perf_counter() - start) * 1000.0

    def _readout_html(self) -> str:
        c = self.controller
        trainer, evaluation = c.trainer, c.last_evaluation
        if trainer is None or evaluation is None:
            return "<b>no model</b>"

        def percent(value: float | None) -> str:
            return "–" if value is None else f"{value:.1%}"

        rows = [
            f"<b>step</b> {trainer.step_count:,} &nbsp; <b>steps/s</b> {c.steps_per_second:,.0f}"
            f" &nbsp; <b>{trainer.config.model}</b> / {trainer.loss.name}",
            f"<b>loss</b> {evaluation.train_loss:.4g} (data {evaluation.train_data_loss:.4g} + reg "
            f"{evaluation.reg_loss:.4g}) &nbsp; <b>test loss</b> "
            + ("–" if evaluation.test_loss is None else f"{evaluation.test_loss:.4g}"),
            f"<b>train accuracy</b> {percent(evaluation.train_accuracy)} &nbsp; <b>test accuracy</b> "
            f"{percent(evaluation.test_accuracy)}",
        ]
        if c.last_stats is not None:
            rows.append(f"<b>gradient norm</b> {c.last_stats.grad_norm:.3g}")
        if trainer.config.compare:
            diff = "–" if c.max_grad_diff is None else f"{c.max_grad_diff:.1e}"
            rows.append(f"<b>max |hand − torch|</b> {diff}")
        return "<br>".join(rows)

    def show_message(self, level: str, text: str) -> None:
        colour = "#b00000" if level == "error" else "#205020"
        self.status.setText(f'<span style="color:{colour}">{"⚠ " if level == "error" else ""}{text}</span>')
        self.status.setProperty("level", level)

    # --- view options -----------------------------------------------------------------------
    def _set_log_scale(self, on: bool) -> None:
        self.curves.set_log_scale(on)
        self._dirty = True

    def _set_hard(self, on: bool) -> None:
        self.boundary.hard = on
        self._dirty = True

    def view_options(self) -> dict:
        return {"log_scale": self.log_scale.isChecked(), "hard_boundary": self.hard.isChecked()}

    def _add_point(self, x: float, y: float, button: int) -> None:
        c = self.controller
        if button == 2:
            label = 0
        else:
            label = self.controls.class_picker.value() if c.num_classes > 2 else 1
        c.add_point(x, y, label)

    # --- files --------------------------------------------------------------------------------
    # Every save either writes a file the app reopens or refuses before writing, saying why: a copy is
    # written into a temporary folder and opened the way the app opens it, and only then the real file
    # is written (atomically, by the library's one writer: an earlier file survives any failure).
    def _ask(self, save: bool, title: str, pattern: str, suffix: str) -> str | None:
        dialog = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = dialog(self, title, "", pattern)
        if path and save and not Path(path).suffix:
            path += suffix  # the open dialogs list only *suffix files: a save must show up there
        return path or None

    @staticmethod
    def _reopen_problem(write: Callable[[str], object], reopen: Callable[[str], object], name: str) -> str | None:
        """Why a file written by ``write`` would not reopen with ``reopen``, or None when it would."""
        with tempfile.TemporaryDirectory() as folder:
            trial = str(Path(folder) / name)
            try:
                write(trial)
                reopen(trial)
            except InputError as error:
                return str(error)
            except ValueError as error:  # e.g. json's "Out of range float values are not JSON compliant"
                return f"it holds a value the file format cannot store ({error})"
            except OSError:
                return None  # the scratch copy failed, not the user's file: the real write reports its own errors
        return None

    def ask_load_csv(self) -> None:
        if path := self._ask(False, "Load data", "CSV files (*.csv)", ".csv"):
            self.controller.load_csv(path)

    def ask_save_csv(self) -> None:
        if path := self._ask(True, "Save data", "CSV files (*.csv)", ".csv"):
            self.save_csv(path)

    def save_csv(self, path: str) -> bool:
        """Every point into a CSV the app reopens, or a refusal before writing; returns whether it saved."""
        c = self.controller
        problem = self._reopen_problem(
            lambda trial: save_csv(c.all_points(), trial),
            lambda trial: DataSpec(trial).validated().load(),  # the file alone, as Load CSV… reads it
            Path(path).name,
        )
        if problem is not None:
            self.show_message("error", f"not saved: the app could not reopen that CSV: {problem}")
            return False
        c.save_csv(path)
        return self.status.property("level") != "error"

    def ask_save_session(self) -> None:
        if path := self._ask(True, "Save session", "Sessions (*.json)", ".json"):
            self.save_session(path)

    def save_session(self, path: str) -> bool:
        """The session into a file the app reopens, or a refusal before writing; returns whether it saved."""
        c, view = self.controller, self.view_options()
        problem = self._reopen_problem(
            lambda trial: save_session(trial, c.settings, c.train, c.test, c.trainer, view),
            lambda trial: restore_trainer(load_session(trial)),
            Path(path).name,
        )
        if problem is not None:
            self.show_message("error", f"session not saved: the app could not reopen it: {problem}")
            return False
        c.save_session(path, view)
        return self.status.property("level") != "error"

    def ask_load_session(self) -> None:
        if path := self._ask(False, "Open session", "Sessions (*.json)", ".json"):
            self.load_session(path)

    def load_session(self, path: str) -> None:
        try:
            view = self.controller.load_session(path)
        except (ValueError, TypeError, KeyError, IndexError, RuntimeError, OverflowError, RecursionError) as error:
            # the loader's own checks say why in one line; this catches what slips past them (the state is untouched)
            self.show_message("error", f"cannot open session {Path(path).name}: {type(error).__name__}: {error}")
            return
        if view is not None:
            self.log_scale.setChecked(bool(view.get("log_scale")))
            self.hard.setChecked(bool(view.get("hard_boundary")))

    def ask_export_png(self) -> None:
        if path := self._ask(True, "Export plots", "PNG images (*.png)", ".png"):
            self.export_png(path)

    def export_png(self, path: str) -> bool:
        """The boundary and the curves, as shown, into one PNG (atomically)."""
        self.redraw()
        try:
            save_png(self.training_tab.grab(), path)
        except OSError as error:
            self.show_message("error", f"cannot write {path}: {error.strerror or error}")
            return False
        self.show_message("info", f"plots exported to {Path(path).name}")
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.controller.pause()
        super().closeEvent(event)
