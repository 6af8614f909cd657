"""The layout the hidden-space and parameter-space tabs share: a run bar, a row of choices, a plot, a note."""

from __future__ import annotations

import pyqtgraph as pg
from PyQt6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget

__all__ = ["bare_plot", "stack_tab"]


def bare_plot() -> pg.PlotWidget:
    """A white plot without pyqtgraph's context menu and auto-range button (the tab's controls do that)."""
    plot = pg.PlotWidget(background="w")
    plot.getPlotItem().setMenuEnabled(False)
    plot.getPlotItem().hideButtons()
    return plot


def stack_tab(tab: QWidget, run_bar: QWidget, choices: QLayout, plot: QWidget, note: QLabel) -> None:
    """Lay ``tab`` out top to bottom; the plot takes the spare height."""
    layout = QVBoxLayout(tab)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(run_bar)
    layout.addLayout(choices)
    layout.addWidget(plot, 1)
    layout.addWidget(note)
