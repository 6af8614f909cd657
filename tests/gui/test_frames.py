"""Frame cost: the map's lookup-table colours, the frame budget while training, the loss axis set in jumps, readouts
that change every frame without a new window layout."""

import time

import numpy as np
from PyQt6.QtCore import QEvent, QObject
from PyQt6.QtWidgets import QApplication, QHBoxLayout, QLabel, QWidget

from torchcircuits_gui.boundary import boundary_image, boundary_indices
from torchcircuits_gui.curves import CurvesView
from torchcircuits_gui.history import DecimatingHistory
from torchcircuits_gui.steady_label import SteadyLabel


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


def test_the_frame_budget_counts_the_paints_after_a_frame_whichever_tab_is_in_front(window, qtbot):
    window.tabs.setCurrentWidget(window.network_tab)
    window.redraw()
    window.paint_ms = 0.0
    window.update()
    qtbot.waitUntil(lambda: window.paint_ms > 0.0)  # Qt's paint of the window, timed in MainWindow.event
    window.controller.play()
    try:
        window.last_frame_ms = 0.0
        window.paint_ms = 1000.0  # a cheap redraw but an expensive paint: the next frame waits all the same
        window._frame_ended = time.perf_counter()
        window._dirty = True
        window._frame()
        assert window._dirty
        window.paint_ms = 0.0
        window._frame()
        assert not window._dirty
    finally:
        window.controller.pause()


class _LayoutRequests(QObject):
    """Counts the layout requests a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def _held(qtbot, label: QLabel) -> QWidget:
    """A shown widget laid out around ``label`` (its layout is what a text change may ask anew)."""
    holder = QWidget()
    qtbot.addWidget(holder)
    QHBoxLayout(holder).addWidget(label)
    holder.show()
    return holder


def _layout_requests_for_texts(label: QLabel, texts) -> int:
    holder = label.parentWidget()
    label.setText(texts[0])
    QApplication.processEvents()
    requests = _LayoutRequests(holder)
    for text in texts[1:]:
        label.setText(text)
        QApplication.processEvents()
    return requests.count


def test_a_steady_label_changes_its_text_without_a_new_layout_until_a_text_needs_more_room(qtbot):
    counts = [f"step {n:,} · {rate} steps/s" for n, rate in ((10_000, 412), (10_090, 98), (10_311, 7), (11_000, 1))]
    plain, steady = QLabel(), SteadyLabel()
    holders = [_held(qtbot, plain), _held(qtbot, steady)]
    assert _layout_requests_for_texts(plain, counts) > 0  # a plain label asks each time its size changes
    assert _layout_requests_for_texts(steady, counts) == 0
    width = steady.width()
    assert _layout_requests_for_texts(steady, [counts[-1], counts[-1] + " and a much longer tail"]) > 0
    assert steady.width() > width  # it grew to show the longer text whole
    assert steady.sizeHint().width() <= steady.width()
    assert all(holder.isVisible() for holder in holders)


def test_the_step_counter_and_the_rewind_label_do_not_relayout_the_window_while_training(window):
    window.controller.run_steps(1000)
    # a long run's widest texts: the labels only grow, so from here on every count fits
    window.run_bar.counter.setText("step 99,999 · 99,999 steps/s")
    window.rewind_bar.label.setText("step 99,999 (rewound)")
    window.controller.play()
    try:
        for _ in range(4):  # the layout the first frames asked for reaches the window a level per event-loop pass
            window.controller._tick()
            window.redraw(curves=False)
            QApplication.processEvents()
        requests = [_LayoutRequests(widget) for widget in (window.run_bar, window.rewind_bar)]
        first = window.controller.step_count
        for _ in range(6):
            window.controller._tick()
            window.redraw(curves=False)
            QApplication.processEvents()
    finally:
        window.controller.pause()
    assert window.controller.step_count > first
    assert [r.count for r in requests] == [0, 0]


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
