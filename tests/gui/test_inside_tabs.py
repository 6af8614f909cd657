"""The Hidden space and Parameters tabs, and `--tab network|hidden|parameters` on the command line."""

import numpy as np
import pytest
import torch

from torchcircuits.inside import pca_projection
from torchcircuits.models import hidden_activations
from torchcircuits.run import PRESETS
from torchcircuits_gui.app import main
from torchcircuits_gui.window import MainWindow


@pytest.fixture
def guide_net(qtbot):
    win = MainWindow(PRESETS["guide-net"], grid_size=40)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.controller.pause()


def test_the_hidden_space_maps_a_known_point_where_the_library_says(guide_net):
    controller = guide_net.controller
    controller.run_steps(20)
    guide_net.tabs.setCurrentWidget(guide_net.hidden_tab)
    controller.choose_hidden_axes(1, (0, 2))
    guide_net.redraw()
    trainer = controller.trainer
    hidden = hidden_activations(trainer.params, trainer.spec, controller.train.X)[0]
    shown = guide_net.hidden_tab.points.getData()
    assert np.allclose(np.column_stack(shown), hidden[:, [0, 2]].numpy(), atol=1e-12, rtol=0)
    assert guide_net.hidden_tab.plot.getPlotItem().getAxis("bottom").labelText == "layer 1, neuron 0"
    assert guide_net.hidden_tab.second.value() == 2 and guide_net.hidden_tab.first.isEnabled()
    # principal components: the points' coordinates are the library's projection of the same outputs
    controller.choose_hidden_axes(1, None)
    guide_net.redraw()
    expected = pca_projection(hidden, 1).apply(hidden).numpy()
    assert np.allclose(np.column_stack(guide_net.hidden_tab.points.getData()), expected, atol=1e-12)
    assert "PC1" in guide_net.hidden_tab.plot.getPlotItem().getAxis("bottom").labelText


def test_a_bad_hidden_choice_is_one_line_and_changes_nothing(guide_net):
    controller = guide_net.controller
    controller.choose_hidden_axes(1, (0, 5))
    assert guide_net.status.property("level") == "error"
    assert "hidden layers 1 to 1" in guide_net.status.text()
    assert controller.inside.hidden_neurons is None


def test_the_linear_model_has_no_hidden_space(qtbot):
    win = MainWindow(PRESETS["guide-svm"], grid_size=40)
    qtbot.addWidget(win)
    win.tabs.setCurrentWidget(win.hidden_tab)
    win.redraw()
    assert win.hidden_tab.note.text().startswith("the hidden space needs a net")


def test_the_parameter_map_at_the_current_point_is_the_trainers_loss(qtbot):
    win = MainWindow(PRESETS["guide-svm"], grid_size=40)
    qtbot.addWidget(win)
    win.show()
    controller = win.controller
    controller.run_steps(100)
    win.tabs.setCurrentWidget(win.parameters_tab)
    win.redraw()
    view = controller.snapshot(None, frozenset({"parameters"})).parameters
    assert [ref.label for ref in view.pair] == ["W[0,0]", "W[1,0]"]  # the guide's a and b
    middle = view.surface.loss.shape[0] // 2
    assert view.surface.loss[middle, middle].item() == pytest.approx(controller.trainer.evaluate().train_loss,
                                                                     rel=1e-14)  # fmt: skip
    # the picture: log10 of the loss, the centre pixel the trainer's loss
    image = win.parameters_tab.image.image
    assert image[middle, middle] == pytest.approx(np.log10(controller.trainer.evaluate().train_loss), rel=1e-6)
    # the path ends at the current weights; 101 records (step 0 and each of the 100 steps)
    W = controller.trainer.params["W"].detach()
    assert len(view.path) == 101 and view.path[-1].tolist() == [W[0, 0].item(), W[1, 0].item()]
    x, y = win.parameters_tab.current.getData()
    assert (x[0], y[0]) == (W[0, 0].item(), W[1, 0].item())
    assert view.velocity is None and win.parameters_tab.velocity.getData()[0] is None


def test_the_map_is_throttled_while_running_and_follows_a_new_pair(qtbot, monkeypatch):
    import torchcircuits_gui.inside_model as inside_model

    win = MainWindow(PRESETS["guide-net"], grid_size=40)
    qtbot.addWidget(win)
    controller = win.controller
    made = []
    real = inside_model.loss_surface
    monkeypatch.setattr(inside_model, "loss_surface", lambda *a, **k: made.append(1) or real(*a, **k))
    first = controller.inside.parameters(controller.trainer, running=True)
    controller.run_steps(3)
    again = controller.inside.parameters(controller.trainer, running=True)  # within LANDSCAPE_EVERY_S
    assert len(made) == 1 and again.surface is first.surface
    paused = controller.inside.parameters(controller.trainer, running=False)  # paused at a new step: remade
    assert len(made) == 2 and paused.surface is not first.surface
    controller.choose_parameter_pair(("W1[1,2]", "b2[0]"))
    chosen = controller.inside.parameters(controller.trainer, running=True)
    assert len(made) == 3 and [r.label for r in chosen.surface.pair] == ["W1[1,2]", "b2[0]"]
    controller.choose_parameter_pair(("W1[1,2]", "W7[0,0]"))
    assert "'W7[0,0]' is not a parameter of this model" in win.status.text()
    assert [r.label for r in controller.inside.pair] == ["W1[1,2]", "b2[0]"]


def test_momentum_draws_an_arrow(qtbot):
    from dataclasses import replace

    settings = PRESETS["guide-svm"]
    win = MainWindow(replace(settings, config=replace(settings.config, momentum=0.9)), grid_size=40)
    qtbot.addWidget(win)
    win.show()
    win.controller.run_steps(10)
    win.tabs.setCurrentWidget(win.parameters_tab)
    win.redraw()
    view = win.controller.snapshot(None, frozenset({"parameters"})).parameters
    v = win.controller.trainer.optimizer.state["momentum_buffer"]["W"]
    lr = win.controller.trainer.lr
    assert view.velocity == pytest.approx((-lr * v[0, 0].item(), -lr * v[1, 0].item()), rel=1e-15)
    x, y = win.parameters_tab.velocity.getData()
    W = win.controller.trainer.params["W"].detach()
    assert (x[0], y[0]) == (W[0, 0].item(), W[1, 0].item())  # from the current point
    assert (x[1] - x[0], y[1] - y[0]) == pytest.approx(view.velocity, rel=1e-9)  # along −lr·v


@pytest.mark.parametrize("tab", ["network", "hidden", "parameters"])
def test_each_inside_tab_screenshots_headless(tab, tmp_path, qtbot):
    path = tmp_path / f"{tab}.png"
    assert main(["--preset", "guide-net", "--steps", "15", "--grid", "40", "--size", "1024x640", "--tab", tab,
                 "--screenshot", str(path)]) == 0  # fmt: skip
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 20_000


def test_an_unknown_tab_is_refused_in_one_line(capsys):
    assert main(["--tab", "inside"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--tab" in lines[0] and "'network', 'hidden', 'parameters'" in lines[0]


def test_every_tab_has_an_about_text(guide_net):
    for index in range(guide_net.tabs.count()):
        guide_net.tabs.setCurrentIndex(index)
        assert guide_net.about_text().startswith(f"<b>{guide_net.tabs.tabText(index)}</b>")


def test_the_network_tab_trains_live(guide_net, qtbot):
    guide_net.tabs.setCurrentWidget(guide_net.network_tab)
    guide_net.redraw()
    before = [t.copy() for t in guide_net.network_tab.network.thumbnails]
    guide_net.network_tab.run_bar.play.click()
    qtbot.waitUntil(lambda: guide_net.controller.step_count > 50, timeout=10_000)
    guide_net.controller.pause()
    guide_net.redraw()
    after = guide_net.network_tab.network.thumbnails
    assert not all(np.array_equal(a, b) for a, b in zip(before[1:], after[1:], strict=True))
    assert guide_net.network_tab.run_bar.counter.text().startswith(f"step {guide_net.controller.step_count}")
    assert torch.isfinite(torch.as_tensor(after[-1])).all()


def test_a_costly_health_record_is_spaced_out(qtbot, monkeypatch):
    import time

    win = MainWindow(PRESETS["guide-net"], grid_size=40)
    qtbot.addWidget(win)
    trainer, inside = win.controller.trainer, win.controller.inside
    real = type(trainer).health
    monkeypatch.setattr(type(trainer), "health", lambda self: time.sleep(0.05) or real(self))
    before = len(inside.health_history)
    for step in range(5):  # back to back: the first takes 50 ms (over HEALTH_CHEAP_S), the next 0.5 s are left alone
        inside.record(trainer, step)
    assert len(inside.health_history) == before + 1
    assert len(inside.path) == before + 5  # the path is cheap: every record


def test_a_session_reopens_the_inside_views_as_they_were(qtbot, tmp_path):
    from dataclasses import replace

    settings = PRESETS["guide-net"]
    settings = replace(settings, config=replace(settings.config, hidden=(3, 4)))
    first = MainWindow(settings, grid_size=30)
    qtbot.addWidget(first)
    c = first.controller
    c.run_steps(40, record_every=5)
    c.choose_hidden_axes(2, (1, 3))
    c.choose_parameter_pair(("W2[2,1]", "b1[0]"))
    first.network_tab.gradients.setChecked(True)
    first.tabs.setCurrentWidget(first.parameters_tab)
    path = tmp_path / "inside.json"
    assert first.save_session(str(path))

    second = MainWindow(PRESETS["guide-svm"], grid_size=30)
    qtbot.addWidget(second)
    second.load_session(str(path))
    before, after = c.inside, second.controller.inside
    assert (after.hidden_layer, after.hidden_neurons) == (2, (1, 3))
    assert [ref.label for ref in after.pair] == ["W2[2,1]", "b1[0]"]
    assert after.health_history.to_json() == before.health_history.to_json()
    assert len(after.health_history) > 5  # health over time, not only the step it reopened at
    assert len(after.path) == len(before.path) > 5
    assert all(np.array_equal(a, b) for a, b in zip(after.path, before.path, strict=True))
    assert second.tabs.currentWidget() is second.parameters_tab
    assert second.network_tab.gradients.isChecked()

    # choices that do not fit the model are left at their defaults: the session still opens
    import json

    document = json.loads(path.read_text())
    document["view"]["inside"].update(hidden_layer=7, hidden_neurons=[0, 99], pair=["W9[0,0]", "b1[0]"],
                                      path=[[1.0, 2.0]])  # fmt: skip
    path.write_text(json.dumps(document))
    third = MainWindow(PRESETS["guide-svm"], grid_size=30)
    qtbot.addWidget(third)
    third.load_session(str(path))
    inside = third.controller.inside
    assert third.controller.trainer.step_count == 40 and "reopened at step 40" in third.status.text()
    assert (inside.hidden_layer, inside.hidden_neurons, inside.pair) == (1, None, None)
    assert len(inside.path) == 1  # only the point it reopened at


def test_the_network_tab_draws_a_regression_net_as_values_not_classes(qtbot):
    from torchcircuits.recipes import recipe_config
    from torchcircuits.run import DataSpec, RunSettings

    win = MainWindow(RunSettings(recipe_config("gaussians", "net"), DataSpec("gaussians")), grid_size=30)
    qtbot.addWidget(win)
    win.controller.run_steps(20)
    win.tabs.setCurrentWidget(win.network_tab)
    win.redraw()
    plot = win.network_tab.boundary
    x, _ = plot.zero_line.getData()
    assert x is None or len(x) == 0  # no zero line: 0 is no boundary for a value
    assert len(plot.wrong_points.data) == 0  # and no point is "misclassified"
    assert len(plot.class_items[("train", -1)].data) == len(win.controller.train)
    assert not any(key[1] >= 0 for key, item in plot.class_items.items() if len(item.data))
