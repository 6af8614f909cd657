"""The app under hostile use: every case shows a message in the window and leaves the app usable.

Exception capture by pytest-qt is switched off here in favour of this file's own ``sys.excepthook``
recorder, which fails a test on any exception that escapes into Qt's event processing (a slot, a
timer, a paint): the thing a user would see as a traceback in the terminal.
"""

import errno
import os
import signal
import stat
import sys

import pytest
import torch
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QMessageBox

import torchcircuits.files as files
from torchcircuits.data import load_csv
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.trainer import TrainConfig
from torchcircuits_gui import app as app_module
from torchcircuits_gui.app import MAX_GRID, install_interrupt_handler, main
from torchcircuits_gui.window import MainWindow

pytestmark = pytest.mark.qt_no_exception_capture

OLD = b"the user's earlier file\n"


@pytest.fixture
def uncaught(monkeypatch):
    """Every exception that reaches sys.excepthook during the test; the test fails unless it ends empty."""
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: seen.append(value))
    yield seen
    assert not seen, f"uncaught in the event loop: {seen!r}"


@pytest.fixture
def app_window(qtbot, uncaught):
    win = MainWindow(RunSettings(TrainConfig(model="softmax", lr=0.1), DataSpec("blobs", n=60, classes=3)), 40)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.controller.pause()


def status(window) -> str:
    return window.status.text()


def old_file(path):
    path.write_bytes(OLD)
    os.chmod(path, 0o640)
    return path


def assert_untouched(path) -> None:
    assert path.read_bytes() == OLD and stat.S_IMODE(os.stat(path).st_mode) == 0o640


@pytest.fixture
def full_disk(monkeypatch):
    def half_then_fail(fd: int, data: bytes) -> None:
        os.write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_write_all", half_then_fail)


def test_the_recorder_sees_an_exception_in_a_slot(qtbot, uncaught):
    def broken() -> None:
        raise ZeroDivisionError("from a slot")

    QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: bool(uncaught), timeout=2000)
    assert isinstance(uncaught[0], ZeroDivisionError)
    uncaught.clear()  # seen: this test is about the recorder itself


# --- the circuit tab at a pole ---------------------------------------------------------------------------
def test_tug_and_strategies_at_a_zero_denominator_show_a_message(app_window):
    view = app_window.circuit_view
    view.set_circuit("division")
    view.set_input("c", 1.0)
    view.set_input("d", -1.0)  # c + d = 0: the output is inf
    assert view.canvas.diagram.output == float("inf")
    before = dict(view.values)
    view.tug()
    assert "cannot tug here: the output is not finite at this point (inf)" in view.message.text()
    assert view.values == before and view.tug_result.text() == ""
    view.run_strategies()
    assert "cannot run the strategies here: the output is not finite" in view.message.text()
    assert view.strategies_label.text() == ""
    # still usable: move d, and both work and clear the message
    view.set_input("d", 1.0)
    view.tug()
    assert "→" in view.tug_result.text() and view.message.text() == ""
    assert view.values["a"] == pytest.approx(1.0 + 0.01 * 0.5)  # d(a+b)/(c+d) / da = 1/2
    view.run_strategies()
    assert "analytic gradient" in view.strategies_label.text() and view.message.text() == ""


def test_typing_a_pole_into_the_reciprocal_draws_inf(app_window):
    view = app_window.circuit_view
    view.set_circuit("reciprocal")
    view.fields["a"].setText("0")
    view.fields["a"].editingFinished.emit()
    assert view.values["a"] == 0.0 and view.canvas.diagram.output == float("inf")
    view.tug()
    assert "not finite" in view.message.text()


# --- saves that reopen, or refuse before writing --------------------------------------------------------
def test_save_session_after_clear_points_refuses_before_writing(app_window, tmp_path):
    path = old_file(tmp_path / "run.json")
    app_window.controller.clear_points()
    assert app_window.save_session(str(path)) is False
    assert "session not saved: the app could not reopen it: " in status(app_window)
    assert "the training set is empty" in status(app_window)
    assert_untouched(path)
    assert not app_window.save_session(str(tmp_path / "new.json")) and not (tmp_path / "new.json").exists()


def test_save_session_with_one_class_refuses_then_saves_once_valid(app_window, tmp_path):
    c = app_window.controller
    path = tmp_path / "run.json"
    c.clear_points()
    c.add_point(0.5, 0.5, 1)
    assert not app_window.save_session(str(path)) and not path.exists()
    assert "session not saved" in status(app_window)
    c.add_point(-0.5, -0.5, 0)
    assert c.trainer is not None
    c.run_steps(5)
    assert app_window.save_session(str(path)) and "session saved" in status(app_window)
    c.clear_points()
    app_window.load_session(str(path))
    assert "reopened at step 5" in status(app_window) and len(c.train) + len(c.test) == 2


def test_save_csv_with_a_class_gap_refuses_and_keeps_the_old_file(app_window, tmp_path):
    c = app_window.controller
    path = old_file(tmp_path / "points.csv")
    c.add_point(0.1, 0.2, 7)  # classes 3..6 have no points: a CSV with these labels does not reopen
    assert not app_window.save_csv(str(path))
    text = status(app_window)
    assert "not saved: the app could not reopen that CSV: points.csv: class labels must run 0..K-1" in text
    assert_untouched(path)
    # fill the gap: now it saves, and the app reopens it
    for label in (3, 4, 5, 6):
        c.add_point(0.0, float(label), label)
    assert app_window.save_csv(str(path)) and "saved 65 points" in status(app_window)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    c.load_csv(str(path))
    assert len(c.train) + len(c.test) == 65 and c.num_classes == 8


def test_save_csv_after_clear_points_refuses(app_window, tmp_path):
    app_window.controller.clear_points()
    assert not app_window.save_csv(str(tmp_path / "empty.csv"))
    assert "no data rows" in status(app_window) and not (tmp_path / "empty.csv").exists()


def test_a_valid_csv_save_round_trips(app_window, tmp_path):
    path = tmp_path / "blobs.csv"
    assert app_window.save_csv(str(path))
    saved = load_csv(path)
    assert torch.equal(saved.X, app_window.controller.all_points().X)


# --- exports and screenshots survive a full disk --------------------------------------------------------
def test_export_failing_midway_keeps_the_old_png(app_window, tmp_path, full_disk):
    path = old_file(tmp_path / "plots.png")
    assert app_window.export_png(str(path)) is False
    assert f"cannot write {path}: No space left on device" in status(app_window)
    assert_untouched(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots.png"]  # no temporary file left


def test_export_keeps_the_mode_and_the_app_stays_usable(app_window, tmp_path):
    path = old_file(tmp_path / "plots.png")
    assert app_window.export_png(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    app_window.controller.run_steps(3)
    assert app_window.controller.trainer.step_count == 3


def test_draw_png_failing_midway_keeps_the_old_file(tmp_path, full_disk, capsys):
    from torchcircuits.cli import main as cli_main

    path = old_file(tmp_path / "old.png")
    assert cli_main(["draw", "neuron", "--out", str(path)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"torchcircuits: error: cannot write {path}: No space left on device"
    ]
    assert_untouched(path)


def test_screenshot_failing_midway_keeps_the_old_file(tmp_path, qtbot, full_disk, capsys):
    path = old_file(tmp_path / "shot.png")
    assert main(["--steps", "2", "--grid", "20", "--screenshot", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"torchcircuits-gui: error: cannot write {path}: No space left on device"]
    assert_untouched(path)


# --- the seed field and user-added points ---------------------------------------------------------------
def _change_seed(window, seed: int) -> None:
    window.controls.seed.setText(str(seed))
    window.controls._config_changed(window.controls.seed)


def test_a_new_seed_on_untouched_data_redraws_without_asking(app_window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked about untouched data"))
    before = app_window.controller.train.X.clone()
    _change_seed(app_window, 5)
    assert app_window.controller.settings.data.seed == 5 and not torch.equal(before, app_window.controller.train.X)


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_a_new_seed_asks_before_dropping_added_points(app_window, monkeypatch, answer):
    c = app_window.controller
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[2]) or answer)
    c.add_point(2.5, 2.5, 1)
    edited = c.train.X.clone()
    _change_seed(app_window, 7)
    assert len(asked) == 1 and "replacing your edited points (61 now)" in asked[0]
    assert c.settings.config.seed == 7
    if answer == QMessageBox.StandardButton.No:
        assert torch.equal(c.train.X, edited) and c.settings.data.seed == 0  # kept: the seed went to the model
    else:
        assert c.settings.data.seed == 7 and [2.5, 2.5] not in c.train.X.tolist()


# --- the command line of the app: sizes and Ctrl-C --------------------------------------------------------
@pytest.mark.parametrize(
    "grid, message",
    [
        ("100000", f"--grid must be at most {MAX_GRID} pixels per side, got 100000 (its points alone would take 80.0"),
        (str(MAX_GRID + 1), f"--grid must be at most {MAX_GRID} pixels per side, got {MAX_GRID + 1}"),
        ("9" * 40, f"--grid must be at most {MAX_GRID} pixels per side"),
        ("9", "--grid must be a whole number >= 10, got 9"),
        ("1e3", "--grid must be a whole number >= 10, got '1e3'"),
    ],
)  # fmt: skip
def test_grid_sizes_are_refused_before_allocating(grid, message, capsys, monkeypatch):
    monkeypatch.setattr(app_module, "_screenshot", lambda *a: pytest.fail("got as far as a window"))
    assert main(["--grid", grid, "--screenshot", "x.png"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"torchcircuits-gui: error: {message}")


def test_ctrl_c_closes_the_interactive_app(app_window, qtbot):
    qapp = QApplication.instance()
    previous = signal.getsignal(signal.SIGINT)
    try:
        timer = install_interrupt_handler(qapp)
        assert timer.isActive() and timer.interval() <= 500  # Python gets to run its handler while Qt waits
        assert signal.getsignal(signal.SIGINT) not in (signal.default_int_handler, signal.SIG_DFL, previous)
        signal.raise_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
        qtbot.waitUntil(lambda: not app_window.isVisible(), timeout=2000)
        assert qapp.property("interrupted") is True
    finally:
        signal.signal(signal.SIGINT, previous)
        timer.stop()
        qapp.setProperty("interrupted", None)


def test_ctrl_c_during_a_screenshot_is_one_line_and_130(tmp_path, qtbot, monkeypatch, capsys):
    from torchcircuits_gui.controller import TrainingController

    def interrupted(self, steps, record_every=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(TrainingController, "run_steps", interrupted)
    assert main(["--steps", "5", "--grid", "20", "--screenshot", str(tmp_path / "s.png")]) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["torchcircuits-gui: interrupted"]
    assert not (tmp_path / "s.png").exists()


def test_ctrl_c_inside_a_slot_exits_130_without_a_traceback(monkeypatch, capsys):
    codes = []
    monkeypatch.setattr(app_module.os, "_exit", codes.append)
    hook = app_module._quit_on_interrupt_hook(lambda *a: pytest.fail("passed on"))
    hook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert codes == [130] and capsys.readouterr().err == "torchcircuits-gui: interrupted\n"
    passed = []
    app_module._quit_on_interrupt_hook(lambda *a: passed.append(a[0]))(ValueError, ValueError(), None)
    assert passed == [ValueError]  # other exceptions go to the hook it replaced
