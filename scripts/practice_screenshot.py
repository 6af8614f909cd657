"""Write docs/practice-neuron.png: practice mode on the neuron, mid-exercise, offscreen.

    python scripts/practice_screenshot.py [OUT.png]

Four wires answered from the output down (the σ gate's local derivative typed
as arithmetic), one wrong try on ``a * x`` so the hint shows, the rest hidden.
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtWidgets import QApplication  # noqa: E402

from torchcircuits.circuits import get_circuit  # noqa: E402


def main(out: str = "docs/practice-neuron.png") -> None:
    app = QApplication.instance() or QApplication([])
    from torchcircuits_gui.practice import PracticeWindow

    win = PracticeWindow(get_circuit("neuron"))
    win.resize(1240, 530)
    win.show()
    p = win.practice
    sigma = p.wires[p.wire_named("σ(a * x + b * y + c)")].value
    win.answer(p.wire_named("σ(a * x + b * y + c)"), "1")
    win.answer(p.wire_named("a * x + b * y + c"), f"{sigma:.10f} * (1 - {sigma:.10f})")
    win.answer(p.wire_named("c"), "0.1049935854")
    win.answer(p.wire_named("a * x + b * y"), "0.1049935854")
    win.answer(p.wire_named("a * x"), "0.1049935854 * -1")  # wrong: an add gate passes 0.105 on
    app.processEvents()
    if not win.grab().save(out):
        sys.exit(f"cannot write {out}")
    print(f"{out}: {p.done} of {p.total} wires, {p.mistakes} mistake")


if __name__ == "__main__":
    main(*sys.argv[1:])
