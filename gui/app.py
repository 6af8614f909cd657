"""``torchcircuits-gui``: start the app, or train offscreen and save a screenshot.

Options are those of ``torchcircuits train`` (same names, same values, same
one-line refusals with exit status 2), plus ``--screenshot FILE.png``, which
trains ``--steps`` steps without showing a window, saves the whole window and
exits, and ``--session FILE.json``, which reopens a saved session.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace

from torchcircuits.cli import OneLineErrorParser
from torchcircuits.errors import InputError
from torchcircuits.recipes import recipe_config, recipe_for
from torchcircuits.run import RunSettings, add_run_options, settings_from_args

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="torchcircuits-gui", description="Watch SGD train: loss curve and decision boundary, live."
    )
    add_run_options(parser)
    parser.add_argument("--screenshot", metavar="FILE.png", help="train --steps offscreen, save the window, exit")
    parser.add_argument("--session", metavar="FILE.json", help="reopen a saved session")
    parser.add_argument("--grid", default="200", help="boundary grid size in pixels per side (default 200)")
    parser.add_argument("--tab", choices=("training", "circuit"), default="training", help="the tab to show first")
    parser.add_argument("--circuit", help="the circuit the circuit tab shows (see torchcircuits list)")
    parser.add_argument("--follow", action="store_true", help="the circuit tab follows the training")
    parser.add_argument("--size", default="1440x860", help="window size WxH in pixels (default 1440x860)")
    parser.add_argument("--threads", default="1", help="torch threads (default 1: see docs/app.md for why)")
    return parser


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

    window.controller.run_steps(settings.steps)
    window.show()
    QApplication.processEvents()  # lays the window out at its size
    window.fit_view()
    QApplication.processEvents()
    window.redraw(curves=True)
    if window.circuit_view.follow.isChecked():
        window.circuit_view.refresh()
    QApplication.processEvents()
    if not window.grab().save(path):
        print(f"torchcircuits-gui: error: cannot write {path}: choose a writable .png path", file=sys.stderr)
        return 2
    status = window.status.text()
    if window.status.property("level") == "error":
        print(f"torchcircuits-gui: {status.split('>', 1)[-1].rsplit('<', 1)[0]}", file=sys.stderr)
    evaluation = window.controller.last_evaluation
    if evaluation is not None:
        print(
            f"{path}: step {evaluation.step}, train accuracy {evaluation.train_accuracy:.1%}"
            + ("" if evaluation.test_accuracy is None else f", test accuracy {evaluation.test_accuracy:.1%}")
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        settings = with_recipe(settings_from_args(args), args)
        size = parse_size(args.size)
        from torchcircuits.run import whole

        grid = whole(args.grid, "--grid", 10)
        threads = whole(args.threads, "--threads", 1)
        if args.screenshot and not args.screenshot.lower().endswith(".png"):
            raise InputError(f"--screenshot must name a .png file, got {args.screenshot!r}")
        settings.data.load()  # refuse bad data before a window opens
        if args.circuit is not None:
            from torchcircuits.circuits import get_circuit

            get_circuit(args.circuit)
    except InputError as error:
        print(f"torchcircuits-gui: error: {error}", file=sys.stderr)
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
    if args.circuit:
        window.circuit_view.set_circuit(args.circuit)
    if args.follow:
        window.circuit_view.follow.setChecked(True)
    if args.tab == "circuit":
        window.tabs.setCurrentWidget(window.circuit_view)
    if args.screenshot:
        return _screenshot(window, settings, args.screenshot)
    window.show()
    return app.exec()
