"""A side panel that scrolls up and down and is always as wide as its widest row needs.

A QScrollArea's minimum width does not follow its widget's: a longer text or a
larger font (classroom mode) widened the panel's contents past the area, and
with no horizontal scroll bar the right-hand controls were cut off.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtWidgets import QScrollArea, QWidget

__all__ = ["SideScroll"]


class SideScroll(QScrollArea):
    """Scrolls ``widget`` vertically; at least as wide as the widget's minimum width plus the scroll bar.

    Long texts in the panel should wrap (QLabel.setWordWrap) so that this minimum stays small; a
    horizontal scroll bar appears only when the window is too narrow even for that.
    """

    def __init__(self, widget: QWidget, parent: QWidget | None = None, most: int | None = None) -> None:
        super().__init__(parent)
        #: the largest minimum width it asks for (None: no limit); past it, the horizontal scroll bar
        self.most = most
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        widget.installEventFilter(self)
        self.fit_minimum()

    def fit_minimum(self) -> None:
        """Ask for :meth:`needed_width`, or :attr:`most` where that is less."""
        needed = self.needed_width()
        self.setMinimumWidth(needed if self.most is None else min(needed, self.most))

    def needed_width(self) -> int:
        """The widget's minimum width plus the vertical scroll bar and the frame."""
        bar = self.verticalScrollBar().sizeHint().width()
        return self.widget().minimumSizeHint().width() + bar + 2 * self.frameWidth()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # the contents' minimum width changed (a row added, a font grown): an explicit minimum, because the outer
        # layout did not ask a changed minimumSizeHint again when the change came while the tab was hidden
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit_minimum()
        return super().eventFilter(watched, event)
