"""The Search and Doctor tabs: the library's search and doctor in a worker process that never blocks the window."""

import math
import statistics
import time

import pytest
from PyQt6.QtCore import QTimer

from torchcircuits.doctor import STATUSES
from torchcircuits_gui.doctor_panel import STATUS_COLOURS

#: a worker process imports torch first: on the shared machine that alone takes seconds
WORKER_MS = 120_000


def _small_search(window):
    panel = window.search_tab
    window.controller.choose(dataset="moons", model="softmax")
    panel.vary.setText("lr=1e-3:1:log,reg=1e-5:0.1:log")
    panel.trials.setText("4")
    panel.folds.setText("2")
    panel.steps.setText("30")
    return panel


def test_search_runs_in_the_background_and_the_window_keeps_answering(window, qtbot):
    panel = _small_search(window)
    delays: list[float] = []

    def probe() -> None:  # a 0 ms timer posted every 50 ms: how long the event loop takes to run it
        posted = time.perf_counter()
        QTimer.singleShot(0, lambda: delays.append((time.perf_counter() - posted) * 1000.0))

    ticker = QTimer()
    ticker.timeout.connect(probe)
    ticker.start(50)
    panel.run.click()
    assert panel.job.running and not panel.run.isEnabled() and panel.cancel.isEnabled()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WORKER_MS)
    ticker.stop()
    assert len(delays) >= 10
    assert statistics.median(delays) <= 20.0, f"median event-loop latency {statistics.median(delays):.1f} ms"
    result = panel.result
    assert len(result.trials) == 4 and panel.progress.value() == panel.progress.maximum() == 8
    spots = panel.scatter.points()
    assert len(spots) == 4
    for spot in spots:  # each trial at (log10 lr, log10 reg)
        trial = spot.data()
        assert spot.pos().x() == pytest.approx(math.log10(trial.values["lr"]))
        assert spot.pos().y() == pytest.approx(math.log10(trial.values["reg"]))
    assert "log10 lr" in panel.plot.getPlotItem().getAxis("bottom").labelText
    trial = result.trials[-1]
    panel._clicked(panel.scatter, [s for s in spots if s.data() is trial])
    config = window.controller.trainer.config
    assert (config.lr, config.reg) == (trial.values["lr"], trial.values["reg"])  # loaded into the trainer
    assert window.controls.lr.text() == f"{trial.values['lr']:g}"


def test_search_cancels(window, qtbot):
    panel = _small_search(window)
    panel.trials.setText("200")
    panel.run.click()
    process = panel.job._process
    panel.cancel.click()
    assert not panel.job.running and not process.is_alive() and panel.run.isEnabled()
    assert panel.note.text() == "search cancelled" and panel.result is None


def test_a_bad_range_is_refused_with_the_librarys_line_and_nothing_runs(window):
    panel = window.search_tab
    panel.vary.setText("lr=5:1:log")
    panel.run.click()
    assert not panel.job.running and panel.note.text().startswith("--vary lr=5:1:log")


def test_doctor_lists_each_check_coloured_by_its_verdict(window, qtbot):
    panel = window.doctor_tab
    panel.run.click()
    qtbot.waitUntil(lambda: panel.run.isEnabled(), timeout=WORKER_MS)
    assert panel.lines.count() >= 3 and panel.tally.text().startswith(f"{panel.lines.count()} checks:")
    for i in range(panel.lines.count()):
        item = panel.lines.item(i)
        status = item.text().split()[0]
        assert status in STATUSES and item.foreground().color().name() == STATUS_COLOURS[status]
