"""Rewind: the trainer's state at recorded steps, at most ``capacity`` kept, thinned evenly like the history.

Each entry is ``(step, Trainer.state_dict())``: parameters, optimizer state and
random state, so training continued from an entry takes the very steps the
original run took (the library's own save format, the one sessions use). The
trail is bounded: when full, every other entry is dropped and from then on only
every second (fourth, ...) offer is kept, so a run of a million steps keeps 200
snapshots spread over all of it. ``state`` is a callable so an offer that is
not kept costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from .steady_label import SteadyLabel

__all__ = ["SnapshotTrail", "RewindBar", "MAX_SNAPSHOTS"]

#: snapshots kept for the rewind slider
MAX_SNAPSHOTS = 200


class SnapshotTrail:
    """At most ``capacity`` (step, state) entries, evenly thinned, oldest first."""

    def __init__(self, capacity: int = MAX_SNAPSHOTS) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self.capacity = capacity
        self.entries: list[tuple[int, dict]] = []
        self.stride = 1
        self._offered = 0

    def __len__(self) -> int:
        return len(self.entries)

    def clear(self) -> None:
        self.entries.clear()
        self.stride = 1
        self._offered = 0

    def offer(self, step: int, state: Callable[[], dict]) -> None:
        """Keep the state at ``step`` if it falls on the stride (a step already kept is replaced)."""
        if self.entries and self.entries[-1][0] == step:
            self.entries[-1] = (step, state())
            return
        self._offered += 1
        if (self._offered - 1) % self.stride:
            return
        if len(self.entries) == self.capacity:
            self.entries = self.entries[::2]
            self.stride *= 2
            if (self._offered - 1) % self.stride:
                return
        self.entries.append((step, state()))

    def truncate(self, index: int) -> None:
        """Forget the entries after ``index`` (training went on from there, so they are another future)."""
        del self.entries[index + 1 :]


class RewindBar(QWidget):
    """A step slider over the controller's snapshots and "continue from here"."""

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(f"Rewind: drag back through the run (at most {MAX_SNAPSHOTS} saved steps, spread "
                               "evenly); the plot, the network and the curves show that step")  # fmt: skip
        self.label = SteadyLabel()
        self.resume = QPushButton("Continue")  # short: the row must fit a 1024-pixel window in classroom mode
        self.resume.setToolTip("Train on from the step shown: its parameters, optimizer state and random state, so "
                               "the run goes on as it would have; the later snapshots are dropped")  # fmt: skip
        self.slider.setMinimumWidth(40)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("rewind"))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.resume)
        self.slider.valueChanged.connect(self._moved)
        self.resume.clicked.connect(controller.play)
        controller.sigReset.connect(self.show_trail)
        controller.sigStepped.connect(self.show_trail)
        controller.sigRunning.connect(lambda _: self.show_trail())

    def show_trail(self) -> None:
        """The slider over the snapshots there are, at the one shown."""
        c = self.controller
        count = len(c.trail) if c.rewind_base is None else len(c.rewind_base)
        at = c.rewound_to if c.rewind_base is not None else count - 1
        self.slider.setEnabled(count > 1 and not c.running)
        if not c.running:  # while training runs the slider is off; a new range each frame would cost a relayout
            self.slider.blockSignals(True)
            if count > 1:
                self.slider.setRange(0, count - 1)
                self.slider.setValue(max(0, at))
            else:  # one snapshot (a reopened session, step 0): the handle at the right end, where "now" is
                self.slider.setRange(0, 1)
                self.slider.setValue(1)
            self.slider.blockSignals(False)
        rewound = c.rewind_base is not None
        self.label.setText(f"step {c.step_count:,}" + (" (rewound)" if rewound else ""))
        self.resume.setEnabled(rewound)

    def _moved(self, index: int) -> None:
        self.controller.rewind(index)
