"""The Search tab: ``torchcircuits search`` on the current settings, in a worker process.

The ranges are typed as on the command line (``--vary lr=1e-3:1:log,reg=1e-5:0.1:log``,
parsed by the library's :func:`~torchcircuits.search.parse_vary`); trials, folds
and steps likewise. A progress bar counts the trial × fold jobs; Cancel ends the
worker. The scatter puts each trial at its first two settings (log axes for log
ranges), coloured by its mean validation metric (accuracy: dark is better; RMSE:
dark is better too); hover for a trial's settings, click to load them into the
controls (the trainer takes them through the controller, as a typed value would).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

from torchcircuits.config import parse_whole
from torchcircuits.errors import InputError
from torchcircuits.search import MAX_TRIALS, SearchResult, Trial, apply_values, parse_vary, random_search

from .background import BackgroundJob
from .controller import TrainingController
from .run_bar import RunBar
from .tab_layout import bare_plot

__all__ = ["SearchPanel", "DEFAULT_VARY", "search_job"]

DEFAULT_VARY = "lr=1e-3:3:log,reg=1e-5:0.1:log"
_MAP = pg.colormap.get("viridis")


def search_job(settings, text: str, trials: int, folds: int, steps: int, report) -> SearchResult:
    """The worker's work: parse the ranges and run the library's search, reporting (done, total)."""
    ranges = parse_vary(text, settings.config)
    return random_search(settings, ranges, trials, folds, steps, on_done=lambda done, total: report(done, total))


class SearchPanel(QWidget):
    """Ranges, trials, folds, steps; Run and Cancel; the progress bar; the scatter of trials."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.run_bar = RunBar(controller)
        self.vary = QLineEdit(DEFAULT_VARY)
        self.vary.setToolTip("--vary: SETTING=LOW:HIGH:SCALE ranges separated by commas (scale log, uniform or int), "
                             "e.g. lr=1e-3:3:log,reg=1e-5:0.1:log; the scatter's axes are the first two")  # fmt: skip
        self.trials, self.folds, self.steps = QLineEdit("12"), QLineEdit("3"), QLineEdit("150")
        self.trials.setToolTip(f"--trials: value sets drawn, 1 to {MAX_TRIALS:,}")
        self.folds.setToolTip("--folds: each trial is trained K times, each time validated on another K-th of the "
                              "training points; 2 or more")  # fmt: skip
        self.steps.setToolTip("--steps: training steps per trial and fold, 1 or more")
        self.run = QPushButton("Run search")
        self.run.setToolTip("Run the search in the background (the window keeps working)")
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop the search now")
        self.progress = QProgressBar()
        self.note = QLabel("click a trial to load its settings")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        for label, widget in (("vary", self.vary), ("trials", self.trials), ("folds", self.folds),
                              ("steps", self.steps)):  # fmt: skip
            row.addWidget(QLabel(label))
            row.addWidget(widget, 3 if widget is self.vary else 1)
        row.addWidget(self.run)
        row.addWidget(self.cancel)
        self.plot = bare_plot()
        self.scatter = pg.ScatterPlotItem(size=14, pen=pg.mkPen("k", width=1), hoverable=True,
                                          hoverPen=pg.mkPen("r", width=2), tip=self._tip)  # fmt: skip
        self.plot.addItem(self.scatter)
        self.best = pg.ScatterPlotItem(size=26, symbol="o", brush=None, pen=pg.mkPen((200, 0, 0), width=2))
        self.plot.addItem(self.best)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_bar)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        self.job = BackgroundJob(self)
        self.job.sigNews.connect(self._progress)
        self.job.sigDone.connect(self.show_result)
        self.job.sigFailed.connect(self._failed)
        self.run.clicked.connect(self.start)
        self.cancel.clicked.connect(self.stop)
        self.scatter.sigClicked.connect(self._clicked)
        self.result: SearchResult | None = None
        self._show_running(False)

    def redraw(self) -> None:
        self.run_bar.show_counter()

    def _show_running(self, running: bool) -> None:
        self.run.setEnabled(not running)
        self.cancel.setEnabled(running)

    def start(self) -> None:
        """Check the fields (the library's words), then search in the background."""
        settings = replace(self.controller.settings, data=self.controller.settings.data)
        try:
            parse_vary(self.vary.text(), settings.config)
            trials = parse_whole(self.trials.text(), "trials", 1, MAX_TRIALS)
            folds = parse_whole(self.folds.text(), "folds", 2)
            steps = parse_whole(self.steps.text(), "steps", 1)
        except InputError as error:
            self._failed(error.as_flag())
            return
        self.progress.setRange(0, trials * folds)
        self.progress.setValue(0)
        self.note.setText(f"searching: {trials} trials × {folds} folds × {steps} steps in the background")
        self._show_running(True)
        self.job.start(search_job, (settings, self.vary.text(), trials, folds, steps))

    def stop(self) -> None:
        self.job.cancel()
        self._show_running(False)
        self.note.setText("search cancelled")

    def _progress(self, news: tuple) -> None:
        done, total = news
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _failed(self, line: str) -> None:
        self._show_running(False)
        self.note.setText(line)
        self.controller.sigMessage.emit("error", line)

    def show_result(self, result: SearchResult) -> None:
        """The trials as points: x, y their first two settings, colour their mean validation metric."""
        self._show_running(False)
        self.result = result
        ranges = result.ranges
        names = [r.setting for r in ranges[:2]]
        logs = [r.scale == "log" for r in ranges[:2]]

        def position(trial: Trial) -> tuple[float, float]:
            xy = [math.log10(trial.values[n]) if log else float(trial.values[n]) for n, log in zip(names, logs,
                                                                                                     strict=True)]
            return (xy[0], xy[1] if len(xy) > 1 else 0.0)

        means = np.array([t.mean for t in result.trials], dtype=float)
        finite = means[np.isfinite(means)]
        lo, hi = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
        share = (means - lo) / (hi - lo) if hi > lo else np.ones_like(means)
        if not result.higher_is_better:
            share = 1.0 - share  # RMSE: lower is better, and better is darker either way
        brushes = [pg.mkBrush(_MAP.map(1.0 - s, mode="qcolor")) if np.isfinite(s) else pg.mkBrush(200, 200, 200)
                   for s in share]  # fmt: skip
        spots = [{"pos": position(t), "brush": b, "data": t} for t, b in zip(result.trials, brushes, strict=True)]
        self.scatter.setData(spots)
        self.best.setData([{"pos": position(result.best)}])
        self.plot.setLabel("bottom", f"log10 {names[0]}" if logs[0] else names[0])
        self.plot.setLabel("left", (f"log10 {names[1]}" if logs[1] else names[1]) if len(names) > 1 else "")
        best = result.best
        self.note.setText(f"best of {len(result.trials)}: {result.metric} {best.mean:.3g} ± {best.std:.2g} at "
                          + ", ".join(f"{k}={v:g}" for k, v in best.values.items())
                          + " (ringed); dark is better; click a trial to load its settings"
                          + "".join(f". {w}" for w in result.warnings))  # fmt: skip

    @staticmethod
    def _tip(x: float, y: float, data: Trial) -> str:
        values = ", ".join(f"{k}={v:g}" for k, v in data.values.items())
        return f"trial {data.index}: {values}\nmean {data.mean:.3g} ± {data.std:.2g} over the folds"

    def _clicked(self, _item: object, points: list) -> None:
        if len(points):
            self.load_trial(points[0].data())

    def load_trial(self, trial: Trial) -> None:
        """Put a trial's settings into the controls (through the controller, checked like a typed value)."""
        try:
            config = apply_values(self.controller.settings.config, trial.values)
        except InputError as error:
            self._failed(error.as_flag())
            return
        self.controller.apply_config(config)
        self.note.setText(f"loaded trial {trial.index}: " + ", ".join(f"{k}={v:g}" for k, v in trial.values.items()))
