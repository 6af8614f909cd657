"""A one-line label for text that changes many times a second, without a new window layout each time."""

from __future__ import annotations

from PyQt6.QtCore import QEvent
from PyQt6.QtWidgets import QLabel

__all__ = ["SteadyLabel"]

#: Qt's "no maximum" widget size (QWIDGETSIZE_MAX)
_NO_MAXIMUM = (1 << 24) - 1


class SteadyLabel(QLabel):
    """A label whose size only grows: a new text that fits keeps the size, so the window keeps its layout.

    A plain QLabel asks for a new layout of its whole window on every text
    change; with a counter that changes each frame, Qt then lays out and
    repaints the whole window (measured at 1440×860: 8–15 ms a repaint, up to
    two a frame). A fixed-size widget asks nothing, so this label holds a fixed
    size and grows it only when a text needs more room. A font change (the
    classroom mode) measures afresh.
    """

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        hint = self.sizeHint()
        if hint.width() > self.minimumWidth() or hint.height() > self.minimumHeight():
            self.setFixedSize(max(hint.width(), self.minimumWidth()), max(hint.height(), self.minimumHeight()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.setMinimumSize(0, 0)
            self.setMaximumSize(_NO_MAXIMUM, _NO_MAXIMUM)
            self.setText(self.text())
