"""The Network tab: the network view and the health panel on the left, the main plot on the right.

The main plot is a boundary plot of its own: it shows the scores, or, while
the pointer is over a neuron, that neuron's output large with its value range
(its black line is where the output crosses 0). Both the thumbnails and the
main plot come from one evaluation of every layer on the main plot's grid.
"""

from __future__ import annotations

import time

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from .boundary import BoundaryView, plot_bounds
from .controller import TrainingController
from .health_panel import HealthPanel
from .help import INSIDE_TOOLTIPS
from .network_view import Hover, NetworkView, column_titles
from .run_bar import RunBar

__all__ = ["NetworkTab", "hover_text", "HEALTH_HZ"]

#: while training runs, the health panel is redrawn at most this often (like the curves)
HEALTH_HZ = 10


def hover_text(hover: Hover | None, snap) -> str:
    """The line under the main plot for what the pointer is over (``snap`` has ``layers`` and ``network``)."""
    state = snap.network
    if state is None:
        return ""
    if hover is None:
        return ("The main plot shows the scores. Hover a neuron to see its output large, a link for its weight and "
                "gradient.")  # fmt: skip
    widths = [layer.shape[1] for layer in snap.layers]
    titles = column_titles(widths, state.spec.depth)
    if hover.kind == "neuron":
        values = snap.layers[hover.column][:, hover.index]
        where = f"{titles[hover.column].split(' (')[0]}, " + (
            f"input {state.features[hover.index]}" if hover.column == 0 else f"neuron {hover.index}")
        text = f"{where}: from {values.min().item():.3g} to {values.max().item():.3g} on the plot"
        if hover.column:
            bias = state.weights[state.spec.layer_names()[hover.column - 1][1]][hover.index].item()
            pull = state.pulls[hover.column - 1][hover.index].item()
            text += f"; bias {bias:.3g}; pull {pull:+.3g} (−dL/d output, the examples just learned)"
            if hover.column <= state.spec.depth and bool(state.inactive[hover.column - 1][hover.index]):
                text += "; dead on every training point" if state.spec.activation not in ("tanh", "sigmoid") else \
                    "; saturated on every training point"
        return text
    name = state.spec.layer_names()[hover.column][0]
    weight = state.weights[name][hover.index, hover.to].item()
    grad = state.grads[name][hover.index, hover.to].item()
    return (f"{name}[{hover.index},{hover.to}] = {weight:.4g}, dL/dw = {grad:.3g} (on the examples just learned, at "
            f"the current weights)")  # fmt: skip


class NetworkTab(QWidget):
    """Run bar; network view, its toggle and the health panel; the main plot and the hover line."""

    def __init__(self, controller: TrainingController, grid_size: int = 200, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.run_bar = RunBar(controller)
        self.network = NetworkView()
        self.gradients = QCheckBox("links show dL/dw")
        self.gradients.setToolTip(INSIDE_TOOLTIPS["gradients"])
        self.legend = QLabel("width ∝ |weight|, <span style='color:#d55e00'>red +</span>, "
                             "<span style='color:#0072b2'>blue −</span>; green arrow: the pull; hatched: dead")
        self.health = HealthPanel()
        self.health.setToolTip(INSIDE_TOOLTIPS["health"])
        self.boundary = BoundaryView(grid_size)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.hovered: Hover | None = None
        self._health_drawn_at = 0.0
        self._bounds_key: object = None

        toggles = QHBoxLayout()
        toggles.addWidget(self.gradients)
        toggles.addWidget(self.legend, 1)
        net = QWidget()
        net_layout = QVBoxLayout(net)
        net_layout.setContentsMargins(0, 0, 0, 0)
        net_layout.addWidget(self.network, 1)
        net_layout.addLayout(toggles)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(net)
        left.addWidget(self.health)
        left.setStretchFactor(0, 2)
        left.setStretchFactor(1, 1)
        left.setSizes([640, 320])  # the net first: the health plots read well at a third of the height
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.boundary, 1)
        right_layout.addWidget(self.caption)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_bar)
        layout.addWidget(splitter, 1)

        self.gradients.toggled.connect(self.network.set_show_gradients)
        self.network.sigHovered.connect(self._hovered)

    def _hovered(self, hover: Hover | None) -> None:
        self.hovered = hover
        self.redraw(health=False)

    def fit_view(self) -> None:
        self.boundary.set_bounds(plot_bounds(self.controller.all_points().X.numpy()))

    def redraw(self, health: bool | None = None) -> None:
        """One grid evaluation: the thumbnails, the main plot (scores or the hovered neuron), the health panel."""
        c = self.controller
        key = c.settings.data
        if key != self._bounds_key and len(c.all_points()):
            self._bounds_key = key
            self.fit_view()
        snap = c.snapshot(self.boundary.grid(coarse=c.running), frozenset({"network"}))
        self.network.show_snapshot(snap.layers, snap.network, smooth=not snap.running)
        hover = self.hovered
        if hover is not None and hover.kind == "neuron" and snap.layers is not None:
            values = snap.layers[hover.column][:, hover.index : hover.index + 1]
            self.boundary.show_scores(values, margins=False)
        else:  # a regression net's output is a value, not a score: no zero line
            self.boundary.show_scores(snap.scores, margins=snap.margins, contour=c.train.task != "regression")
        self.boundary.show_points(c.train, c.test, snap.train_wrong, snap.test_wrong)
        self.caption.setText(hover_text(hover, snap))
        now = time.perf_counter()
        if health is None:
            health = not snap.running or now - self._health_drawn_at >= 1.0 / HEALTH_HZ
        if health and c.trainer is not None:
            self.health.show_history(c.inside.health_history, c.trainer.spec.activation)
            self._health_drawn_at = now
