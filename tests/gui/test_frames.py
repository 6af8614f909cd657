"""Frame cost: the map's lookup-table colours, the frame budget while training, the loss axis set in jumps."""

import time

import numpy as np

from torchcircuits_gui.boundary import boundary_image, boundary_indices
from torchcircuits_gui.curves import CurvesView
from torchcircuits_gui.history import DecimatingHistory


def test_lookup_table_colours_match_the_rgb_map():
    rng = np.random.default_rng(0)
    for k in (1, 3):
        scores = rng.normal(scale=2.0, size=(30, 30, k)).astype(np.float32)
        for hard in (False, True):
            index, lut = boundary_indices(scores, hard=hard)
            assert index.dtype == np.uint8 and lut.shape == (256, 3)
            difference = np.abs(lut[index].astype(int) - boundary_image(scores, hard=hard, outlines=False).astype(int))
            # one score: the same 256-entry map, indices may round one step apart (adjacent entries differ by < 4);
            # K classes: 25 shades, the strength rounds by at most 0.45 / 48 of 255 per channel (< 3), plus truncation
            assert difference.max() <= 4, (k, hard, difference.max())


def test_the_frame_budget_skips_frames_while_training_and_not_when_off(window):
    window.controller.play()
    try:
        window.last_frame_ms = 1000.0  # an expensive last frame: the next one waits two seconds
        window._frame_ended = time.perf_counter()
        window._dirty = True
        window._frame()
        assert window._dirty  # skipped: the steps get their share
        window.frame_gap = 0.0
        window._frame()
        assert not window._dirty  # drawn
    finally:
        window.controller.pause()
    window.frame_gap, window._dirty = 2.0, True
    window._frame()  # paused: never held back
    assert not window._dirty


def test_the_loss_axis_covers_the_losses_and_moves_only_in_jumps(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    history = DecimatingHistory(("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy"))
    for step in range(1, 11):
        history.append(step=step, train_loss=1.0 + 1.0 / step, test_loss=None, train_accuracy=0.5, test_accuracy=None)
    view.show_history(history)
    lo, hi = view.loss_plot.viewRange()[1]
    assert lo <= 1.1 and hi >= 2.0
    history.append(step=11, train_loss=1.5, test_loss=None, train_accuracy=0.5, test_accuracy=None)
    view.show_history(history)
    assert view.loss_plot.viewRange()[1] == [lo, hi]  # inside the old range: the axis stays (no repaint of it)
    history.append(step=12, train_loss=5.0, test_loss=None, train_accuracy=0.5, test_accuracy=None)
    view.show_history(history)
    assert view.loss_plot.viewRange()[1][1] >= 5.0
    view.set_log_scale(True)
    view.show_history(history)
    lo, hi = view.loss_plot.viewRange()[1]
    assert lo <= np.log10(1.1) and hi >= np.log10(5.0)  # a log axis ranges over log10 of the losses
