"""The hidden-space view: the input plane's grid and the data, as one hidden layer sees them (ConvNetJS's 2-D demo).

Pick a hidden layer and two of its neurons, or its first two principal
components (computed on the training points; the axes say how much of the
variance each explains). The grey lines are the plane's grid lines mapped
through the net up to that layer; the dots the training points. While the net
trains, the layer bends the plane until a straight line parts the classes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from .boundary import CLASS_COLOURS
from .controller import TrainingController
from .help import INSIDE_TOOLTIPS
from .regression_view import value_brushes
from .run_bar import RunBar
from .tab_layout import bare_plot, stack_tab

__all__ = ["HiddenSpaceView", "AXES_CHOICES"]

AXES_CHOICES = ("first two principal components", "two neurons")


def _polylines(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L, S, 2) lines as x and y arrays with a NaN between lines (one item draws them all)."""
    gap = np.full((lines.shape[0], 1, 2), np.nan)
    joined = np.concatenate([lines, gap], axis=1).reshape(-1, 2)
    return joined[:, 0], joined[:, 1]


class HiddenSpaceView(QWidget):
    """A run bar, the layer and axes choices, and the plot."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.run_bar = RunBar(controller)
        self.layer = QComboBox()
        self.layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.axes = QComboBox()
        self.axes.addItems(AXES_CHOICES)
        self.first, self.second = QSpinBox(), QSpinBox()
        self.note = QLabel()
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        for label, widget in (("hidden layer", self.layer), ("axes", self.axes), ("neurons", self.first),
                              ("and", self.second)):  # fmt: skip
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addStretch(1)
        for name in ("layer", "axes", "first", "second"):
            getattr(self, name).setToolTip(INSIDE_TOOLTIPS[f"hidden_{name}"])
        self.plot = bare_plot()
        self.lines = pg.PlotDataItem(pen=pg.mkPen((120, 120, 120, 160), width=1), connect="finite")
        self.points = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=1))
        self.plot.addItem(self.lines)
        self.plot.addItem(self.points)
        stack_tab(self, self.run_bar, row, self.plot, self.note)
        self._shape: object = None
        self._labels_key: object = None
        for widget in (self.layer, self.axes):
            widget.activated.connect(self._chosen)
        for spin in (self.first, self.second):
            spin.editingFinished.connect(self._chosen)
            spin.valueChanged.connect(self._chosen)

    def _sync_controls(self) -> None:
        """The choices as the controller holds them, for this model's layers and widths."""
        trainer, inside = self.controller.trainer, self.controller.inside
        hidden = () if trainer is None else trainer.spec.hidden
        if hidden != self._shape:
            self._shape = hidden
            self.layer.blockSignals(True)
            self.layer.clear()
            self.layer.addItems([f"{k} ({width} units)" for k, width in enumerate(hidden, start=1)])
            self.layer.blockSignals(False)
        for widget in (self.layer, self.axes, self.first, self.second):
            widget.blockSignals(True)
        if hidden:
            self.layer.setCurrentIndex(inside.hidden_layer - 1)
            width = hidden[inside.hidden_layer - 1]
            for spin in (self.first, self.second):
                spin.setRange(0, width - 1)
        self.axes.setCurrentIndex(0 if inside.hidden_neurons is None else 1)
        if inside.hidden_neurons is not None:
            self.first.setValue(inside.hidden_neurons[0])
            self.second.setValue(inside.hidden_neurons[1])
        for widget in (self.layer, self.axes, self.first, self.second):
            widget.blockSignals(False)
        two_neurons = self.axes.currentIndex() == 1 and bool(hidden)
        self.first.setEnabled(two_neurons)
        self.second.setEnabled(two_neurons)
        self.layer.setEnabled(bool(hidden))
        self.axes.setEnabled(bool(hidden))

    def _chosen(self, *_: object) -> None:
        if self.layer.count() == 0:
            return
        layer = self.layer.currentIndex() + 1
        if self.axes.currentIndex() == 0:
            neurons = None
        else:
            width = self.controller.trainer.spec.hidden[layer - 1]
            first, second = min(self.first.value(), width - 1), min(self.second.value(), width - 1)
            if (first, second) == (0, 0) and width > 1 and self.controller.inside.hidden_neurons is None:
                second = 1  # switching to neurons starts with the first two
            neurons = (first, second)
        self.controller.choose_hidden_axes(layer, neurons)

    def redraw(self) -> None:
        """Draw the snapshot's hidden map (None for a linear model: say why)."""
        self._sync_controls()
        snap = self.controller.snapshot(None, frozenset({"hidden"}))
        hidden = snap.hidden
        if hidden is None:
            self.lines.setData([], [])
            self.points.setData([])
            self.note.setText("the hidden space needs a net: this model has no hidden layer" if snap.model
                              else "no model: add points of two classes, or pick a data set")  # fmt: skip
            return
        x, y = _polylines(hidden.lines.numpy())
        self.lines.setData(x, y)
        labels = self.controller.train.labels.numpy()
        if self.controller.train.task == "regression":  # real targets: coloured on the value map's scale
            brushes = value_brushes(labels, (float(labels.min()), float(labels.max())))
        else:
            brushes = [pg.mkBrush(*c) for c in CLASS_COLOURS[labels % len(CLASS_COLOURS)]]
        self.points.setData(pos=hidden.points.numpy(), brush=brushes)
        if hidden.labels != self._labels_key:
            self._labels_key = hidden.labels
            self.plot.setLabel("bottom", hidden.labels[0])
            self.plot.setLabel("left", hidden.labels[1])
        self.note.setText(f"step {snap.step}: grey lines are the input plane's grid lines, dots the training points, "
                          f"both as hidden layer {hidden.layer} outputs them")  # fmt: skip
