"""The control panel: preset, data, model and training settings.

Widgets only read values and call the controller, and show what the controller
holds (``show_settings`` on every ``sigSettings``). A value that does not parse
is marked on its field (red, with the reason in its tooltip), reported in the
status line, and the field goes back to the setting in force; the mark clears
with the next valid edit. Controls that cannot apply to the model or data in
force are disabled, their tooltip saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from torchcircuits.activations import ACTIVATIONS
from torchcircuits.config import BACKENDS, DTYPES, MODELS, TEXT_PARSERS, parse_batch, parse_hidden, parse_whole
from torchcircuits.data import CLASSIFICATION_SETS, GENERATED, REGRESSION_SETS
from torchcircuits.errors import InputError, parse_float
from torchcircuits.losses import losses_for
from torchcircuits.models import INITS
from torchcircuits.regularizers import REGULARIZERS
from torchcircuits.run import PRESETS, DataSpec

from .controller import TrainingController
from .help import PRESET_TITLES, TOOLTIPS, in_app_words
from .hidden_layers import HiddenLayersEditor
from .setting_fields import SettingFields

__all__ = ["ControlPanel", "PRESET_TITLES", "BAD_STYLE", "MAX_POINTS", "SliderScale", "DATA_SLIDERS"]

_DEFAULT = "(default)"
#: the largest sizes the app accepts: past them one step or one frame takes seconds and memory runs out
MAX_POINTS = 100_000
#: how a field that holds a refused value is marked
BAD_STYLE = "QLineEdit { border: 2px solid #c00; }"


@dataclass(frozen=True)
class SliderScale:
    """How a slider's whole positions 0..``positions`` map to a setting's values from ``lo`` to ``hi``.

    ``log``: equal steps multiply the value (values rounded to 2 significant digits); ``whole``: values are ints.
    """

    lo: float
    hi: float
    positions: int
    log: bool = False
    whole: bool = False

    def value(self, position: int) -> float | int:
        t = position / self.positions
        if self.log:
            value = float(f"{self.lo * (self.hi / self.lo) ** t:.2g}")
        else:
            value = round(self.lo + t * (self.hi - self.lo), 9)  # 0.35, not 0.35000000000000003
        return int(round(value)) if self.whole else value

    def position(self, value: float) -> int:
        """The nearest position; a value past the ends (the field accepts more than the slider shows) pins it."""
        value = min(max(float(value), self.lo), self.hi)
        if self.log:
            return round(math.log(value / self.lo) / math.log(self.hi / self.lo) * self.positions)
        return round((value - self.lo) / (self.hi - self.lo) * self.positions)


#: the data fields that have a slider beside them: points on a log scale up to the app's limit; noise on its useful
#: part (the field takes up to the library's 10); test ratio up to 0.9 (the field takes up to below 1)
DATA_SLIDERS = {
    "n": SliderScale(1, MAX_POINTS, 200, log=True, whole=True),
    "noise": SliderScale(0.0, 2.0, 200),
    "test_ratio": SliderScale(0.0, 0.9, 18),
}


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
        self.dataset.addItems([*CLASSIFICATION_SETS, *REGRESSION_SETS])
        self.n = QLineEdit()
        self.noise = QLineEdit()
        self.classes = QLineEdit()
        self.test_ratio = QLineEdit()
        self.class_picker = QSpinBox()
        self.class_picker.setRange(0, 9)
        self.class_picker.setValue(1)
        self.regenerate = QPushButton("Regenerate")
        self.clear = QPushButton("Clear points")
        data_buttons = _row(self.regenerate, self.clear)
        #: per slider field: the slider that sets it and the label that shows its value in force
        self.sliders: dict[str, tuple[QSlider, QLabel]] = {name: self._slider(name) for name in DATA_SLIDERS}
        self.n_slider, self.noise_slider, self.test_ratio_slider = (self.sliders[k][0] for k in DATA_SLIDERS)
        with_slider = {name: _row(getattr(self, name), *self.sliders[name]) for name in DATA_SLIDERS}
        layout.addWidget(
            self._group(
                "Data",
                [("data set", self.dataset), ("points", with_slider["n"]), ("noise", with_slider["noise"]),
                 ("classes", self.classes), ("test ratio", with_slider["test_ratio"]),
                 ("click adds class", self.class_picker), ("", data_buttons)],
            )
        )  # fmt: skip
        self.dataset.activated.connect(lambda _: self._choose(dataset=self.dataset.currentText()))
        for field in (self.n, self.noise, self.classes, self.test_ratio):
            field.editingFinished.connect(lambda f=field: self._data_changed(f))
        self.regenerate.clicked.connect(controller.regenerate)
        self.clear.clicked.connect(controller.clear_points)

        # model
        self.model = QComboBox()
        self.model.addItems(MODELS)
        self.loss = QComboBox()
        self.loss.addItems([_DEFAULT, *losses_for("classification")])
        self.hidden = QLineEdit()
        self.activation = QComboBox()
        self.activation.addItems(ACTIVATIONS)
        self.init = QComboBox()
        self.init.addItems([_DEFAULT, *INITS])
        self.layers = HiddenLayersEditor(controller)
        layout.addWidget(
            self._group("Model", [("model", self.model), ("loss", self.loss), ("hidden layers", self.hidden),
                                  ("", self.layers), ("activation", self.activation), ("init", self.init)])
        )  # fmt: skip

        # training
        self.lr = QLineEdit()
        self.reg = QLineEdit()
        self.reg_kind = QComboBox()
        self.reg_kind.addItems(REGULARIZERS)
        self.batch = QLineEdit()
        self.momentum = QLineEdit()
        self.seed = QLineEdit()
        self.backend = QComboBox()
        self.backend.addItems(BACKENDS)
        self.compare = QCheckBox("compute both, show |hand - torch|")
        self.dtype = QComboBox()
        self.dtype.addItems(DTYPES)
        self.dtype.setToolTip("float64: 16 digits, as the gradient checks; float32: about 7 digits and faster on "
                              "large nets. Changing it restarts the model")  # fmt: skip
        layout.addWidget(
            self._group("Training", [("step size", self.lr), ("regularization", self.reg), ("reg kind", self.reg_kind),
                                     ("batch", self.batch), ("momentum", self.momentum), ("seed", self.seed),
                                     ("backend", self.backend), ("", self.compare), ("number type", self.dtype)])
        )  # fmt: skip
        self.model.activated.connect(lambda _: self._choose(model=self.model.currentText()))
        for combo in (self.loss, self.activation, self.init, self.reg_kind, self.backend, self.dtype):
            combo.activated.connect(lambda _, c=combo: self._config_changed(c))
        for field in (self.hidden, self.lr, self.reg, self.batch, self.momentum, self.seed):
            field.editingFinished.connect(lambda f=field: self._config_changed(f))
        self.compare.toggled.connect(lambda _: self._config_changed(self.compare))
        #: the Chapter 3 settings (optimizer, schedule, practice, features, imbalance), named as on the command line
        self.more = SettingFields(controller)
        layout.addWidget(self.more)

        layout.addStretch(1)
        for combo in self.findChildren(QComboBox):  # a long CSV path must not widen the panel
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        for name, text in TOOLTIPS.items():
            if hasattr(self, name):
                getattr(self, name).setToolTip(text)
        #: the field marked bad, and the tooltip it had before
        self._marked: QLineEdit | None = None
        controller.sigSettings.connect(self.show_settings)
        controller.sigReset.connect(self._show_enabled)
        self.show_settings()

    def _slider(self, name: str) -> tuple[QSlider, QLabel]:
        """A slider that types its value into field ``name`` and applies it as an edit would; its value label."""
        scale, field = DATA_SLIDERS[name], getattr(self, name)
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, scale.positions)
        slider.setTracking(False)  # a drag applies once, on release: each new value draws a new sample
        label = QLabel()
        label.setMinimumWidth(label.fontMetrics().horizontalAdvance("100,000"))
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        slider.sliderMoved.connect(lambda position: label.setText(_value_text(scale.value(position))))

        def apply(position: int) -> None:
            if not self._updating:
                field.setText(_value_text(scale.value(position)).replace(",", ""))
                self._data_changed(field)

        slider.valueChanged.connect(apply)
        field.textEdited.connect(lambda text: self._show_slider(name, text))
        return slider, label

    def _show_slider(self, name: str, text: str) -> None:
        """Put field ``name``'s slider and label at ``text``'s value, or the data set's default when it is empty."""
        d = self.controller.settings.data
        try:
            value = float(text.replace(",", "")) if text.strip() else None
        except ValueError:
            return  # half-typed or wrong: the slider waits; the field's own check reports it on Enter
        if value is None or not math.isfinite(value):
            generator = GENERATED.get(d.name)
            defaults = {"n": generator and generator.n, "noise": generator and generator.noise,
                        "test_ratio": d.effective_test_ratio()}  # fmt: skip
            value = defaults[name]
        slider, label = self.sliders[name]
        label.setText("–" if value is None else _value_text(int(value) if name == "n" else value))
        if value is not None:
            slider.blockSignals(True)
            slider.setValue(DATA_SLIDERS[name].position(value))
            slider.blockSignals(False)

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
            for name in DATA_SLIDERS:
                self._show_slider(name, getattr(self, name).text())
            self.model.setCurrentText(c.model)
            self.loss.setCurrentText(c.loss or _DEFAULT)
            self.hidden.setText(",".join(map(str, c.hidden)))
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
            self.dtype.setCurrentText(c.dtype)
        finally:
            self._updating = False
        self._show_enabled()

    def _show_enabled(self) -> None:
        """Disable what cannot apply to the model and data in force; the tooltip says why."""
        c, d = self.controller.settings.config, self.controller.settings.data
        generated = d.name in GENERATED and not d.is_file
        linear = not MODELS[c.model].hidden_layers
        net_only = "only the net has hidden neurons: pick model net to use this"
        reasons = {
            "hidden": net_only if linear else None,
            "activation": net_only if linear else None,
            "n": None if generated else f"{Path(d.name).name} is a fixed set of points: its size does not change",
            "noise": None if generated else f"{Path(d.name).name} is a fixed set of points: it has no noise setting",
            "classes": None if generated and GENERATED[d.name].variable_classes else
            "only blobs and spiral take a number of classes",
            "regenerate": None if generated or d.is_file else f"{d.name} is the guide's fixed set: nothing to draw",
            "class_picker": None if self.controller.train.task == "classification" else
            "a regression set's points have real targets, not classes: a click adds none",
        }  # fmt: skip
        for name, reason in reasons.items():
            widget = getattr(self, name)
            widget.setEnabled(reason is None)
            if widget is not self._marked:
                widget.setToolTip(TOOLTIPS[name] if reason is None else f"{TOOLTIPS[name]}. Disabled: {reason}")
        for name, (slider, _) in self.sliders.items():
            slider.setEnabled(getattr(self, name).isEnabled())
        # the picker offers the data's classes and one more (a new class, which restarts the model)
        self.class_picker.setRange(0, min(9, max(1, self.controller.num_classes)))
        index = self.loss.findText(c.loss or _DEFAULT)
        for i in range(1, self.loss.count()):
            item = self.loss.model().item(i)
            item.setEnabled(self.loss.itemText(i) in MODELS[c.model].losses)
        self.loss.setCurrentIndex(max(index, 0))

    # --- widgets → settings ---------------------------------------------------------------------
    def _preset_chosen(self, index: int) -> None:
        key = self.preset.itemData(index)
        self._unmark()
        if key in PRESETS:
            self.controller.apply_preset(key)
        elif self.controller.preset is not None:  # leaving a preset: the data set and model's own settings
            self.controller.choose()

    def _choose(self, dataset: str | None = None, model: str | None = None) -> None:
        if self._updating:
            return
        self._unmark()
        settings = self.controller.settings
        if (dataset or settings.data.name, model or settings.config.model) == (settings.data.name,
                                                                               settings.config.model):  # fmt: skip
            return  # the pair in force picked again: nothing to change (Reset and Regenerate start afresh)
        self.controller.choose(dataset=dataset, model=model)

    def _unmark(self) -> None:
        if self._marked is not None:
            self._marked.setStyleSheet("")
            self._marked = None
            self.controller.clear_message()  # the refusal's cause is gone, even if the value in force is unchanged
            self._show_enabled()
            for name, text in TOOLTIPS.items():  # fields _show_enabled does not manage get their own text back
                if isinstance(getattr(self, name, None), QLineEdit) and getattr(self, name).isEnabled():
                    getattr(self, name).setToolTip(text)

    def _refuse(self, field: QWidget, error: InputError) -> None:
        """Report the error, put the settings in force back, and mark the field that was wrong."""
        bad_text = field.text() if isinstance(field, QLineEdit) else None
        self._unmark()
        self.controller.sigMessage.emit("error", error.as_flag())
        self.show_settings()
        if isinstance(field, QLineEdit):
            field.setStyleSheet(BAD_STYLE)
            field.setToolTip(f"{in_app_words(error.as_flag())} (was {bad_text!r})")
            self._marked = field

    def _config_changed(self, field: QWidget) -> None:
        if self._updating:
            return
        try:
            config = replace(
                self.controller.settings.config,
                model=self.model.currentText(),
                loss=None if self.loss.currentText() == _DEFAULT else self.loss.currentText(),
                hidden=parse_hidden(self.hidden.text()),
                activation=self.activation.currentText(),
                init=None if self.init.currentText() == _DEFAULT else self.init.currentText(),
                lr=parse_float(self.lr.text(), "step size"),
                reg=parse_float(self.reg.text(), "regularization"),
                reg_kind=self.reg_kind.currentText(),
                batch=parse_batch(self.batch.text()),
                momentum=parse_float(self.momentum.text(), "momentum"),
                seed=TEXT_PARSERS["seed"](self.seed.text()),
                backend=self.backend.currentText(),
                compare=self.compare.isChecked(),
                dtype=self.dtype.currentText(),
            ).validated()
        except InputError as error:
            self._refuse(field, error)
            return
        self._unmark()
        if config == self.controller.settings.config:
            self.show_settings()  # the fields show the settings in force as they always do (an emptied one too)
            return
        if isinstance(field, QLineEdit):
            field.setStyleSheet("")
            field.setToolTip("")
        if (
            config.seed != self.controller.settings.data.seed
            and not self.controller.settings.data.is_file
            and self._redraw_points_for_seed()
        ):
            self.controller.apply_settings(config, replace(self.controller.settings.data, seed=config.seed))
        else:
            self.controller.apply_config(config)

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
                name=self.controller.settings.data.name,
                n=optional(self.n, lambda t: _at_most(parse_whole(t, "n", 1), MAX_POINTS, "points")),
                noise=optional(self.noise, lambda t: parse_float(t, "noise")),
                classes=optional(self.classes, lambda t: parse_whole(t, "classes", 2, 10)),
                test_ratio=optional(self.test_ratio, lambda t: parse_float(t, "test ratio")),
                seed=self.controller.settings.config.seed,
            ).validated()
            if not spec.is_file:
                spec.load_all()  # refuse bad sizes before touching the current data
        except InputError as error:
            self._refuse(field, error)
            return
        self._unmark()
        if spec == self.controller.settings.data:
            return
        self.controller.apply_data(spec)


def _at_most(value: int, most: int, label: str) -> int:
    """``value``, or an InputError when it is past what the app can draw and train interactively."""
    if value > most:
        raise InputError(f"{label} must be a whole number from 1 to {most:,} in the app, got {value:,}")
    return value


def _value_text(value: float | int) -> str:
    """A slider's value as its label shows it: ``1,200`` points, ``0.35`` noise."""
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return row
