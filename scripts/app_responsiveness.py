"""How the app behaves while it trains: frames per second, steps per second, event-loop latency.

The cases: the training tab in front (two runs), and the Network tab in front with
an 8 + 8 net (16 hidden thumbnails at 40×40 beside the 200×200 boundary, as
``gui/bench.py:network_frame_benchmark`` sets it up): issue 14's ≥ 30 frames/s
beside a load.

Offscreen, for each case: play for a few seconds while a probe posts a 0 ms
timer every 50 ms and measures how long the event loop takes to run it. Each
case runs quiet and then beside a competing CPU load (a second process spinning
a torch matmul loop, as another program on a shared machine would), with the
app's torch thread count set as the app sets it (``--threads``, default 1).

In each condition the same case runs twice, interleaved: with the window's frame
budget (frames wait twice their own cost, so stepping keeps two thirds of the
time) and without it (a frame whenever the 40 Hz timer fires and something
changed), beside the bare trainer's own steps/s: the most the app could step.

    python scripts/app_responsiveness.py [--seconds 4] [--threads 1] [--no-load]
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402
from PyQt6.QtCore import QTimer  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from torchcircuits.cli import OneLineErrorParser  # noqa: E402
from torchcircuits.config import parse_whole  # noqa: E402
from torchcircuits.errors import InputError, parse_float  # noqa: E402
from torchcircuits.pipes import EXIT_INTERRUPTED, quiet_after_broken_pipe  # noqa: E402
from torchcircuits.recipes import recipe_config  # noqa: E402
from torchcircuits.run import PRESETS, DataSpec, RunSettings  # noqa: E402
from torchcircuits.trainer import TrainConfig, Trainer  # noqa: E402
from torchcircuits_gui.window import MainWindow  # noqa: E402

NETWORK_CASE = "Network tab, spiral, net 8 + 8, Adam lr 0.01, full batch"
CASES = {
    "spiral, net H=100, full batch": RunSettings(recipe_config("spiral", "net"), DataSpec("spiral")),
    "Chapter 2 SVM preset": PRESETS["guide-svm"],
    NETWORK_CASE: RunSettings(
        TrainConfig(model="net", hidden=(8, 8), optimizer="adam", lr=0.01, batch=None), DataSpec("spiral")
    ),
}
#: the cases played with another tab than the training tab in front: the window attribute of the tab
IN_FRONT = {NETWORK_CASE: "network_tab"}


def spin(stop) -> None:
    """The competing load: a torch matmul loop on torch's default threads until ``stop`` is set."""
    a = torch.randn(512, 512)
    while not stop.is_set():
        a = torch.tanh(a @ a)


def bare_steps_per_second(settings: RunSettings, seconds: float) -> float:
    """The Trainer alone, stepping in a loop: the speed limit of the app's stepping."""
    train, test = settings.data.load()
    trainer = Trainer(settings.config, train, test)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        trainer.step()
    return trainer.step_count / seconds


def measure(app: QApplication, settings: RunSettings, seconds: float, frame_gap: float | None = None,
            in_front: str | None = None) -> str:  # fmt: skip
    """Play ``settings`` for ``seconds`` in a window with the tab named ``in_front`` (a MainWindow attribute;
    None: the training tab) in front; one line of frames/s, steps/s and event-loop latency (ms)."""
    window = MainWindow(settings, grid_size=200)
    if frame_gap is not None:
        window.frame_gap = frame_gap
    if in_front is not None:
        window.resize(1440, 860)  # the size network_frame_benchmark measures the tab's frame at
        window.tabs.setCurrentWidget(getattr(window, in_front))
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
    """Exit status: 0, 2 for bad options (one line), 130 after Ctrl-C, 141 when the output pipe closes."""
    parser = OneLineErrorParser(prog="app_responsiveness", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", default="4", help="seconds per case (more than 0, at most 600)")
    parser.add_argument("--threads", default="1", help="torch threads in the app (the app's default is 1)")
    parser.add_argument("--no-load", dest="load", action="store_false", help="skip the runs beside a CPU load")
    try:
        args = parser.parse_args(argv)
        seconds = parse_float(args.seconds, "--seconds")
        if not 0 < seconds <= 600:
            raise InputError(f"--seconds must be more than 0 and at most 600, got {seconds:g}")
        threads = parse_whole(args.threads, "threads", 1, 64)
        torch.set_num_threads(threads)
        app = QApplication.instance() or QApplication([])
        for load in (False, True) if args.load else (False,):
            stop, spinner = None, None
            if load:
                stop = multiprocessing.get_context("spawn").Event()
                spinner = multiprocessing.get_context("spawn").Process(target=spin, args=(stop,), daemon=True)
                spinner.start()
                time.sleep(1.0)  # let the load start its threads
            try:
                where = "with a CPU load" if load else "quiet"
                print(f"{where} (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs), {threads} torch "
                      f"thread(s):", flush=True)  # fmt: skip
                for title, settings in CASES.items():
                    bare = bare_steps_per_second(settings, seconds / 2)
                    print(f"  {title}: bare trainer {bare:,.0f} steps/s", flush=True)
                    for label, gap in (("frame budget", None), ("no frame budget", 0.0)):
                        print(f"    {label}: {measure(app, settings, seconds, gap, IN_FRONT.get(title))}", flush=True)
            finally:
                if spinner is not None:
                    stop.set()
                    spinner.join(5)
    except InputError as error:
        print(f"app_responsiveness: error: {error.as_flag()}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return quiet_after_broken_pipe()
    except KeyboardInterrupt:
        print("app_responsiveness: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
