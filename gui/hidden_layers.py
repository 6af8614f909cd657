"""The net's hidden layers as a list: + / − per layer and per neuron (TF Playground's way).

Each button proposes new widths to :meth:`TrainConfig.validated` (the library's
``check_hidden``: 1 to 4,096 neurons, at most 8 layers); a refused change leaves
the widths as they were and shows the library's message under the list.
"""

from __future__ import annotations

from dataclasses import replace

from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from torchcircuits.errors import InputError

from .controller import TrainingController
from .help import in_app_words

__all__ = ["HiddenLayersEditor"]


class HiddenLayersEditor(QWidget):
    """One row per hidden layer (its width, − and + a neuron, × to drop it) and a '+ layer' button."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._rows = QVBoxLayout()
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(1)
        self.add_layer = QPushButton("+ layer")
        self.add_layer.setToolTip("Add a hidden layer as wide as the last one (at most 8 layers)")
        self.add_layer.clicked.connect(lambda: self.propose((*self.widths(), self.widths()[-1])))
        #: the library's message for the last refused change (hidden when none)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c00;")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._rows)
        layout.addWidget(self.add_layer)
        layout.addWidget(self.message)
        #: per layer: (width label, − neuron, + neuron, remove layer)
        self.rows: list[tuple[QLabel, QPushButton, QPushButton, QPushButton]] = []
        controller.sigSettings.connect(self.show_settings)
        self.show_settings()

    def widths(self) -> tuple[int, ...]:
        return tuple(self.controller.settings.config.hidden)

    def show_settings(self) -> None:
        """One row per hidden layer of the config in force; disabled for a model without hidden layers."""
        widths = self.widths()
        if len(self.rows) != len(widths):  # a layer came or went: the rows are made again
            while self._rows.count():
                row = self._rows.takeAt(0).layout()
                while row.count():
                    row.takeAt(0).widget().deleteLater()
                row.deleteLater()
            self.rows = []
            for layer in range(len(widths)):
                self._add_row(layer)
        for (label, _minus, _plus, remove), width in zip(self.rows, widths, strict=True):
            label.setText(f"{width} neuron{'s' if width != 1 else ''}")
            remove.setEnabled(len(widths) > 1)
        self.setEnabled(self.controller.settings.config.has_hidden_layers)
        self.message.hide()  # new settings are in force: a refused change of the old ones is past

    def _add_row(self, layer: int) -> None:
        label = QLabel()
        minus, plus, remove = QPushButton("−"), QPushButton("+"), QPushButton("×")
        for button in (minus, plus, remove):
            button.setFixedWidth(28)
        minus.setToolTip(f"One neuron fewer in hidden layer {layer + 1} (at least 1)")
        plus.setToolTip(f"One neuron more in hidden layer {layer + 1} (at most 4,096)")
        remove.setToolTip(f"Remove hidden layer {layer + 1} (the net keeps at least one)")
        minus.clicked.connect(lambda: self.propose(_with(self.widths(), layer, -1)))
        plus.clicked.connect(lambda: self.propose(_with(self.widths(), layer, +1)))
        remove.clicked.connect(lambda: self.propose(self.widths()[:layer] + self.widths()[layer + 1 :]))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(f"layer {layer + 1}:"))
        row.addWidget(minus)
        row.addWidget(label, 1)
        row.addWidget(plus)
        row.addWidget(remove)
        self._rows.addLayout(row)
        self.rows.append((label, minus, plus, remove))

    def propose(self, widths: tuple[int, ...]) -> None:
        """Train with these hidden widths, or refuse with the library's message and keep the old ones."""
        try:
            config = replace(self.controller.settings.config, hidden=widths).validated()
        except InputError as error:
            self.message.setText(in_app_words(error.as_flag()))
            self.message.show()
            self.controller.sigMessage.emit("error", f"not changed: {error.as_flag()}")
            return
        refused = self.controller.apply_config(config)
        self.message.setText("" if refused is None else in_app_words(refused.as_flag()))
        self.message.setVisible(refused is not None)


def _with(widths: tuple[int, ...], layer: int, change: int) -> tuple[int, ...]:
    return widths[:layer] + (widths[layer] + change,) + widths[layer + 1 :]
