"""The app's screenshots in docs/: the training tab and the circuit tab at a laptop's and a desktop's size.

    python scripts/app_screenshots.py [--out docs]

Training tab: the spiral net with its recipe after 500 steps, the guide's SVM
preset after its 400 steps. Circuit tab: two_layer_net and svm_loss, fitted to
the window and at 100%. Each at 1024x640 (named ...-1024x640.png) and at
1440x860 (no size in the name: the README's images), plus the circuit tab
following the guide's net after its 400 steps (app-circuit-follow.png).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402
from PyQt6.QtWidgets import QApplication  # noqa: E402

from torchcircuits.recipes import recipe_config  # noqa: E402
from torchcircuits.run import PRESETS, DataSpec, RunSettings  # noqa: E402
from torchcircuits_gui.window import MainWindow  # noqa: E402

SIZES = ((1024, 640), (1440, 860))
TRAINING = {
    "app-spiral": (RunSettings(recipe_config("spiral", "net"), DataSpec("spiral")), 500),
    "app-guide-svm": (PRESETS["guide-svm"], 400),
}
CIRCUITS = ("two_layer_net", "svm_loss")


def shoot(window: MainWindow, path: Path) -> None:
    app = QApplication.instance()
    window.show()
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
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication([])  # noqa: F841 - kept alive while windows exist
    for width, height in SIZES:
        for name, (settings, steps) in TRAINING.items():
            window = MainWindow(settings)
            window.resize(width, height)
            if name == "app-guide-svm":
                window.controller.preset = "guide-svm"
                window.controls.show_settings()
            window.controller.run_steps(steps)
            shoot(window, out / _name(name, width, height))
            window.close()
        for circuit in CIRCUITS:
            for zoom in ("fit", "100"):
                window = MainWindow()
                window.resize(width, height)
                window.tabs.setCurrentWidget(window.circuit_view)
                window.circuit_view.set_circuit(circuit)
                if zoom == "100":
                    window.circuit_view.set_zoom(1.0)
                shoot(window, out / _name(f"app-circuit-{circuit}-{zoom}", width, height))
                window.close()
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
