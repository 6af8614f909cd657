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
