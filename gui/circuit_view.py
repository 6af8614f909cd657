"""The circuit explorer tab: any registered circuit drawn live, editable, tugged, stepped through.

It can also follow the training tab: the model's own circuit (``svm_score``
for a linear SVM, ``two_layer_net`` for the 3-neuron ReLU net) with the current
parameters on the example just learned, the loss's pull at the top.
"""

from __future__ import annotations

import math

import torch
from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QPainter
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from torchcircuits.check import not_finite_at
from torchcircuits.circuits import CIRCUITS, get_circuit
from torchcircuits.diagram import Diagram, build_diagram, format_number, gate_order
from torchcircuits.errors import InputError, parse_float
from torchcircuits.guide import net_to_guide_names
from torchcircuits.strategies import analytic_gradient_ascent, numerical_gradient_ascent, random_local_search

from .circuit_painter import paint_diagram
from .controller import TrainingController
from .controls import BAD_STYLE
from .help import CIRCUIT_TOOLTIPS, as_rich_text
from .side_scroll import SideScroll

__all__ = ["CircuitView", "DiagramCanvas", "follow_diagram"]

SLIDER_RANGE = 5.0  # a slider spans [-5, 5] in steps of 0.01


class DiagramCanvas(QWidget):
    """Paints a Diagram at a zoom factor; sits in a scroll area.

    Fitted (the default), the zoom is whatever shows the whole diagram in the
    visible area, small circuits enlarged up to MAX_ZOOM, but never below
    READABLE_ZOOM: a bigger circuit then keeps that size and scrolls. Zooming
    by wheel or buttons leaves fit mode and the canvas takes the diagram's
    zoomed size.
    """

    MIN_ZOOM, MAX_ZOOM = 0.2, 3.0
    #: the smallest zoom fit picks: the 12 px value and gradient labels stay 9 px tall
    READABLE_ZOOM = 0.75

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.diagram: Diagram | None = None
        self.zoom = 1.0
        #: fit the diagram to the visible area
        self.fit = True
        self.on_zoom = None  # called with the new zoom when the wheel changes it

    def set_diagram(self, diagram: Diagram | None) -> None:
        """Show ``diagram``; None leaves the canvas blank."""
        self.diagram = diagram
        self._resize()
        self.update()

    def _resize(self) -> None:
        # fitted, the canvas takes whatever room the scroll area gives it, but no less than the diagram at
        # READABLE_ZOOM (the scroll area scrolls past that); otherwise its zoomed size
        self.setMinimumSize(self._size_at(self.READABLE_ZOOM) if self.fit else self.sizeHint())
        self.updateGeometry()

    def set_zoom(self, zoom: float) -> None:
        """A fixed zoom (1 = 100%), clamped to [MIN_ZOOM, MAX_ZOOM]; leaves fit mode."""
        self.fit = False
        self.zoom = max(self.MIN_ZOOM, min(self.MAX_ZOOM, zoom))
        self._resize()
        self.update()

    def set_fit(self, on: bool) -> None:
        self.fit = on
        self._resize()
        self.update()

    def _size_at(self, zoom: float) -> QSize:
        if self.diagram is None:
            return QSize(100, 80)
        return QSize(int(self.diagram.width * zoom), int((self.diagram.height + 30) * zoom))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(400, 300) if self.diagram is None else self._size_at(self.zoom)

    def current_zoom(self) -> float:
        """The zoom set, or in fit mode the one that shows the whole diagram (at most MAX_ZOOM)."""
        if self.diagram is None or not self.fit:
            return self.zoom
        fitted = min(self.width() / self.diagram.width, self.height() / (self.diagram.height + 30))
        return max(self.READABLE_ZOOM, min(self.MAX_ZOOM, fitted))

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        steps = event.angleDelta().y() / 120.0
        if not steps:
            return super().wheelEvent(event)
        self.set_zoom(self.current_zoom() * 1.15**steps)
        if self.on_zoom is not None:
            self.on_zoom(self.zoom)
        event.accept()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.diagram is None:
            return
        zoom = self.current_zoom()
        if self.fit:
            self.zoom = zoom
        painter = QPainter(self)
        painter.scale(zoom, zoom)
        paint_diagram(painter, self.diagram)
        painter.end()


def follow_diagram(controller: TrainingController) -> Diagram | str:
    """The training model's circuit on the last example, or a line saying why there is none."""
    trainer = controller.trainer
    if trainer is None:
        return "no model to follow: the training tab has no valid data"
    spec = trainer.spec
    if spec.outputs != 1 or trainer.loss.target != "signs":
        return "follow shows one-score models: the linear SVM or the 3-neuron ReLU net"
    if trainer.features != ("x1", "x2"):
        return "follow shows models of the raw inputs x1, x2: clear the feature inputs"
    index = 0 if trainer.last_batch is None else int(trainer.last_batch[0])
    x, y = trainer.train_set.X[index].tolist()
    label = int(trainer.train_set.labels[index]) * 2 - 1
    params = trainer.parameters()
    if not spec.hidden:
        circuit = get_circuit("svm_score")
        values = {"a": params["W"][0, 0].item(), "b": params["W"][1, 0].item(), "c": params["b"][0].item()}
    elif spec.hidden == (3,) and spec.activation == "relu":
        circuit = get_circuit("two_layer_net")
        values = net_to_guide_names(params)
    else:
        return "follow shows the linear SVM and the 3-neuron ReLU net (hidden 3, relu)"
    values.update(x=x, y=y)
    score = circuit.forward(values)
    # the pull is -dL/dscore of this example's data loss: what the guide puts at the top of the circuit
    _, dscore = trainer.loss.hand(torch.tensor([[score]], dtype=torch.float64), torch.tensor([float(label)]))
    pull = -dscore.item()
    caption = (
        f"following training: step {trainer.step_count}, example {index} at ({x:.3g}, {y:.3g}), "
        f"label {label:+d}, score {score:.3g}, pull {pull:+.3g}"
    )
    return build_diagram(circuit, values, fixed=("x", "y"), seed_grad=pull, caption=caption)


class CircuitView(QWidget):
    """Pick a circuit, edit its inputs, tug them, step through the passes, run the strategies."""

    def __init__(self, controller: TrainingController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.circuit = get_circuit("add_multiply")
        self.values: dict[str, float] = dict(self.circuit.seed)
        self.fixed: set[str] = set()
        self.forward_done: int | None = None
        self.backward_done: int | None = None
        self.canvas = DiagramCanvas()

        self.chooser = QComboBox()
        self.chooser.addItems(CIRCUITS)
        self.chooser.setCurrentText(self.circuit.name)
        self.chooser.currentTextChanged.connect(self.set_circuit)
        self.inputs_box = QGroupBox("Inputs (type, drag; tick to hold fixed)")
        self.inputs_layout = QGridLayout(self.inputs_box)
        self.fields: dict[str, QLineEdit] = {}
        self.sliders: dict[str, QSlider] = {}
        self.fixed_boxes: dict[str, QCheckBox] = {}

        self.step_size = QLineEdit("0.01")
        self.tug_button = QPushButton("Tug along the gradient")
        self.tug_button.clicked.connect(self.tug)
        self.tug_result = QLabel()
        self.tug_result.setWordWrap(True)  # the moved inputs of a big circuit make a long line
        tug_box = QGroupBox("Tug")
        tug_form = QFormLayout(tug_box)
        tug_form.addRow("step size", self.step_size)
        tug_form.addRow(self.tug_button)
        tug_form.addRow(self.tug_result)

        self.forward_button = QPushButton("Forward step")
        self.backward_button = QPushButton("Backward step")
        self.all_button = QPushButton("Show all")
        self.forward_button.clicked.connect(self.forward_step)
        self.backward_button.clicked.connect(self.backward_step)
        self.all_button.clicked.connect(self.show_all)
        self.step_label = QLabel()
        self.step_label.setWordWrap(True)
        step_box = QGroupBox("Step through")
        step_layout = QVBoxLayout(step_box)
        step_row = QHBoxLayout()
        for button in (self.forward_button, self.backward_button, self.all_button):
            step_row.addWidget(button)
        step_layout.addLayout(step_row)
        step_layout.addWidget(self.step_label)

        self.strategies_button = QPushButton("Run the three strategies")
        self.strategies_button.clicked.connect(self.run_strategies)
        self.strategies_label = QLabel()
        self.strategies_label.setTextFormat(Qt.TextFormat.RichText)
        self.strategies_label.setWordWrap(True)
        strategy_box = QGroupBox("Strategies (Chapter 1)")
        strategy_layout = QVBoxLayout(strategy_box)
        strategy_layout.addWidget(self.strategies_button)
        strategy_layout.addWidget(self.strategies_label)

        self.follow = QCheckBox("follow the training tab")
        self.follow.toggled.connect(self._follow_toggled)
        self.fit = QCheckBox("fit to window")
        self.fit.setChecked(True)
        self.fit.toggled.connect(self._fit_toggled)
        self.zoom_out = QPushButton("−")
        self.zoom_in = QPushButton("+")
        self.zoom_100 = QPushButton("100%")
        self.zoom_label = QLabel()
        self.zoom_out.clicked.connect(lambda: self.set_zoom(self.canvas.current_zoom() / 1.25))
        self.zoom_in.clicked.connect(lambda: self.set_zoom(self.canvas.current_zoom() * 1.25))
        self.zoom_100.clicked.connect(lambda: self.set_zoom(1.0))
        self.canvas.on_zoom = lambda _: self._show_zoom()
        for button, width in ((self.zoom_out, 32), (self.zoom_in, 32), (self.zoom_100, 52)):
            button.setFixedWidth(width)
        zoom_row = QHBoxLayout()
        for widget in (self.fit, self.zoom_out, self.zoom_in, self.zoom_100, self.zoom_label):
            zoom_row.addWidget(widget)
        zoom_row.addStretch(1)
        self.message = QLabel()
        self.message.setWordWrap(True)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.chooser)
        self.practice_button = QPushButton("Practice: backprop it by hand")
        self.practice_button.clicked.connect(self.open_practice)
        self.practice_window = None
        side_layout.addWidget(self.practice_button)
        side_layout.addWidget(self.follow)
        side_layout.addLayout(zoom_row)
        side_layout.addWidget(self.inputs_box)
        side_layout.addWidget(tug_box)
        side_layout.addWidget(step_box)
        side_layout.addWidget(strategy_box)
        side_layout.addWidget(self.message)
        side_layout.addStretch(1)
        self.side_scroll = SideScroll(side)
        canvas_scroll = QScrollArea()
        canvas_scroll.setWidget(self.canvas)
        canvas_scroll.setWidgetResizable(True)
        layout = QHBoxLayout(self)
        layout.addWidget(self.side_scroll)
        layout.addWidget(canvas_scroll, 1)
        for name, text in CIRCUIT_TOOLTIPS.items():
            if isinstance(getattr(self, name, None), QWidget):
                getattr(self, name).setToolTip(text)
        self._build_inputs()
        self.refresh()
        self._show_zoom()

    # --- inputs ----------------------------------------------------------------------------------
    def set_circuit(self, name: str) -> None:
        try:
            self.circuit = get_circuit(name)
        except InputError as error:
            self.show_message("error", str(error))
            return
        self.values = dict(self.circuit.seed)
        self.fixed = set()
        self.forward_done = self.backward_done = None
        self.tug_result.clear()
        self.strategies_label.clear()
        self.message.clear()
        if self.chooser.currentText() != name:
            self.chooser.setCurrentText(name)
        self._build_inputs()
        self.refresh()

    def _build_inputs(self) -> None:
        while self.inputs_layout.count():
            item = self.inputs_layout.takeAt(0)
            if item.widget() is not None:
                # hidden now: deleteLater alone leaves the old row drawn until the event loop deletes it
                item.widget().hide()
                item.widget().deleteLater()
        self.fields.clear()
        self.sliders.clear()
        self.fixed_boxes.clear()
        for row, name in enumerate(self.circuit.inputs):
            field = QLineEdit(format_number(self.values[name]))
            slider = QSlider(Qt.Orientation.Horizontal)
            self._place_slider(slider, self.values[name])
            box = QCheckBox("fixed")
            box.setChecked(name in self.fixed)
            for widget, kind in ((field, "field"), (slider, "slider"), (box, "fixed")):
                widget.setToolTip(f"{name}: {CIRCUIT_TOOLTIPS[kind]}")
            field.editingFinished.connect(lambda n=name: self._typed(n))
            slider.valueChanged.connect(lambda position, n=name: self._dragged(n, position))
            box.toggled.connect(lambda on, n=name: self._toggle_fixed(n, on))
            self.inputs_layout.addWidget(QLabel(name), row, 0)
            self.inputs_layout.addWidget(field, row, 1)
            self.inputs_layout.addWidget(slider, row, 2)
            self.inputs_layout.addWidget(box, row, 3)
            self.fields[name], self.sliders[name], self.fixed_boxes[name] = field, slider, box

    @staticmethod
    def _slider_position(value: float) -> int:
        return int(round(max(-SLIDER_RANGE, min(SLIDER_RANGE, value)) * 100))

    @staticmethod
    def _place_slider(slider: QSlider, value: float) -> None:
        """Put the slider at ``value``, widening its range (past ±SLIDER_RANGE) so it never clamps a typed value."""
        reach = max(SLIDER_RANGE, math.ceil(abs(value))) if math.isfinite(value) else SLIDER_RANGE
        slider.blockSignals(True)
        slider.setRange(int(-reach * 100), int(reach * 100))
        slider.setValue(int(round(max(-reach, min(reach, value)) * 100)))
        slider.blockSignals(False)

    def set_input(self, name: str, value: float) -> None:
        """Change one input (as typing or dragging does) and redraw."""
        self.values = self.circuit.validate({**self.values, name: value})
        field, slider = self.fields[name], self.sliders[name]
        field.setText(format_number(self.values[name]))
        field.setStyleSheet("")
        field.setToolTip(f"{name}: {CIRCUIT_TOOLTIPS['field']}")
        self.message.clear()  # a valid value ends an earlier input error
        self._place_slider(slider, self.values[name])
        self.forward_done = self.backward_done = None
        self.refresh()

    def _typed(self, name: str) -> None:
        field = self.fields[name]
        try:
            value = parse_float(field.text(), f"input {name}")
        except InputError as error:
            field.setStyleSheet(BAD_STYLE)
            field.setToolTip(str(error))
            self.show_message("error", f"{error}; keeping {format_number(self.values[name])}")
            field.setText(format_number(self.values[name]))
            return
        field.setToolTip("")
        self.set_input(name, value)

    def _dragged(self, name: str, position: int) -> None:
        self.set_input(name, position / 100.0)

    def _toggle_fixed(self, name: str, on: bool) -> None:
        (self.fixed.add if on else self.fixed.discard)(name)
        self.refresh()

    def _follow_toggled(self, on: bool) -> None:
        self.message.clear()  # a follow message goes with follow mode
        self.inputs_box.setVisible(not on)  # following, the inputs are the model's, shown on the canvas
        self.tug_result.setVisible(not on)  # a tug of the explorer's circuit, not of the model followed
        for widget in (self.chooser, self.inputs_box, self.tug_button, self.forward_button, self.backward_button,
                       self.all_button, self.strategies_button):  # fmt: skip
            widget.setEnabled(not on)
        self.refresh()

    def _fit_toggled(self, on: bool) -> None:
        self.canvas.set_fit(on)
        self.refresh()
        self._show_zoom()

    def set_zoom(self, zoom: float) -> None:
        """Zoom the diagram (1 = 100%): leaves 'fit to window'."""
        self.canvas.set_zoom(zoom)
        self._show_zoom()

    def _show_zoom(self) -> None:
        if self.fit.isChecked() != self.canvas.fit:
            self.fit.blockSignals(True)
            self.fit.setChecked(self.canvas.fit)
            self.fit.blockSignals(False)
        self.zoom_label.setText("fit" if self.canvas.fit else f"{self.canvas.zoom:.0%}")

    # --- actions -------------------------------------------------------------------------------------
    def tunable(self) -> tuple[str, ...]:
        return tuple(n for n in self.circuit.inputs if n not in self.fixed)

    def tug(self) -> None:
        """One step of every non-fixed input along its gradient; shows output before → after."""
        try:
            step = parse_float(self.step_size.text(), "step size")
        except InputError as error:
            self.show_message("error", str(error))
            return
        try:
            result = analytic_gradient_ascent(self.circuit, self.values, step_size=step, names=self.tunable())
        except (ArithmeticError, InputError) as error:  # the faces follow IEEE; this is a last line of defence
            self.show_message("error", f"cannot tug here: {error}")
            return
        if problem := not_finite_at(result.start_output, result.gradient):
            self.show_message("error", f"cannot tug here: {problem}: move an input first")
            return
        if not all(math.isfinite(v) for v in result.end.values()):
            self.show_message("error", "that step leaves the finite numbers: use a smaller step size")
            return
        for name in self.circuit.inputs:
            self.values[name] = result.end[name]
            self.fields[name].setText(format_number(result.end[name]))
            self.sliders[name].blockSignals(True)
            self.sliders[name].setValue(self._slider_position(result.end[name]))
            self.sliders[name].blockSignals(False)
        self.tug_result.setText(
            f"output {format_number(result.start_output)} → {format_number(result.end_output)}"
            f" ({', '.join(self.tunable()) or 'nothing'} moved)"
        )
        self.message.clear()
        self.forward_done = self.backward_done = None
        self.refresh()

    def _gate_count(self) -> int:
        out, _ = self.circuit.units(self.values)
        return len(gate_order(out))

    def forward_step(self) -> None:
        n = self._gate_count()
        if self.forward_done is None or self.forward_done >= n:
            self.forward_done, self.backward_done = 0, 0
        else:
            self.forward_done += 1
        self.refresh()

    def backward_step(self) -> None:
        n = self._gate_count()
        if self.forward_done is not None and self.forward_done < n:
            self.forward_done = n
            self.backward_done = 0
        elif self.backward_done is None or self.backward_done >= n:
            self.forward_done, self.backward_done = n, 0
        else:
            self.backward_done += 1
        self.refresh()

    def show_all(self) -> None:
        self.forward_done = self.backward_done = None
        self.refresh()

    def run_strategies(self) -> None:
        names = self.tunable()
        try:
            rows = [
                random_local_search(self.circuit, self.values, names=names),
                numerical_gradient_ascent(self.circuit, self.values, names=names),
                analytic_gradient_ascent(self.circuit, self.values, names=names),
            ]
        except (ArithmeticError, InputError) as error:
            self.strategies_label.clear()
            self.show_message("error", f"cannot run the strategies here: {error}")
            return
        if problem := not_finite_at(rows[2].start_output, rows[2].gradient):
            self.strategies_label.clear()
            self.show_message("error", f"cannot run the strategies here: {problem}: move an input first")
            return
        cells = "".join(
            f"<tr><td>{r.strategy}</td><td align=right>{format_number(r.end_output)}</td>"
            f"<td align=right>{r.evaluations}</td></tr>"
            for r in rows
        )
        self.strategies_label.setText(
            f"<table cellspacing=6><tr><th>strategy</th><th>output</th><th>evaluations</th></tr>{cells}</table>"
            f"start: {format_number(rows[0].start_output)}"
        )
        self.message.clear()

    def explorer_state(self) -> dict:
        """The explorer's circuit, its input values and Follow (JSON), for a session."""
        return {"name": self.circuit.name, "values": dict(self.values), "follow": self.follow.isChecked()}

    def restore_explorer(self, data: object) -> None:
        """Bring back :meth:`explorer_state`; an unknown circuit, or values that are not its inputs' finite
        numbers, leave the explorer as it is (a session's view options are never an error)."""
        if not isinstance(data, dict):
            return
        name = data.get("name")
        if isinstance(name, str) and name in CIRCUITS:
            self.set_circuit(name)
            values = data.get("values")
            if (isinstance(values, dict) and set(values) == set(self.values)
                    and all(isinstance(v, int | float) and math.isfinite(v) for v in values.values())):  # fmt: skip
                self.values = {key: float(value) for key, value in values.items()}
                self._build_inputs()
                self.refresh()
        self.follow.setChecked(data.get("follow") is True)

    def practice_state(self) -> dict | None:
        """The practice exercises' progress (JSON), or None when practice was never opened."""
        return None if self.practice_window is None else self.practice_window.state()

    def restore_practice(self, data: dict) -> None:
        """Bring back :meth:`practice_state`'s progress (a session's); the window opens when asked."""
        from .practice import PracticeWindow

        if self.practice_window is None:
            self.practice_window = PracticeWindow(self.circuit, self.values, self)
        self.practice_window.restore(data)

    def open_practice(self) -> None:
        """Practice mode (:mod:`torchcircuits_gui.practice`) on this circuit at these inputs."""
        from .practice import PracticeWindow

        if self.practice_window is None:
            self.practice_window = PracticeWindow(self.circuit, self.values, self)
        else:
            self.practice_window.set_circuit(self.circuit.name, self.values)
        self.practice_window.show()
        self.practice_window.raise_()

    # --- drawing ------------------------------------------------------------------------------------
    def show_message(self, level: str, text: str) -> None:
        colour = "#b00000" if level == "error" else "#205020"
        self.message.setText(f'<span style="color:{colour}">{as_rich_text(text)}</span>')

    def _show_chosen(self, name: str | None) -> None:
        """Show ``name`` in the chooser (None: blank) without choosing it again."""
        index = -1 if name is None else self.chooser.findText(name)
        if self.chooser.currentIndex() != index:
            self.chooser.blockSignals(True)
            self.chooser.setCurrentIndex(index)
            self.chooser.blockSignals(False)

    def refresh(self) -> None:
        if self.follow.isChecked():
            diagram = follow_diagram(self.controller)
            if isinstance(diagram, str):  # nothing to follow: no stale diagram, caption or circuit name stays
                self.show_message("error", diagram)
                self.step_label.setText("nothing to follow")
                self._show_chosen(None)
                self.canvas.set_diagram(None)
                return
            self.message.clear()
            self.step_label.setText("following: the training tab's model on its last example")
            self._show_chosen(diagram.name)  # the (disabled) chooser names the circuit on the canvas
            self.canvas.set_diagram(diagram)
            return
        self._show_chosen(self.circuit.name)
        diagram = build_diagram(
            self.circuit, self.values, tuple(self.fixed), forward_done=self.forward_done,
            backward_done=self.backward_done,
        )  # fmt: skip
        n = len(diagram.gate_nodes())
        if self.forward_done is not None and self.forward_done < n:
            self.step_label.setText(f"forward: {self.forward_done} of {n} gates computed")
        elif self.backward_done is not None and self.backward_done <= n and self.forward_done is not None:
            self.step_label.setText(f"backward: {self.backward_done} of {n} gates backpropagated")
        else:
            self.step_label.setText(f"{n} gate{'s' if n != 1 else ''}, all computed")
        self.canvas.set_diagram(diagram)
