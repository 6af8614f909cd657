"""GUI tests run without a screen: Qt's offscreen platform, set before any QApplication exists."""

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from torchcircuits.run import PRESETS  # noqa: E402


@pytest.fixture
def window(qtbot):
    from torchcircuits_gui.window import MainWindow

    win = MainWindow(PRESETS["guide-svm"], grid_size=60)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.controller.pause()


@pytest.fixture(autouse=True)
def _collect_closed_windows():
    """Free each test's windows when it ends: left to the cycle collector, a closed window's pyqtgraph items
    were freed in the middle of a later test's paint, which crashed it ('AxisItem has been deleted')."""
    yield
    gc.collect()
