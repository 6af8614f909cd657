"""The regression views: a value heat map for 2-D sets, a fitted curve for the 1-D ``sine`` set.

2-D (plane, gaussians): the model's value at every pixel, coloured on a fixed
scale whose ends are the targets' smallest and largest values (so the colours
mean the same from step to step, and a point's colour can be read against the
map's), a colour legend beside it, and no zero contour (zero is not a boundary
in regression). Points are coloured by their target on the same scale.

1-D (sine, ConvNetJS's regression demo): the data points, the fitted curve over
the whole x range, a residual line from each training point to the curve, and,
when asked, each first-layer hidden neuron's own curve (faint) to show the
pieces the fit is built from. The view draws a :class:`RegressionFit` the
controller computes; it computes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
import torch

__all__ = ["RegressionFit", "RegressionView", "COLOUR_MAP", "value_brushes"]

#: the values' colours: a diverging map, blue low, red high (pyqtgraph's CET-D1)
COLOUR_MAP = pg.colormap.get("CET-D1")


@dataclass(frozen=True)
class RegressionFit:
    """What a regression view draws, at one step.

    ``levels`` (lo, hi) are the smallest and largest target of the data. For 1-D
    data: ``x`` (G,) spans the view, ``fitted`` (G,) is the model there,
    ``neurons`` (G, H) the first hidden layer's outputs (None unless asked or
    without hidden layers), ``predicted`` (N,) the model at the N training
    points. For 2-D data ``values`` (G, G) is the model on the grid, row-major
    from the bottom row, covering ``bounds`` (x0, x1, y0, y1).
    """

    levels: tuple[float, float]
    x: torch.Tensor | None = None
    fitted: torch.Tensor | None = None
    neurons: torch.Tensor | None = None
    predicted: torch.Tensor | None = None
    values: torch.Tensor | None = None
    bounds: tuple[float, float, float, float] | None = None


def value_brushes(targets: np.ndarray, levels: tuple[float, float]) -> list:
    """One brush per target (N,), coloured on the map's scale from levels (lo, hi)."""
    lo, hi = levels
    share = np.clip((targets - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0)
    return [pg.mkBrush(c) for c in COLOUR_MAP.map(share, mode="qcolor")]


class RegressionView(pg.PlotWidget):
    """One plot for both kinds: the items of the other kind are hidden."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent, background="w")
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(COLOUR_MAP.getLookupTable(nPts=256))
        self.image.setOpacity(0.75)
        self.addItem(self.image)
        self.legend_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=COLOUR_MAP, interactive=False, width=14,
                                          label="value")  # fmt: skip
        self.legend_bar.setImageItem(self.image, insert_in=item)
        self.neuron_curves = pg.PlotDataItem(pen=pg.mkPen((120, 120, 120, 110), width=1), connect="finite")
        self.residuals = pg.PlotDataItem(pen=pg.mkPen((200, 60, 60, 160), width=1), connect="pairs")
        self.curve = pg.PlotDataItem(pen=pg.mkPen((20, 20, 20), width=3))
        self.train_points = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=1))
        self.test_points = pg.ScatterPlotItem(size=8, symbol="s", pen=pg.mkPen((60, 60, 60), width=1))
        # the neurons' curves may run far above the targets: the view's range follows the data and the fit only
        self.addItem(self.neuron_curves, ignoreBounds=True)
        for thing in (self.residuals, self.curve, self.train_points, self.test_points):
            self.addItem(thing)
        self._kind: str | None = None

    def show_fit(self, fit: RegressionFit, train_X: torch.Tensor, train_y: torch.Tensor, test_X: torch.Tensor,
                 test_y: torch.Tensor) -> None:  # fmt: skip
        """Draw ``fit`` and the points: targets ``*_y`` (N,), inputs ``*_X`` (N, 1) or (N, 2)."""
        one_d = fit.x is not None
        kind = "curve" if one_d else "map"
        if kind != self._kind:
            self._kind = kind
            self.image.setVisible(not one_d)
            self.legend_bar.setVisible(not one_d)
            for thing in (self.curve, self.residuals, self.neuron_curves):
                thing.setVisible(one_d)
            self.setLabel("bottom", "x" if one_d else "x1")
            self.setLabel("left", "target" if one_d else "x2")
            self.getPlotItem().setAspectLocked(not one_d)
        if one_d:
            self._show_curve(fit, train_X, train_y, test_X, test_y)
        else:
            self._show_map(fit, train_X, train_y, test_X, test_y)

    def _show_curve(self, fit: RegressionFit, train_X, train_y, test_X, test_y) -> None:
        x = fit.x.numpy()
        self.curve.setData(x, fit.fitted.numpy())
        xs, ys = train_X[:, 0].numpy(), train_y.numpy()
        pairs = np.empty((2 * len(xs), 2))
        pairs[0::2, 0], pairs[1::2, 0] = xs, xs
        pairs[0::2, 1], pairs[1::2, 1] = ys, fit.predicted.numpy()
        self.residuals.setData(pairs[:, 0], pairs[:, 1])
        if fit.neurons is None:
            self.neuron_curves.setData([], [])
        else:
            h = fit.neurons.shape[1]
            joined_x = np.concatenate([np.append(x, np.nan)] * h)
            joined_y = np.concatenate([np.append(fit.neurons[:, j].numpy(), np.nan) for j in range(h)])
            self.neuron_curves.setData(joined_x, joined_y)
        self.train_points.setData(xs, ys, brush=pg.mkBrush(0, 114, 178))
        self.test_points.setData(test_X[:, 0].numpy(), test_y.numpy(), brush=pg.mkBrush(230, 159, 0))

    def _show_map(self, fit: RegressionFit, train_X, train_y, test_X, test_y) -> None:
        lo, hi = fit.levels
        self.image.setImage(fit.values.numpy().astype(np.float32), autoLevels=False, levels=(lo, hi))
        x0, x1, y0, y1 = fit.bounds
        self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        self.legend_bar.setLevels((lo, hi))
        for scatter, X, y in ((self.train_points, train_X, train_y), (self.test_points, test_X, test_y)):
            scatter.setData(pos=X.numpy(), brush=value_brushes(y.numpy(), fit.levels))
