"""The decision boundary: the model's scores over the plane, the data on top.

:func:`boundary_indices` turns a grid of scores into one byte per pixel and a
lookup table that the image item applies while painting (:func:`boundary_image`
gives the same map as RGB). The zero contour and the ±1 margins of one score, and
the borders between K classes (:func:`class_borders`), are line segments from
:func:`contour_segments`, a vectorized marching squares that interpolates each
crossing along its cell edge: smooth lines, no pixel staircase, a few
milliseconds per frame. The heat map always covers exactly the visible area.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import torch
from PyQt6.QtCore import QRectF, Qt, pyqtSignal

__all__ = ["BoundaryView", "boundary_image", "boundary_indices", "contour_segments", "class_borders", "CLASS_COLOURS",
           "plot_bounds", "grid_points"]

#: Class colours, Okabe and Ito's colour-blind-safe palette: class 0 blue, class 1 vermillion, then
#: bluish green, orange, reddish purple, sky blue, yellow, then three greys and browns.
CLASS_COLOURS = np.array(
    [[0, 114, 178], [213, 94, 0], [0, 158, 115], [230, 159, 0], [204, 121, 167],
     [86, 180, 233], [240, 228, 66], [120, 90, 40], [90, 90, 90], [160, 170, 20]],
    dtype=np.float32,
)  # fmt: skip
#: the score map, blue to white to red, washed halfway to white so the saturated points stand out on it
_DIVERGING = (
    0.5 * pg.colormap.get("CET-D1").getLookupTable(0.0, 1.0, 256, mode="byte")[:, :3].astype(np.float32) + 127.5
).astype(np.uint8)
#: scores at ±SCORE_RANGE take the ends of the colour map
SCORE_RANGE = 3.0


def plot_bounds(X: np.ndarray, pad: float = 0.15) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): a square around the data with a margin, at least 2 units wide."""
    X = X[np.isfinite(X).all(axis=1)] if len(X) else X
    if len(X) == 0:
        return -2.0, 2.0, -2.0, 2.0
    lo, hi = X.min(axis=0), X.max(axis=0)
    centre = (lo + hi) / 2
    half = max(float((hi - lo).max()) / 2 * (1 + pad), 1.0)  # square, so the image fills the locked aspect
    return centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half


def grid_points(bounds: tuple[float, float, float, float], size: int) -> torch.Tensor:
    """Pixel centres of a size×size grid, row-major from the bottom row: (size², 2) float64."""
    x0, x1, y0, y1 = bounds
    xs = torch.linspace(x0, x1, size + 1, dtype=torch.float64)
    ys = torch.linspace(y0, y1, size + 1, dtype=torch.float64)
    xs, ys = (xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)


def _edges(field: np.ndarray) -> np.ndarray:
    """Pixels whose value differs from the pixel to the right or above: a 1-pixel outline."""
    edge = np.zeros(field.shape, dtype=bool)
    np.not_equal(field[:, :-1], field[:, 1:], out=edge[:, :-1])
    edge[:-1, :] |= field[:-1, :] != field[1:, :]
    return edge


_HARD = np.array([[165, 185, 240], [240, 170, 160]], dtype=np.uint8)
#: a regression set's points: no class to colour them by
_NO_CLASS = np.array([150, 150, 150])
#: an empty plane: one light grey
_BLANK_LUT = np.full((256, 3), 245, dtype=np.uint8)


def _dots(shape: tuple[int, int]) -> np.ndarray:
    return (np.add.outer(np.arange(shape[0]), np.arange(shape[1])) % 6) < 3


def contour_segments(field: np.ndarray, level: float, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Marching squares: the line where ``field`` (G, G), sampled at (xs[j], ys[i]), crosses ``level``.

    Returns (2N, 2) points, each pair one segment, with crossings placed by linear
    interpolation along each cell edge: sub-pixel precise, no staircase. Only the
    cells the line passes through are visited, so the cost is a few whole-grid
    comparisons plus work in proportion to the line's length.
    """
    above = field > level
    # a cell is crossed when its four corners are not all on one side
    corners = above[:-1, :-1].astype(np.uint8) + above[:-1, 1:] + above[1:, :-1] + above[1:, 1:]
    i, j = np.nonzero((corners > 0) & (corners < 4))
    f00, f01, f10, f11 = field[i, j], field[i, j + 1], field[i + 1, j], field[i + 1, j + 1]
    a00, a01, a10, a11 = above[i, j], above[i, j + 1], above[i + 1, j], above[i + 1, j + 1]
    x0, x1, y0, y1 = xs[j], xs[j + 1], ys[i], ys[i + 1]

    def cut(fa: np.ndarray, fb: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nan_to_num((level - fa) / (fb - fa))

    # each cell's edges: bottom (i, j)-(i, j+1), top (i+1, j)-(i+1, j+1), left (i, j)-(i+1, j), right
    flags = np.stack([a00 != a01, a10 != a11, a00 != a10, a01 != a11], axis=1)
    tb, tt, tl, tr = cut(f00, f01), cut(f10, f11), cut(f00, f10), cut(f01, f11)
    points = np.stack([
        np.stack([x0 + tb * (x1 - x0), y0], 1), np.stack([x0 + tt * (x1 - x0), y1], 1),
        np.stack([x0, y0 + tl * (y1 - y0)], 1), np.stack([x1, y0 + tr * (y1 - y0)], 1),
    ], axis=1)  # fmt: skip
    count = flags.sum(axis=1)
    rows = np.arange(len(i))
    first, last = flags.argmax(axis=1), 3 - flags[:, ::-1].argmax(axis=1)
    two = count == 2
    pairs = [np.stack([points[rows, first][two], points[rows, last][two]], axis=1).reshape(-1, 2)]
    saddle = count == 4  # two lines through one cell: pair bottom with left, top with right
    for a, b in ((0, 2), (1, 3)):
        pairs.append(np.stack([points[saddle, a], points[saddle, b]], axis=1).reshape(-1, 2))
    return np.concatenate(pairs).astype(np.float64)


def class_borders(scores: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Where the arg-max class changes, as interpolated segments (2N, 2), for K scores (G, G, K).

    Class k's region is where s_k minus the best other score is positive; each
    region's zero contour is drawn (a border between two classes comes from both).
    """
    ranked = np.sort(scores, axis=2)
    top, second = ranked[:, :, -1], ranked[:, :, -2]
    best = scores.argmax(axis=2)
    lines = [np.zeros((0, 2))]
    for k in np.unique(best):  # a class that wins nowhere has no border
        other = np.where(best == k, second, top)
        lines.append(contour_segments(scores[:, :, k] - other, 0.0, xs, ys))
    return np.concatenate(lines)


#: class maps as a lookup table: index = class * CLASS_SHADES + shade (how sure the softmax is, pale to strong)
CLASS_SHADES = 25
_STRENGTHS = (0.1 + 0.45 * np.linspace(0.0, 1.0, CLASS_SHADES)).astype(np.float32)
_CLASS_LUT = np.full((256, 3), 255, dtype=np.uint8)
_CLASS_LUT[: len(CLASS_COLOURS) * CLASS_SHADES] = (
    255.0 * (1.0 - _STRENGTHS[None, :, None]) + CLASS_COLOURS[:, None, :] * _STRENGTHS[None, :, None]
).reshape(-1, 3).astype(np.uint8)
_HARD_SHADE = int(round((0.45 - 0.1) / 0.45 * (CLASS_SHADES - 1)))  # the hard map's flat strength, 0.45
#: the hard one-score map: indices below 128 take the first flat colour, the rest the second
_HARD_LUT = np.repeat(_HARD, 128, axis=0)


def boundary_indices(scores: np.ndarray, hard: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(index image (G, G) uint8, lookup table (256, 3) uint8) of scores (G, G, M): the map without its lines.

    The image item colours the indices through the table while it paints, so a
    frame computes one byte per pixel instead of three. ``lut[index]`` equals
    :func:`boundary_image`'s colours up to the rounding of the class shades.
    """
    if not np.isfinite(scores).all():  # a diverging model: keep its scores on the colour scale
        scores = np.nan_to_num(scores, nan=0.0, posinf=1e6, neginf=-1e6)
    if scores.shape[2] == 1:
        s = scores[:, :, 0]
        if hard:
            return np.where(s > 0, np.uint8(255), np.uint8(0)), _HARD_LUT
        index = (np.clip(s, -SCORE_RANGE, SCORE_RANGE) + SCORE_RANGE) * (127.5 / SCORE_RANGE)
        return index.astype(np.uint8), _DIVERGING
    top = scores.argmax(axis=2)
    if hard:
        shade = np.full(top.shape, _HARD_SHADE, dtype=np.intp)
    else:
        k = scores.shape[2]
        top_probability = 1.0 / np.exp(scores - scores.max(axis=2, keepdims=True)).sum(axis=2)
        sure = (top_probability - 1.0 / k) * (1.0 / (1.0 - 1.0 / k))  # 0 (a tie of all classes) to 1
        shade = (sure * (CLASS_SHADES - 1) + 0.5).astype(np.intp)
    return ((top % len(CLASS_COLOURS)) * CLASS_SHADES + shade).astype(np.uint8), _CLASS_LUT


def boundary_image(scores: np.ndarray, hard: bool = False, margins: bool = False, outlines: bool = True) -> np.ndarray:
    """RGB image (G, G, 3) uint8 of scores (G, G, M), row-major.

    One score (M = 1): the diverging map over [-3, 3] (soft) or two flat
    colours (hard), the zero contour in black and, with ``margins``, the ±1
    lines dotted (``outlines=False`` leaves the lines to :func:`contour_segments`).
    K scores: each pixel in its arg-max class colour, paler where
    the softmax of the scores is less sure; class borders in black.
    """
    if not np.isfinite(scores).all():  # a diverging model: keep its scores on the colour scale
        scores = np.nan_to_num(scores, nan=0.0, posinf=1e6, neginf=-1e6)
    if scores.shape[2] == 1:
        s = scores[:, :, 0]
        positive = s > 0
        if hard:
            rgb = _HARD[positive.astype(np.intp)]
        else:
            index = ((np.clip(s * (1.0 / SCORE_RANGE), -1.0, 1.0) + 1.0) * 127.5).astype(np.intp)
            rgb = _DIVERGING[index]
        if not outlines:
            return rgb
        rgb[_edges(positive)] = 0
        if margins:
            rgb[(_edges(s > 1.0) | _edges(s > -1.0)) & _dots(s.shape)] = 60
        return rgb
    top = scores.argmax(axis=2)
    colour = CLASS_COLOURS[top % len(CLASS_COLOURS)]
    if hard:
        strength = np.full(top.shape, 0.45, dtype=np.float32)
    else:
        # the largest softmax probability is 1 / sum_j exp(s_j - max s)
        k = scores.shape[2]
        top_probability = 1.0 / np.exp(scores - scores.max(axis=2, keepdims=True)).sum(axis=2)
        sure = (top_probability - 1.0 / k) * (1.0 / (1.0 - 1.0 / k))
        strength = (0.1 + 0.45 * sure).astype(np.float32)  # pale, so points in the same colour stand out
    rgb = 255.0 * (1.0 - strength[..., None]) + colour * strength[..., None]
    if outlines:
        rgb[_edges(top)] = 0.0
    return rgb.astype(np.uint8)


class BoundaryView(pg.PlotWidget):
    """Scores as an image, points on top; left/right clicks ask to add a point."""

    #: (x, y, button) in data coordinates; button 1 = left, 2 = right
    sigPointClicked = pyqtSignal(float, float, int)
    #: a double-click: fit the view to the data again
    sigRefit = pyqtSignal()
    #: the visible area changed (zoom, pan, resize): the score grid follows it
    sigGridChanged = pyqtSignal()

    def __init__(self, grid_size: int = 200, parent=None) -> None:
        super().__init__(parent=parent, background="w")
        self.grid_size = grid_size
        self.hard = False
        self.bounds = (-2.0, 2.0, -2.0, 2.0)
        self._grid = grid_points(self.bounds, grid_size).to(torch.float32)
        self._coarse = grid_points(self.bounds, self.coarse_size).to(torch.float32)
        self.setAspectLocked(True)
        self.showGrid(x=False, y=False)
        self.getPlotItem().setMenuEnabled(False)
        self.getPlotItem().hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        # the zero contour and the ±1 margins of a one-score model, as interpolated line segments
        self.zero_line = pg.PlotDataItem(pen=pg.mkPen((0, 0, 0), width=2), connect="pairs")
        self.margin_lines = pg.PlotDataItem(pen=pg.mkPen((40, 40, 40, 170), width=1), connect="pairs")
        for item in (self.zero_line, self.margin_lines):
            item.setZValue(2)
            self.addItem(item)
        # one item per class and split, each with a single brush: pyqtgraph then renders one symbol per item
        self.class_items: dict[tuple[str, int], pg.ScatterPlotItem] = {}
        self._points_key: object = None
        # misclassified points get a small black cross on top: it stays readable where thousands crowd
        self.wrong_points = pg.ScatterPlotItem(size=8, symbol="x", pen=None, brush=pg.mkBrush(0, 0, 0))
        self.addItem(self.wrong_points)
        self.wrong_points.setZValue(10)
        self._shown: tuple | None = None  # what the map shows now: (scores, hard, margins)
        self._lut: np.ndarray | None = None
        self.scene().sigMouseClicked.connect(self._clicked)
        self.getPlotItem().vb.sigRangeChanged.connect(self._range_changed)

    def set_bounds(self, bounds: tuple[float, float, float, float]) -> None:
        """Show at least this area (x0, x1, y0, y1); the grid then covers whatever the view shows."""
        x0, x1, y0, y1 = bounds
        self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._range_changed()

    def _range_changed(self, *_: object) -> None:
        # the heat map covers exactly the visible area, so no band of the view is left white
        (x0, x1), (y0, y1) = self.getPlotItem().vb.viewRange()
        bounds = (x0, x1, y0, y1)
        if bounds != self.bounds and x1 > x0 and y1 > y0:
            self.bounds = bounds
            self._grid = grid_points(bounds, self.grid_size).to(torch.float32)
            self._coarse = grid_points(bounds, self.coarse_size).to(torch.float32)
            self.sigGridChanged.emit()

    def _place_image(self) -> None:
        # the rect maps pixels to data coordinates; it needs the image's size, so it follows setImage
        x0, x1, y0, y1 = self.bounds
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    @property
    def coarse_size(self) -> int:
        """The grid's side while training runs: half the full one, a quarter of the points to score and colour."""
        return max(20, self.grid_size // 2)

    def grid(self, coarse: bool = False) -> torch.Tensor:
        """The pixel centres (G², 2), float32 (display only: half the memory traffic of float64).

        ``coarse``: the :attr:`coarse_size` grid, for frames drawn while training runs;
        the interpolated contour keeps the boundary smooth at either size.
        """
        return self._coarse if coarse else self._grid

    def show_scores(self, scores: torch.Tensor | None, margins: bool, contour: bool = True) -> None:
        """Scores (G², M) of the points of :meth:`grid` (either size); None shows an empty plane.

        ``contour``: draw the zero line (off for a regression model's values, where 0 is no boundary).
        """
        shown = (self.hard, margins, self.bounds, contour)
        if self._shown is not None and self._shown[0] is scores and self._shown[1] == shown:
            return  # the same scores on the same grid (a redraw with nothing new): the picture stands
        self._shown = (scores, shown)
        g = self.grid_size if scores is None else int(round(scores.shape[0] ** 0.5))
        zero = margin = np.zeros((0, 2))
        if scores is None:
            self._set_map(np.full((g, g), 255, dtype=np.uint8), _BLANK_LUT)
        else:
            grid = scores.numpy().astype(np.float32, copy=False).reshape(g, g, -1)  # a picture needs no float64
            self._set_map(*boundary_indices(grid, hard=self.hard))
            fields = np.nan_to_num(grid, nan=0.0, posinf=1e6, neginf=-1e6)
            xs, ys = self._pixel_centres(g)
            if not contour:
                pass
            elif grid.shape[2] == 1:
                zero = contour_segments(fields[:, :, 0], 0.0, xs, ys)
                if margins:
                    margin = np.concatenate([contour_segments(fields[:, :, 0], v, xs, ys) for v in (-1.0, 1.0)])
            else:
                zero = class_borders(fields, xs, ys)
        self.zero_line.setData(zero[:, 0], zero[:, 1])
        self.margin_lines.setData(margin[:, 0], margin[:, 1])
        self._place_image()

    def _set_map(self, index: np.ndarray, lut: np.ndarray) -> None:
        # one byte per pixel; the item colours it through the table while painting (no RGB array per frame)
        if lut is not self._lut:
            self.image.setLookupTable(lut, update=False)
            self._lut = lut
        self.image.setImage(index, autoLevels=False, levels=(0, 255))

    def shown_rgb(self) -> np.ndarray:
        """The map's colours as painted (G, G, 3) uint8: the index image through its lookup table."""
        return self._lut[self.image.image]

    def _pixel_centres(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        x0, x1, y0, y1 = self.bounds
        xs = x0 + (np.arange(g) + 0.5) * (x1 - x0) / g
        ys = y0 + (np.arange(g) + 0.5) * (y1 - y0) / g
        return xs, ys

    def _class_item(self, split: str, label: int) -> pg.ScatterPlotItem:
        """The points of one class in one split; label -1: a regression set's points, one neutral grey."""
        key = (split, label)
        if key not in self.class_items:
            colour = _NO_CLASS if label < 0 else CLASS_COLOURS[label % len(CLASS_COLOURS)]
            if split == "train":  # a white outline parts a point from the map and from its neighbours
                item = pg.ScatterPlotItem(size=9, pen=pg.mkPen("w", width=1.2), brush=pg.mkBrush(*colour))
            else:  # test points: squares in the class colour with a dark outline
                item = pg.ScatterPlotItem(size=9, symbol="s", pen=pg.mkPen((30, 30, 30), width=1.2),
                                          brush=pg.mkBrush(*colour))  # fmt: skip
            item.setZValue(5)
            self.addItem(item)
            self.class_items[key] = item
        return self.class_items[key]

    def show_points(self, train, test, train_wrong, test_wrong) -> None:
        """Datasets and boolean masks of misclassified points; the class items change only with the data."""
        key = (id(train), id(test), len(train), len(test))
        if key != self._points_key:
            self._points_key = key
            for item in self.class_items.values():
                item.setData(pos=np.zeros((0, 2)))
            for split, data in (("train", train), ("test", test)):
                X, labels = data.X.numpy(), data.labels.numpy()
                if data.task == "regression":  # real targets, no classes: plain points over the map
                    self._class_item(split, -1).setData(pos=X)
                    continue
                for label in np.unique(labels):
                    self._class_item(split, int(label)).setData(pos=X[labels == label])
        wrong = np.concatenate([train.X[train_wrong].numpy(), test.X[test_wrong].numpy()]).reshape(-1, 2)
        self.wrong_points.setData(pos=wrong)

    def _clicked(self, event) -> None:
        if event.double():
            event.accept()
            self.sigRefit.emit()
            return
        position = event.scenePos()
        box = self.getPlotItem().vb
        if not box.sceneBoundingRect().contains(position):
            return
        point = box.mapSceneToView(position)
        button = {Qt.MouseButton.LeftButton: 1, Qt.MouseButton.RightButton: 2}.get(event.button())
        if button is not None:
            event.accept()
            self.sigPointClicked.emit(point.x(), point.y(), button)
