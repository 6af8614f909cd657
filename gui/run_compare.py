"""Compare runs: the loss and metric curves of up to 8 earlier runs, faint under the current one.

When a model is replaced (a setting that needs a new model, another data set, a
reset) the run that ends is kept, labelled by what changed ("lr 0.1 → 1",
"optimizer sgd → adam"; "reset" when nothing did). At most :data:`MAX_RUNS`
are kept: a new one drops the oldest that is not pinned. Clear drops all but the
pinned ones. The overlay adds its own items to the curves' plots; it does not
change how the current run's curves are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyqtgraph as pg
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from torchcircuits.run import RunSettings

from .history import DecimatingHistory

__all__ = ["ArchivedRun", "RunArchive", "CompareBar", "MAX_RUNS", "change_label"]

#: earlier runs kept for comparison
MAX_RUNS = 8
#: the faint pens of earlier runs, newest darkest
_GREYS = [(90 + 15 * i, 90 + 15 * i, 110 + 15 * i) for i in range(MAX_RUNS)]


def _shown(value: object, name: str = "") -> str:
    """A setting as the controls show it: an unset batch is "all", any other unset value "(default)"."""
    if value is None:
        return "all" if name == "batch" else "(default)"
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def change_label(old: RunSettings, new: RunSettings) -> str:
    """What differs between two runs' settings, as ``name old → new`` parts ("reset" when nothing does)."""
    pairs = [(f.name, getattr(old.config, f.name), getattr(new.config, f.name)) for f in fields(old.config)]
    # the data's seed follows the config's: it is named once, as the seed
    pairs += [("data set" if f.name == "name" else f.name, getattr(old.data, f.name), getattr(new.data, f.name))
              for f in fields(old.data) if f.name != "seed"]  # fmt: skip
    parts = [f"{name} {_shown(a, name)} → {_shown(b, name)}" for name, a, b in pairs if a != b]
    if old.data.seed != new.data.seed and old.config.seed == new.config.seed:
        parts.append("new sample")  # Regenerate: the data's own seed moved on
    return ", ".join(parts) if parts else "reset"


@dataclass
class ArchivedRun:
    """One ended run's curves: steps, training loss and the metric (accuracy or R²), all (R,)."""

    label: str
    steps: np.ndarray
    loss: np.ndarray
    metric: np.ndarray
    pinned: bool = False


class RunArchive:
    """At most :data:`MAX_RUNS` ended runs, oldest first; a new one drops the oldest unpinned one."""

    def __init__(self, capacity: int = MAX_RUNS) -> None:
        self.capacity = capacity
        self.runs: list[ArchivedRun] = []
        #: changes whenever the runs do (the overlay redraws then)
        self.version = 0

    def __len__(self) -> int:
        return len(self.runs)

    def add(self, label: str, history: DecimatingHistory) -> None:
        """Keep the run of ``history`` (at least two records, else nothing to draw)."""
        if len(history) < 2:
            return
        metric = "train_r2" if history.last("train_r2") is not None else "train_accuracy"
        run = ArchivedRun(label, history.column("step").copy(), history.column("train_loss").copy(),
                          history.column(metric).copy())  # fmt: skip
        if len(self.runs) >= self.capacity:
            unpinned = [r for r in self.runs if not r.pinned]
            if not unpinned:
                return  # every kept run is pinned: they stay
            self.runs.remove(unpinned[0])
        self.runs.append(run)
        self.version += 1

    def pin_newest(self) -> None:
        """Pin (or unpin) the newest run, so new runs never push it out."""
        if self.runs:
            self.runs[-1].pinned = not self.runs[-1].pinned
            self.version += 1

    def clear(self) -> None:
        """Drop every run that is not pinned."""
        self.runs = [r for r in self.runs if r.pinned]
        self.version += 1


class CompareBar(QWidget):
    """The overlay's items on the curves' plots, and a row with what is kept, Pin newest and Clear."""

    def __init__(self, archive: RunArchive, loss_plot: pg.PlotItem, metric_plot: pg.PlotItem,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.archive = archive
        self.items: list[tuple[pg.PlotDataItem, pg.PlotDataItem, pg.TextItem]] = []
        for grey in _GREYS:
            pen = pg.mkPen((*grey, 110), width=1)
            loss, metric = pg.PlotDataItem(pen=pen), pg.PlotDataItem(pen=pen)
            label = pg.TextItem(color=(*grey, 200), anchor=(1, 1))
            # the axes follow the current run: an earlier run far off (R² of -30) is cut, not the current one squeezed
            loss_plot.addItem(loss, ignoreBounds=True)
            metric_plot.addItem(metric, ignoreBounds=True)
            loss_plot.addItem(label, ignoreBounds=True)
            for item in (loss, metric):
                item.setZValue(-10)  # under the current run's curves
            self.items.append((loss, metric, label))
        #: one short line: how many runs are kept; the list of what changed is its tooltip (it can be long)
        self.summary = QLabel()
        self.pin = QPushButton("Pin newest")
        self.pin.setToolTip(f"Keep the newest earlier run however many come after (at most {MAX_RUNS} are kept; a "
                            "new run drops the oldest unpinned one). Again to unpin")  # fmt: skip
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Drop the earlier runs' curves, except the pinned ones")
        self.pin.clicked.connect(archive.pin_newest)
        self.clear.clicked.connect(archive.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.pin)
        layout.addWidget(self.clear)
        self._drawn = -1

    def show_runs(self) -> None:
        """Draw the kept runs (only when they changed)."""
        if self._drawn == self.archive.version:
            return
        self._drawn = self.archive.version
        runs = self.archive.runs
        for i, (loss, metric, label) in enumerate(self.items):
            if i < len(runs):
                run = runs[i]
                keep = ~np.isnan(run.loss)
                loss.setData(run.steps[keep], run.loss[keep])
                keep = ~np.isnan(run.metric)
                metric.setData(run.steps[keep], run.metric[keep])
                # only the newest is named on the plot: runs of one length would stack their names on each other
                newest = i == len(runs) - 1
                label.setText(run.label + (" (pinned)" if run.pinned else "") if newest else "")
                label.setPos(float(run.steps[-1]), float(run.loss[~np.isnan(run.loss)][-1]))
            else:
                loss.setData([], [])
                metric.setData([], [])
                label.setText("")
        # short, as the row may be narrow (1024 pixels): the count, the labels in the tooltip
        self.summary.setText(f"{len(runs)} earlier run{'s' if len(runs) != 1 else ''}" if runs else "no earlier runs")
        self.summary.setToolTip("\n".join(f"{k}. {r.label}" + (" (pinned)" if r.pinned else "")
                                          for k, r in enumerate(runs, start=1)) or "none yet: a new model keeps "
                                "the current run's curves here, in grey")  # fmt: skip
        self.pin.setEnabled(bool(runs))
        self.clear.setEnabled(bool(runs))
