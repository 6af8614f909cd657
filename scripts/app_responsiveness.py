"""How the app behaves while it trains: frames per second, steps per second, event-loop latency.

Offscreen, for each case: play for a few seconds while a probe posts a 0 ms
timer every 50 ms and measures how long the event loop takes to run it. Each
case runs quiet and then beside a competing CPU load (a second process spinning
a torch matmul loop, as another program on a shared machine would), with the
app's torch thread count set as the app sets it (``--threads``, default 1).

    python scripts/app_responsiveness.py [--seconds 4] [--threads 1] [--no-load]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402
from PyQt6.QtCore import QTimer  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from torchcircuits.recipes import recipe_config  # noqa: E402
from torchcircuits.run import PRESETS, DataSpec, RunSettings  # noqa: E402
from torchcircuits_gui.window import MainWindow  # noqa: E402

CASES = {
    "spiral, net H=100, full batch": RunSettings(recipe_config("spiral", "net"), DataSpec("spiral")),
    "Chapter 2 SVM preset": PRESETS["guide-svm"],
}


def spin(stop) -> None:
    """The competing load: a torch matmul loop on torch's default threads until ``stop`` is set."""
    a = torch.randn(512, 512)
    while not stop.is_set():
        a = torch.tanh(a @ a)


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
    parser.add_argument("--threads", type=int, default=1, help="torch threads in the app (the app's default is 1)")
    parser.add_argument("--no-load", dest="load", action="store_false", help="skip the runs beside a CPU load")
    args = parser.parse_args(argv)
    if not args.seconds > 0 or args.threads < 1:
        print("app_responsiveness: error: --seconds must be positive and --threads at least 1", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    app = QApplication.instance() or QApplication([])
    for load in (False, True) if args.load else (False,):
        stop, spinner = None, None
        if load:
            stop = multiprocessing.get_context("spawn").Event()
            spinner = multiprocessing.get_context("spawn").Process(target=spin, args=(stop,), daemon=True)
            spinner.start()
            time.sleep(1.0)  # let the load start its threads
        for title, settings in CASES.items():
            where = "with a CPU load" if load else "quiet"
            print(f"{title}, {args.threads} thread(s), {where}: {measure(app, settings, args.seconds)}", flush=True)
        if spinner is not None:
            stop.set()
            spinner.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
