"""Practice mode's window: opened from the circuit tab, answers graded on the drawing, reveal, progress kept."""

from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint, QRect, Qt

from torchcircuits.circuits import CIRCUITS, get_circuit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: a small laptop's screen: the window, its answer fields and the output wire must all fit on it
SMALL_SCREEN = QRect(0, 0, 1024, 640)
PRACTISED = [name for name, circuit in CIRCUITS.items() if circuit.build is not None]


@pytest.fixture
def practice(qtbot):
    from torchcircuits_gui.practice import PracticeWindow

    win = PracticeWindow(get_circuit("neuron"))
    qtbot.addWidget(win)
    win.show()
    return win


def node(win, label):
    return win.practice.wire_named(label)


def test_the_circuit_tab_opens_practice_on_its_circuit_and_inputs(qtbot):
    from torchcircuits_gui.circuit_view import CircuitView
    from torchcircuits_gui.controller import TrainingController

    view = CircuitView(TrainingController())
    qtbot.addWidget(view)
    view.set_circuit("multiply")
    view.set_input("x", 4.0)
    view.practice_button.click()
    assert view.practice_window.isVisible() and view.practice_window.practice.values == {"x": 4.0, "y": 3.0}
    view.practice_window.reveal()
    view.practice_button.click()  # the same circuit at the same inputs: the progress stays
    assert view.practice_window.practice.done == 1
    view.practice_window.close()


def test_practice_opens_with_every_gradient_hidden(practice):
    assert practice.isVisible() and practice.practice.circuit.name == "neuron"
    shown = practice.canvas.diagram
    assert all(n.grad is None for n in shown.nodes if n.kind in ("input", "gate"))
    assert "0 of 10 wires done (0 revealed), 0 mistakes" in practice.counter.text()
    enabled = [practice.practice.wires[n].label for n, f in practice.fields.items() if f.isEnabled()]
    assert enabled == ["σ(a * x + b * y + c)"]


def test_a_right_answer_typed_and_entered_is_marked_and_unlocks_the_next(practice, qtbot):
    top = node(practice, "σ(a * x + b * y + c)")
    practice.fields[top].setText("1")
    qtbot.keyPress(practice.fields[top], Qt.Key.Key_Return)
    assert practice.practice.known == {top: "answered"} and not practice.fields[top].isEnabled()
    assert "Right" in practice.message.text() and "1 of 10 wires done" in practice.counter.text()
    assert practice.canvas.diagram.node(top).grad == 1.0
    assert practice.fields[node(practice, "a * x + b * y + c")].isEnabled()


def test_a_wrong_answer_is_rejected_with_the_hint(practice):
    practice.answer(node(practice, "σ(a * x + b * y + c)"), "1")
    s = node(practice, "a * x + b * y + c")
    assert practice.answer(s, "0.25") is False
    assert "local derivative of the σ gate" in practice.message.text()
    assert "1 mistake" in practice.counter.text() and practice.fields[s].isEnabled()
    assert practice.answer(s, "0.8807970779778823 * (1 - 0.8807970779778823)") is True


def test_an_answer_below_an_unknown_wire_is_refused(practice):
    a = node(practice, "a")
    assert practice.answer(a, "-0.105") is None
    assert "not known yet" in practice.message.text() and practice.practice.mistakes == 0


def test_reveal_fills_one_wire_and_progress_survives_switching_circuits(practice):
    practice.reveal_button.click()
    assert practice.practice.done == 1 and "1 revealed" in practice.counter.text()
    practice.set_circuit("multiply")
    assert practice.practice.done == 0
    practice.set_circuit("neuron")
    assert practice.practice.done == 1
    saved = practice.state()
    practice.fresh_button.click()
    assert practice.practice.done == 0 and practice.practice.values != saved["practices"][0]["values"]
    practice.restore(saved)
    assert practice.practice.done == 1


def test_a_users_file_can_be_practised(practice):
    practice.load_file(str(EXAMPLES / "add_multiply.py"))
    assert practice.practice.circuit.name == "add_multiply" and practice.practice.total == 5
    assert practice.chooser.currentText() == "add_multiply"
    practice.load_file(str(EXAMPLES / "softmax.py"))
    assert "no circuit with a Unit expression" in practice.message.text()


def test_a_saved_session_remembers_practice_progress(window, tmp_path):
    from torchcircuits_gui.window import MainWindow

    view = window.circuit_view
    view.set_circuit("neuron")
    view.practice_button.click()
    view.practice_window.reveal()
    view.practice_window.reveal()
    path = tmp_path / "s.json"
    assert window.save_session(str(path))
    view.practice_window.close()
    other = MainWindow(window.controller.settings, grid_size=40)
    try:
        assert other.circuit_view.practice_state() is None
        other.load_session(str(path))
        restored = other.circuit_view.practice_window
        assert restored is not None and restored.practice.circuit.name == "neuron" and restored.practice.done == 2
    finally:
        other.controller.pause()
        other.close()


def open_on(qtbot, name, screen=None):
    from torchcircuits_gui.practice import PracticeWindow

    win = PracticeWindow(get_circuit(name))
    qtbot.addWidget(win)
    if screen is not None:
        win.fit_to(screen)
    win.show()
    return win


def in_view(win, node, drawn=None):
    """Is the wire's field shown in its list, and its node (or ``drawn``) with the labels around it in the drawing's
    visible part?"""
    shown = win.canvas.diagram.node(node if drawn is None else drawn)
    zoom = win.canvas.current_zoom()
    viewport = win.canvas_scroll.viewport()
    centre = win.canvas.mapTo(viewport, QPoint(int(shown.x * zoom), int(shown.y * zoom)))
    around = QRect(centre.x() - 60, centre.y() - 30, 120, 60)
    return not win.fields[node].visibleRegion().isEmpty() and viewport.rect().contains(around)


@pytest.mark.parametrize("name", PRACTISED)
def test_every_circuit_practises_on_a_small_screen_with_the_next_wire_in_view(qtbot, name):
    win = open_on(qtbot, name, SMALL_SCREEN)
    minimum = win.minimumSizeHint()
    assert minimum.width() <= SMALL_SCREEN.width() and minimum.height() <= SMALL_SCREEN.height()
    assert SMALL_SCREEN.contains(win.geometry())
    qtbot.waitUntil(lambda: in_view(win, win.next_wire()))
    out = next(n for n in win.canvas.diagram.nodes if n.kind == "output")  # its gradient 1 is where backprop starts
    assert in_view(win, win.next_wire(), out.id)
    # the answer fields: no sideways scrolling to reach them, and wide enough for a 10-digit gradient
    field = win.fields[win.next_wire()]
    assert win.side_scroll.horizontalScrollBar().maximum() == 0
    assert field.width() >= field.fontMetrics().horizontalAdvance("-0.0000000000")


def test_the_window_opens_inside_the_screen_it_is_on(qtbot):
    win = open_on(qtbot, "svm_loss")
    assert win.screen().availableGeometry().contains(win.geometry())


@pytest.mark.parametrize("name", ["two_layer_net", "svm_loss"])
def test_at_1024_by_640_the_next_wire_stays_in_view_as_the_learner_answers(qtbot, name):
    win = open_on(qtbot, name)
    win.resize(SMALL_SCREEN.size())
    qtbot.waitUntil(lambda: win.size() == SMALL_SCREEN.size() and in_view(win, win.next_wire()))
    for _ in range(3):  # down the circuit: each answer unlocks wires further left and higher up the list
        assert win.answer(win.next_wire(), repr(win.practice.wires[win.next_wire()].grad)) is True
        qtbot.waitUntil(lambda: in_view(win, win.next_wire()))


def test_switching_circuits_scrolls_to_the_new_circuits_next_wire(qtbot):
    win = open_on(qtbot, "two_layer_net")
    win.resize(1000, 600)
    qtbot.waitUntil(lambda: in_view(win, win.next_wire()))
    for name in ("add_multiply", "two_layer_net", "neuron", "svm_loss", "softmax"):
        win.chooser.setCurrentText(name)  # a list and a drawing of another size: the old scrolling no longer fits
        qtbot.wait(50)
        assert in_view(win, win.next_wire()), name


def test_a_smaller_window_scrolls_the_next_wire_back_into_view(qtbot):
    win = open_on(qtbot, "svm_loss")
    win.resize(1400, 900)
    qtbot.wait(50)
    win.resize(SMALL_SCREEN.size())
    qtbot.wait(50)
    assert in_view(win, win.next_wire())
