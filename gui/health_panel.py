"""The health panel: dead or saturated share per layer, update:data ratios and gradient norms over time.

makemore's plots for our nets: each hidden layer's share of dead (ReLU) or
saturated (tanh, sigmoid) units on the whole training set; each weight
matrix's update:data ratio ‖Δθ‖/‖θ‖ on a log axis against the healthy 1e-3
(dashed) inside a shaded band; each weight matrix's gradient norm (how the
gradient flows down the stack); and one line from the library reading them.
Drawn from the controller's bounded health history, recorded where the curves are.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

from torchcircuits.health_reading import RATIO_GOOD, RATIO_HIGH, RATIO_LOW, read_health

from .boundary import CLASS_COLOURS
from .history import DecimatingHistory

__all__ = ["HealthPanel"]


def _key(k: int, name: str) -> str:
    r, g, b = (int(v) for v in CLASS_COLOURS[k % len(CLASS_COLOURS)])
    return f'<span style="color:#{r:02x}{g:02x}{b:02x}">— {name}</span>'


def _pen(k: int) -> pg.QtGui.QPen:
    return pg.mkPen(tuple(int(v) for v in CLASS_COLOURS[k % len(CLASS_COLOURS)]), width=2)


def _decade_ticks(plot: pg.PlotItem, values: np.ndarray, floor: int = 0) -> None:
    """Label a log axis at whole decades only (pyqtgraph's minor log ticks crowd a small plot)."""
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return
    low, high = int(np.floor(np.log10(values.min()))), int(np.ceil(np.log10(values.max())))
    plot.getAxis("left").setTicks([[(float(k), f"{10.0 ** k:g}") for k in range(min(low, floor), high + 1)], []])


class HealthPanel(QWidget):
    """Three small plots side by side and the reading under them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.dead_plot = self.plots.addPlot(row=0, col=0, title="dead / saturated share")
        self.ratio_plot = self.plots.addPlot(row=0, col=1, title="update : data ratio")
        self.grad_plot = self.plots.addPlot(row=0, col=2, title="gradient norm")
        self.dead_plot.setYRange(0.0, 1.02, padding=0)
        self.ratio_plot.setXLink(self.dead_plot)
        self.grad_plot.setXLink(self.dead_plot)
        for plot in (self.ratio_plot, self.grad_plot):
            plot.setLogMode(x=False, y=True)
        for plot in (self.dead_plot, self.ratio_plot, self.grad_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setLimits(xMin=0)
        # log axes take log10 positions: the band from RATIO_LOW to RATIO_HIGH, the healthy 1e-3 dashed
        band = (np.log10(RATIO_LOW), np.log10(RATIO_HIGH))
        self.band = pg.LinearRegionItem(band, orientation="horizontal", movable=False,
                                        brush=pg.mkBrush(0, 160, 80, 30), pen=pg.mkPen(None))  # fmt: skip
        self.ratio_plot.addItem(self.band)
        self.reference = pg.InfiniteLine(np.log10(RATIO_GOOD), angle=0,
                                         pen=pg.mkPen((0, 120, 60), width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.ratio_plot.addItem(self.reference)
        self.keys = QLabel()  # the curves' key, under the plots, never over the curves
        self.reading = QLabel()
        self.reading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.keys)
        layout.addWidget(self.reading)
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._columns: tuple[str, ...] = ()

    def _rebuild(self, history: DecimatingHistory) -> None:
        """New curves for a new model's columns; the key in each title, never over the curves."""
        for plot in (self.dead_plot, self.ratio_plot, self.grad_plot):
            for item in plot.listDataItems():
                plot.removeItem(item)
        self._curves = {}
        weights = [c.split(":", 1)[1] for c in history.columns if c.startswith("ratio:W")]
        layers = [c for c in history.columns if c.startswith("dead")]
        for k, column in enumerate(layers):
            self._curves[column] = self.dead_plot.plot(pen=_pen(k))
        for k, name in enumerate(weights):
            self._curves[f"ratio:{name}"] = self.ratio_plot.plot(pen=_pen(k))
            self._curves[f"grad:{name}"] = self.grad_plot.plot(pen=_pen(k))
        layer_keys = " ".join(_key(k, f"layer {c[4:]}") for k, c in enumerate(layers)) or "no hidden layer"
        weight_keys = " ".join(_key(k, name) for k, name in enumerate(weights))
        self.keys.setText(f"left: {layer_keys} &nbsp;&nbsp; middle and right: {weight_keys}")
        self._columns = history.columns

    def show_history(self, history: DecimatingHistory, activation: str) -> None:
        """Draw the records kept (the step column and the others by name) and the library's reading of them."""
        if history.columns != self._columns:
            self._rebuild(history)
        steps = history.column("step")
        for column, curve in self._curves.items():
            values = history.column(column)
            keep = np.isfinite(values)
            if not column.startswith("dead"):
                keep &= values > 0  # a log axis has no place for 0
            curve.setData(steps[keep], values[keep])
        band_floor = int(np.log10(RATIO_LOW))
        for plot, prefix, floor in ((self.ratio_plot, "ratio:", band_floor), (self.grad_plot, "grad:", 0)):
            values = [history.column(c) for c in self._curves if c.startswith(prefix)]
            _decade_ticks(plot, np.concatenate(values) if values else np.zeros(0), floor)
        dead = [list(history.column(c)) for c in history.columns if c.startswith("dead")]
        ratios = {c.split(":", 1)[1]: list(history.column(c)) for c in history.columns if c.startswith("ratio:W")}
        self.reading.setText(read_health(list(steps), dead, ratios, activation))
