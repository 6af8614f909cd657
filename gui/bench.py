"""The app's frame benchmark, registered as a 'torchcircuits.benchmarks' plugin.

Offscreen, a 200×200 boundary of the H = 100 net on the spiral plus the loss
curve, with histories of 10^3 and 10^6 steps: milliseconds per frame, each
after a training step (so the map and the curves really change), and the bytes
the history holds.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# imported here, so that without the app's extra the plugin fails to load and is skipped
import torch  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from torchcircuits.bench import Measurement, median_time  # noqa: E402
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.trainer import TrainConfig

__all__ = ["frame_benchmark"]


#: the frame goal: 60 frames a second
GOAL_MS = 16.0


def frame_benchmark(quick: bool = False) -> list[Measurement]:
    """Milliseconds per frame of the training tab, each after a real training step (new scores, a new curve point).

    A frame is the snapshot (the model scores the grid: measured on its own row)
    and the drawing: colour the map, trace the contours, place the points, update
    the curves and the readouts, and the paint itself (``processEvents``), with
    one torch thread as the app runs. Ratios are against the 16 ms goal (below 1: met).
    """
    from .window import MainWindow

    app = QApplication.instance() or QApplication([])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the app runs (its --threads default)
    settings = RunSettings(TrainConfig(model="net", hidden=(100,), lr=1.0, batch=None), DataSpec("spiral"))
    window = MainWindow(settings, grid_size=200)
    window.show()
    app.processEvents()
    controller, trainer = window.controller, window.controller.trainer
    rows = []
    history = controller.history
    recorded = 0
    repeats = 5 if quick else 25

    def timed(frame: Callable[[], None], change: Callable[[], None]) -> float:
        frame()  # warm up
        times = []
        for _ in range(repeats):
            change()  # outside the timing: what a training tick does between frames
            start = time.perf_counter()
            frame()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1e3

    def step(new_point: bool, coarse: bool = False) -> None:
        nonlocal recorded
        trainer.step()
        if new_point:
            recorded += 1
            history.append(step=recorded, train_loss=1.0 / recorded, test_loss=1.2 / recorded, train_accuracy=0.9,
                           test_accuracy=0.85)  # fmt: skip
        controller.snapshot(window.boundary.grid(coarse))  # the scores: measured on their own below

    def draw(coarse: bool = False) -> None:
        window.redraw(curves=True, coarse=coarse)
        app.processEvents()  # the paint itself

    grid = window.boundary.grid()
    ms = timed(lambda: controller.snapshot(grid), lambda: trainer.step())
    rows.append(Measurement("app frame", "snapshot: score the 200×200 grid, mark wrong points", ms, "ms",
                            note="the model's cost, paid once per frame while training"))  # fmt: skip
    for steps in (1_000,) if quick else (1_000, 1_000_000):
        for record in range(recorded + 1, steps + 1):
            history.append(step=record, train_loss=1.0 / record, test_loss=1.2 / record, train_accuracy=0.9,
                           test_accuracy=0.85)  # fmt: skip
        recorded = steps
        note = f"history holds {history.nbytes / 1e3:.0f} kB, {len(history)} points"
        coarse = window.boundary.coarse_size
        for what, fn, change in (
            ("draw 200×200 map + curves", draw, lambda: step(True)),
            ("draw 200×200 map, curves unchanged", draw, lambda: step(False)),
            (f"draw while training: {coarse}×{coarse} map + curves", lambda: draw(True), lambda: step(True, True)),
        ):
            ms = timed(fn, change)
            rows.append(Measurement("app frame", f"{what}, {steps:,}-step history", ms, "ms", f"{GOAL_MS:g} ms",
                                    ms / GOAL_MS, note, "≤ 1"))  # fmt: skip
    # a redraw with nothing new (a resize, the frame timer): the picture stands, only the paint
    ms = median_time(lambda: (window.redraw(curves=True), app.processEvents()), 3 if quick else 20, 3 if quick else 7)
    rows.append(Measurement("app frame", "redraw with nothing new (paint only)", ms * 1e3, "ms", f"{GOAL_MS:g} ms",
                            ms * 1e3 / GOAL_MS, goal="≤ 1"))  # fmt: skip
    window.close()
    torch.set_num_threads(threads)
    return rows


def network_frame_benchmark(quick: bool = False) -> list[Measurement]:
    """The Network tab's frame: an 8 + 8 net on the spiral (16 hidden thumbnails at 40×40 beside the 200×200
    main plot), one training step between frames, the frame timed alone: the snapshot (one grid evaluation),
    the drawing and the paint of what a frame changes (the network view, the main plot, the hover line). The
    health panel, redrawn 10 times a second while training runs, is timed in a row of its own.

    "while training": the controller is playing (its timer on, no event processed), so the frame is the one
    drawn while training runs (the coarse grid, half the side); "paused": the full grid.
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
    for playing, what in ((True, "while training (100² grid)"), (False, "paused (200² grid)")):
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
