"""The parameter-space view: the loss over two chosen parameters, the path SGD took, the momentum step.

The map is the training loss (data plus regularization) on a window around the
current point with every other parameter held at its current value (the
library's :func:`~torchcircuits.landscape.loss_surface`), coloured on a log
scale with contour lines; it is recomputed when the view asks, at most once a
second while training runs, never per step. The white line is the path of the
two parameters over the last recorded points, the ring the current point, the
arrow where momentum carries them next (with momentum on).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from torchcircuits.landscape import parameter_refs

from .boundary import contour_segments
from .controller import TrainingController
from .help import INSIDE_TOOLTIPS
from .run_bar import RunBar
from .tab_layout import bare_plot, stack_tab

__all__ = ["ParameterSpaceView", "CONTOURS", "arrow_segments"]

#: contour lines drawn, evenly spaced in log(loss) between the map's least and largest loss
CONTOURS = 10
_MAP = pg.colormap.get("viridis")


def arrow_segments(start: tuple[float, float], step: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """x and y of three line pairs: the shaft from ``start`` along ``step`` and two barbs at its end
    (a quarter of its length, 25 degrees off it)."""
    x0, y0 = start
    x1, y1 = x0 + step[0], y0 + step[1]
    back = np.arctan2(-step[1], -step[0])
    length = 0.25 * np.hypot(*step)
    xs, ys = [x0, x1], [y0, y1]
    for turn in (-0.436, 0.436):  # 25 degrees
        xs += [x1, x1 + length * np.cos(back + turn)]
        ys += [y1, y1 + length * np.sin(back + turn)]
    return np.array(xs), np.array(ys)


class ParameterSpaceView(QWidget):
    """A run bar, the two parameter choices, the loss map with the path, and a readout."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.run_bar = RunBar(controller)
        self.first, self.second = QComboBox(), QComboBox()
        for combo in (self.first, self.second):  # as wide as the longest name ("W2[48,0]"), none cut short
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.default = QPushButton("Default pair")
        row = QHBoxLayout()
        for label, widget in (("parameter a", self.first), ("parameter b", self.second)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addWidget(self.default)
        row.addStretch(1)
        self.first.setToolTip(INSIDE_TOOLTIPS["parameter_a"])
        self.second.setToolTip(INSIDE_TOOLTIPS["parameter_b"])
        self.default.setToolTip(INSIDE_TOOLTIPS["parameter_default"])
        self.plot = bare_plot()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_MAP.getLookupTable(0.0, 1.0, 256))
        self.contours = pg.PlotDataItem(pen=pg.mkPen((255, 255, 255, 120), width=1), connect="pairs")
        self.path = pg.PlotDataItem(pen=pg.mkPen((255, 255, 255), width=2), symbol="o", symbolSize=3,
                                    symbolBrush=(255, 255, 255), symbolPen=None)  # fmt: skip
        self.current = pg.ScatterPlotItem(size=13, pen=pg.mkPen((230, 40, 40), width=3), brush=None)
        # the momentum step: a shaft and two barbs, as line pairs in data coordinates
        self.velocity = pg.PlotDataItem(pen=pg.mkPen((255, 80, 80), width=3), connect="pairs")
        for item in (self.image, self.contours, self.path, self.current, self.velocity):
            self.plot.addItem(item)
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        stack_tab(self, self.run_bar, row, self.plot, self.readout)
        self._spec: object = None
        self._surface_drawn: object = None
        self.first.activated.connect(self._chosen)
        self.second.activated.connect(self._chosen)
        self.default.clicked.connect(lambda: self.controller.choose_parameter_pair(None))

    def _sync_controls(self) -> None:
        trainer = self.controller.trainer
        spec = None if trainer is None else trainer.spec
        if spec != self._spec:
            self._spec = spec
            labels = [] if spec is None else [ref.label for ref in parameter_refs(spec)]
            for combo in (self.first, self.second):
                combo.clear()
                combo.addItems(labels)
        pair = self.controller.inside.pair
        if pair is not None:
            self.first.setCurrentText(pair[0].label)
            self.second.setCurrentText(pair[1].label)

    def _chosen(self, *_: object) -> None:
        self.controller.choose_parameter_pair((self.first.currentText(), self.second.currentText()))

    def redraw(self) -> None:
        """Draw the snapshot's loss map (when it changed), the path, the current point and the momentum step."""
        snap = self.controller.snapshot(None, frozenset({"parameters"}))
        self._sync_controls()
        view = snap.parameters
        if view is None or view.surface is None:
            self.readout.setText("no model: add points of two classes, or pick a data set")
            return
        surface = view.surface
        a, b = view.pair
        if surface is not self._surface_drawn:
            self._surface_drawn = surface
            self._draw_surface(surface)
            self.plot.setLabel("bottom", a.label)
            self.plot.setLabel("left", b.label)
        path = view.path
        self.path.setData(path[:, 0], path[:, 1]) if len(path) else self.path.setData([], [])
        here = (path[-1, 0], path[-1, 1]) if len(path) else surface.centre
        self.current.setData([here[0]], [here[1]])
        if view.velocity is not None and any(view.velocity):
            self.velocity.setData(*arrow_segments(here, view.velocity))
        else:
            self.velocity.setData([], [])
        middle = surface.loss.shape[0] // 2
        momentum = "; the arrow: where momentum carries them next (−lr·v)" if view.velocity is not None else ""
        self.readout.setText(
            f"step {snap.step}. The map: the training loss at step {view.surface_step} over ({a.label}, {b.label}), "
            f"every other parameter held; at its centre ({surface.centre[0]:.4g}, {surface.centre[1]:.4g}) the loss is "
            f"{surface.loss[middle, middle].item():.4g}. The line: the last {len(path)} recorded points{momentum}"
        )

    def _draw_surface(self, surface) -> None:
        loss = surface.loss.numpy()
        shown = np.log10(np.maximum(loss, 1e-12))  # a log scale: the valley's floor keeps its detail
        finite = shown[np.isfinite(shown)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        high = high if high > low else low + 1.0
        self.image.setImage(np.nan_to_num(shown, nan=high, posinf=high).astype(np.float32), autoLevels=False,
                            levels=(low, high))  # fmt: skip
        xs, ys = surface.xs.numpy(), surface.ys.numpy()
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        levels = np.linspace(low, high, CONTOURS + 2)[1:-1]
        segments = [contour_segments(shown, level, xs, ys) for level in levels]
        lines = np.concatenate(segments) if segments else np.zeros((0, 2))
        self.contours.setData(lines[:, 0], lines[:, 1])
        self.plot.setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0)
