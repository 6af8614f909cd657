"""The app's screenshots in docs/: the training tab and the circuit tab at a laptop's and a desktop's size.

    python scripts/app_screenshots.py [--out docs] [--only training,circuit,inside]

Training tab: the spiral net with its recipe after 500 steps, the guide's SVM
preset after its 400 steps. Circuit tab: two_layer_net and svm_loss, fitted to
the window and at 100%. Each at 1024x640 (named ...-1024x640.png) and at
1440x860 (no size in the name: the README's images), plus the circuit tab
following the guide's net after its 400 steps (app-circuit-follow.png). Inside the net: the Chapter 2 net
(seed 0) in the network tab at step 0 and after its 400 steps, the spiral net's first hidden layer in the
hidden-space tab, the guide's SVM's path in the parameters tab. Chapter 3 (group ``chapter3``): the sine
fit with residuals and neuron curves, the gaussians value map, the Classes tab on unbalanced 3-class blobs,
the Search tab's scatter, and classroom mode with a challenge.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from torchcircuits.recipes import recipe_config  # noqa: E402
from torchcircuits.run import PRESETS, DataSpec, RunSettings  # noqa: E402
from torchcircuits.search import parse_vary, random_search  # noqa: E402
from torchcircuits_gui.window import MainWindow  # noqa: E402

SIZES = ((1024, 640), (1440, 860))
TRAINING = {
    "app-spiral": (RunSettings(recipe_config("spiral", "net"), DataSpec("spiral")), 500),
    "app-guide-svm": (PRESETS["guide-svm"], 400),
}
CIRCUITS = ("two_layer_net", "svm_loss")
#: name: (settings, steps, the window's tab attribute, preset)
INSIDE = {
    "app-network-guide-net-0": (PRESETS["guide-net"], 0, "network_tab", "guide-net"),
    "app-network-guide-net-400": (PRESETS["guide-net"], 400, "network_tab", "guide-net"),
    "app-hidden-spiral": (RunSettings(recipe_config("spiral", "net"), DataSpec("spiral")), 500, "hidden_tab", None),
    "app-parameters-guide-svm": (PRESETS["guide-svm"], 400, "parameters_tab", "guide-svm"),
}
GROUPS = ("training", "circuit", "inside", "chapter3")


def _sine(window: MainWindow) -> None:
    window.controller.choose(dataset="sine", model="net")
    window.controller.run_steps(300)
    window.neuron_curves.setChecked(True)


def _gaussians(window: MainWindow) -> None:
    window.controller.choose(dataset="gaussians", model="net")
    window.controller.run_steps(300)


def _classes(window: MainWindow) -> None:
    c = window.controller
    c.choose(dataset="blobs", model="net")
    c.apply_data(replace(c.settings.data, classes=3, imbalance=0.15, noise=1.0, n=400))
    c.run_steps(60)
    window.tabs.setCurrentWidget(window.classes_tab)


def _search(window: MainWindow) -> None:
    c = window.controller
    c.choose(dataset="moons", model="softmax")
    panel = window.search_tab
    ranges = parse_vary(panel.vary.text(), c.settings.config)
    panel.show_result(random_search(c.settings, ranges, trials=20, folds=3, steps=100))
    window.tabs.setCurrentWidget(panel)


def _classroom(window: MainWindow) -> None:
    c = window.controller
    c.choose(dataset="xor", model="net")
    c.apply_config(replace(c.settings.config, hidden=(4,)))
    c.run_steps(300)
    for title in window.hide_actions:
        window.pick_hidden(title, title in ("Training", "Optimizer", "Practice", "Preset"))
    window.set_classroom(True)
    window.set_challenge("reach test accuracy >= 90% on xor with at most 4 neurons")


#: name: how the window is prepared
CHAPTER3 = {"app-sine": _sine, "app-gaussians": _gaussians, "app-classes-blobs": _classes, "app-search": _search,
            "app-classroom": _classroom}


def shoot(window: MainWindow, path: Path) -> None:
    app = QApplication.instance()
    size = window.size()
    window.show()
    app.processEvents()
    window.resize(size)  # showing may widen the window to its first layout's liking: the asked size rules
    app.processEvents()
    window.fit_view()
    app.processEvents()
    window.redraw(curves=True)
    app.processEvents()
    if not window.grab().save(str(path)):
        raise SystemExit(f"app_screenshots: error: cannot write {path}")
    print(f"{path}: {path.stat().st_size / 1e3:.0f} kB")


def _name(stem: str, width: int, height: int) -> str:
    return f"{stem}.png" if (width, height) == SIZES[-1] else f"{stem}-{width}x{height}.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs")
    parser.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated groups: {', '.join(GROUPS)}")
    args = parser.parse_args(argv)
    groups = set(args.only.split(","))
    if not groups <= set(GROUPS):
        parser.error(f"--only takes groups from {', '.join(GROUPS)}, got {args.only!r}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication([])  # noqa: F841 - kept alive while windows exist
    for width, height in SIZES:
        for name, prepare in CHAPTER3.items() if "chapter3" in groups else ():
            window = MainWindow()
            window.resize(width, height)
            prepare(window)
            shoot(window, out / _name(name, width, height))
            window.close()
        for name, (settings, steps, tab, preset) in INSIDE.items() if "inside" in groups else ():
            window = MainWindow(settings)
            window.resize(width, height)
            window.controller.preset = preset
            window.controls.show_settings()
            window.controller.run_steps(steps)
            window.tabs.setCurrentWidget(getattr(window, tab))
            shoot(window, out / _name(name, width, height))
            window.close()
        for name, (settings, steps) in TRAINING.items() if "training" in groups else ():
            window = MainWindow(settings)
            window.resize(width, height)
            if name == "app-guide-svm":
                window.controller.preset = "guide-svm"
                window.controls.show_settings()
            window.controller.run_steps(steps)
            shoot(window, out / _name(name, width, height))
            window.close()
        for circuit in CIRCUITS if "circuit" in groups else ():
            for zoom in ("fit", "100"):
                window = MainWindow()
                window.resize(width, height)
                window.tabs.setCurrentWidget(window.circuit_view)
                window.circuit_view.set_circuit(circuit)
                if zoom == "100":
                    window.circuit_view.set_zoom(1.0)
                shoot(window, out / _name(f"app-circuit-{circuit}-{zoom}", width, height))
                window.close()
    if "circuit" not in groups:
        return 0
    window = MainWindow(PRESETS["guide-net"])
    window.resize(*SIZES[-1])
    window.controller.run_steps(400)
    window.tabs.setCurrentWidget(window.circuit_view)
    window.circuit_view.follow.setChecked(True)
    shoot(window, out / "app-circuit-follow.png")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
