"""Controls for the Chapter 3 settings: optimizer, schedule, practice settings, features and imbalance.

Every control is named after its command-line option (``l1-ratio`` is
``--l1-ratio``), parses its text with the library's own parser
(:data:`torchcircuits.config.TEXT_PARSERS`), and is checked by
:meth:`TrainConfig.validated` / :meth:`DataSpec.validated` and the one rule
:func:`torchcircuits.run.settings_from_args` adds (``--l1-ratio`` with the
elastic kind only): the same names and the same refusals as ``torchcircuits
train``. Its tooltip is the option's own ``--help`` text. A refused value
leaves the setting as it was; the library's one-line message shows under the
group, the field is marked red until the next valid edit.
"""

from __future__ import annotations

import argparse
from dataclasses import fields, replace
from functools import cache

from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from torchcircuits.config import CLASS_WEIGHTS, LINE_SEARCHES, TEXT_PARSERS, TrainConfig
from torchcircuits.data import GENERATED
from torchcircuits.errors import InputError, SettingError, finite_float
from torchcircuits.features import FEATURES
from torchcircuits.models import BIAS_INITS
from torchcircuits.optim import OPTIMIZERS
from torchcircuits.run import add_run_options

from .controller import TrainingController
from .help import in_app_words

__all__ = ["SettingFields", "option_help", "FIELD_SETTINGS", "CHOICE_SETTINGS", "OPTIMIZER_SETTINGS", "NO_LINE_SEARCH"]

#: settings typed as text (parsed by TEXT_PARSERS); an empty field means the default (None where that is off)
FIELD_SETTINGS = ("schedule", "betas", "eps", "alpha", "dropout", "l1_ratio", "max_norm", "early_stop")
#: settings picked from the library's list of names
CHOICE_SETTINGS: dict[str, tuple[str, ...]] = {
    "optimizer": tuple(OPTIMIZERS),
    "line_search": tuple(s for s in LINE_SEARCHES if s),
    "bias_init": BIAS_INITS,
    "class_weight": CLASS_WEIGHTS,
}
#: the line search's "off" entry (None in the config)
NO_LINE_SEARCH = "none"
#: the optimizer each optimizer-only setting belongs to (make_optimizer refuses it elsewhere)
OPTIMIZER_SETTINGS: dict[str, tuple[str, ...]] = {
    "nesterov": ("sgd",), "betas": ("adam",), "alpha": ("rmsprop",), "eps": ("rmsprop", "adam"),
    "line_search": ("lbfgs",), "momentum": ("sgd",),
}  # fmt: skip
_DEFAULTS = {f.name: f.default for f in fields(TrainConfig)}
_BAD_STYLE = "border: 2px solid #c00;"


@cache
def option_help() -> dict[str, str]:
    """Setting name -> its ``torchcircuits train --help`` text, from the one definition in run.py."""
    parser = argparse.ArgumentParser(add_help=False)
    add_run_options(parser)
    return {action.dest: action.help for action in parser._actions if action.help}


def option_label(setting: str) -> str:
    """How a control is labelled: its command-line option without the dashes (``l1_ratio`` -> ``l1-ratio``)."""
    return setting.replace("_", "-")


class SettingFields(QWidget):
    """The settings of ``torchcircuits train`` that the main panel does not show, bound to a controller."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._updating = False
        self.fields: dict[str, QLineEdit] = {s: QLineEdit() for s in (*FIELD_SETTINGS, "imbalance")}
        self.choices: dict[str, QComboBox] = {}
        for setting, names in CHOICE_SETTINGS.items():
            combo = QComboBox()
            combo.addItems(([NO_LINE_SEARCH] if setting == "line_search" else []) + list(names))
            self.choices[setting] = combo
        self.nesterov = QCheckBox("nesterov")
        self.features = {name: QCheckBox(name) for name in FEATURES}
        #: the library's message for the last refused value, shown in place (empty when none)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c00;")
        self.message.hide()
        #: the setting whose value was refused last (None after a valid edit)
        self.marked: str | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        optimizer = self._group("Optimizer", ["optimizer", "schedule", "betas", "eps", "alpha", "line_search"])
        optimizer.layout().addRow("", self.nesterov)
        layout.addWidget(optimizer)
        layout.addWidget(self._group("Practice", ["dropout", "max_norm", "early_stop", "l1_ratio", "class_weight",
                                                  "bias_init", "imbalance"]))  # fmt: skip
        features = QGroupBox("Features (none ticked: the raw inputs)")
        grid = QGridLayout(features)
        grid.setContentsMargins(6, 4, 6, 4)
        for i, box in enumerate(self.features.values()):
            grid.addWidget(box, i // 4, i % 4)
        layout.addWidget(features)
        layout.addWidget(self.message)

        helps = option_help()
        for setting, widget in self._widgets().items():
            widget.setToolTip(f"--{option_label(setting)}: {helps[setting]}")
        for name, box in self.features.items():
            box.setToolTip(f"--features {name}: {helps['features']}")
        for setting, field in self.fields.items():
            field.editingFinished.connect(lambda s=setting: self._edited(s))
        for setting, combo in self.choices.items():
            combo.activated.connect(lambda _, s=setting: self._edited(s))
        self.nesterov.toggled.connect(lambda _: self._edited("nesterov"))
        for box in self.features.values():
            box.toggled.connect(lambda _: self._edited("features"))
        controller.sigSettings.connect(self.show_settings)
        self.show_settings()

    def _widgets(self) -> dict[str, QWidget]:
        return {**self.fields, **self.choices, "nesterov": self.nesterov}

    def _group(self, title: str, settings: list[str]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setContentsMargins(6, 4, 6, 4)
        for setting in settings:
            form.addRow(option_label(setting), self.fields.get(setting) or self.choices[setting])
        return box

    # --- settings -> widgets -------------------------------------------------------------------
    def show_settings(self) -> None:
        """Show the controller's settings; disable what cannot apply, the tooltip saying why."""
        self._updating = True
        try:
            c, d = self.controller.settings.config, self.controller.settings.data
            for setting in FIELD_SETTINGS:
                self.fields[setting].setText(_text(getattr(c, setting)))
            self.fields["imbalance"].setText(f"{d.imbalance:g}")
            for setting, combo in self.choices.items():
                combo.setCurrentText(getattr(c, setting) or NO_LINE_SEARCH)
            self.nesterov.setChecked(c.nesterov)
            chosen = set(c.features or ())
            for name, box in self.features.items():
                box.setChecked(name in chosen)
        finally:
            self._updating = False
        self._show_enabled()

    def _show_enabled(self) -> None:
        c, d = self.controller.settings.config, self.controller.settings.data
        helps = option_help()
        reasons = {
            setting: None if c.optimizer in kinds else f"applies to {' and '.join(kinds)} only"
            for setting, kinds in OPTIMIZER_SETTINGS.items() if setting != "momentum"
        }  # fmt: skip
        reasons["l1_ratio"] = None if c.reg_kind == "elastic" else "applies to reg kind elastic only"
        reasons["dropout"] = None if c.has_hidden_layers else "applies to the net only"
        reasons["imbalance"] = (
            None if d.name in GENERATED and GENERATED[d.name].classes and not d.is_file
            else "applies to generated classification sets only"
        )  # fmt: skip
        widgets = self._widgets()
        for setting, reason in reasons.items():
            widget = widgets[setting]
            widget.setEnabled(reason is None)
            text = f"--{option_label(setting)}: {helps[setting]}"
            widget.setToolTip(text if reason is None else f"{text}. Disabled: {reason}")

    # --- widgets -> settings ---------------------------------------------------------------------
    def _edited(self, setting: str) -> None:
        if self._updating:
            return
        settings = self.controller.settings
        try:
            if setting == "imbalance":
                spec = replace(settings.data, imbalance=_imbalance(self.fields["imbalance"].text())).validated()
                self._accepted()
                if spec != settings.data:
                    self.controller.apply_data(spec)
                return
            changes = {setting: self._value(setting)}
            if setting == "optimizer":  # the old optimizer's own settings go back to their defaults
                changes.update({s: _DEFAULTS[s] for s, kinds in OPTIMIZER_SETTINGS.items()
                                if changes["optimizer"] not in kinds})  # fmt: skip
            config = replace(settings.config, **changes).validated()
            if setting == "l1_ratio" and config.reg_kind != "elastic":  # run.settings_from_args's rule
                raise SettingError("l1_ratio", f"applies to --reg-kind elastic only; the reg kind is {config.reg_kind}")
        except InputError as error:
            self._refuse(setting, error)
            return
        self._accepted()
        if config == settings.config:
            self.show_settings()  # an emptied field shows the default that is in force, not a blank
            return
        refused = self.controller.apply_config(config)
        if refused is not None:  # the data's own conditions: early stopping needs a test set
            self._refuse(setting, refused)

    def _value(self, setting: str) -> object:
        """The typed value a control holds, parsed by the library (SettingError when it does not parse)."""
        if setting == "nesterov":
            return self.nesterov.isChecked()
        if setting == "features":
            ticked = [name for name, box in self.features.items() if box.isChecked()]
            return TEXT_PARSERS["features"](ticked) if ticked else None
        if setting in self.choices:
            text = self.choices[setting].currentText()
            return None if setting == "line_search" and text == NO_LINE_SEARCH else text
        text = self.fields[setting].text().strip()
        if not text:  # empty: the default (off for max-norm and early stopping)
            return _DEFAULTS[setting]
        if setting == "early_stop" and text.lower() == "none":
            return None
        return TEXT_PARSERS[setting](text)

    def _refuse(self, setting: str, error: InputError) -> None:
        """The setting stays as it was; the library's message shows in place and the control is marked."""
        self._accepted()
        self.controller.sigMessage.emit("error", f"not changed: {error.as_flag()}")
        self.show_settings()
        self.message.setText(in_app_words(error.as_flag()))
        self.message.show()
        widget = self._widgets().get(setting)
        if widget is not None:
            widget.setStyleSheet(_BAD_STYLE)
        #: the control whose value was refused
        self.marked = setting

    def _accepted(self) -> None:
        if self.marked is not None:
            self.controller.clear_message()  # the refusal's cause is gone, even if the value in force is unchanged
        self.message.hide()
        self.message.setText("")
        for widget in self._widgets().values():
            widget.setStyleSheet("")
        self.marked = None


def _text(value: object) -> str:
    """A setting as its field shows it: numbers in short form, pairs with a comma, off as empty."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(f"{v:g}" for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _imbalance(text: str) -> float:
    """The data's imbalance from its field: empty is balanced (1); the range is DataSpec's check."""
    text = text.strip()
    if not text:
        return 1.0
    try:
        return finite_float(text, "imbalance")
    except InputError:
        raise SettingError("imbalance", f"must be a finite number, got {text!r}") from None
