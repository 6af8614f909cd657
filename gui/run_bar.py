"""The run bar: Play/Pause, Step, Reset, the speed, 'stop at step' and the step counter, always in view."""

from __future__ import annotations

from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from torchcircuits.config import parse_whole
from torchcircuits.errors import InputError

from .controller import TrainingController
from .help import TOOLTIPS
from .steady_label import SteadyLabel

__all__ = ["RunBar", "SPEEDS"]

#: (label, steps per second; None = as fast as possible)
SPEEDS = (("as fast as possible", None), ("1000 steps/s", 1000.0), ("100 steps/s", 100.0), ("20 steps/s", 20.0),
          ("5 steps/s", 5.0), ("1 step/s", 1.0))  # fmt: skip


class RunBar(QWidget):
    """A fixed bar above the training tab; every button calls the controller."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.play = QPushButton("Play")
        self.step = QPushButton("Step")
        self.reset = QPushButton("Reset")
        self.speed = QComboBox()
        for label, value in SPEEDS:
            self.speed.addItem(label, value)
        self.stop_at = QLineEdit()
        self.stop_at.setPlaceholderText("never")
        self.stop_at.setMaximumWidth(70)
        self.counter = SteadyLabel()  # it changes every frame: no window layout for that
        for widget in (self.play, self.step, self.reset):
            layout.addWidget(widget)
        layout.addWidget(QLabel("speed"))
        layout.addWidget(self.speed)
        layout.addWidget(QLabel("stop at step"))
        layout.addWidget(self.stop_at)
        layout.addWidget(self.counter)
        layout.addStretch(1)
        for name in ("play", "step", "reset", "speed", "stop_at"):
            getattr(self, name).setToolTip(TOOLTIPS[name])

        self.play.clicked.connect(controller.toggle)
        self.step.clicked.connect(controller.step_once)
        self.reset.clicked.connect(controller.reset)
        self.speed.activated.connect(lambda i: controller.set_speed(self.speed.itemData(i)))
        self.stop_at.editingFinished.connect(self._stop_at_edited)
        controller.sigRunning.connect(self.show_state)
        controller.sigSettings.connect(self.show_state)
        controller.sigStepped.connect(self.show_counter)
        controller.sigReset.connect(self.show_counter)
        self.show_state()

    def show_state(self, *_: object) -> None:
        c = self.controller
        self.play.setText("Pause" if c.running else "Play")
        self.speed.setCurrentIndex(max(0, self.speed.findData(c.speed)))
        self.stop_at.setText("" if c.stop_at is None else str(c.stop_at))
        self.show_counter()

    def show_counter(self) -> None:
        c = self.controller
        rate = c.steps_per_second if c.running and c.steps_per_second else None
        self.counter.setText(f"step {c.step_count:,}" + ("" if rate is None else f" · {rate:,.0f} steps/s"))

    def _stop_at_edited(self) -> None:
        text = self.stop_at.text().strip()
        try:
            step = None if not text else parse_whole(text, "stop at step", 1)
        except InputError as error:
            self.controller.sigMessage.emit("error", str(error))
            self.show_state()
            return
        self.controller.clear_message()  # a refused entry before this one is past
        if step != self.controller.stop_at:
            self.controller.set_stop_at(step)
