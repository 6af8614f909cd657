"""Loss and accuracy against step, drawn from the bounded history; above them, the schedule's step size."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from torchcircuits.schedules import parse_schedule

from .history import DecimatingHistory

__all__ = ["CurvesView", "nice_ceiling"]

_TRAIN_PEN = pg.mkPen((20, 90, 200), width=2)
_TEST_PEN = pg.mkPen((230, 120, 0), width=2, style=pg.QtCore.Qt.PenStyle.DashLine)
#: the step-size plot's height in pixels (title included): a glance at the schedule, not a third full plot
LR_PLOT_HEIGHT = 70
#: at most this many steps are evaluated for the step-size plot: a line of a few hundred pixels needs no more
LR_SAMPLES = 512


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7.5 × 10^k at or above ``value`` (> 0): the curves' step axis end."""
    power = 10.0 ** np.floor(np.log10(value))
    for mantissa in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if mantissa * power >= value * (1 - 1e-12):
            return float(mantissa * power)
    return float(10.0 * power)


class CurvesView(pg.GraphicsLayoutWidget):
    """Stacked plots: the schedule's step size (only when a schedule is set), loss (optionally log-scale) and
    accuracy, train and test."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent)
        self.setBackground("w")
        self.lr_plot = self.addPlot(row=0, col=0)
        self.loss_plot = self.addPlot(row=1, col=0)
        self.accuracy_plot = self.addPlot(row=2, col=0)
        self.lr_plot.setXLink(self.loss_plot)
        self.lr_plot.setTitle("step size", size="8pt")
        self.lr_plot.setFixedHeight(LR_PLOT_HEIGHT)
        self.lr_plot.hideAxis("bottom")  # the loss plot's step axis, just below, serves both
        self.lr_plot.setMouseEnabled(x=False, y=False)
        self.lr_curve = self.lr_plot.plot(pen=pg.mkPen((90, 60, 160), width=2))
        #: the schedule and step size drawn, with the step axis's end; None while the plot is hidden
        self._lr_drawn: tuple | None = None
        self._show_lr_plot(False)
        self.accuracy_plot.setXLink(self.loss_plot)
        self.accuracy_plot.setYRange(0.0, 1.02, padding=0)
        self.accuracy_plot.setLabel("bottom", "step")
        for plot in (self.lr_plot, self.loss_plot, self.accuracy_plot):
            # steps start at 0: the axis never shows negative steps
            plot.setLimits(xMin=0)
            # no grid lines: alpha-blended lines across the plot cost more to paint than the curves
            plot.setMenuEnabled(False)
        self.curves = {}
        for plot, kind in ((self.loss_plot, "loss"), (self.accuracy_plot, "accuracy")):
            for split, pen in (("train", _TRAIN_PEN), ("test", _TEST_PEN)):
                curve = plot.plot(pen=pen)
                # long runs: draw the peaks of what each pixel covers, only what is in view
                curve.setDownsampling(auto=True, method="peak")
                curve.setClipToView(True)
                self.curves[f"{split}_{kind}"] = curve
        # regression: R² takes the accuracy curves' place, RMSE beside it in grey (new items; hidden otherwise)
        for split, style in (("train", pg.QtCore.Qt.PenStyle.SolidLine), ("test", pg.QtCore.Qt.PenStyle.DashLine)):
            self.curves[f"{split}_rmse"] = self.accuracy_plot.plot(pen=pg.mkPen((110, 110, 110), width=2, style=style))
        #: what the second plot shows: "accuracy" (classification) or "r2" (regression, with the RMSE)
        self.metric = "accuracy"
        self.log_scale = False
        self._titles: dict[str, str] = {}
        self._x_end = 0.0
        self._drawn: tuple | None = None
        self._loss_range: tuple[float, float] | None = None

    def set_log_scale(self, on: bool) -> None:
        self.log_scale = on
        self.loss_plot.setLogMode(x=False, y=on)
        self._loss_range = None

    def show_history(self, history: DecimatingHistory) -> None:
        """Draw the history's curves; nothing is redone (or repainted) when it has not changed since the last call."""
        key = (id(history), len(history), history.stride, history.last("step"), self.log_scale)
        if key == self._drawn:
            return
        self._drawn = key
        steps = history.column("step")
        has_test = history.last("test_loss") is not None
        # the key sits in the title, above the plot, never on the curves; without a test set it names train only
        key = '<span style="color:#145ac8">— train</span>' + (
            ' &nbsp;<span style="color:#e67800">- - test</span>' if has_test else ""
        )
        regression = history.last("train_r2") is not None
        if regression != (self.metric == "r2"):
            self.metric = "r2" if regression else "accuracy"
            if regression:  # R² starts below 0 and the RMSE above 1: the axis follows them
                self.accuracy_plot.enableAutoRange(axis="y")
            else:
                self.accuracy_plot.setYRange(0.0, 1.02, padding=0)
        titles = {"loss": "loss", "accuracy": "R² (RMSE grey)" if regression else "accuracy"}  # short: 1024 px
        for plot, kind in ((self.loss_plot, "loss"), (self.accuracy_plot, "accuracy")):
            if self._titles.get(kind) != key + titles[kind]:
                plot.setTitle(f"{titles[kind]} &nbsp; {key}", size="9pt")
                self._titles[kind] = key + titles[kind]
        last = float(steps[-1]) if len(steps) else 0.0
        end = nice_ceiling(max(last, 10.0))
        if end != self._x_end:  # the axis changes in round jumps, not every frame (repainting it costs)
            self._x_end = end
            self.loss_plot.setXRange(0.0, end, padding=0.0)
        shown = []
        for name, curve in self.curves.items():
            if self.metric == "r2" and name.endswith("accuracy"):
                name = name.replace("accuracy", "r2")
            values = history.column(name) if name in history.columns else np.full(len(steps), np.nan)
            keep = ~np.isnan(values)
            if self.log_scale and name.endswith("loss"):
                keep &= values > 0  # a loss of exactly 0 has no place on a log axis
            curve.setData(steps[keep], values[keep])
            if name.endswith("loss"):
                shown.append(values[keep & np.isfinite(values)])
        self._fit_loss_axis(np.concatenate(shown))

    def show_schedule(self, schedule: str, base_lr: float) -> None:
        """Draw the step size ``schedule`` (a :func:`~torchcircuits.schedules.parse_schedule` text) gives at each
        step of the curves' range, from ``base_lr``; hidden for ``constant`` (a flat line says nothing).

        Call after :meth:`show_history`, which sets the range. The values are the library's ``lr_at``; the y axis is
        logarithmic when they span more than a decade (and stay above 0).
        """
        parsed = parse_schedule(schedule)
        if parsed.kind == "constant":
            if self._lr_drawn is not None:
                self._lr_drawn = None
                self._show_lr_plot(False)
            return
        key = (parsed.text, base_lr, self._x_end)
        if key == self._lr_drawn:
            return
        if self._lr_drawn is None:
            self._show_lr_plot(True)
        self._lr_drawn = key
        end = int(max(self._x_end, 10.0))
        steps = np.unique(np.linspace(0, end, min(end + 1, LR_SAMPLES)).round().astype(np.int64))
        rates = np.array([parsed.lr_at(base_lr, int(t)) for t in steps], dtype=np.float64)
        lo, hi = float(rates.min()), float(rates.max())
        log = lo > 0 and hi > 10 * lo
        self.lr_plot.setLogMode(x=False, y=log)
        self.lr_curve.setData(steps.astype(np.float64), rates)
        self.lr_plot.enableAutoRange(axis="y")

    def _show_lr_plot(self, on: bool) -> None:
        """Put the step-size plot into the layout or take it out (a hidden item would still keep its row's space)."""
        if on:
            self.ci.addItem(self.lr_plot, row=0, col=0)
        else:
            self.ci.removeItem(self.lr_plot)
        self.lr_plot.setVisible(on)

    def _fit_loss_axis(self, losses: np.ndarray) -> None:
        """Set the loss axis by hand, in jumps: pyqtgraph's auto-range would paint every new point twice."""
        if not len(losses):
            return
        lo, hi = float(losses.min()), float(losses.max())
        if self.log_scale:
            lo, hi = np.log10(lo), np.log10(hi)
        old = self._loss_range
        # a new range only when the data leave the old one or fill less than half of it
        if old is None or lo < old[0] or hi > old[1] or (hi - lo) < 0.5 * (old[1] - old[0]):
            pad = max(0.05 * (hi - lo), 1e-3 * max(abs(hi), 1.0))
            self._loss_range = (lo - pad, hi + pad)
            self.loss_plot.setYRange(*self._loss_range, padding=0.0)
