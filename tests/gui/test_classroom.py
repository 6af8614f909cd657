"""Classroom mode and the challenge line: saved in the session, reopened as they were, the challenge checked live."""

from dataclasses import replace
from pathlib import Path

import pytest
from PyQt6.QtWidgets import QApplication, QGroupBox

from torchcircuits.errors import InputError
from torchcircuits_gui.app import main
from torchcircuits_gui.classroom import CLASSROOM_FONT_PT, CLASSROOM_POINT_SCALE, parse_challenge


def _group(window, title):
    return next(b for b in window.controls.findChildren(QGroupBox) if b.title() == title)


def test_classroom_hides_the_picked_groups_and_enlarges_fonts_and_points(window):
    normal_pt = window.font().pointSize()
    window.pick_hidden("Training", True)
    assert _group(window, "Training").isVisible()  # picked, but classroom mode is off
    window.classroom_action.trigger()
    window.redraw()
    assert window.classroom and not _group(window, "Training").isVisible() and _group(window, "Data").isVisible()
    assert window.font().pointSize() == CLASSROOM_FONT_PT > normal_pt
    assert window.controls.lr.font().pointSize() == CLASSROOM_FONT_PT  # the children follow
    scatters = [i for i in window.boundary.getPlotItem().listDataItems() if hasattr(i, "setSize")]
    assert scatters and all(i.opts["size"] == i.property("base_size") * CLASSROOM_POINT_SCALE for i in scatters)
    window.classroom_action.trigger()
    window.redraw()
    assert _group(window, "Training").isVisible() and window.font().pointSize() == normal_pt
    assert all(i.opts["size"] == i.property("base_size") for i in scatters)


def test_a_classroom_session_round_trips_and_opens_in_classroom_mode(window, tmp_path, qtbot):
    window.pick_hidden("Model", True)
    window.set_classroom(True)
    assert window.set_challenge("reach test loss <= 0.18 on xor with at most 4 neurons")
    path = tmp_path / "exercise.json"
    assert window.save_session(str(path))
    from torchcircuits_gui.window import MainWindow

    other = MainWindow(grid_size=40)
    qtbot.addWidget(other)
    other.show()
    assert not other.classroom
    other.load_session(str(path))
    assert other.classroom and other.classroom_action.isChecked() and other.classroom_hidden == {"Model"}
    assert not _group(other, "Model").isVisible() and other.hide_actions["Model"].isChecked()
    assert other.challenge is not None and other.challenge.text.startswith("reach test loss <= 0.18")
    assert other.challenge_label.isVisible()


def test_an_older_session_without_classroom_settings_opens_as_before(window, tmp_path):
    window.set_classroom(True)
    window.load_session(str(Path(__file__).parent.parent / "data" / "session_v1.json"))
    assert window.status.property("level") != "error"
    assert window.classroom  # nothing in the file says otherwise


def test_the_classroom_flag_opens_the_window_in_classroom_mode(tmp_path, qtbot):
    path = tmp_path / "classroom.png"
    assert main(["--preset", "guide-svm", "--steps", "5", "--grid", "40", "--size", "1024x640", "--classroom",
                 "--screenshot", str(path)]) == 0  # fmt: skip
    assert path.stat().st_size > 0


def test_the_challenge_is_checked_live(window):
    c = window.controller
    c.choose(dataset="xor", model="net")
    c.apply_config(replace(c.settings.config, hidden=(4,)))
    assert window.set_challenge("reach test accuracy >= 90% on xor with at most 4 neurons")
    window.redraw()
    assert window.challenge_label.property("met") is False and "not yet" in window.challenge_label.text()
    c.run_steps(300)
    window.redraw()
    assert c.last_evaluation.test_accuracy >= 0.9
    assert window.challenge_label.property("met") is True and "met: test accuracy" in window.challenge_label.text()
    c.apply_config(replace(c.settings.config, hidden=(5,)))
    c.run_steps(300)
    window.redraw()
    assert window.challenge_label.property("met") is False and "5 neurons, more than 4" in window.challenge_label.text()


def test_challenge_lines_parse_or_are_refused_in_one_line():
    challenge = parse_challenge("reach test loss ≤ 0.18 on xor with at most 4 neurons")
    assert (challenge.field, challenge.at_most, challenge.target, challenge.dataset, challenge.max_neurons) == (
        "test_loss", True, 0.18, "xor", 4)
    assert parse_challenge("train accuracy >= 95%").target == pytest.approx(0.95)
    with pytest.raises(InputError, match="challenge must read like"):
        parse_challenge("make it good")


def _shown(label) -> str:
    """What a rich-text label shows, as plain text."""
    from PyQt6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def test_a_challenge_written_with_less_than_shows_whole(window):
    assert window.set_challenge("reach test loss <= 0.18 on xor with at most 4 neurons")
    window.redraw()
    assert "reach test loss <= 0.18 on xor with at most 4 neurons" in _shown(window.challenge_label)
    assert not window.set_challenge("win the game")
    assert "challenge must read like 'reach test loss <=" in _shown(window.status)


@pytest.mark.parametrize("line, message", [
    ("reach test accuracy >= 190%", "accuracy must be from 0% to 100%"),
    ("reach train loss <= -1", "loss must be 0 or more"),
    ("reach test accuracy >= 90% with at most 0 neurons", "neurons must be at least 1"),
    ("reach test r2 >= 2", "R² must be at most 1"),
    ("reach test loss <= 1e999", "target must be a finite number"),
])  # fmt: skip
def test_a_challenge_no_run_can_meet_is_refused(line, message):
    with pytest.raises(InputError, match=message):
        parse_challenge(line)


def test_classroom_mode_with_a_net_fits_a_1024_pixel_window(window):
    from torchcircuits_gui.window import CONTROLS_MOST

    window.resize(1024, 640)
    window.controller.choose(dataset="moons", model="net")
    # the usual font: the panel asks for all it needs (no sideways scrolling), within the cap
    assert window.controls_scroll.needed_width() <= CONTROLS_MOST
    assert window.controls_scroll.minimumWidth() == window.controls_scroll.needed_width()
    window.set_classroom(True)
    window.rewind_bar.label.setText("step 99,999 (rewound)")  # a long run's widest label (labels only grow)
    QApplication.processEvents()
    assert window.minimumSizeHint().width() <= 1024  # the larger font scrolls the panel, not the screen
