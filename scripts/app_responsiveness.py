"""How the app behaves while it trains: frames per second, steps per second, event-loop latency.

Offscreen, for each case: play for a few seconds while a probe posts a 0 ms
timer every 50 ms and measures how long the event loop takes to run it.

    python scripts/app_responsiveness.py [--seconds 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtCore import QTimer  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from torchcircuits.run import PRESETS, DataSpec, RunSettings  # noqa: E402
from torchcircuits.trainer import TrainConfig  # noqa: E402
from torchcircuits_gui.window import MainWindow  # noqa: E402

CASES = {
    "spiral, net H=100, full batch": RunSettings(
        TrainConfig(model="net", hidden=100, lr=1.0, batch=None), DataSpec("spiral")
    ),
    "Chapter 2 SVM preset": PRESETS["guide-svm"],
}


def measure(app: QApplication, settings: RunSettings, seconds: float) -> str:
    window = MainWindow(settings, grid_size=200)
    window.show()
    app.processEvents()
    frames = 0
    redraw = window.redraw

    def counted(*args, **kwargs):
        nonlocal frames
        frames += 1
        return redraw(*args, **kwargs)

    window.redraw = counted
    latencies: list[float] = []

    def probe() -> None:
        posted = time.perf_counter()
        QTimer.singleShot(0, lambda: latencies.append(time.perf_counter() - posted))

    timer = QTimer()
    timer.timeout.connect(probe)
    timer.start(50)
    window.controller.play()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
    window.controller.pause()
    timer.stop()
    steps = window.controller.trainer.step_count
    window.close()
    return (
        f"{frames / seconds:.0f} frames/s, {steps / seconds:,.0f} steps/s, event-loop latency "
        f"median {statistics.median(latencies) * 1e3:.1f} ms, max {max(latencies) * 1e3:.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args(argv)
    if not args.seconds > 0:
        print("app_responsiveness: error: --seconds must be positive", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication([])
    for title, settings in CASES.items():
        print(f"{title}: {measure(app, settings, args.seconds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
