"""The circuit explorer tab: draws every circuit, edits, tug, step-through, follow."""

import pytest

from torchcircuits.circuits import CIRCUITS


@pytest.fixture
def view(window):
    window.tabs.setCurrentWidget(window.circuit_view)
    return window.circuit_view


def test_every_registered_circuit_draws(view):
    for name in CIRCUITS:
        view.set_circuit(name)
        assert view.canvas.diagram.name == name
        assert set(view.fields) == set(CIRCUITS[name].inputs)
        assert not view.canvas.grab().isNull()


def test_editing_an_input_changes_the_labels(view):
    view.set_circuit("multiply")
    assert view.canvas.diagram.output == -6.0
    view.fields["x"].setText("4")
    view.fields["x"].editingFinished.emit()
    assert view.canvas.diagram.output == 12.0
    y = next(n for n in view.canvas.diagram.nodes if n.label == "y")
    assert y.grad == 4.0
    view.sliders["y"].setValue(-150)  # dragging
    assert view.values["y"] == -1.5 and view.canvas.diagram.output == -6.0


def test_a_bad_value_keeps_the_last_good_one(view):
    view.set_circuit("multiply")
    view.fields["x"].setText("nan")
    view.fields["x"].editingFinished.emit()
    assert "input x must be a finite number" in view.message.text()
    assert view.values["x"] == -2.0 and view.fields["x"].text() == "-2"


@pytest.mark.parametrize("name, before, after", [("add_multiply", -12.0, -11.59), ("neuron", 0.8808, 0.8825)])
def test_tug_raises_the_output_as_in_the_guide(view, name, before, after):
    view.set_circuit(name)
    view.tug()
    assert view.tug_result.text().startswith(f"output {before:.4g} → ")
    # the guide prints its numbers cut to 2 and 4 decimals: -11.5924 and 0.88255
    assert view.canvas.diagram.output == pytest.approx(after, abs=1e-4 if name == "neuron" else 5e-3)


def test_fixed_inputs_do_not_move(view):
    view.set_circuit("neuron")
    view.fixed_boxes["x"].setChecked(True)
    view.fixed_boxes["y"].setChecked(True)
    view.tug()
    assert (view.values["x"], view.values["y"]) == (-1.0, 3.0) and view.values["a"] != 1.0
    assert "(a, b, c moved)" in view.tug_result.text()


def test_step_through_visits_every_gate_in_reverse_order(view):
    view.set_circuit("neuron")
    n = len(view.canvas.diagram.gate_nodes())
    forward = []
    view.forward_step()
    for _ in range(n):
        forward.append(view.canvas.diagram.highlight)
        view.forward_step()
    assert "backward: 0 of 5" in view.step_label.text()  # forward done, the last gate runs backward next
    backward = []
    for _ in range(n):
        backward.append(view.canvas.diagram.highlight)
        view.backward_step()
    assert len(set(forward)) == n and backward == list(reversed(forward))
    assert "backward: 5 of 5" in view.step_label.text()


def test_strategies_side_by_side(view):
    view.set_circuit("multiply")
    view.run_strategies()
    text = view.strategies_label.text()
    assert "random local search" in text and "<td align=right>101</td>" in text and "-5.871" in text


def test_follow_the_training(window, view):
    window.controller.run_steps(30)
    view.follow.setChecked(True)
    diagram = view.canvas.diagram
    assert diagram.name == "svm_score" and "following training: step 30" in diagram.caption
    assert view.chooser.currentText() == "svm_score" and not view.chooser.isEnabled()
    trainer = window.controller.trainer
    a = next(n for n in diagram.nodes if n.label == "a")
    assert a.value == pytest.approx(trainer.parameters()["W"][0, 0].item())
    window.controller.apply_preset("guide-net")
    window.controller.run_steps(5)
    window.redraw()
    assert view.canvas.diagram.name == "two_layer_net" and view.chooser.currentText() == "two_layer_net"
    window.controller.apply_data(__import__("torchcircuits.run", fromlist=["DataSpec"]).DataSpec("spiral"))
    view.refresh()
    assert "follow shows one-score models" in view.message.text()


def test_zoom_buttons_wheel_and_fit(window, qtbot):
    from PyQt6.QtCore import QPoint, QPointF, Qt
    from PyQt6.QtGui import QWheelEvent

    view = window.circuit_view
    window.tabs.setCurrentWidget(view)
    view.set_circuit("multiply")
    window.resize(1440, 860)
    qtbot.wait(20)
    assert view.canvas.fit and view.canvas.current_zoom() > 1.0  # a small circuit is enlarged to fit
    view.zoom_100.click()
    assert not view.fit.isChecked() and view.canvas.current_zoom() == 1.0 and view.zoom_label.text() == "100%"
    view.zoom_in.click()
    assert view.canvas.current_zoom() == 1.25
    assert view.canvas.minimumWidth() == int(view.canvas.diagram.width * 1.25)  # scrolls at that size
    view.zoom_out.click()
    view.zoom_out.click()
    assert view.canvas.current_zoom() == 0.8
    centre = QPointF(50, 50)
    wheel = QWheelEvent(centre, centre, QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    view.canvas.wheelEvent(wheel)
    assert view.canvas.current_zoom() == pytest.approx(0.8 * 1.15)
    view.fit.setChecked(True)
    assert view.canvas.fit and view.zoom_label.text() == "fit"


def test_label_boxes_hold_their_text_as_painted():
    from PyQt6.QtGui import QFont, QFontMetricsF

    from torchcircuits.circuits import CIRCUITS, get_circuit
    from torchcircuits.diagram import LABEL_HEIGHT, build_diagram, label_boxes

    font = QFont("DejaVu Sans")
    font.setPixelSize(12)
    metrics = QFontMetricsF(font)
    for name in CIRCUITS:
        for (x0, y0, x1, y1), text in label_boxes(build_diagram(get_circuit(name))):
            assert metrics.horizontalAdvance(text) <= x1 - x0 and y1 - y0 == LABEL_HEIGHT, (name, text)


def test_follow_without_a_model_to_follow_leaves_no_stale_diagram(window):
    from torchcircuits.run import DataSpec

    view = window.circuit_view
    view.follow.setChecked(True)
    assert view.canvas.diagram is not None and not view.inputs_box.isVisible()
    window.controller.apply_data(DataSpec("spiral", n=30))  # 3 classes: no one-score circuit to follow
    view.refresh()
    assert view.canvas.diagram is None and "follow shows one-score models" in view.message.text()
    view.follow.setChecked(False)
    assert view.message.text() == "" and view.canvas.diagram is not None


def test_follow_that_cannot_follow_claims_nothing(window, qtbot):
    from torchcircuits.run import DataSpec

    view = window.circuit_view
    window.tabs.setCurrentWidget(view)
    window.resize(1024, 640)
    window.controller.apply_preset("guide-net")
    window.controller.run_steps(5)
    view.follow.setChecked(True)
    assert view.chooser.currentText() == "two_layer_net"
    window.controller.apply_data(DataSpec("spiral", n=30))
    view.refresh()
    qtbot.wait(20)
    assert view.canvas.diagram is None and view.chooser.currentText() == ""
    assert "following" not in view.step_label.text()
    message = view.message
    assert message.wordWrap() and message.geometry().right() <= view.side_scroll.viewport().width()
    view.follow.setChecked(False)
    assert view.chooser.currentText() == view.circuit.name and view.canvas.diagram is not None


@pytest.mark.parametrize("classroom", [False, True])
def test_side_panel_is_never_clipped_sideways(window, qtbot, classroom):
    window.resize(1024, 640)
    if classroom:
        window.classroom_action.trigger()
    view = window.circuit_view
    window.tabs.setCurrentWidget(view)
    view.set_circuit("two_layer_net")
    view.tug()
    qtbot.wait(20)
    side = view.side_scroll
    assert side.widget().width() <= side.viewport().width()  # every control is inside the visible panel
    assert view.all_button.mapTo(side.widget(), view.all_button.rect().topRight()).x() < side.viewport().width()


def test_fit_keeps_labels_readable_and_scrolls(window, qtbot):
    view = window.circuit_view
    window.tabs.setCurrentWidget(view)
    window.resize(1024, 640)
    view.set_circuit("two_layer_net")
    qtbot.wait(20)
    canvas = view.canvas
    assert canvas.fit and canvas.current_zoom() >= canvas.READABLE_ZOOM  # labels of 12 px stay 9 px or more
    assert canvas.width() >= int(canvas.diagram.width * canvas.READABLE_ZOOM)  # the scroll area scrolls to it


def test_first_show_fits_like_a_later_pick(qtbot):
    from torchcircuits.run import PRESETS
    from torchcircuits_gui.window import MainWindow

    window = MainWindow(PRESETS["guide-svm"], grid_size=60)
    qtbot.addWidget(window)
    window.resize(1024, 640)
    window.tabs.setCurrentWidget(window.circuit_view)
    window.show()
    qtbot.wait(20)
    view = window.circuit_view
    first = view.canvas.current_zoom()
    view.set_circuit("multiply")
    view.set_circuit("add_multiply")
    qtbot.wait(20)
    assert view.canvas.current_zoom() == pytest.approx(first)
    canvas, area = view.canvas, view.canvas.parent()
    assert canvas.width() * canvas.height() > 0.9 * area.width() * area.height()  # it fills the view


def test_no_two_labels_overlap_after_tugs_and_new_inputs(view):
    import random

    from torchcircuits.diagram import colliding_labels

    view.zoom_100.click()
    rng = random.Random(3)
    for name in CIRCUITS:
        view.set_circuit(name)
        for _ in range(4):
            for field in view.fields:
                view.set_input(field, round(rng.uniform(-3, 3), 4))
            assert not colliding_labels(view.canvas.diagram), (name, view.values)
            view.tug()
            assert not colliding_labels(view.canvas.diagram), (name, "tug", view.values)
    view.set_circuit("two_layer_net")
    view.tug()  # the walk-through's case: 1.208 was printed over 0.6948
    assert not colliding_labels(view.canvas.diagram)
