"""The main window: a run bar on top, then the controls, the decision boundary, the curves and readouts.

A menu bar carries the file actions, the presets, the run actions (with their
shortcuts) and an "About this view" text per tab. Every view draws the
controller's :class:`~torchcircuits_gui.controller.Snapshot`; nothing here reads
the trainer.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PyQt6.QtCore import QEvent, Qt, QTimer
from PyQt6.QtGui import QAction, QFont, QKeySequence, QPainter, QPixmap, QTextDocument
from PyQt6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from torchcircuits.data import save_csv
from torchcircuits.errors import InputError
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.session import load_session, restore_trainer, save_session

from .boundary import BoundaryView, grid_points, plot_bounds
from .circuit_view import CircuitView
from .class_panel import ClassPanel
from .classroom import CLASSROOM_FONT_PT, CLASSROOM_POINT_SCALE, Challenge, parse_challenge
from .controller import TrainingController
from .controls import PRESET_TITLES, ControlPanel
from .curves import CurvesView
from .doctor_panel import DoctorPanel
from .help import ABOUT, SHORTCUTS, TOOLTIPS, as_rich_text, in_app_words
from .hidden_space import HiddenSpaceView
from .image_files import save_png
from .network_tab import NetworkTab
from .parameter_space import ParameterSpaceView
from .regression_view import RegressionView
from .rewind import RewindBar
from .run_bar import RunBar
from .run_compare import CompareBar
from .search_panel import SearchPanel
from .side_scroll import SideScroll

__all__ = ["MainWindow"]

CURVE_HZ = 5
#: while training runs, a frame waits at least this many times its own cost after the last one ended, so drawing
#: takes at most a third of the time and the steps get the rest (on a busy machine frames thin out, steps go on)
FRAME_GAP = 2.0
#: the most the control panel asks for as its least width (pixels): with the plot's and the curves' least widths,
#: a window of 1024 pixels fits even in classroom mode's larger font
CONTROLS_MOST = 400
#: the curves column's least width (pixels); in classroom mode, where its readout is all it shows besides the curves
RIGHT_MIN, CLASSROOM_RIGHT_MIN = 250, 200
#: Export PNG: what the image shows
EXPORT_CHOICES = ("plot alone", "plot and curves", "whole window")


class MainWindow(QMainWindow):
    """The app's window; ``redraw()`` draws the controller's state, at most once per frame."""

    def __init__(self, settings: RunSettings | None = None, grid_size: int = 200, fps: int = 40) -> None:
        super().__init__()
        self.setWindowTitle("torchcircuits: watch SGD train")
        self.controller = TrainingController(settings, parent=self)
        self.boundary = BoundaryView(grid_size)
        self.curves = CurvesView()
        self.controls = ControlPanel(self.controller)
        self.run_bar = RunBar(self.controller)
        self._dirty = True
        #: pixels per side of the regression value map
        self.regression_grid = min(grid_size, 120)
        self._bounds_key: object = None
        self.last_frame_ms = 0.0
        #: milliseconds Qt spent painting the window since the last frame began (see event())
        self.paint_ms = 0.0
        self._frame_ended = 0.0
        #: the frame budget (see FRAME_GAP); 0 draws whenever something changed, as often as the frame timer fires
        self.frame_gap = FRAME_GAP
        self._curves_drawn_at = 0.0

        # the panel scrolls up and down; its width is what its widest row needs, up to CONTROLS_MOST (classroom
        # fonts would push a 1024-pixel window wider: past it, a horizontal scroll bar)
        self.controls_scroll = SideScroll(self.controls, most=CONTROLS_MOST)

        self.readout = QLabel()
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.log_scale = QCheckBox("log-scale loss")
        self.hard = QCheckBox("hard boundary")
        self.reset_view = QPushButton("Reset view")
        for name in ("log_scale", "hard", "reset_view"):
            getattr(self, name).setToolTip(TOOLTIPS[name])
        self.log_scale.toggled.connect(self._set_log_scale)
        self.hard.toggled.connect(self._set_hard)
        self.reset_view.clicked.connect(self.fit_view)
        self.export_choice = QComboBox()
        self.export_choice.addItems(EXPORT_CHOICES)
        self.export_choice.setToolTip("What Export PNG saves: the boundary plot alone, with the curves, or the window")
        buttons = QWidget()
        grid = QGridLayout(buttons)
        grid.setContentsMargins(0, 0, 0, 0)
        self.file_actions = [
            ("Load CSV…", self.ask_load_csv, "Replace the points with a CSV file's (x, y, label rows)"),
            ("Save CSV…", self.ask_save_csv, "Save every point, train and test, as x, y, label rows"),
            ("Open session…", self.ask_load_session, "Reopen a saved session: data, model, step, curves (Ctrl+O)"),
            ("Save session…", self.ask_save_session, "Save data, model, step and curves to reopen later (Ctrl+S)"),
            ("Export PNG…", self.ask_export_png, "Save a picture: choose what it shows beside this button"),
        ]
        for i, (title, slot, tip) in enumerate(self.file_actions):
            button = QPushButton(title)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            grid.addWidget(button, i // 2, i % 2)
        grid.addWidget(self.export_choice, 2, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.curves, 1)
        self.compare_bar = CompareBar(self.controller.runs, self.curves.loss_plot, self.curves.accuracy_plot)
        right_layout.addWidget(self.compare_bar)
        right_layout.addWidget(self.readout)
        right_layout.addWidget(buttons)
        self.file_buttons = buttons
        right.setMinimumWidth(RIGHT_MIN)

        plot_column = QWidget()
        plot_layout = QVBoxLayout(plot_column)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        # classification draws the boundary; regression the value map or the fitted curve
        self.regression = RegressionView()
        self.neuron_curves = QCheckBox("neurons")
        self.neuron_curves.hide()  # regression on one input only
        self.neuron_curves.setToolTip(TOOLTIPS["neuron_curves"])
        self.neuron_curves.toggled.connect(self._mark_dirty)
        plot_layout.addWidget(self.boundary, 1)
        plot_layout.addWidget(self.regression, 1)
        self.regression.hide()
        view_row = QHBoxLayout()
        for widget in (self.reset_view, self.log_scale, self.hard, self.neuron_curves):
            view_row.addWidget(widget)
        view_row.addStretch(1)
        plot_layout.addLayout(view_row)
        self.rewind_bar = RewindBar(self.controller)
        plot_layout.addWidget(self.rewind_bar)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.controls_scroll)
        splitter.addWidget(plot_column)
        splitter.addWidget(right)
        splitter.setSizes([300, 700, 360])
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)  # the boundary plot takes most of any extra width, and gives up least
        splitter.setStretchFactor(2, 1)
        splitter.setCollapsible(1, False)
        self.splitter = splitter
        self.plot_column = plot_column
        training = QWidget()
        training_layout = QVBoxLayout(training)
        training_layout.setContentsMargins(0, 0, 0, 0)
        training_layout.addWidget(self.run_bar)
        training_layout.addWidget(splitter, 1)
        self.training_tab = training

        self.circuit_view = CircuitView(self.controller)
        self.tabs = QTabWidget()
        self.tabs.addTab(training, "Training")
        self.tabs.addTab(self.circuit_view, "Circuit")
        # the inside of the net: each tab draws its own snapshot when it is in front
        self.network_tab = NetworkTab(self.controller, grid_size)
        self.hidden_tab = HiddenSpaceView(self.controller)
        self.parameters_tab = ParameterSpaceView(self.controller)
        self.tabs.addTab(self.network_tab, "Network")
        self.tabs.addTab(self.hidden_tab, "Hidden space")
        self.tabs.addTab(self.parameters_tab, "Parameters")
        self.classes_tab = ClassPanel(self.controller)
        self.tabs.addTab(self.classes_tab, "Classes")
        self.search_tab = SearchPanel(self.controller)
        self.doctor_tab = DoctorPanel(self.controller)
        self.tabs.addTab(self.search_tab, "Search")
        self.tabs.addTab(self.doctor_tab, "Doctor")
        self.tabs.currentChanged.connect(lambda _: self._mark_dirty())
        self.status = QLabel()
        self.status.setWordWrap(True)
        #: classroom mode, the control groups it hides, and the session's challenge (docs/app.md "Classroom")
        self.classroom = False
        self.classroom_hidden: set[str] = set()
        self.challenge: Challenge | None = None
        self.challenge_label = QLabel()
        self.challenge_label.setWordWrap(True)
        self.challenge_label.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.challenge_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self._build_menus()
        self.resize(1440, 860)

        self.controller.sigReset.connect(self._on_reset)
        self.controller.sigStepped.connect(self._mark_dirty)
        self.controller.sigMessage.connect(self.show_message)
        self.boundary.sigPointClicked.connect(self._add_point)
        self.boundary.sigRefit.connect(self.fit_view)
        self.boundary.sigGridChanged.connect(self._mark_dirty)
        inside_plot = self.network_tab.boundary
        inside_plot.sigPointClicked.connect(self._add_point)
        inside_plot.sigRefit.connect(self.fit_view)
        inside_plot.sigGridChanged.connect(self._mark_dirty)
        self._frame_timer = QTimer(self)
        self._frame_timer.setInterval(max(1, 1000 // fps))
        self._frame_timer.timeout.connect(self._frame)
        self._frame_timer.start()
        self._on_reset()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        files = bar.addMenu("&File")
        shortcuts = {"Open session…": SHORTCUTS["open_session"], "Save session…": SHORTCUTS["save_session"]}
        for title, slot, tip in self.file_actions:
            action = files.addAction(title)
            action.setStatusTip(tip)
            action.triggered.connect(slot)
            if title in shortcuts:
                action.setShortcut(QKeySequence(shortcuts[title]))
        presets = bar.addMenu("&Presets")
        for key, title in PRESET_TITLES.items():
            presets.addAction(title).triggered.connect(lambda _, k=key: self.controller.apply_preset(k))
        run = bar.addMenu("&Run")
        self.run_actions: dict[str, QAction] = {}
        for name, title, slot in (("play", "Play / Pause", self.controller.toggle),
                                  ("step", "Step", self.controller.step_once),
                                  ("reset", "Reset", self.controller.reset)):  # fmt: skip
            action = run.addAction(title)
            action.setShortcut(QKeySequence(SHORTCUTS[name]))
            action.triggered.connect(slot)
            self.run_actions[name] = action
        view = bar.addMenu("&View")
        self.classroom_action = view.addAction("Classroom mode")
        self.classroom_action.setCheckable(True)
        self.classroom_action.setStatusTip("Larger fonts and points for a projector; hides the control groups picked "
                                           "below. Saved in the session")  # fmt: skip
        self.classroom_action.toggled.connect(self.set_classroom)
        hide_menu = view.addMenu("Hide in classroom mode")
        self.hide_actions: dict[str, QAction] = {}
        for box in self.controls.findChildren(QGroupBox):
            title = box.title()
            action = hide_menu.addAction(title)
            action.setCheckable(True)
            action.toggled.connect(lambda on, t=title: self.pick_hidden(t, on))
            self.hide_actions[title] = action
        view.addAction("Set challenge…").triggered.connect(self.ask_challenge)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction("About this view").triggered.connect(self.show_about)

    def about_text(self) -> str:
        """The 'About this view' text of the tab in front."""
        return ABOUT[self.tabs.tabText(self.tabs.currentIndex())]

    def show_about(self) -> None:
        QMessageBox.information(self, "About this view", self.about_text())

    # --- drawing -------------------------------------------------------------------------------
    def _mark_dirty(self) -> None:
        self._dirty = True

    def _frame(self) -> None:
        if not self._dirty:
            return
        # the last frame's cost: building it, and the paints since (which Qt does after redraw returns)
        cost = (self.last_frame_ms + self.paint_ms) / 1e3
        if self.controller.running and time.perf_counter() - self._frame_ended < self.frame_gap * cost:
            return  # a frame budget: the steps' share of the time comes first
        self.paint_ms = 0.0
        self.redraw()
        self._frame_ended = time.perf_counter()

    def event(self, event: QEvent) -> bool:
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        # Qt paints here every widget that changed, whichever tab is in front: the frame budget counts it all
        start = time.perf_counter()
        handled = super().event(event)
        self.paint_ms += (time.perf_counter() - start) * 1e3
        return handled

    def fit_view(self) -> None:
        """Fit the boundary plot to the data (Reset view, double-click)."""
        X = self.controller.all_points().X.numpy()
        self.regression.enableAutoRange()
        if X.shape[1] == 2:  # the plane's views; a 1-D set has only the fitted curve
            self.boundary.set_bounds(plot_bounds(X))
            self.network_tab.fit_view()
        self._dirty = True

    def current_plot(self):
        """The plot the training tab shows: the boundary, or for regression the value map or the curve."""
        return self.regression if self.regressing else self.boundary

    @property
    def regressing(self) -> bool:
        """Whether the data is a regression set (the regression views replace the boundary)."""
        return self.controller.train.task == "regression"

    def _on_reset(self) -> None:
        # refit only when the data set itself changes: an added point or Clear points keeps the view
        key = self.controller.settings.data
        if key != self._bounds_key and len(self.controller.all_points()):
            self._bounds_key = key
            self.fit_view()
        self._dirty = True
        self.redraw()

    def redraw(self, curves: bool | None = None, coarse: bool | None = None) -> None:
        """Boundary, points, curves and readouts from the controller's snapshot.

        While training runs the curves are redrawn at most CURVE_HZ times a second
        (a loss curve needs no more, and painting it costs as much as the boundary);
        ``curves=True`` forces them. ``coarse`` picks the map's grid (default: the
        coarse one while training runs).
        """
        start = time.perf_counter()
        self._dirty = False
        c = self.controller
        inside = self.tabs.currentWidget()
        one_d = c.train.inputs == 1
        for tab in (self.network_tab, self.hidden_tab):  # they draw the input plane: a 1-D set has none
            index = self.tabs.indexOf(tab)
            if self.tabs.isTabEnabled(index) == one_d:  # only on a change: each call repaints the tab bar
                self.tabs.setTabEnabled(index, not one_d)
                self.tabs.setTabToolTip(index, f"draws the input plane: {c.train.name or 'this data set'} has one "
                                               "input (pick a data set with two)" if one_d else "")  # fmt: skip
        if inside in (self.network_tab, self.hidden_tab, self.parameters_tab, self.classes_tab, self.search_tab,
                      self.doctor_tab):
            if not (one_d and inside in (self.network_tab, self.hidden_tab)):
                inside.redraw()  # the training tab is hidden: its plots wait until it is in front again
            self.last_frame_ms = (time.perf_counter() - start) * 1000.0
            return
        # while training runs, a coarser map: half the points to score, the contour as smooth
        regressing = self.regressing
        if self.regression.isHidden() != (not regressing):  # one plot in the column: the task's
            self.boundary.setVisible(not regressing)
            self.regression.setVisible(regressing)
        hard, neurons = not regressing and not self.classroom, regressing and one_d
        if (self.hard.isHidden(), self.neuron_curves.isHidden()) != (not hard, not neurons):
            self.hard.setVisible(hard)  # the boundary's option, or the curve's: one of them in the row
            self.neuron_curves.setVisible(neurons)
            self.plot_column.layout().invalidate()
        if regressing:
            snap = c.snapshot(None)
            self._draw_regression()
        else:
            snap = c.snapshot(self.boundary.grid(coarse=c.running if coarse is None else coarse))
            self.boundary.show_scores(snap.scores, margins=snap.margins)
            self.boundary.show_points(c.train, c.test, snap.train_wrong, snap.test_wrong)
        if curves is None:
            curves = not snap.running or start - self._curves_drawn_at >= 1.0 / CURVE_HZ
        if curves:
            self.curves.show_history(c.history)
            self.curves.show_schedule(c.settings.config.schedule, c.settings.config.lr)
            self.compare_bar.show_runs()
            # the readout's new text lays out the window anew (its size may change): at the curves' rate too
            self.readout.setText(self._fitted_readout(snap))
            self._curves_drawn_at = start
        if self.classroom or self.boundary.property("enlarged"):
            self._enlarge_points()
            self.boundary.setProperty("enlarged", self.classroom)
        self.show_challenge()
        self.run_bar.show_counter()
        if self.circuit_view.follow.isChecked() and self.tabs.currentWidget() is self.circuit_view:
            self.circuit_view.refresh()
        self.last_frame_ms = (time.perf_counter() - start) * 1000.0

    def _fitted_readout(self, snap) -> str:
        """The readout in two columns where they fit the label's width, else in one (never clipped)."""
        two = readout_html(snap, columns=2)
        document = QTextDocument()
        document.setDefaultFont(self.readout.font())
        document.setDocumentMargin(0)
        document.setHtml(two)
        return two if document.idealWidth() <= self.readout.contentsRect().width() else readout_html(snap, columns=1)

    def _draw_regression(self) -> None:
        c = self.controller
        grid = bounds = None
        if c.train.inputs == 2:
            bounds = plot_bounds(c.all_points().X.numpy())
            grid = grid_points(bounds, self.regression_grid)
        fit = c.regression_fit(grid, bounds, neurons=self.neuron_curves.isChecked())
        if fit is not None:
            self.regression.show_fit(fit, c.train.X, c.train.labels, c.test.X, c.test.labels)

    def show_message(self, level: str, text: str) -> None:
        """One line in the status bar; an empty text clears it. Flags are named by their fields' labels."""
        text = as_rich_text(in_app_words(text))  # a message may quote "<=" or "<4>": text, not markup
        colour = "#b00000" if level == "error" else "#205020"
        self.status.setText(
            f'<span style="color:{colour}">{"⚠ " if level == "error" else ""}{text}</span>' if text else ""
        )
        self.status.setProperty("level", level if text else "")

    # --- view options -----------------------------------------------------------------------
    def _set_log_scale(self, on: bool) -> None:
        self.curves.set_log_scale(on)
        self._dirty = True

    def _set_hard(self, on: bool) -> None:
        self.boundary.hard = on
        self._dirty = True

    def view_options(self) -> dict:
        options = {"log_scale": self.log_scale.isChecked(), "hard_boundary": self.hard.isChecked(),
                   "classroom": {"on": self.classroom, "hidden": sorted(self.classroom_hidden)},
                   "challenge": None if self.challenge is None else self.challenge.text}  # fmt: skip
        options["tab"] = self.tabs.tabText(self.tabs.currentIndex())
        options["circuit"] = self.circuit_view.explorer_state()
        options["link_gradients"] = self.network_tab.gradients.isChecked()
        practice = self.circuit_view.practice_state()
        if practice is not None:
            options["practice"] = practice  # the circuit tab's exercises, so a session remembers progress
        return options

    # --- classroom ------------------------------------------------------------------------------
    def set_classroom(self, on: bool) -> None:
        """Classroom mode: larger fonts and points, the picked control groups hidden."""
        self.classroom = on
        if self.classroom_action.isChecked() != on:
            self.classroom_action.setChecked(on)
        font = QFont(self.font())
        font.setPointSize(CLASSROOM_FONT_PT if on else QApplication.font().pointSize())
        self.setFont(font)
        for box in self.controls.findChildren(QGroupBox):
            box.setVisible(not (on and box.title() in self.classroom_hidden))
        # a projector's 1024 pixels: the file buttons (still in the File menu) and earlier runs make room
        for widget in (self.file_buttons, self.compare_bar, self.log_scale):
            widget.setVisible(not on)
        self.hard.setVisible(not on and not self.regressing)
        self.splitter.widget(2).setMinimumWidth(CLASSROOM_RIGHT_MIN if on else RIGHT_MIN)
        self.plot_column.layout().invalidate()
        self.controls_scroll.fit_minimum()
        self._dirty = True

    def pick_hidden(self, title: str, hidden: bool) -> None:
        """Whether classroom mode hides the control group ``title``."""
        (self.classroom_hidden.add if hidden else self.classroom_hidden.discard)(title)
        if self.hide_actions[title].isChecked() != hidden:
            self.hide_actions[title].setChecked(hidden)
        self.set_classroom(self.classroom)

    def set_challenge(self, text: str | None) -> bool:
        """Carry a challenge line (None or empty: none); a line that does not parse is refused in the status."""
        if not text:
            self.challenge = None
            self.challenge_label.hide()
            return True
        try:
            self.challenge = parse_challenge(text)
        except InputError as error:
            self.show_message("error", str(error))
            return False
        self.challenge_label.show()
        self._dirty = True
        self.show_challenge()
        self.controller.clear_message()  # a refused challenge line before this one is past
        return True

    def ask_challenge(self) -> None:
        text, ok = QInputDialog.getText(self, "Challenge", "e.g. reach test loss <= 0.18 on xor with at most 4 "
                                        "neurons (empty: none)", text=self.challenge.text if self.challenge else "")
        if ok:
            self.set_challenge(text.strip() or None)

    def show_challenge(self) -> None:
        if self.challenge is None:
            return
        c = self.controller
        hidden = c.trainer.spec.hidden if c.trainer is not None else ()
        met, line = self.challenge.verdict(c.last_evaluation, c.settings.data.name, tuple(hidden))
        colour = "#1a7f37" if met else "#8a5a00"
        mark = "✔" if met else "…"
        self.challenge_label.setText(f'<b>Challenge</b>: {as_rich_text(self.challenge.text)} — '
                                     f'<span style="color:{colour}">{mark} {as_rich_text(line)}</span>')  # fmt: skip
        self.challenge_label.setProperty("met", met)

    def _enlarge_points(self) -> None:
        """Classroom mode: the plot's points drawn larger (their items keep the size until it changes)."""
        scale = CLASSROOM_POINT_SCALE if self.classroom else 1.0
        for plot in (self.boundary, self.regression):
            for item in plot.getPlotItem().listDataItems() if hasattr(plot, "getPlotItem") else plot.items():
                if isinstance(item, pg.ScatterPlotItem):
                    base = item.property("base_size") or item.opts["size"]
                    item.setProperty("base_size", base)
                    if item.opts["size"] != base * scale:
                        item.setSize(base * scale)

    def _confirm(self, title: str, text: str) -> bool:
        """Ask yes or no (tests replace this)."""
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _add_point(self, x: float, y: float, button: int) -> None:
        c = self.controller
        label = 0 if button == 2 else self.controls.class_picker.value()
        if c.point_needs_reset(label) and not self._confirm(
            "A new class",
            f"Class {label} is new: the model will score {label + 1} classes and start again at step 0. Add it?",
        ):
            c.sigMessage.emit("info", f"no point added: class {label} would have reset the model")
            return
        c.add_point(x, y, label)

    def render_export(self, which: str | None = None):
        """The picture Export PNG saves (a QPixmap): the plot alone, plot and curves, or the whole window."""
        which = which or self.export_choice.currentText()
        self.redraw(curves=True)
        if which == "plot alone":
            return self.current_plot().grab()
        if which == "plot and curves":  # side by side, without the controls between or around them
            plot, curves = self.current_plot().grab(), self.curves.grab()
            both = QPixmap(plot.width() + curves.width(), max(plot.height(), curves.height()))
            both.fill(Qt.GlobalColor.white)
            painter = QPainter(both)
            painter.drawPixmap(0, 0, plot)
            painter.drawPixmap(plot.width(), 0, curves)
            painter.end()
            return both
        return self.grab()


    # --- files --------------------------------------------------------------------------------
    # Every save either writes a file the app reopens or refuses before writing, saying why: a copy is
    # written into a temporary folder and opened the way the app opens it, and only then the real file
    # is written (atomically, by the library's one writer: an earlier file survives any failure).
    def _ask(self, save: bool, title: str, pattern: str, suffix: str) -> str | None:
        dialog = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = dialog(self, title, "", pattern)
        if path and save and not Path(path).suffix:  # "points" becomes "points.csv", as the filter says
            path += suffix
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
            self.circuit_view.restore_explorer(view.get("circuit"))
            if isinstance(view.get("practice"), dict):
                self.circuit_view.restore_practice(view["practice"])
            classroom = view.get("classroom")
            if isinstance(classroom, dict):  # older sessions have none: the window stays as it is
                for title in self.hide_actions:
                    hidden = classroom.get("hidden")
                    self.pick_hidden(title, isinstance(hidden, list) and title in hidden)
                self.set_classroom(bool(classroom.get("on")))
            challenge = view.get("challenge")
            self.set_challenge(challenge if isinstance(challenge, str) else None)
            self.network_tab.gradients.setChecked(view.get("link_gradients") is True)
            titles = [self.tabs.tabText(i) for i in range(self.tabs.count())]
            if view.get("tab") in titles and self.tabs.isTabEnabled(titles.index(view["tab"])):
                self.tabs.setCurrentIndex(titles.index(view["tab"]))

    def ask_export_png(self) -> None:
        if path := self._ask(True, "Export plots", "PNG images (*.png)", ".png"):
            self.export_png(path)

    def export_png(self, path: str) -> bool:
        """The boundary and the curves, as shown, into one PNG (atomically)."""
        self.redraw()
        try:
            save_png(self.render_export(), path)
        except OSError as error:
            self.show_message("error", f"cannot write {path}: {error.strerror or error}")
            return False
        self.show_message("info", f"plots exported to {Path(path).name}")
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.controller.pause()
        super().closeEvent(event)


def readout_html(snap, columns: int = 2) -> str:
    """The readout lines of a snapshot: step, loss, accuracy (the last finite evaluation), gradient norm.

    ``columns``: 2 puts related readouts side by side (train and test); 1 gives each its own line, for a
    narrow panel.
    """
    evaluation = snap.evaluation
    if snap.model is None or evaluation is None:
        return "<b>no model</b>: add points of two classes, or pick a data set"

    def percent(value: float | None) -> str:
        return "–" if value is None else f"{value:.1%}"

    rate = "–" if snap.steps_per_second is None else f"{snap.steps_per_second:,.0f}"
    test_loss = "–" if evaluation.test_loss is None else f"{evaluation.test_loss:.4g}"
    rows = [
        (f"<b>step</b> {evaluation.step:,}", f"<b>steps/s</b> {rate}"),
        (f"<b>{snap.model}</b> / {snap.loss}", ""),
        (f"<b>loss</b> {evaluation.train_loss:.4g}", f"<b>test loss</b> {test_loss}"),
        (f"= data {evaluation.train_data_loss:.3g}", f"+ reg {evaluation.reg_loss:.3g}"),
        (f"<b>train acc.</b> {percent(evaluation.train_accuracy)}",
         f"<b>test acc.</b> {percent(evaluation.test_accuracy)}"),
    ]  # fmt: skip
    if evaluation.train_rmse is not None:  # regression: RMSE and R² take the accuracy's row

        def number(value: float | None) -> str:
            return "–" if value is None else f"{value:.3g}"

        rows[-1] = (f"<b>RMSE</b> {number(evaluation.train_rmse)} / test {number(evaluation.test_rmse)}",
                    f"<b>R²</b> {number(evaluation.train_r2)} / test {number(evaluation.test_r2)}")  # fmt: skip
    grad_norm = "–" if snap.stats is None else f"{snap.stats.grad_norm:.3g}"  # none before a step is taken
    rows[1] = (rows[1][0], f"<b>grad norm</b> {grad_norm}")
    if snap.compare:
        diff = "–" if snap.max_grad_diff is None else f"{snap.max_grad_diff:.1e}"
        rows.append((f"<b>max |hand − torch|</b> {diff}", ""))
    # no readout broken inside (Qt's rich text takes the CSS, not the nowrap attribute)
    cell = '<td style="white-space:nowrap">'
    if columns == 1:
        cells = "".join(f"<tr>{cell}{text}</td></tr>" for row in rows for text in row if text)
    else:
        cells = "".join(f"<tr>{cell}{a}</td>{cell}&nbsp;&nbsp;{b}</td></tr>" for a, b in rows)
    return f"<table cellspacing=0 cellpadding=0>{cells}</table>"
