"""``torchcircuits-gui``: start the app, or train offscreen and save a screenshot.

Options are those of ``torchcircuits train`` (same names, same values, same
one-line refusals with exit status 2), plus ``--screenshot FILE.png``, which
trains ``--steps`` steps without showing a window, saves the whole window and
exits, and ``--session FILE.json``, which reopens a saved session.

Ctrl-C in the terminal closes the app (status 130) without a traceback, in
both modes.
"""

from __future__ import annotations

import argparse
import html
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from torchcircuits.cli import OneLineErrorParser
from torchcircuits.config import parse_whole
from torchcircuits.errors import InputError
from torchcircuits.pipes import EXIT_INTERRUPTED
from torchcircuits.recipes import recipe_config, recipe_for
from torchcircuits.run import RunSettings, add_run_options, settings_from_args
from torchcircuits.trainer import Trainer

if TYPE_CHECKING:
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

__all__ = ["main", "build_parser", "install_interrupt_handler", "MAX_GRID", "TABS"]

#: --tab's values and the window attribute of each tab
TABS = {"training": "training_tab", "circuit": "circuit_view", "network": "network_tab", "hidden": "hidden_tab",
        "parameters": "parameters_tab", "classes": "classes_tab", "search": "search_tab",
        "doctor": "doctor_tab"}  # fmt: skip
#: the tabs that draw the input plane (a 1-D data set has none)
PLANE_TABS = ("network", "hidden")

#: the largest boundary grid, in pixels per side: the grid's points alone take 8 bytes each
#: (1000² is 8 MB), and the model's scores and the image several times that
MAX_GRID = 1000


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="torchcircuits-gui", description="Watch SGD train: loss curve and decision boundary, live."
    )
    add_run_options(parser)
    parser.add_argument("--screenshot", metavar="FILE.png", help="train --steps offscreen, save the window, exit")
    parser.add_argument("--session", metavar="FILE.json", help="reopen a saved session")
    parser.add_argument(
        "--grid", default="200", help=f"boundary grid size in pixels per side (default 200, 10 to {MAX_GRID})"
    )
    parser.add_argument("--tab", choices=tuple(TABS), default="training", help="the tab to show first")
    parser.add_argument("--classroom", action="store_true", help="classroom mode: larger fonts and points, the "
                        "control groups a session picked hidden (a session saved in it reopens in it)")  # fmt: skip
    parser.add_argument("--circuit", help="the circuit the circuit tab shows (see torchcircuits list)")
    parser.add_argument("--follow", action="store_true", help="the circuit tab follows the training")
    parser.add_argument("--size", default="1440x860", help="window size WxH in pixels (default 1440x860)")
    parser.add_argument("--threads", default="1", help="torch threads (default 1: see docs/app.md for why)")
    return parser


def _grid_size(text: str) -> int:
    """The --grid value, refused above MAX_GRID before anything is allocated."""
    grid = parse_whole(text, "grid", 10)
    if grid > MAX_GRID:
        raise InputError(
            f"--grid must be at most {MAX_GRID} pixels per side, got {grid} "
            f"(its points alone would take {grid * grid * 8 / 1e9:,.1f} GB)"
        )
    return grid


def install_interrupt_handler(app: QApplication) -> QTimer:
    """Make Ctrl-C close the windows and quit the event loop; returns the wake-up timer.

    Python runs signal handlers only between its own bytecodes, and Qt's event
    loop runs none while it waits: the timer hands control back to Python five
    times a second so the handler gets to run.
    """
    from PyQt6.QtCore import QTimer

    def on_interrupt(signum: int, frame: object) -> None:
        app.setProperty("interrupted", True)
        app.closeAllWindows()
        app.quit()

    signal.signal(signal.SIGINT, on_interrupt)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)
    return timer


def _quit_on_interrupt_hook(previous):
    """A sys.excepthook for slots: Qt hands it an exception raised inside a slot (Ctrl-C in screenshot mode)."""

    def hook(kind, value, traceback) -> None:
        if issubclass(kind, KeyboardInterrupt):
            print("torchcircuits-gui: interrupted", file=sys.stderr)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)  # inside Qt's event processing: no way back to main's handler
            return
        previous(kind, value, traceback)

    return hook
def parse_size(text: str) -> tuple[int, int]:
    """``WxH`` as (width, height), each at least 640x480 and at most 7680x4320; InputError otherwise."""
    parts = str(text).lower().split("x")
    try:
        width, height = (int(p) for p in parts) if len(parts) == 2 else (0, 0)
    except ValueError:
        width = height = 0
    if not (640 <= width <= 7680 and 480 <= height <= 4320):
        raise InputError(f"--size must be WIDTHxHEIGHT in pixels, from 640x480 to 7680x4320, got {text!r}")
    return width, height


def with_recipe(settings: RunSettings, args: argparse.Namespace) -> RunSettings:
    """Without a preset, the recipe of the data set and model fills each training setting the options leave out."""
    if getattr(args, "preset", None):
        return settings
    dataset, model = settings.data.name, settings.config.model
    recipe = recipe_config(dataset, model, keep=settings.config)
    overrides = {name: getattr(recipe, name) for name in recipe_for(dataset, model).settings
                 if getattr(args, name, None) is None}  # fmt: skip
    return replace(settings, config=replace(settings.config, **overrides).validated())


def _screenshot(window, settings: RunSettings, path: str) -> int:
    from PyQt6.QtWidgets import QApplication

    from .image_files import save_png

    window.controller.run_steps(settings.steps)
    size = window.size()
    window.show()
    QApplication.processEvents()
    window.resize(size)  # showing may widen it to its first layout's liking (35 px at 1024): the asked size rules
    QApplication.processEvents()  # lays the window out at its size
    window.fit_view()
    QApplication.processEvents()
    window.redraw(curves=True)
    if window.circuit_view.follow.isChecked():
        window.circuit_view.refresh()
    QApplication.processEvents()
    try:
        save_png(window.grab(), path)
    except OSError as error:
        print(f"torchcircuits-gui: error: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    status = window.status.text()
    if window.status.property("level") == "error":  # the message, out of its markup
        print(f"torchcircuits-gui: {html.unescape(status.split('>', 1)[-1].rsplit('<', 1)[0])}", file=sys.stderr)
    evaluation = window.controller.last_evaluation
    if evaluation is not None:
        print(f"{path}: step {evaluation.step}, {_metrics_text(evaluation)}")
    return 0


def _metrics_text(evaluation) -> str:
    """The screenshot's one-line result: accuracies for classification, RMSE (and R² where defined) for regression."""
    if evaluation.train_accuracy is not None:
        text = f"train accuracy {evaluation.train_accuracy:.1%}"
        return text + ("" if evaluation.test_accuracy is None else f", test accuracy {evaluation.test_accuracy:.1%}")
    parts = []
    for split in ("train", "test"):
        rmse, r2 = getattr(evaluation, f"{split}_rmse"), getattr(evaluation, f"{split}_r2")
        if rmse is not None:
            parts.append(f"{split} RMSE {rmse:.4g}" + ("" if r2 is None else f", R² {r2:.4f}"))
    return ", ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the app (or take a screenshot); returns the exit status: 0, 2 for bad options, 130 after Ctrl-C."""
    previous_hook = sys.excepthook
    sys.excepthook = _quit_on_interrupt_hook(previous_hook)
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("torchcircuits-gui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sys.excepthook = previous_hook


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        settings = with_recipe(settings_from_args(args), args)
        size = parse_size(args.size)
        grid = _grid_size(args.grid)
        threads = parse_whole(args.threads, "threads", 1)
        if args.screenshot and not args.screenshot.lower().endswith(".png"):
            raise InputError(f"--screenshot must name a .png file, got {args.screenshot!r}")
        train, test = settings.data.load()  # refuse bad data before a window opens
        if not args.session:
            Trainer(settings.config, train, test)  # and a model the data cannot train, as `torchcircuits train` does
        if args.tab in PLANE_TABS and train.inputs != 2:
            raise InputError(f"--tab {args.tab} draws the input plane: {settings.data.name} has {train.inputs} "
                             f"input(s); pick training, parameters, classes, search or doctor")  # fmt: skip
        if args.circuit is not None:
            from torchcircuits.circuits import get_circuit

            get_circuit(args.circuit)
    except InputError as error:
        print(f"torchcircuits-gui: error: {error.as_flag()}", file=sys.stderr)
        return 2
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import torch
    from PyQt6.QtWidgets import QApplication

    from .window import MainWindow

    # one thread: on a shared machine a second torch thread waits on the other process far more than it helps
    torch.set_num_threads(threads)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    window = MainWindow(settings, grid_size=grid)
    window.resize(*size)
    if args.preset:
        window.controller.preset = args.preset
        window.controls.show_settings()
    if args.session:
        window.load_session(args.session)
        if window.status.property("level") == "error" and args.screenshot:
            print(f"torchcircuits-gui: error: cannot open session {args.session}", file=sys.stderr)
            return 2
    if args.classroom:
        window.set_classroom(True)
    if args.circuit:
        window.circuit_view.set_circuit(args.circuit)
    if args.follow:
        window.circuit_view.follow.setChecked(True)
    window.tabs.setCurrentWidget(getattr(window, TABS[args.tab]))
    if args.screenshot:
        return _screenshot(window, settings, args.screenshot)
    install_interrupt_handler(app)
    window.show()
    app.processEvents()
    window.resize(*size)  # showing may widen it to its first layout's liking: the asked size rules
    code = app.exec()
    return EXIT_INTERRUPTED if app.property("interrupted") else code
