"""torchcircuits_gui: the desktop app (PyQt6 + pyqtgraph) over the torchcircuits library.

Shipped from the repository's ``gui/`` folder under this distinctive import
name. The app holds no training logic: :class:`~torchcircuits_gui.controller.TrainingController`
drives the library's :class:`~torchcircuits.trainer.Trainer` from a QTimer and
the widgets draw what it reports.
"""

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    from .app import main as app_main

    return app_main(argv)
