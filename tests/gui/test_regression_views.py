"""The regression views: the drawn curve is the library's prediction, residuals end on it, the value map's levels
come from the targets, and RMSE and R² replace the accuracy."""

import numpy as np
import pytest
import torch

from torchcircuits.data import REGRESSION_SETS


@pytest.fixture
def sine_window(window):
    window.controller.choose(dataset="sine", model="net")
    assert window.controller.trainer is not None and window.controller.train.inputs == 1
    window.controller.run_steps(30)
    return window


def test_the_drawn_curve_is_the_librarys_prediction_on_the_x_grid(sine_window):
    c, view = sine_window.controller, sine_window.regression
    sine_window.redraw(curves=True)
    assert sine_window.current_plot() is view and view.isVisible() and not sine_window.boundary.isVisible()
    x, y = view.curve.getData()
    xs = torch.cat([c.train.X[:, 0], c.test.X[:, 0]])
    assert x[0] < xs.min().item() and x[-1] > xs.max().item()  # the whole x range, and a margin
    expected = c.trainer.predict(torch.from_numpy(x).unsqueeze(1)).numpy()
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)  # float64 both: the same numbers
    assert np.ptp(y) > 0.1  # 30 steps in, the fit is not flat


def test_residual_lines_run_from_each_point_to_the_model(sine_window):
    c, view = sine_window.controller, sine_window.regression
    sine_window.redraw()
    rx, ry = view.residuals.getData()
    assert len(rx) == 2 * len(c.train)
    np.testing.assert_array_equal(rx[0::2], c.train.X[:, 0].numpy())
    np.testing.assert_array_equal(ry[0::2], c.train.labels.numpy())
    np.testing.assert_allclose(ry[1::2], c.trainer.predict(c.train.X).numpy(), rtol=0, atol=1e-12)


def test_neuron_curves_are_the_first_hidden_layer_when_asked(sine_window):
    c, view = sine_window.controller, sine_window.regression
    sine_window.redraw()
    assert len(view.neuron_curves.getData()[0] or []) == 0
    sine_window.neuron_curves.setChecked(True)
    sine_window.redraw()
    nx, ny = view.neuron_curves.getData()
    width = c.trainer.spec.hidden[0]
    x, _ = view.curve.getData()
    assert len(nx) == width * (len(x) + 1)  # each neuron's curve and a gap
    first = c.trainer.hidden_activations(torch.from_numpy(x).unsqueeze(1))[0][:, 0].numpy()
    np.testing.assert_allclose(ny[: len(x)], first, rtol=0, atol=1e-12)


def test_the_network_and_hidden_tabs_are_off_for_one_input(sine_window):
    tabs = sine_window.tabs
    assert not tabs.isTabEnabled(tabs.indexOf(sine_window.network_tab))
    assert not tabs.isTabEnabled(tabs.indexOf(sine_window.hidden_tab))


def test_rmse_and_r2_replace_the_accuracy(sine_window):
    c, curves = sine_window.controller, sine_window.curves
    sine_window.redraw(curves=True)
    assert curves.metric == "r2"
    _, r2 = curves.curves["train_accuracy"].getData()
    assert r2[-1] == pytest.approx(c.last_evaluation.train_r2)
    _, rmse = curves.curves["train_rmse"].getData()
    assert rmse[-1] == pytest.approx(c.last_evaluation.train_rmse)
    text = sine_window.readout.text()
    assert f"<b>R²</b> {c.last_evaluation.train_r2:.3g}" in text and "acc." not in text
    c.choose(dataset="moons", model="net")
    sine_window.redraw(curves=True)
    assert curves.metric == "accuracy" and len(curves.curves["train_rmse"].getData()[0] or []) == 0
    assert sine_window.current_plot() is sine_window.boundary and sine_window.boundary.isVisible()


def test_the_value_map_has_the_targets_levels_and_points_coloured_by_target(window):
    c, view = window.controller, window.regression
    c.choose(dataset="gaussians", model="net")
    c.run_steps(10)
    window.redraw()
    targets = torch.cat([c.train.labels, c.test.labels])
    levels = (targets.min().item(), targets.max().item())
    assert view.image.getLevels() == pytest.approx(levels)
    assert view.legend_bar.levels() == pytest.approx(levels)
    image = view.image.image
    assert image.shape == (window.regression_grid, window.regression_grid)
    brushes = view.train_points.data["brush"]
    lowest, highest = int(c.train.labels.argmin()), int(c.train.labels.argmax())
    assert brushes[lowest].color().blue() > brushes[lowest].color().red()  # low targets blue
    assert brushes[highest].color().red() > brushes[highest].color().blue()  # high targets red


@pytest.mark.parametrize("dataset", REGRESSION_SETS)
def test_every_regression_set_is_offered_and_trains_in_the_window(window, dataset):
    combo = window.controls.dataset
    index = combo.findText(dataset)
    assert index >= 0
    window.controls.model.setCurrentText("net")
    window.controller.choose(dataset=dataset, model="net")
    window.controller.run_steps(5)
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        window.redraw()
    assert window.controller.last_evaluation.train_r2 is not None


def test_the_view_row_offers_only_what_the_plot_shown_takes(window):
    c = window.controller
    for dataset, hard, neurons in (("gaussians", False, False), ("sine", False, True), ("moons", True, False)):
        c.choose(dataset=dataset, model="net")
        window.redraw()
        assert (window.hard.isVisible(), window.neuron_curves.isVisible()) == (hard, neurons), dataset
