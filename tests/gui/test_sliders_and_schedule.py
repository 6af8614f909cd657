"""Issue 15's two controls: the step-size plot above the loss curve, and sliders beside points, noise and test ratio."""

from dataclasses import replace

import numpy as np
import pytest

from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.schedules import parse_schedule
from torchcircuits_gui.controls import DATA_SLIDERS, SliderScale

SPIRAL = RunSettings(replace(RunSettings().config, model="net", hidden=(8,)), DataSpec("spiral"))


def _window(qtbot, settings: RunSettings):
    from torchcircuits_gui.window import MainWindow

    win = MainWindow(settings, grid_size=40)
    qtbot.addWidget(win)
    win.show()
    return win


def test_step_size_plot_draws_the_librarys_schedule(qtbot):
    settings = replace(SPIRAL, config=replace(SPIRAL.config, schedule="step:10:0.5", lr=0.4))
    win = _window(qtbot, settings)
    win.controller.run_steps(35)
    win.redraw(curves=True)
    plot = win.curves.lr_plot
    assert plot.isVisible() and plot.scene() is not None
    steps, rates = win.curves.lr_curve.getOriginalDataset()  # as given, not log10 of them
    # the curves' range is 0..50 (nice_ceiling of 35): every whole step of it, drawn from lr_at
    assert steps[0] == 0 and steps[-1] == 50 and len(steps) == 51
    expected = [parse_schedule("step:10:0.5").lr_at(0.4, int(t)) for t in steps]
    assert np.array_equal(rates, expected)  # the same arithmetic: exact
    assert rates[9] == 0.4 and rates[10] == 0.2 and rates[50] == 0.4 * 0.5**5
    # 0.4 down to 0.0125 spans more than a decade: a log axis
    assert plot.getAxis("left").logMode
    assert plot.titleLabel.text == "step size"


def test_step_size_plot_is_hidden_without_a_schedule_and_follows_a_change(qtbot):
    win = _window(qtbot, SPIRAL)
    win.redraw(curves=True)
    assert not win.curves.lr_plot.isVisible() and win.curves.lr_plot.scene() is None
    c = win.controller
    c.apply_config(replace(c.settings.config, schedule="step:100:0.9"))
    win.redraw(curves=True)
    assert win.curves.lr_plot.isVisible()
    assert not win.curves.lr_plot.getAxis("left").logMode  # 1 down to 0.9: less than a decade, linear
    c.apply_config(replace(c.settings.config, schedule="constant"))
    win.redraw(curves=True)
    assert not win.curves.lr_plot.isVisible() and win.curves.lr_plot.scene() is None


@pytest.mark.parametrize(
    ("scale", "position", "value"),
    [(DATA_SLIDERS["noise"], 35, 0.35), (DATA_SLIDERS["test_ratio"], 6, 0.3), (DATA_SLIDERS["n"], 0, 1),
     (DATA_SLIDERS["n"], 200, 100_000), (DATA_SLIDERS["n"], 100, 320)],
)  # fmt: skip
def test_slider_scale_maps_positions_to_values_and_back(scale: SliderScale, position: int, value: float):
    assert scale.value(position) == value
    assert scale.position(value) == position


def test_slider_scale_pins_values_past_its_ends():
    assert DATA_SLIDERS["noise"].position(7.5) == 200  # the field takes up to 10; the slider shows 0..2
    assert DATA_SLIDERS["test_ratio"].position(0.95) == 18


def test_moving_a_slider_sets_the_data_and_shows_the_value(qtbot):
    win = _window(qtbot, SPIRAL)
    c, panel = win.controller, win.controls
    slider, label = panel.sliders["noise"]
    assert label.text() == "0.2" and slider.value() == 20  # empty field: spiral's default noise
    slider.setValue(35)
    assert c.settings.data.noise == 0.35 and panel.noise.text() == "0.35" and label.text() == "0.35"
    panel.test_ratio_slider.setValue(6)
    assert c.settings.data.test_ratio == 0.3
    assert len(c.test) == round(0.3 * 300)  # the trainer's split follows
    panel.n_slider.setValue(100)
    assert c.settings.data.n == 320 and len(c.train) + len(c.test) == 320
    assert panel.sliders["n"][1].text() == "320" and panel.n.text() == "320"


def test_typing_in_a_field_moves_its_slider(qtbot):
    win = _window(qtbot, SPIRAL)
    c, panel = win.controller, win.controls
    panel.noise.setText("1.5")
    panel.noise.editingFinished.emit()
    assert c.settings.data.noise == 1.5
    assert panel.noise_slider.value() == 150 and panel.sliders["noise"][1].text() == "1.5"
    panel.noise.textEdited.emit("0.5")  # while typing, before Enter
    assert panel.noise_slider.value() == 50
    panel.n.setText("1000")
    panel.n.editingFinished.emit()
    assert panel.n_slider.value() == DATA_SLIDERS["n"].position(1000) and panel.sliders["n"][1].text() == "1,000"


def test_a_refused_value_leaves_the_slider_at_the_setting_in_force(qtbot):
    win = _window(qtbot, SPIRAL)
    c, panel = win.controller, win.controls
    panel.test_ratio.setText("1.5")
    panel.test_ratio.editingFinished.emit()
    assert "test ratio" in win.status.text() and c.settings.data.test_ratio is None
    assert panel.test_ratio_slider.value() == 4 and panel.sliders["test_ratio"][1].text() == "0.2"


def test_sliders_are_disabled_with_their_fields_on_a_fixed_set(window):
    panel = window.controls
    assert not panel.n.isEnabled() and not panel.n_slider.isEnabled() and not panel.noise_slider.isEnabled()
    assert panel.test_ratio_slider.isEnabled()
