"""The Network tab: thumbnails are the library's activations, links order as |weights|, dead units marked,
hover shows a neuron large, one grid evaluation per frame, and the health panel draws the app's records."""

import numpy as np
import pytest
import torch
from PyQt6.QtCore import QPointF
from PyQt6.QtTest import QTest

from torchcircuits.models import hidden_activations
from torchcircuits.run import PRESETS
from torchcircuits_gui.boundary import boundary_indices
from torchcircuits_gui.network_view import MAX_LINK, THUMB, Hover
from torchcircuits_gui.window import MainWindow

KNOWN = {  # the guide's 3-neuron net with known weights: neuron 1 is off on every guide point
    "W1": torch.tensor([[0.6, -0.3, 0.9], [0.2, 0.1, -0.4]], dtype=torch.float64),
    "b1": torch.tensor([0.1, -100.0, 0.2], dtype=torch.float64),
    "W2": torch.tensor([[1.5], [-0.7], [0.25]], dtype=torch.float64),
    "b2": torch.tensor([0.05], dtype=torch.float64),
}


@pytest.fixture
def net_window(qtbot):
    win = MainWindow(PRESETS["guide-net"], grid_size=60)
    qtbot.addWidget(win)
    win.resize(1200, 760)
    win.show()
    win.controller.trainer.load_parameters(KNOWN)
    win.tabs.setCurrentWidget(win.network_tab)
    win.redraw()
    yield win
    win.controller.pause()


def _picks(g):
    return [int((k + 0.5) * g / THUMB) for k in range(THUMB)]


def test_thumbnails_equal_the_librarys_activations(net_window):
    view, tab = net_window.network_tab.network, net_window.network_tab
    grid = tab.boundary.grid()  # paused: the full 60×60 grid
    hidden = hidden_activations(KNOWN, net_window.controller.trainer.spec, grid.double())[0]  # (3600, 3)
    picks = _picks(60)
    expected = hidden.reshape(60, 60, 3)[picks][:, picks].permute(2, 0, 1).numpy()
    assert view.thumbnails[1].shape == (3, THUMB, THUMB)
    # the grid is float32 (as the boundary's): equal to float64 within 1e-5 of values below 3
    assert np.allclose(view.thumbnails[1], expected, atol=1e-5, rtol=0)
    assert np.abs(view.thumbnails[1][0]).max() > 0.5  # a live neuron's picture is not blank
    inputs = grid.double().reshape(60, 60, 2)[picks][:, picks]
    assert np.allclose(view.thumbnails[0][0], inputs[:, :, 0].numpy(), atol=1e-6)  # x1 itself
    scores = net_window.controller.trainer.scores(grid.double()).reshape(60, 60)[picks][:, picks]
    assert np.allclose(view.thumbnails[2][0], scores.numpy(), atol=1e-5)


def test_link_widths_order_as_the_weights_and_the_toggle_shows_gradients(net_window):
    view = net_window.network_tab.network
    widths = view.link_widths(0)
    weights = KNOWN["W1"].abs().numpy()
    assert list(np.argsort(widths, axis=None)) == list(np.argsort(weights, axis=None))
    # one scale for the whole view: the largest |weight| (W2's 1.5) is MAX_LINK wide, W1's 0.9 in proportion
    assert view.link_widths(1).max() == MAX_LINK and widths.max() == pytest.approx(MAX_LINK * 0.9 / 1.5)
    net_window.network_tab.gradients.setChecked(True)
    grads = view.state.grads["W2"].abs().numpy()[:, 0]
    assert list(np.argsort(view.link_widths(1)[:, 0])) == list(np.argsort(grads))
    assert not np.allclose(view.link_values(1), KNOWN["W2"].numpy())


def _grey_share(image, rect):
    """The share of a node's pixels in the hatch's grey (the dead marker over a white thumbnail)."""
    pixels = []
    for y in range(int(rect.top()) + 2, int(rect.bottom()) - 1):
        for x in range(int(rect.left()) + 2, int(rect.right()) - 1):
            c = image.pixelColor(x, y)
            pixels.append(110 <= c.red() <= 200 and abs(c.red() - c.green()) < 12 and abs(c.red() - c.blue()) < 12)
    return sum(pixels) / len(pixels)


def test_a_unit_forced_dead_is_marked(net_window):
    view = net_window.network_tab.network
    assert view.state.inactive[0].tolist() == [False, True, False]
    image = view.grab().toImage()
    assert _grey_share(image, view.node_rect(1, 1)) > 0.05
    alive = dict(KNOWN, b1=torch.tensor([0.1, 0.3, 0.2], dtype=torch.float64))
    net_window.controller.trainer.load_parameters(alive)
    net_window.controller.step_once()  # a new step: a new snapshot
    net_window.redraw()
    assert view.state.inactive[0].tolist() == [False, False, False]
    assert _grey_share(view.grab().toImage(), view.node_rect(1, 1)) < 0.01


def test_hovering_a_neuron_shows_it_large_and_a_link_its_weight(net_window, qtbot):
    tab = net_window.network_tab
    view = tab.network
    centre = view.node_rect(1, 0).center()
    QTest.mouseMove(view, centre.toPoint())
    qtbot.waitUntil(lambda: view.hovered == Hover("neuron", 1, 0), timeout=2000)
    grid = tab.boundary.grid()
    large = hidden_activations(KNOWN, net_window.controller.trainer.spec, grid.double())[0][:, 0]
    index, lut = boundary_indices(large.float().numpy().reshape(60, 60, 1))
    assert np.array_equal(tab.boundary.shown_rgb(), lut[index])
    assert tab.caption.text().startswith(f"layer 1, neuron 0: from 0 to {large.max().item():.3g} on the plot")
    a, b = view.node_rect(1, 2), view.node_rect(2, 0)
    middle = QPointF((a.right() + b.left()) / 2, (a.center().y() + b.center().y()) / 2)
    assert view.hover_at(middle) == Hover("link", 1, 2, 0)
    QTest.mouseMove(view, middle.toPoint())
    qtbot.waitUntil(lambda: view.hovered == Hover("link", 1, 2, 0), timeout=2000)
    assert tab.caption.text().startswith("W2[2,0] = 0.25, dL/dw = ")


def test_the_pull_is_the_librarys_and_points_the_guides_way(net_window):
    from torchcircuits.inside import neuron_pulls

    trainer = net_window.controller.trainer
    state = net_window.network_tab.network.state
    X, targets = trainer.train_set.X, trainer.loss.targets(trainer.train_set.labels)
    for mine, library in zip(state.pulls, neuron_pulls(KNOWN, trainer.spec, trainer.loss, X, targets), strict=True):
        assert torch.equal(mine, library)  # step 0: the examples "just learned" are all of them


def test_one_grid_evaluation_per_frame_gives_thumbnails_and_scores(net_window, monkeypatch):
    import torchcircuits_gui.controller as controller_module

    calls = []
    real = controller_module.grid_outputs
    net_window.controller.step_once()
    monkeypatch.setattr(controller_module, "grid_outputs", lambda *a: calls.append(("layers", a[3].shape)) or real(*a))
    real_scores = type(net_window.controller.trainer).scores
    monkeypatch.setattr(type(net_window.controller.trainer), "scores",
                        lambda self, X: calls.append(("scores", X.shape)) or real_scores(self, X))
    net_window.redraw()
    on_the_grid = [(kind, tuple(shape)) for kind, shape in calls if shape[0] == 3600]
    assert on_the_grid == [("layers", (3600, 2))]  # the 60×60 grid once; trainer.scores only for the 6 points
    snap = net_window.controller.snapshot(net_window.network_tab.boundary.grid(), frozenset({"network"}))
    assert snap.scores is snap.layers[-1]


def test_the_health_panel_draws_the_apps_records(net_window):
    controller = net_window.controller
    controller.run_steps(30)
    net_window.redraw()
    history = controller.inside.health_history
    assert len(history) == 31 and history.column("step")[-1] == 30  # step 0 and every step of the 30
    x, y = net_window.network_tab.health._curves["dead1"].getData()
    assert list(x) == list(history.column("step")) and y[-1] == controller.trainer.health().dead_fraction[0]
    assert history.last("ratio:W1") == pytest.approx(controller.trainer.health().update_ratio["W1"])
    reading = net_window.network_tab.health.reading.text()
    # the step-0 record holds the seed's weights (the known ones came after it): neuron 1 is dead from step 1
    assert reading.startswith("layer 1: 33% of units dead since step 1: lower the step size")


def test_a_deeper_net_and_a_wide_layer(qtbot):
    from torchcircuits.recipes import recipe_config
    from torchcircuits.run import DataSpec, RunSettings

    win = MainWindow(RunSettings(recipe_config("spiral", "net"), DataSpec("spiral")), grid_size=40)
    qtbot.addWidget(win)
    win.show()
    win.controller.apply_config(win.controller.settings.config.__class__(
        **{**vars(win.controller.settings.config), "hidden": (20, 8)}))
    win.tabs.setCurrentWidget(win.network_tab)
    win.redraw()
    view = win.network_tab.network
    assert view.widths == [2, 20, 8, 3] and [t.shape[0] for t in view.thumbnails] == [2, 16, 8, 3]
    assert len(view._rects[1]) == 16  # 16 shown, the rest counted
