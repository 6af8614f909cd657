"""Paint a :class:`~torchcircuits.diagram.Diagram` with QPainter: the app's circuit view and PNG files.

The geometry and texts come from the library (the same ones its SVG writer
uses); this module only turns them into Qt drawing calls.
"""

from __future__ import annotations

import os

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen, QPolygonF

from torchcircuits.diagram import (
    GRAD_COLOUR,
    HIGHLIGHT_COLOUR,
    NODE_RADIUS,
    VALUE_COLOUR,
    Diagram,
    edge_path,
    label_boxes,
)

from .image_files import save_png

__all__ = ["paint_diagram", "render_png"]

_FILLS = {"input": "#e3f2fd", "constant": "#eeeeee", "gate": "#fff8e1", "output": "#f3e5f5"}


def _text(painter: QPainter, x: float, y: float, text: str, colour: str, bold: bool = False) -> None:
    font = painter.font()
    font.setBold(bold)
    painter.setFont(font)
    painter.setPen(QColor(colour))
    rect = QRectF(x - 150, y - 9, 300, 18)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def _label_colours(diagram: Diagram) -> list[str]:
    """The colour of each of :func:`label_boxes`'s labels, in its order: values green, gradients red."""
    colours = []
    for node in diagram.nodes:
        if node.kind in ("input", "output", "constant"):
            colours.append(VALUE_COLOUR)
            if node.kind != "constant":
                colours.append(GRAD_COLOUR)
    return colours + [VALUE_COLOUR, GRAD_COLOUR] * len(diagram.edges)


def paint_diagram(painter: QPainter, diagram: Diagram) -> None:
    """Draw the whole diagram in its own coordinates (0..width, 0..height + 30)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, diagram.width, diagram.height + 30), QColor("white"))
    font = QFont("DejaVu Sans")
    font.setPixelSize(12)
    painter.setFont(font)
    title = painter.font()
    title.setPixelSize(15)
    title.setBold(True)
    painter.setFont(title)
    painter.setPen(QColor("black"))
    painter.drawText(QPointF(12, 22), f"{diagram.name}: {diagram.formula}")
    painter.setFont(font)
    painter.setPen(QColor("#444"))
    painter.drawText(QPointF(12, diagram.height + 20), f"value (green) · gradient (red)   {diagram.caption}")

    painter.setPen(QPen(QColor("#555"), 1.5))
    for edge in diagram.edges:
        points, _ = edge_path(diagram, edge)
        painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in points]))

    for node in diagram.nodes:
        highlighted = node.id == diagram.highlight
        painter.setPen(QPen(QColor(HIGHLIGHT_COLOUR if highlighted else "#333"), 4 if highlighted else 1.5))
        painter.setBrush(QBrush(QColor("#d7ccc8" if node.fixed else _FILLS[node.kind])))
        if node.kind == "gate":
            painter.drawEllipse(QPointF(node.x, node.y), NODE_RADIUS, NODE_RADIUS)
        else:
            painter.drawRoundedRect(
                QRectF(node.x - NODE_RADIUS - 8, node.y - NODE_RADIUS + 4, 2 * NODE_RADIUS + 16, 2 * NODE_RADIUS - 8),
                6,
                6,
            )
        _text(painter, node.x, node.y, node.label, "black", bold=True)

    # labels last, each on a white ground, so no wire crosses their text; the layout keeps them apart
    colours = _label_colours(diagram)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor(255, 255, 255, 235)))
    boxes = label_boxes(diagram)
    for (x0, y0, x1, y1), _ in boxes:
        painter.drawRoundedRect(QRectF(x0, y0, x1 - x0, y1 - y0), 3, 3)
    for ((x0, y0, x1, y1), text), colour in zip(boxes, colours, strict=True):
        _text(painter, (x0 + x1) / 2, (y0 + y1) / 2, text, colour)
    painter.setBrush(QBrush())


def render_png(diagram: Diagram, path: str, scale: float = 1.5) -> None:
    """Write the diagram as a PNG (offscreen: no window, no display needed), atomically.

    Raises OSError when the file cannot be written; an earlier file at ``path`` is then unchanged.
    """
    from PyQt6.QtWidgets import QApplication

    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # a QApplication (not a bare QGuiApplication), so a later window in the same process still works
        render_png.app = QApplication([])
    image = QImage(int((diagram.width) * scale), int((diagram.height + 30) * scale), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.scale(scale, scale)
    paint_diagram(painter, diagram)
    painter.end()
    save_png(image, path)
