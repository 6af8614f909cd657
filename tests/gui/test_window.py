"""The app, driven as a user would: play, click, reset, bad values, divergence, files."""

import pytest
import torch
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtTest import QTest

from torchcircuits.run import DataSpec


def test_window_builds_with_the_preset(window):
    assert window.tabs.count() >= 1 and window.tabs.tabText(0) == "Training"
    trainer = window.controller.trainer
    assert trainer.parameters()["W"].flatten().tolist() == [1.0, -2.0]
    assert window.controls.lr.text() == "0.01" and window.controls.reg.text() == "0.5"
    assert "step</b> 0" in window.readout.text()


def test_play_trains_and_the_plots_change(window, qtbot):
    window.redraw()
    before = window.boundary.image.image.copy()
    window.controller.play()
    assert window.run_bar.play.text() == "Pause"
    qtbot.waitUntil(lambda: window.controller.trainer.step_count > 200, timeout=10_000)
    assert window.controller.steps_per_second > 0
    window.controller.pause()
    window.redraw()
    assert window.run_bar.play.text() == "Play"
    assert not (window.boundary.image.image == before).all()
    x, y = window.curves.curves["train_loss"].getData()
    assert len(x) > 2 and y[-1] < y[0]


def _click(window, x, y, button):
    box = window.boundary.getPlotItem().vb
    scene = box.mapViewToScene(QPointF(x, y))
    widget_point = window.boundary.mapFromScene(scene)
    QTest.mouseClick(window.boundary.viewport(), button, Qt.KeyboardModifier.NoModifier, widget_point)


def test_clicks_add_points_of_the_right_class(window, qtbot):
    controller = window.controller
    n = len(controller.train)
    _click(window, 0.5, -1.5, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(controller.train) == n + 1, timeout=2000)
    assert controller.train.labels[-1].item() == 1
    assert controller.train.X[-1].tolist() == pytest.approx([0.5, -1.5], abs=0.05)
    _click(window, -0.5, 0.5, Qt.MouseButton.RightButton)
    qtbot.waitUntil(lambda: len(controller.train) == n + 2, timeout=2000)
    assert controller.train.labels[-1].item() == 0
    assert controller.trainer.train_set is controller.train  # the model trains on the new points


def test_class_picker_for_k_classes(window):
    window.controller.apply_data(DataSpec("spiral", n=30))
    window.controls.class_picker.setValue(2)
    window._add_point(0.1, 0.2, 1)
    assert window.controller.train.labels[-1].item() == 2


def test_reset_restores_the_preset(window):
    controller = window.controller
    controller.run_steps(150)
    assert controller.trainer.step_count == 150
    controller.reset()
    assert controller.trainer.step_count == 0
    p = controller.trainer.parameters()
    assert p["W"].flatten().tolist() == [1.0, -2.0] and p["b"].tolist() == [-1.0]
    assert len(controller.history) == 1


def test_a_diverging_step_size_shows_the_message_and_the_app_stays_usable(window, qtbot):
    controls, controller = window.controls, window.controller
    controls.model.setCurrentText("net")
    controls._config_changed(controls.model)
    controls.batch.setText("all")
    controls.batch.editingFinished.emit()
    controls.lr.setText("1e9")
    controls.lr.editingFinished.emit()
    assert controller.settings.config.lr == 1e9
    controller.play()
    qtbot.waitUntil(lambda: not controller.running, timeout=10_000)
    shown = controller.trainer.step_count
    # the message and the readout agree: the failed step is the next one, the model stays at its last finite state
    assert f"diverged: step {shown + 1} gave" in window.status.text() and "Lower the step size" in window.status.text()
    window.redraw()
    assert f"<b>step</b> {shown:,}" in window.readout.text() and "inf" not in window.readout.text()
    assert all(torch.isfinite(p).all() for p in controller.trainer.parameters().values())
    controls.lr.setText("0.05")
    controls.lr.editingFinished.emit()
    assert controller.trainer.step_count == 0 and not controller.trainer.diverged
    controller.run_steps(20)
    assert controller.trainer.step_count == 20


def test_a_bad_value_is_marked_and_the_last_good_one_kept(window):
    controls = window.controls
    controls.lr.setText("fast")
    controls.lr.editingFinished.emit()
    assert "step size must be a finite number, got 'fast'" in window.status.text()
    assert controls.lr.text() == "0.01" and "border" in controls.lr.styleSheet()
    assert window.controller.settings.config.lr == 0.01
    controls.n.setText("-4")
    controls.n.editingFinished.emit()
    assert "points must be a whole number >= 1" in window.status.text()
    assert len(window.controller.train) == 6


def test_changing_the_step_size_while_running_applies_live(window, qtbot):
    controller = window.controller
    controller.play()
    qtbot.waitUntil(lambda: controller.trainer.step_count > 20, timeout=5000)
    trainer = controller.trainer
    window.controls.lr.setText("0.02")
    window.controls.lr.editingFinished.emit()
    assert controller.trainer is trainer and controller.running and trainer.config.lr == 0.02
    assert "applied to the running model" in window.status.text()
    window.controls.hidden.setText("5")
    window.controls.model.setCurrentText("net")
    window.controls._config_changed(window.controls.model)
    assert controller.trainer is not trainer and controller.trainer.step_count == 0
    assert "model reset to step 0" in window.status.text()
    controller.pause()
    controller.run_steps(5)  # Step, or a script's steps: the reset is behind the user now, and so is its message
    assert controller.trainer.step_count == 5 and window.status.text() == ""


def test_a_readout_never_breaks_inside_itself_in_a_narrow_column(window):
    window.controller.run_steps(3)
    window.redraw()
    readout = window.readout
    assert "grad norm" in readout.text()
    # as many lines at 120 pixels as at 1000: no "grad" above "norm" above its number (the classroom screenshot had)
    assert readout.heightForWidth(120) == readout.heightForWidth(1000)
    # a panel too narrow for train and test side by side gets one readout a line, none clipped
    for width, columns in ((600, 2), (140, 1)):
        readout.setFixedWidth(width)
        window.redraw()
        text = readout.text()
        assert text.count("<td") == columns * text.count("<tr>"), (width, text)
        assert "test loss" in text and "grad norm" in text


def test_empty_and_one_class_data_get_a_message_not_training(window):
    controller = window.controller
    controller.clear_points()
    assert controller.trainer is None and "the training set is empty" in window.status.text()
    controller.play()
    assert not controller.running and "nothing to train" in window.status.text()
    window.redraw()  # draws an empty plane without error
    controller.add_point(1.0, 1.0, 1)
    assert controller.trainer is None and "only one class" in window.status.text()
    controller.add_point(-1.0, -1.0, 0)
    assert controller.trainer is not None
    controller.run_steps(10)
    assert controller.trainer.step_count == 10


def test_csv_and_session_files(window, tmp_path):
    controller = window.controller
    controller.add_point(0.3, 0.3, 1)
    controller.run_steps(40)
    csv_path = tmp_path / "points.csv"
    controller.save_csv(str(csv_path))
    assert csv_path.read_text().count("\n") == 8  # header + 7 points
    window.log_scale.setChecked(True)
    session = tmp_path / "session.json"
    controller.save_session(str(session), window.view_options())
    params = controller.trainer.parameters()
    controller.apply_data(DataSpec("moons"))
    window.log_scale.setChecked(False)
    window.load_session(str(session))
    assert controller.trainer.step_count == 40 and len(controller.train) == 7
    assert all(torch.equal(params[k], v) for k, v in controller.trainer.parameters().items())
    assert window.log_scale.isChecked()
    (tmp_path / "broken.json").write_text("{")
    window.load_session(str(tmp_path / "broken.json"))
    assert "cannot open session broken.json: not JSON" in window.status.text() and controller.trainer.step_count == 40
    controller.load_csv(str(csv_path))
    assert len(controller.train) == 7 and controller.settings.data.name == str(csv_path)
    (tmp_path / "bad.csv").write_text("1,2\n")
    controller.load_csv(str(tmp_path / "bad.csv"))
    assert "expected 3 columns" in window.status.text() and len(controller.train) == 7
    png = tmp_path / "plots.png"
    assert window.export_png(str(png)) and png.stat().st_size > 5000


def test_compare_shows_the_hand_torch_difference(window):
    window.controls.compare.setChecked(True)
    window.controller.run_steps(5)
    window.redraw()
    assert "max |hand − torch|" in window.readout.text()
    assert window.controller.max_grad_diff is not None and window.controller.max_grad_diff < 1e-10


def test_log_scale_and_hard_boundary_toggles(window):
    window.controller.run_steps(50)
    window.log_scale.setChecked(True)
    window.hard.setChecked(True)
    window.redraw()
    colours = {tuple(c) for c in window.boundary.shown_rgb().reshape(-1, 3).tolist()}
    assert len(colours) == 2  # two flat colours (the zero line and the margins are drawn as lines on top)


def test_regenerate_draws_a_fresh_sample(window):
    controller = window.controller
    controller.apply_data(DataSpec("moons", n=50, seed=0))
    before = controller.train.X.clone()
    controller.regenerate()
    assert controller.settings.data.seed == 1 and len(controller.train) == 40
    assert not torch.equal(before, controller.train.X)
    assert "data seed 1" in window.status.text()


def test_a_session_brings_back_the_circuit_explorer_and_a_consistent_rewind_bar(window, tmp_path, qtbot):
    from torchcircuits.run import PRESETS
    from torchcircuits_gui.window import MainWindow

    view = window.circuit_view
    view.set_circuit("softmax")
    changed = {key: value + 0.25 for key, value in view.values.items()}
    view.values = dict(changed)
    window.controller.run_steps(30)
    path = tmp_path / "explorer.json"
    assert window.save_session(str(path))
    other = MainWindow(PRESETS["guide-svm"], grid_size=30)
    qtbot.addWidget(other)
    other.load_session(str(path))
    assert other.circuit_view.circuit.name == "softmax" and other.circuit_view.values == changed
    assert not other.circuit_view.follow.isChecked()
    other.redraw()
    assert "<b>grad norm</b> –" in other.readout.text()  # no step since reopening: no gradient to show yet
    bar = other.rewind_bar
    assert "step 30" in bar.label.text() and bar.slider.value() == bar.slider.maximum()  # "now" at the right end
