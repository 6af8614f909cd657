"""The app's number-type control: it offers the library's dtypes and a change trains a model of that type."""

from dataclasses import replace

import torch
from PyQt6.QtWidgets import QTabWidget

from torchcircuits.config import DTYPES


def test_the_number_type_control_trains_in_float32_and_back(window):
    c, panel = window.controller, window.controls
    assert [panel.dtype.itemText(i) for i in range(panel.dtype.count())] == list(DTYPES)
    assert panel.dtype.currentText() == "float64" and panel.dtype.toolTip()
    c.run_steps(5)
    panel.dtype.setCurrentIndex(panel.dtype.findText("float32"))
    panel.dtype.activated.emit(panel.dtype.currentIndex())
    assert c.settings.config.dtype == "float32" and c.trainer.config.dtype == "float32"
    assert c.trainer.step_count == 0  # a new number type is a new model: the window says it was reset
    c.run_steps(5)
    assert {p.dtype for p in c.trainer.params.values()} == {torch.float32}
    assert c.trainer.step_count == 5
    tabs = window.findChildren(QTabWidget)[0]
    for i in range(tabs.count()):  # every view draws a float32 model (the network view mixes in float64 features)
        tabs.setCurrentIndex(i)
        window.redraw()
    c.apply_config(replace(c.settings.config, dtype="float64"))
    assert panel.dtype.currentText() == "float64"  # the control shows the setting in force
    assert {p.dtype for p in c.trainer.params.values()} == {torch.float64}
