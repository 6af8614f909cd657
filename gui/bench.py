"""The app's frame benchmark, registered as a 'torchcircuits.benchmarks' plugin.

Offscreen, a 200×200 boundary of the H = 100 net on the spiral plus the loss
curve, with histories of 10^3, 10^5 and 10^6 steps: milliseconds per redraw
and the bytes the history holds.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# imported here, so that without the app's extra the plugin fails to load and is skipped
from PyQt6.QtWidgets import QApplication  # noqa: E402

from torchcircuits.bench import Measurement, median_time  # noqa: E402
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.trainer import TrainConfig

__all__ = ["frame_benchmark"]


def frame_benchmark(quick: bool = False) -> list[Measurement]:
    from .window import MainWindow

    app = QApplication.instance() or QApplication([])
    settings = RunSettings(TrainConfig(model="net", hidden=(100,), lr=1.0, batch=None), DataSpec("spiral"))
    window = MainWindow(settings, grid_size=200)
    window.show()
    app.processEvents()
    rows = []
    history = window.controller.history
    recorded = 0
    for steps in (1_000,) if quick else (1_000, 100_000, 1_000_000):
        for step in range(recorded + 1, steps + 1):
            history.append(step=step, train_loss=1.0 / step, test_loss=1.2 / step, train_accuracy=0.9,
                           test_accuracy=0.85)  # fmt: skip
        recorded = steps

        def frame(curves: bool) -> None:
            window.redraw(curves=curves)
            app.processEvents()  # the paint itself

        note = f"history holds {history.nbytes / 1e3:.0f} kB, {len(history)} points"
        for curves, what in ((True, "boundary + curves"), (False, "boundary only (curves refresh at 10 Hz)")):
            ms = median_time(lambda c=curves: frame(c), 3 if quick else 20, 3 if quick else 7) * 1e3
            rows.append(Measurement("app frame", f"{what}, {steps:,}-step history", ms, "ms", note=note))
    window.close()
    return rows


def network_frame_benchmark(quick: bool = False) -> list[Measurement]:
    """The Network tab's frame: an 8 + 8 net on the spiral (16 hidden thumbnails at 40×40 beside the 200×200
    main plot), one training step between frames, the frame timed alone: the snapshot (one grid evaluation),
    the drawing and the paint of what a frame changes (the network view, the main plot, the hover line). The
    health panel, redrawn 10 times a second while training runs, is timed in a row of its own.

    "while training": the controller is playing (its timer on, no event processed), so the frame is the one
    drawn while training runs (the 0.7 grid); "paused": the full grid.
    """
    import statistics
    import time

    from .window import MainWindow

    app = QApplication.instance() or QApplication([])
    config = TrainConfig(model="net", hidden=(8, 8), optimizer="adam", lr=0.01, batch=None)
    window = MainWindow(RunSettings(config, DataSpec("spiral")), grid_size=200)
    window.resize(1440, 860)
    window.tabs.setCurrentWidget(window.network_tab)
    window.show()
    app.processEvents()
    controller = window.controller
    rows = []
    tab = window.network_tab
    for playing, what in ((True, "while training (140² grid)"), (False, "paused (200² grid)")):
        if playing:
            controller.play()  # running, but no event is processed: the steps below are the only ones
        times, health = [], []
        for _ in range(10 if quick else 100):
            controller.trainer.step()
            start = time.perf_counter()
            tab.redraw(health=False)
            for widget in (tab.network, tab.boundary, tab.caption):
                widget.repaint()  # the paint itself, now
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            tab.health.show_history(controller.inside.health_history, config.activation)
            tab.health.repaint()
            health.append(time.perf_counter() - start)
        controller.pause()
        name = f"network tab, 8+8 net, 16 thumbnails + 200×200 plot, {what}"
        rows.append(Measurement("app frame", name, statistics.median(times) * 1e3, "ms",
                                note=f"max {max(times) * 1e3:.1f} ms"))  # fmt: skip
    rows.append(Measurement("app frame", "network tab: the health panel's redraw (10 a second while training)",
                            statistics.median(health) * 1e3, "ms"))  # fmt: skip
    window.close()
    return rows
