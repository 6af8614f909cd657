"""The network view: every neuron a live picture of its output over the plane, every weight a link.

TensorFlow Playground's picture for our layer stack of any depth: the inputs
(the active features) on the left, each hidden layer, the scores on the right.
Each neuron is a thumbnail of its output on the boundary plot's own grid,
sampled (same colour scale as the scores: blue below 0, red above, ±3 at the
ends; the black outline is where the output crosses 0, a ReLU's half-plane).
A link's width is proportional to |weight| (or, toggled, to |dL/dw|), its
colour the sign (red +, blue −). A dead or saturated unit is hatched grey and
labelled; the green arrow beside a neuron is its pull, −dL/d(output) on the
examples just learned (up: the loss wants the output larger).

Hovering a neuron or a link emits :attr:`NetworkView.sigHovered`; the tab
shows the neuron large or the weight and its gradient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from PyQt6.QtCore import QLineF, QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPolygonF
from PyQt6.QtWidgets import QSizePolicy, QWidget

from torchcircuits.inside import subsample_grid

from .boundary import boundary_image

__all__ = ["NetworkView", "Hover", "THUMB", "MAX_SHOWN", "link_width", "column_titles", "thumbnail_images"]

#: thumbnail side in grid pixels (each drawn at up to 1.5x this many screen pixels)
THUMB = 40
#: neurons drawn per layer; a wider layer shows its first MAX_SHOWN and says how many more it has
MAX_SHOWN = 16
#: the widest link, in pixels (the largest |weight| on the view)
MAX_LINK = 6.0
# opaque: blending each link into what lies under it made painting them 2-3x slower
_POSITIVE = QColor(225, 135, 70)
_NEGATIVE = QColor(70, 150, 200)
_PULL = QColor(0, 140, 70)
_DEAD = QColor(90, 90, 90, 150)


@dataclass(frozen=True)
class Hover:
    """What the pointer is over: a neuron (column, index) or a link (column of its start, from, to).

    Columns: 0 the inputs, 1..L the hidden layers, L+1 the scores.
    """

    kind: str  # "neuron" or "link"
    column: int
    index: int
    to: int = -1


def link_width(value: float, largest: float) -> float:
    """A link's width in pixels: proportional to |value|, MAX_LINK for the ``largest`` |value| on the view."""
    if not (largest > 0 and math.isfinite(value)):
        return 0.0
    return MAX_LINK * min(1.0, abs(value) / largest)


def column_titles(widths: list[int], depth: int) -> list[str]:
    """'inputs', 'layer 1 (8)', ..., 'scores' (or 'score')."""
    titles = ["inputs"] + [f"layer {k} ({widths[k]})" for k in range(1, depth + 1)]
    return titles + ["score" if widths[-1] == 1 else "scores"]


def thumbnail_images(values: np.ndarray) -> np.ndarray:
    """RGB (n, s, s, 3) uint8 of n pictures (n, s, s) on the scores' colour scale, each with its 0 line in black.

    One colouring call for all of them (per picture, the call's overhead costs more than the colouring).
    """
    n, s, _ = values.shape
    rgb = boundary_image(values.reshape(n * s, s, 1), outlines=False).reshape(n, s, s, 3)
    positive = values > 0
    edge = np.zeros(values.shape, dtype=bool)
    np.not_equal(positive[:, :, :-1], positive[:, :, 1:], out=edge[:, :, :-1])
    edge[:, :-1, :] |= positive[:, :-1, :] != positive[:, 1:, :]
    rgb[edge] = 0
    return rgb


def _qimage(rgb: np.ndarray) -> tuple[QImage, np.ndarray]:
    """A QImage of an RGB (G, G, 3) uint8 picture whose row 0 is the bottom row; the buffer it reads, to keep.

    In Qt's own 0xffRRGGBB format (RGB32): drawn without a conversion each paint (3x faster than RGB888).
    """
    flipped = rgb[::-1].astype(np.uint32)
    buffer = np.ascontiguousarray(0xFF000000 | (flipped[..., 0] << 16) | (flipped[..., 1] << 8) | flipped[..., 2])
    height, width = buffer.shape
    return QImage(buffer.data, width, height, 4 * width, QImage.Format.Format_RGB32), buffer


class NetworkView(QWidget):
    """Paints the net from a snapshot with ``layers`` and ``network`` filled (see :meth:`show_snapshot`)."""

    #: a :class:`Hover`, or None when the pointer leaves every neuron and link
    sigHovered = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        #: links show dL/dw instead of the weight
        self.show_gradients = False
        #: per column, the thumbnails as values (shown, THUMB, THUMB), float, row 0 at the bottom
        self.thumbnails: list[np.ndarray] = []
        self.widths: list[int] = []
        self.names: list[str] = []
        self.state = None
        self.hovered: Hover | None = None
        self.smooth = True
        self._images: list[list[tuple[QImage, np.ndarray]]] = []
        self._rects: list[list[QRectF]] = []
        self._message = "no model: add points of two classes, or pick a data set"

    # --- data ------------------------------------------------------------------------------
    def show_snapshot(self, layers, state, smooth: bool = True) -> None:
        """Every layer's grid outputs (features, hidden..., scores: (G², n) each) and the NetworkState; None: none.

        ``smooth``: antialiased links (4x the painting time: off while training runs).
        """
        if layers is None or state is None:
            self.thumbnails, self.widths, self.state, self._images = [], [], None, []
            self.update()
            return
        self.state = state
        self.smooth = smooth
        self.widths = [layer.shape[1] for layer in layers]
        self.names = list(state.features)
        shown = [layer[:, :MAX_SHOWN].to(layers[-1].dtype) for layer in layers]
        thumbs = subsample_grid(torch.cat(shown, dim=1), THUMB).double().numpy()  # every layer's at once
        rgb = thumbnail_images(thumbs)
        bounds = np.cumsum([0] + [s.shape[1] for s in shown])
        spans = list(zip(bounds[:-1], bounds[1:], strict=True))
        self.thumbnails = [thumbs[a:b] for a, b in spans]
        self._images = [[_qimage(picture) for picture in rgb[a:b]] for a, b in spans]
        self._layout()
        self.update()

    def set_show_gradients(self, on: bool) -> None:
        self.show_gradients = on
        self.update()

    def link_values(self, column: int) -> np.ndarray:
        """The numbers the links from ``column`` to the next show: the weight matrix (n_k, n_k+1) or its gradient."""
        name = self.state.spec.layer_names()[column][0]
        source = self.state.grads if self.show_gradients else self.state.weights
        return source[name][:MAX_SHOWN, :MAX_SHOWN].numpy()

    def largest_link(self) -> float:
        """The largest |value| over the links shown: the one drawn MAX_LINK wide."""
        values = [np.abs(self.link_values(k)).max() for k in range(len(self.widths) - 1)]
        finite = [v for v in values if math.isfinite(v)]
        return max(finite, default=0.0)

    def link_widths(self, column: int) -> np.ndarray:
        """The drawn widths (n_k, n_k+1) of the links from ``column``, in pixels."""
        largest = self.largest_link()
        return np.vectorize(lambda v: link_width(float(v), largest), otypes=[float])(self.link_values(column))

    # --- geometry --------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._layout()
        super().resizeEvent(event)

    def _layout(self) -> None:
        columns = len(self.widths)
        if not columns:
            self._rects = []
            return
        top, bottom = 22.0, 18.0
        shown = [min(w, MAX_SHOWN) for w in self.widths]
        height = max(40.0, self.height() - top - bottom)
        side = min(1.5 * THUMB, height / (max(shown) * 1.15), (self.width() - 20.0) / (columns * 2.2))
        side = max(12.0, side)
        gap = (self.width() - columns * side) / (columns + 1)
        self._rects = []
        for k, n in enumerate(shown):
            x = gap + k * (side + gap)
            step = height / n
            self._rects.append([QRectF(x, top + step * (j + 0.5) - side / 2, side, side) for j in range(n)])

    def node_rect(self, column: int, index: int) -> QRectF:
        return self._rects[column][index]

    def hover_at(self, point: QPointF) -> Hover | None:
        """The neuron under ``point``, else the nearest link within 4 pixels, else None."""
        for k, rects in enumerate(self._rects):
            for j, rect in enumerate(rects):
                if rect.contains(point):
                    return Hover("neuron", k, j)
        best, nearest = None, 4.0
        for k in range(len(self._rects) - 1):
            for i, a in enumerate(self._rects[k]):
                for j, b in enumerate(self._rects[k + 1]):
                    distance = _distance(point, QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y()))
                    if distance < nearest:
                        best, nearest = Hover("link", k, i, j), distance
        return best

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        hover = self.hover_at(event.position())
        if hover != self.hovered:
            self.hovered = hover
            self.update()
            self.sigHovered.emit(hover)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.hovered is not None:
            self.hovered = None
            self.update()
            self.sigHovered.emit(None)
        super().leaveEvent(event)

    # --- painting --------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.state is None or not self._rects:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_links(painter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_nodes(painter)
        painter.end()

    def _paint_links(self, painter: QPainter) -> None:
        # one drawLines call per (sign, width in half pixels): a pen change and a call per link cost 20x more
        largest = self.largest_link()
        groups: dict[tuple[bool, int], list[QLineF]] = {}
        for k in range(len(self._rects) - 1):
            values = self.link_values(k)
            for i, a in enumerate(self._rects[k]):
                for j, b in enumerate(self._rects[k + 1]):
                    value = float(values[i, j])
                    halves = round(2 * link_width(value, largest))
                    if halves:
                        line = QLineF(a.right(), a.center().y(), b.left(), b.center().y())
                        groups.setdefault((value > 0, halves), []).append(line)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, self.smooth)
        for (positive, halves), lines in groups.items():
            painter.setPen(QPen(_POSITIVE if positive else _NEGATIVE, halves / 2))
            painter.drawLines(lines)
        hover = self.hovered
        if hover is not None and hover.kind == "link":
            a, b = self._rects[hover.column][hover.index], self._rects[hover.column + 1][hover.to]
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor("black"), 2.0))
            painter.drawLine(QLineF(a.right(), a.center().y(), b.left(), b.center().y()))

    def _paint_nodes(self, painter: QPainter) -> None:
        state = self.state
        titles = column_titles(self.widths, state.spec.depth)
        pulls = [None, *state.pulls]
        for k, rects in enumerate(self._rects):
            first = rects[0]
            painter.setPen(QColor(40, 40, 40))
            painter.drawText(QRectF(first.center().x() - 60, 2, 120, 18), Qt.AlignmentFlag.AlignCenter, titles[k])
            if self.widths[k] > len(rects):
                last = rects[-1]
                painter.drawText(QRectF(last.center().x() - 60, last.bottom() + 1, 120, 16),
                                 Qt.AlignmentFlag.AlignCenter, f"+{self.widths[k] - len(rects)} more")  # fmt: skip
            inactive = state.inactive[k - 1] if 1 <= k <= state.spec.depth else None
            pull = pulls[k] if k else None
            largest_pull = float(pull.abs().max()) if pull is not None and len(pull) else 0.0
            for j, rect in enumerate(rects):
                image, _ = self._images[k][j]
                painter.drawImage(rect, image)
                hovered = self.hovered == Hover("neuron", k, j)
                painter.setPen(QPen(QColor("black"), 2.5 if hovered else 1.0))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
                if k == 0 and j < len(self.names):
                    painter.drawText(QRectF(rect.left() - 44, rect.top(), 40, rect.height()),
                                     Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.names[j])
                if inactive is not None and bool(inactive[j]):
                    painter.fillRect(rect, QBrush(_DEAD, Qt.BrushStyle.BDiagPattern))
                    painter.setPen(QPen(QColor(60, 60, 60), 2.0))
                    painter.drawRect(rect)
                    word = "sat." if state.spec.activation in ("tanh", "sigmoid") else "dead"
                    if rect.width() >= painter.fontMetrics().horizontalAdvance(word) + 6:  # a small node: hatch only
                        label = QRectF(rect.left() + 2, rect.center().y() - 8, rect.width() - 4, 16)
                        painter.fillRect(label, QColor(255, 255, 255, 210))
                        painter.setPen(QColor(40, 40, 40))
                        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, word)
                if pull is not None and largest_pull > 0:
                    self._paint_pull(painter, rect, float(pull[j]) / largest_pull)

    @staticmethod
    def _paint_pull(painter: QPainter, rect: QRectF, share: float) -> None:
        """An arrow beside the neuron: up for a positive pull, its length the pull's share of the layer's largest."""
        if not math.isfinite(share) or abs(share) < 0.02:
            return
        x, y = rect.right() + 4.0, rect.center().y()
        end = y - share * rect.height() / 2
        painter.setPen(QPen(_PULL, 2.0))
        painter.drawLine(QLineF(x, y, x, end))
        tip = -4.0 if share > 0 else 4.0
        painter.setBrush(_PULL)
        painter.drawPolygon(QPolygonF([QPointF(x, end), QPointF(x - 3, end - tip), QPointF(x + 3, end - tip)]))


def _distance(p: QPointF, a: QPointF, b: QPointF) -> float:
    """Distance from p to the segment a-b, in pixels."""
    ax, ay, bx, by, px, py = a.x(), a.y(), b.x(), b.y(), p.x(), p.y()
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))
