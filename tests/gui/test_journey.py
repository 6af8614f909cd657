"""A learner's journey through the app, checking after each step that what the window shows is what
the trainer holds: presets, moons + net, clear points and clicks, data set switches with refusals,
a session round trip with its curves, every circuit with bad inputs."""

import numpy as np
import pytest
import torch
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPushButton, QSlider, QSpinBox

from torchcircuits.circuits import CIRCUITS
from torchcircuits.config import parse_hidden
from torchcircuits.run import PRESETS


def _pick(combo: QComboBox, text: str) -> None:
    """Choose an entry as a user does (the activated signal)."""
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def _edit(field: QLineEdit, text: str) -> None:
    field.setText(text)
    field.editingFinished.emit()


def assert_shown_is_in_force(window) -> None:
    """Every control, the run bar and the readout show the settings and state the trainer has."""
    c, panel = window.controller, window.controls
    config, data = c.settings.config, c.settings.data
    assert panel.dataset.currentText() == data.name and panel.model.currentText() == config.model
    assert float(panel.lr.text()) == config.lr and float(panel.reg.text()) == config.reg
    assert parse_hidden(panel.hidden.text()) == config.hidden and panel.activation.currentText() == config.activation
    assert panel.batch.text() == ("all" if config.batch is None else str(config.batch))
    assert panel.init.currentText() == (config.init or "(default)")
    assert panel.hidden.isEnabled() == (config.model == "net")
    assert window.run_bar.play.text() == ("Pause" if c.running else "Play")
    window.redraw()
    if c.trainer is not None:
        assert c.trainer.config == config  # the settings shown are the ones training uses
        assert c.trainer.train_set is c.train
        assert f"<b>step</b> {c.trainer.step_count:,}" in window.readout.text()
        assert window.run_bar.counter.text().startswith(f"step {c.trainer.step_count:,}")
    for field in panel.findChildren(QLineEdit):
        assert "border" not in field.styleSheet() or field in (panel._marked, panel.more.fields.get(panel.more.marked))


def test_the_journey(window, qtbot, tmp_path):
    c, panel = window.controller, window.controls
    assert_shown_is_in_force(window)

    # the Chapter 2 net preset: the guide's spring flattens it, and the window says so
    _pick(panel.preset, "Chapter 2 net")
    assert c.preset == "guide-net" and c.settings == PRESETS["guide-net"]
    c.run_steps(400)
    assert_shown_is_in_force(window)
    assert "the scores are flat" in window.status.text() and "Weaken the spring" in window.status.text()

    # moons, then the net: the recipe replaces the preset's spring and start, and the first run trains
    _pick(panel.dataset, "moons")
    assert c.preset is None and panel.preset.currentIndex() == 0
    _pick(panel.model, "net")
    assert (c.settings.config.reg, c.settings.config.init, c.settings.config.hidden) == (1e-3, None, (100,))
    assert "the scores are flat" not in window.status.text()
    c.run_steps(300)
    assert c.last_evaluation.train_accuracy >= 0.95 and c.health is None
    assert_shown_is_in_force(window)

    # Clear points, then clicks: the view stays where it was, later clicks anywhere still count
    view = np.ravel(window.boundary.getPlotItem().vb.viewRange())
    panel.clear.click()
    assert c.trainer is None and "the training set is empty" in window.status.text()
    window._add_point(0.2, 0.2, 1)
    window._add_point(1.8, -0.8, 2)
    assert len(c.train) == 2 and c.trainer is not None
    assert np.ravel(window.boundary.getPlotItem().vb.viewRange()) == pytest.approx(view)
    assert "the training set" not in window.status.text()  # the message went with its cause
    assert_shown_is_in_force(window)

    # spiral with 5 classes, then moons: accepted (moons' own defaults), the combo and fields follow
    _pick(panel.dataset, "spiral")
    _edit(panel.classes, "5")
    assert c.num_classes == 5 and c.trainer.spec.outputs == 5
    _pick(panel.dataset, "moons")
    assert c.settings.data.name == "moons" and c.num_classes == 2 and panel.classes.text() == ""
    assert not panel.classes.isEnabled() and "only blobs and spiral" in panel.classes.toolTip()
    assert_shown_is_in_force(window)

    # a refused value changes nothing, is marked, and the mark goes with the next valid edit
    trainer = c.trainer
    _edit(panel.lr, "fast")
    assert c.trainer is trainer and "step size must be a finite number" in window.status.text()
    assert "border" in panel.lr.styleSheet()
    _edit(panel.lr, "0.5")
    assert c.settings.config.lr == 0.5 and panel.lr.styleSheet() == "" and c.trainer is trainer
    _edit(panel.noise, "-1")
    assert "noise must be a number from 0 to 10" in window.status.text() and "--noise" not in window.status.text()
    assert c.settings.data.noise is None and panel.noise.text() == ""
    assert_shown_is_in_force(window)

    # a session reopens with its curves
    c.run_steps(200)
    window.redraw(curves=True)
    x_before, y_before = window.curves.curves["train_loss"].getData()
    path = tmp_path / "journey.json"
    c.save_session(str(path), window.view_options())
    _pick(panel.dataset, "circle")
    window.load_session(str(path))
    window.redraw(curves=True)
    x_after, y_after = window.curves.curves["train_loss"].getData()
    assert len(x_before) > 100 and np.array_equal(x_before, x_after) and np.allclose(y_before, y_after)
    assert c.trainer.step_count == 200 and panel.dataset.currentText() == "moons"
    assert_shown_is_in_force(window)

    # the linear SVM on the guide's set: no hidden layer, nothing to regenerate; the controls say why
    _pick(panel.dataset, "guide")
    _pick(panel.model, "svm")
    assert not panel.hidden.isEnabled() and "only the net has hidden neurons" in panel.hidden.toolTip()
    assert not panel.regenerate.isEnabled() and not panel.n.isEnabled()
    assert_shown_is_in_force(window)


def test_every_circuit_with_bad_inputs(window):
    view = window.circuit_view
    window.tabs.setCurrentWidget(view)
    for name in CIRCUITS:
        view.set_circuit(name)
        for input_name, field in view.fields.items():
            before = view.values[input_name]
            _edit(field, "abc")
            assert view.values[input_name] == before and "must be a finite number" in view.message.text()
            _edit(field, "1e400")
            assert view.values[input_name] == before
        _edit(view.step_size, "x")
        view.tug()
        assert "step size must be a finite number" in view.message.text()
        if name != "division":  # its c + d = 0 case belongs to the robustness work (issue 10)
            _edit(view.step_size, "0.01")
            view.tug()
            view.run_strategies()
        view.forward_step()
        view.backward_step()
        view.show_all()


def test_a_new_class_asks_before_the_model_resets(window):
    c = window.controller
    c.run_steps(30)
    window.controls.class_picker.setValue(2)
    asked = []
    window._confirm = lambda title, text: asked.append(text) or False
    window._add_point(0.1, 0.1, 1)
    assert asked and "Class 2 is new" in asked[0] and c.trainer.step_count == 30 and len(c.train) == 6
    window._confirm = lambda title, text: True
    window._add_point(0.1, 0.1, 1)
    assert c.num_classes == 3 and c.trainer.step_count == 0 and "class 2 is new" in window.status.text()


def test_stop_at_step_and_speed(window, qtbot):
    c, bar = window.controller, window.run_bar
    _edit(bar.stop_at, "60")
    bar.speed.setCurrentIndex(bar.speed.findData(1000.0))
    bar.speed.activated.emit(bar.speed.currentIndex())
    assert c.stop_at == 60 and c.speed == 1000.0
    c.play()
    qtbot.waitUntil(lambda: not c.running, timeout=10_000)
    assert c.trainer.step_count == 60 and "stopped at step 60" in window.status.text()
    assert bar.play.text() == "Play" and "steps/s" not in bar.counter.text()  # the rate clears when paused
    _edit(bar.stop_at, "zero")
    assert c.stop_at == 60 and bar.stop_at.text() == "60"


def test_divergence_is_explained_and_readouts_stay_finite(window):
    c, panel = window.controller, window.controls
    _pick(panel.dataset, "moons")
    _pick(panel.model, "net")
    _edit(panel.lr, "1e9")
    c.run_steps(100)
    assert c.trainer.diverged and not c.running
    step = c.trainer.step_count
    assert f"step {step + 1} gave a loss" in window.status.text() and f"stays at step {step}" in window.status.text()
    window.redraw()
    assert "inf" not in window.readout.text() and "nan" not in window.readout.text()
    assert all(torch.isfinite(p).all() for p in c.trainer.parameters().values())
    c.reset()
    assert not c.trainer.diverged and "reset to step 0" in window.status.text()


def test_shortcuts_and_menus(window, qtbot):
    c = window.controller
    window.activateWindow()
    window.run_actions["step"].trigger()
    assert c.trainer.step_count == 1
    assert window.run_actions["play"].shortcut().toString() == "Space"
    assert window.run_actions["step"].shortcut().toString() == "S"
    assert window.run_actions["reset"].shortcut().toString() == "R"
    window.run_actions["play"].trigger()
    assert c.running
    window.run_actions["play"].trigger()
    assert not c.running
    window.run_actions["reset"].trigger()
    assert c.trainer.step_count == 0
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Presets", "&Run", "&View", "&Help"]
    assert "decision" in window.about_text() or "boundary" in window.about_text()
    window.tabs.setCurrentWidget(window.circuit_view)
    assert "Circuit" in window.about_text()


def test_every_control_has_a_tooltip(window):
    for parent in (window.controls, window.run_bar, window.circuit_view):
        for widget in parent.findChildren((QLineEdit, QComboBox, QPushButton, QSpinBox, QCheckBox, QSlider)):
            if isinstance(widget.parent(), (QComboBox, QSpinBox)):  # a combo's or spin box's own editor
                continue
            assert widget.toolTip(), widget.objectName() or type(widget).__name__


def test_laptop_layout_1024x640(window, qtbot):
    window.resize(1024, 640)
    qtbot.wait(50)
    scroll = window.controls_scroll
    assert scroll.horizontalScrollBar().maximum() == 0
    assert window.controls.width() <= scroll.viewport().width()
    for button in (window.run_bar.play, window.run_bar.step, window.run_bar.reset):
        top_left = button.mapTo(window, button.rect().topLeft())
        assert button.isVisible() and 0 <= top_left.x() and top_left.x() + button.width() <= window.width()
        assert top_left.y() + button.height() <= window.height()
    assert window.boundary.width() > window.curves.width()
    # the heat map covers the whole visible area: its rectangle is the view's range
    window.redraw()
    (x0, x1), (y0, y1) = window.boundary.getPlotItem().vb.viewRange()
    rect = window.boundary.image.mapRectToParent(window.boundary.image.boundingRect())
    assert rect.left() == pytest.approx(x0) and rect.right() == pytest.approx(x1)
    assert rect.top() == pytest.approx(y0) and rect.bottom() == pytest.approx(y1)


def test_reset_view_and_double_click_refit(window, qtbot):
    box = window.boundary.getPlotItem().vb
    fitted = np.ravel(box.viewRange())
    box.scaleBy((0.3, 0.3))
    assert np.ravel(box.viewRange()) != pytest.approx(fitted)
    window.reset_view.click()
    assert np.ravel(box.viewRange()) == pytest.approx(fitted)
    box.scaleBy((0.3, 0.3))
    window.boundary.sigRefit.emit()
    assert np.ravel(box.viewRange()) == pytest.approx(fitted)
    centre = window.boundary.mapFromScene(box.mapViewToScene(QPointF(0.0, 0.0)))
    QTest.mouseDClick(window.boundary.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)


def test_the_zero_contour_is_interpolated_not_a_staircase():
    from torchcircuits_gui.boundary import contour_segments

    xs = ys = np.linspace(-1.0, 1.0, 81)
    X, Y = np.meshgrid(xs, ys)
    segments = contour_segments(X**2 + Y**2 - 0.25, 0.0, xs, ys)
    radius = np.hypot(segments[:, 0], segments[:, 1])
    # linear interpolation of a quadratic on a 0.025 grid: within 1e-3 of the circle (a pixel edge is 0.0125 off)
    assert len(segments) > 100 and np.abs(radius - 0.5).max() < 1e-3
    line = contour_segments(X - 0.3 * Y - 0.1, 0.0, xs, ys)  # a straight boundary comes out straight
    assert np.abs(line[:, 0] - 0.3 * line[:, 1] - 0.1).max() < 1e-9


def test_a_typed_value_past_the_slider_range_widens_it(window):
    view = window.circuit_view
    view.set_circuit("neuron")
    _edit(view.fields["x"], "12")
    assert view.values["x"] == 12.0 and view.sliders["x"].value() == 1200 and view.sliders["x"].maximum() >= 1200


def test_playing_goes_on_through_a_change_of_data_or_model(window, qtbot):
    c, panel = window.controller, window.controls
    c.play()
    _pick(panel.dataset, "moons")
    assert c.running and c.settings.data.name == "moons"
    _pick(panel.model, "net")
    assert c.running and c.settings.config.model == "net"
    qtbot.waitUntil(lambda: c.trainer.step_count > 5, timeout=10_000)
    c.pause()
    assert not c.running and window.run_bar.play.text() == "Play"


def test_load_csv_moves_the_data_set_combo_and_clear_points_leaves_the_preset(window, tmp_path):
    c, panel = window.controller, window.controls
    assert panel.preset.currentText() == "(custom)"  # the fixture's settings are the preset's, not chosen as one
    _pick(panel.preset, "Chapter 2 SVM")
    panel.clear.click()
    assert panel.preset.currentText() == "(custom)" and c.preset is None
    path = tmp_path / "mine.csv"
    path.write_text("0,0,0\n1,1,1\n2,2,1\n")
    window.controller.load_csv(str(path))
    assert panel.dataset.currentText() == str(path) and len(c.train) == 3


BAD_TEXTS = ("abc", "", "0", "-1", "1e308", "nan", "1e-320", "999999999", " 3 ", "all")


def test_every_control_with_valid_boundary_and_bad_values_raises_nothing(window, qtbot, monkeypatch):
    """pytest-qt fails the test on any exception a slot lets escape: every control is driven here."""
    from PyQt6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: None))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    c = window.controller
    for parent in (window.controls, window.run_bar):
        for combo in parent.findChildren(QComboBox):
            for index in range(combo.count()):
                combo.setCurrentIndex(index)
                combo.activated.emit(index)
        for field in parent.findChildren(QLineEdit):
            if isinstance(field.parent(), (QComboBox, QSpinBox)):
                continue
            for text in BAD_TEXTS:
                _edit(field, text)
                assert c.trainer is None or c.trainer.config == c.settings.config
        for button in parent.findChildren(QPushButton):
            button.click()
            c.pause()
    for check in (window.log_scale, window.hard, window.controls.compare):
        check.toggle()
        check.toggle()
    window.reset_view.click()
    for action in window.menuBar().findChildren(type(window.run_actions["play"])):
        action.trigger()
        c.pause()
    for _, slot, _ in window.file_actions:
        slot()
    for choice in ("plot alone", "plot and curves", "whole window"):
        assert not window.render_export(choice).isNull()
    assert window.render_export("plot alone").size() == window.boundary.size()
    both = window.render_export("plot and curves")  # the two plots, not the control panel beside them
    assert both.width() == window.boundary.width() + window.curves.width()
    assert both.height() == max(window.boundary.height(), window.curves.height())
    window.redraw()
    assert_shown_is_in_force(window)


def test_shortcut_keys_type_into_a_field_rather_than_step(window, qtbot):
    c = window.controller
    window.activateWindow()
    field = window.controls.seed
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    QTest.keyClick(field, Qt.Key.Key_S)
    QTest.keyClick(field, Qt.Key.Key_R)
    assert c.trainer.step_count == 0 and field.text().endswith("sr")
    window.run_bar.play.setFocus()
    QTest.keyClick(window.run_bar.play, Qt.Key.Key_S)
    assert c.trainer.step_count == 1  # away from a text field, S steps


def test_class_borders_are_interpolated_lines():
    from torchcircuits_gui.boundary import class_borders

    xs = ys = np.linspace(-1.0, 1.0, 61)
    X, Y = np.meshgrid(xs, ys)
    # class 0 where x > 0.2 and x > y, else class 1 or 2 split by y = 0.1: borders x = 0.2 (below), y = x, y = 0.1
    scores = np.stack([X - 0.2, np.maximum(Y - 0.1, -5 * np.ones_like(X)), 0.1 - Y], axis=2)
    segments = class_borders(scores, xs, ys)
    assert len(segments) > 50
    # every point lies on a border: where the two best scores are equal (to interpolation error of a linear field)
    best_two = np.sort(np.stack([segments[:, 0] - 0.2, segments[:, 1] - 0.1, 0.1 - segments[:, 1]], 1), axis=1)
    assert np.abs(best_two[:, -1] - best_two[:, -2]).max() < 1e-9


def test_a_refusal_clears_when_its_cause_does_even_if_nothing_changes(window):
    c, panel = window.controller, window.controls
    in_force = panel.lr.text()
    _edit(panel.lr, "abc")
    assert window.status.property("level") == "error" and "step size" in window.status.text()
    _edit(panel.lr, in_force)  # the value in force again: no new model, but the refusal is past
    assert window.status.text() == "" and panel.lr.styleSheet() == ""
    fields = window.controls.more
    _edit(fields.fields["alpha"], "-1")
    assert "alpha" in window.status.text() and "--alpha" not in window.status.text()
    _edit(fields.fields["alpha"], "")  # empty: the default, which is in force already
    assert window.status.text() == "" and not fields.message.isVisible()
    bar = window.run_bar
    _edit(bar.stop_at, "-5")
    assert window.status.property("level") == "error"
    _edit(bar.stop_at, "100")
    assert c.stop_at == 100 and window.status.text() == ""
    assert not window.set_challenge("win the game") and window.status.property("level") == "error"
    assert window.set_challenge("reach train accuracy >= 90%") and window.status.text() == ""


def test_a_lasting_condition_keeps_its_message_when_a_refusal_clears(window):
    c = window.controller
    c.clear_points()
    assert c.trainer is None
    in_force = window.controls.lr.text()
    _edit(window.controls.lr, "abc")
    _edit(window.controls.lr, in_force)
    assert "nothing to train" in window.status.text()  # the empty data set is still the cause


def test_the_hidden_layers_editor_forgets_a_refusal_once_new_widths_are_in_force(window):
    panel = window.controls
    _pick(panel.model, "net")
    editor = panel.layers
    _edit(panel.hidden, "4096")
    editor.rows[0][2].click()  # one more neuron than the library allows
    assert editor.message.isVisibleTo(editor) and "hidden layers" in editor.message.text()
    assert "--hidden" not in editor.message.text()
    _edit(panel.hidden, "8")
    assert window.controller.settings.config.hidden == (8,) and not editor.message.isVisibleTo(editor)


def test_rewinding_clears_a_message_about_the_step_the_run_was_at(window):
    c = window.controller
    c.set_stop_at(60)
    c.run_steps(60, record_every=10)
    c.play()  # already at the stop: refused with a message naming step 60
    assert "already at step 60" in window.status.text()
    window.rewind_bar.slider.setValue(2)
    assert c.step_count < 60 and "already at step" not in window.status.text()


def test_an_emptied_field_shows_the_value_in_force_and_repicking_the_data_set_changes_nothing(window):
    c, panel = window.controller, window.controls
    fields = panel.more.fields
    _edit(fields["eps"], "")
    _edit(fields["alpha"], "")  # empty: the default 0.99, which is in force
    assert fields["alpha"].text() == "0.99" and c.settings.config.alpha == 0.99
    _pick(panel.dataset, "moons")
    c.run_steps(15)
    trainer = c.trainer
    _pick(panel.dataset, "moons")  # the set in force picked again
    assert c.trainer is trainer and trainer.step_count == 15
    c.regenerate()
    assert c.runs.runs[-1].label == "new sample"


def test_picking_a_regression_set_with_the_svm_in_force_switches_to_the_net_and_says_so(window):
    c, panel = window.controller, window.controls
    assert c.settings.config.model == "svm"
    _pick(panel.dataset, "gaussians")
    assert c.settings.data.name == "gaussians" and c.trainer.config.model == "net"
    assert "svm does not train regression data: the net instead" in window.status.text()
    assert_shown_is_in_force(window)


def test_on_a_regression_set_the_class_picker_and_the_plane_tabs_say_why_they_are_off(window):
    panel = window.controls
    _pick(panel.model, "net")
    _pick(panel.dataset, "sine")
    window.redraw()
    assert not panel.class_picker.isEnabled() and "real targets" in panel.class_picker.toolTip()
    index = window.tabs.indexOf(window.network_tab)
    assert not window.tabs.isTabEnabled(index) and "sine has one input" in window.tabs.tabToolTip(index)
    _pick(panel.dataset, "moons")
    window.redraw()
    assert panel.class_picker.isEnabled() and window.tabs.isTabEnabled(index) and window.tabs.tabToolTip(index) == ""
