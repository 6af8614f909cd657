"""The control panel: data, model, training, display and file actions.

Widgets only read values and call the controller; a value that does not parse
is marked on its field (red, with the reason as tooltip), reported in the
status line, and the field goes back to its last good value.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from torchcircuits.data import DATASETS
from torchcircuits.errors import InputError, parse_float
from torchcircuits.layers import ACTIVATIONS
from torchcircuits.losses import LOSSES
from torchcircuits.models import INITS, REGULARIZERS
from torchcircuits.run import PRESETS, DataSpec, parse_batch, whole
from torchcircuits.trainer import BACKENDS, MODELS

from .controller import TrainingController

__all__ = ["ControlPanel", "PRESET_TITLES", "BAD_STYLE"]

PRESET_TITLES = {"guide-svm": "Chapter 2 SVM", "guide-net": "Chapter 2 net"}
_DEFAULT = "(default)"
#: how a field that holds a refused value is marked
BAD_STYLE = "QLineEdit { border: 2px solid #c00; }"


class ControlPanel(QWidget):
    """Every setting of a run, bound to a TrainingController."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._updating = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        self.preset = QComboBox()
        self.preset.addItem("(custom)", None)
        for key, title in PRESET_TITLES.items():
            self.preset.addItem(title, key)
        self.preset.activated.connect(self._preset_chosen)
        layout.addWidget(self._group("Preset", [("guide's run", self.preset)]))

        # data
        self.dataset = QComboBox()
        self.dataset.addItems(DATASETS)
        self.n = QLineEdit()
        self.noise = QLineEdit()
        self.classes = QLineEdit()
        self.test_ratio = QLineEdit()
        self.class_picker = QSpinBox()
        self.class_picker.setRange(0, 9)
        self.class_picker.setValue(1)
        self.class_picker.setToolTip("class of points added by a left click (right click adds class 0)")
        self.regenerate = QPushButton("Regenerate")
        self.clear = QPushButton("Clear points")
        data_buttons = _row(self.regenerate, self.clear)
        layout.addWidget(
            self._group(
                "Data",
                [("data set", self.dataset), ("points", self.n), ("noise", self.noise), ("classes", self.classes),
                 ("test ratio", self.test_ratio), ("click adds class", self.class_picker), ("", data_buttons)],
            )
        )  # fmt: skip
        self.dataset.activated.connect(lambda _: self._data_changed(self.dataset))
        for field in (self.n, self.noise, self.classes, self.test_ratio):
            field.editingFinished.connect(lambda f=field: self._data_changed(f))
        self.regenerate.clicked.connect(controller.regenerate)
        self.clear.clicked.connect(controller.clear_points)

        # model
        self.model = QComboBox()
        self.model.addItems(MODELS)
        self.loss = QComboBox()
        self.loss.addItems([_DEFAULT, *LOSSES])
        self.hidden = QLineEdit()
        self.activation = QComboBox()
        self.activation.addItems(ACTIVATIONS)
        self.init = QComboBox()
        self.init.addItems([_DEFAULT, *INITS])
        layout.addWidget(
            self._group("Model", [("model", self.model), ("loss", self.loss), ("hidden neurons", self.hidden),
                                  ("activation", self.activation), ("init", self.init)])
        )  # fmt: skip

        # training
        self.lr = QLineEdit()
        self.reg = QLineEdit()
        self.reg_kind = QComboBox()
        self.reg_kind.addItems(REGULARIZERS)
        self.batch = QLineEdit()
        self.batch.setToolTip("examples per step, or 'all'")
        self.momentum = QLineEdit()
        self.seed = QLineEdit()
        self.backend = QComboBox()
        self.backend.addItems(BACKENDS)
        self.compare = QCheckBox("compute both, show |hand - torch|")
        layout.addWidget(
            self._group("Training", [("step size", self.lr), ("regularization", self.reg), ("reg kind", self.reg_kind),
                                     ("batch", self.batch), ("momentum", self.momentum), ("seed", self.seed),
                                     ("backend", self.backend), ("", self.compare)])
        )  # fmt: skip
        for combo in (self.model, self.loss, self.activation, self.init, self.reg_kind, self.backend):
            combo.activated.connect(lambda _, c=combo: self._config_changed(c))
        for field in (self.hidden, self.lr, self.reg, self.batch, self.momentum, self.seed):
            field.editingFinished.connect(lambda f=field: self._config_changed(f))
        self.compare.toggled.connect(lambda _: self._config_changed(self.compare))

        # run
        self.play = QPushButton("Play")
        self.step = QPushButton("Step")
        self.reset = QPushButton("Reset")
        self.play.clicked.connect(controller.toggle)
        self.step.clicked.connect(controller.step_once)
        self.reset.clicked.connect(controller.reset)
        layout.addWidget(_row(self.play, self.step, self.reset))
        layout.addStretch(1)

        controller.sigRunning.connect(lambda on: self.play.setText("Pause" if on else "Play"))
        controller.sigSettings.connect(self.show_settings)
        self.show_settings()

    @staticmethod
    def _group(title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setContentsMargins(6, 4, 6, 4)
        for label, widget in rows:
            form.addRow(label, widget)
        return box

    # --- settings → widgets -------------------------------------------------------------------
    def show_settings(self) -> None:
        """Show the controller's settings (after a preset or a session load)."""
        self._updating = True
        try:
            c, d = self.controller.settings.config, self.controller.settings.data
            index = self.preset.findData(self.controller.preset)
            self.preset.setCurrentIndex(max(index, 0))
            if self.dataset.findText(d.name) < 0:
                self.dataset.addItem(d.name)
            self.dataset.setCurrentText(d.name)
            self.n.setText("" if d.n is None else str(d.n))
            self.noise.setText("" if d.noise is None else f"{d.noise:g}")
            self.classes.setText("" if d.classes is None else str(d.classes))
            self.test_ratio.setText("" if d.test_ratio is None else f"{d.test_ratio:g}")
            for field in (self.n, self.noise, self.classes, self.test_ratio):
                field.setPlaceholderText("default")
            self.model.setCurrentText(c.model)
            self.loss.setCurrentText(c.loss or _DEFAULT)
            self.hidden.setText(str(c.hidden))
            self.activation.setCurrentText(c.activation)
            self.init.setCurrentText(c.init or _DEFAULT)
            self.lr.setText(f"{c.lr:g}")
            self.reg.setText(f"{c.reg:g}")
            self.reg_kind.setCurrentText(c.reg_kind)
            self.batch.setText("all" if c.batch is None else str(c.batch))
            self.momentum.setText(f"{c.momentum:g}")
            self.seed.setText(str(c.seed))
            self.backend.setCurrentText(c.backend)
            self.compare.setChecked(c.compare)
            for field in self.findChildren(QLineEdit):
                field.setStyleSheet("")
                field.setToolTip("")
        finally:
            self._updating = False

    # --- widgets → settings ---------------------------------------------------------------------
    def _preset_chosen(self, index: int) -> None:
        key = self.preset.itemData(index)
        if key in PRESETS:
            self.controller.apply_preset(key)

    def _refuse(self, field: QWidget, error: InputError) -> None:
        """Report the error, put the last good values back, and mark the field that was wrong."""
        bad_text = field.text() if isinstance(field, QLineEdit) else None
        self.controller.sigMessage.emit("error", str(error))
        self.show_settings()
        if isinstance(field, QLineEdit):
            field.setStyleSheet(BAD_STYLE)
            field.setToolTip(f"{error} (was {bad_text!r})")

    def _config_changed(self, field: QWidget) -> None:
        if self._updating:
            return
        try:
            config = replace(
                self.controller.settings.config,
                model=self.model.currentText(),
                loss=None if self.loss.currentText() == _DEFAULT else self.loss.currentText(),
                hidden=whole(self.hidden.text(), "hidden neurons", 1),
                activation=self.activation.currentText(),
                init=None if self.init.currentText() == _DEFAULT else self.init.currentText(),
                lr=parse_float(self.lr.text(), "step size"),
                reg=parse_float(self.reg.text(), "regularization"),
                reg_kind=self.reg_kind.currentText(),
                batch=parse_batch(self.batch.text()),
                momentum=parse_float(self.momentum.text(), "momentum"),
                seed=whole(self.seed.text(), "seed", 0),
                backend=self.backend.currentText(),
                compare=self.compare.isChecked(),
            ).validated()
        except InputError as error:
            self._refuse(field, error)
            return
        if config == self.controller.settings.config:
            return
        if isinstance(field, QLineEdit):
            field.setStyleSheet("")
            field.setToolTip("")
        if (
            config.seed != self.controller.settings.data.seed
            and not self.controller.settings.data.is_file
            and self._redraw_points_for_seed()
        ):
            self.controller.settings = replace(self.controller.settings, config=config)
            self.controller.apply_data(replace(self.controller.settings.data, seed=config.seed))
        else:
            self.controller.apply_config(config)
        self.preset.setCurrentIndex(0)

    def _redraw_points_for_seed(self) -> bool:
        """A new seed draws a new sample; where the user added or removed points, ask before dropping them.

        No (or Escape) keeps the points: the new seed then seeds the model only.
        """
        c = self.controller
        train, test = c.settings.data.load()  # the sample as drawn: anything else is the user's edit
        edited = not all(
            torch.equal(mine.X, drawn.X) and torch.equal(mine.labels, drawn.labels)
            for mine, drawn in ((c.train, train), (c.test, test))
        )
        if not edited:
            return True
        answer = QMessageBox.question(
            self,
            "Draw a new sample?",
            f"A new seed draws a new sample of {c.settings.data.name}, replacing your edited points "
            f"({len(c.train) + len(c.test)} now). Draw a new sample?\n\nNo keeps your points; the new seed "
            "then only seeds the model.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _data_changed(self, field: QWidget) -> None:
        if self._updating:
            return

        def optional(widget: QLineEdit, parse):
            text = widget.text().strip()
            return None if not text else parse(text)

        try:
            spec = DataSpec(
                name=self.dataset.currentText(),
                n=optional(self.n, lambda t: whole(t, "points", 1)),
                noise=optional(self.noise, lambda t: parse_float(t, "noise")),
                classes=optional(self.classes, lambda t: whole(t, "classes", 2)),
                test_ratio=optional(self.test_ratio, lambda t: parse_float(t, "test ratio")),
                seed=self.controller.settings.config.seed,
            ).validated()
            if not spec.is_file:
                spec.load_all()  # refuse bad sizes before touching the current data
        except InputError as error:
            self._refuse(field, error)
            return
        if spec == self.controller.settings.data:
            return
        if isinstance(field, QLineEdit):
            field.setStyleSheet("")
        self.controller.apply_data(spec)
        self.preset.setCurrentIndex(0)


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return row
