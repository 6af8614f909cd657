"""Practice mode's window: backpropagate a circuit by hand, wire by wire, on its drawing.

The logic (which wires are answerable, grading, hints, reveal, counters) is
:class:`torchcircuits.practice.Practice`; this window only shows it: the
drawing with unknown gradients hidden, one answer field per wire (enabled once
the wire above it is known), a counter, the last hint, and buttons for
Reveal, fresh random inputs and opening a user's file of circuits. Progress is
kept per circuit while the app runs, and :meth:`PracticeWindow.state` /
:meth:`PracticeWindow.restore` carry it through a saved session as JSON.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from PyQt6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from torchcircuits.circuits import CIRCUITS, Circuit
from torchcircuits.errors import InputError
from torchcircuits.practice import Practice, practice_inputs

from .circuit_view import DiagramCanvas
from .controls import BAD_STYLE
from .help import as_rich_text
from .side_scroll import SideScroll

__all__ = ["PracticeWindow"]

RIGHT_STYLE = "QLineEdit { border: 2px solid #1a7f37; background: #eef8ee; }"
REVEALED_STYLE = "QLineEdit { border: 2px solid #888; background: #f2f2f2; }"
#: the share of the screen's free area the window opens on at most: its edges and title bar stay on screen
SCREEN_SHARE = 0.9


class DiagramScroll(QScrollArea):
    """The drawing in a scroll area that asks for the whole diagram's size.

    A plain QScrollArea asks for at most 36 by 24 lines, and the canvas outside
    a scroll area made the diagram's size the window's minimum (2033 px wide
    for svm_loss): asked for in full here, the window opens as large as the
    screen allows, and its minimum stays a scroll area's.
    """

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        frame = 2 * self.frameWidth()
        return self.widget().sizeHint() + QSize(frame, frame)


class PracticeWindow(QWidget):
    """Practise one circuit at a time; ``practices`` keeps every circuit's progress by name."""

    def __init__(self, circuit: Circuit, values: Mapping[str, float] | None = None, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Practice: backprop by hand")
        self.circuits: dict[str, Circuit] = {c.name: c for c in CIRCUITS.values()}
        self.practices: dict[str, Practice] = {}
        self.rng = random.Random()
        self.canvas = DiagramCanvas()
        self.chooser = QComboBox()
        self.title = QLabel()
        self.title.setWordWrap(True)  # a formula is longer than the panel is wide
        self.counter = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.reveal_button = QPushButton("Reveal one wire")
        self.fresh_button = QPushButton("New random inputs")
        self.file_button = QPushButton("Practise a file…")
        self.reveal_button.clicked.connect(self.reveal)
        self.fresh_button.clicked.connect(self.fresh)
        self.file_button.clicked.connect(self.choose_file)
        # the how-to in a label that wraps: in the box's title it set the side panel's minimum width
        self.wires_box = QGroupBox("Gradient on each wire")
        how_to = QLabel("Type a number or arithmetic in a wire's field and press Enter.")
        how_to.setWordWrap(True)
        self.wires_layout = QGridLayout(self.wires_box)
        self.fields: dict[int, QLineEdit] = {}

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.chooser)
        side_layout.addWidget(self.title)
        side_layout.addWidget(self.counter)
        buttons = QHBoxLayout()
        for button in (self.reveal_button, self.fresh_button, self.file_button):
            buttons.addWidget(button)
        side_layout.addLayout(buttons)
        side_layout.addWidget(how_to)
        side_layout.addWidget(self.wires_box)
        side_layout.addWidget(self.message)
        side_layout.addStretch(1)
        self.side_scroll = SideScroll(side)
        self.canvas_scroll = DiagramScroll()
        self.canvas_scroll.setWidget(self.canvas)
        self.canvas_scroll.setWidgetResizable(True)
        layout = QHBoxLayout(self)
        layout.addWidget(self.side_scroll)
        layout.addWidget(self.canvas_scroll, 1)
        self.fitted = False  # sized to its screen yet: only once, a later show keeps the learner's size
        # show_next once the layout has placed new fields and drawing (before that they have no position);
        # a timer of the window's own dies with it, and several requests in one pass scroll once
        self.next_timer = QTimer(self)
        self.next_timer.setSingleShot(True)
        self.next_timer.timeout.connect(self.show_next)
        # the list, the drawing and their visible parts take their new sizes some passes after a new circuit's
        # fields are built: scroll once more when they do, or the next wire is sought in the old geometry
        self.watched = (side, self.canvas, self.side_scroll.viewport(), self.canvas_scroll.viewport())
        for widget in self.watched:
            widget.installEventFilter(self)
        self._fill_chooser()
        self.chooser.currentTextChanged.connect(self.set_circuit)
        self.set_circuit(circuit.name, values)

    # --- which exercise --------------------------------------------------------------------------------
    @property
    def practice(self) -> Practice:
        return self.practices[self.chooser.currentText()]

    def _fill_chooser(self) -> None:
        self.chooser.blockSignals(True)
        current = self.chooser.currentText()
        self.chooser.clear()
        self.chooser.addItems([name for name, c in self.circuits.items() if c.build is not None])
        if current:
            self.chooser.setCurrentText(current)
        self.chooser.blockSignals(False)

    def set_circuit(self, name: str, values: Mapping[str, float] | None = None) -> None:
        """Practise ``name``: its saved progress, or a new exercise at ``values`` (its seed by default)."""
        circuit = self.circuits[name]
        wanted = None if values is None else circuit.validate(values, partial=True)
        if name not in self.practices or (wanted is not None and wanted != self.practices[name].values):
            self.practices[name] = Practice(circuit, wanted or dict(circuit.seed))
        if self.chooser.currentText() != name:
            self.chooser.blockSignals(True)
            self.chooser.setCurrentText(name)
            self.chooser.blockSignals(False)
        self.message.clear()
        self._build_fields()
        self.refresh()

    def fresh(self) -> None:
        """A new exercise on the same circuit, at random inputs with one decimal."""
        circuit = self.practice.circuit
        self.practices[circuit.name] = Practice(circuit, practice_inputs(circuit, self.rng))
        self.message.clear()
        self._build_fields()
        self.refresh()

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Practise the circuits of a Python file", "", "Python (*.py)")
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        """Add the circuits of a user's file that have a Unit face (``build=``, or traced); practise the first."""
        from torchcircuits.userfile import load_declarations

        try:
            declared = load_declarations(path)
        except InputError as error:
            self.show_message("error", str(error))
            return
        drawable = [d for d in declared.values() if isinstance(d, Circuit) and d.build is not None]
        if not drawable:
            self.show_message("error", f"{path}: no circuit with a Unit expression to draw: declare one with build=...")
            return
        for circuit in drawable:
            self.circuits[circuit.name] = circuit
            self.practices.pop(circuit.name, None)
        self._fill_chooser()
        self.set_circuit(drawable[0].name)

    # --- the learner's moves -----------------------------------------------------------------------
    def answer(self, node: int, text: str | None = None) -> bool | None:
        """Grade the text in a wire's field (or ``text``); None when refused (not a number, wire above unknown)."""
        field = self.fields[node]
        if text is not None:
            field.setText(text)
        try:
            outcome = self.practice.submit(node, field.text())
        except InputError as error:
            self.show_message("error", str(error))
            return None
        self.show_message("right" if outcome.right else "error", outcome.message)
        self.refresh()
        return outcome.right

    def reveal(self) -> None:
        try:
            node = self.practice.reveal()
        except InputError as error:
            self.show_message("error", str(error))
            return
        wire = self.practice.wires[node]
        self.show_message("info", f"Revealed: the gradient on {wire.label} is {wire.grad:.6g}.")
        self.refresh()

    # --- sessions ---------------------------------------------------------------------------------
    def state(self) -> dict:
        """Every circuit's progress and the one on screen, as JSON."""
        return {"current": self.chooser.currentText(), "practices": [p.to_json() for p in self.practices.values()]}

    def restore(self, data: Mapping) -> None:
        """Bring back :meth:`state`'s progress; a bad record shows its one-line reason and changes nothing."""
        try:
            restored = {p["circuit"]: Practice.from_json(p, self.circuits) for p in data.get("practices", [])}
        except (InputError, TypeError, KeyError, AttributeError) as error:
            self.show_message("error", f"a saved practice is not readable: {error}")
            return
        self.practices.update(restored)
        current = data.get("current")
        self.set_circuit(current if current in self.circuits else self.chooser.currentText())

    # --- size and scrolling -------------------------------------------------------------------------
    def fit_to(self, available: QRect) -> None:
        """Take the size the window asks for, at most SCREEN_SHARE of ``available`` (a screen's free area)."""
        self.fitted = True
        hint = self.sizeHint()
        width = min(hint.width(), int(available.width() * SCREEN_SHARE))
        height = min(hint.height(), int(available.height() * SCREEN_SHARE))
        self.resize(width, height)
        # centred on that area: opened beside the main window, its right side could start off screen
        self.move(available.x() + (available.width() - width) // 2, available.y() + (available.height() - height) // 2)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.fitted:
            self.fit_to(self.screen().availableGeometry())
        super().showEvent(event)
        self.next_timer.start(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # a smaller window can hide the next field too; ensureVisible leaves the scrolling alone while it shows
        if event.type() == QEvent.Type.Resize and watched in self.watched:
            self.next_timer.start(0)
        return super().eventFilter(watched, event)

    def next_wire(self) -> int | None:
        """The wire to answer next: of those answerable, the one nearest the output; None when all are known."""
        waiting = self.practice.answerable_wires()
        return max(waiting, key=lambda node: self.canvas.diagram.node(node).x) if waiting else None

    def show_next(self) -> None:
        """Scroll the next wire to answer into view: its field in the list, and on the drawing its node after the
        nodes it feeds (their gradients from above are what the answer starts from; the node wins if not all fit)."""
        node = self.next_wire()
        if node is None or not self.isVisible():
            return
        self.side_scroll.ensureWidgetVisible(self.fields[node])
        diagram = self.canvas.diagram
        zoom = self.canvas.current_zoom()
        for target in [edge.target for edge in diagram.edges if edge.source == node] + [node]:
            shown = diagram.node(target)
            self.canvas_scroll.ensureVisible(int(shown.x * zoom), int(shown.y * zoom), 60, 40)

    # --- drawing --------------------------------------------------------------------------------------
    def _build_fields(self) -> None:
        while self.wires_layout.count():
            item = self.wires_layout.takeAt(0)
            if item.widget() is not None:
                # hidden now: deleteLater alone leaves the old row drawn until the event loop deletes it
                item.widget().hide()
                item.widget().deleteLater()
        self.fields = {}
        for row, (node, wire) in enumerate(self.practice.wires.items()):
            name = QLabel(wire.label)
            name.setToolTip(wire.label)
            value = QLabel(f"value {wire.value:.10g}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field = QLineEdit()
            field.setPlaceholderText("d out / d wire")
            # never squeezed by long wire names below a known gradient's width (it shows 10 digits)
            field.setMinimumWidth(field.fontMetrics().horizontalAdvance("-0.0000000000") + 12)
            field.returnPressed.connect(lambda n=node: self.answer(n))
            self.wires_layout.addWidget(name, row, 0)
            self.wires_layout.addWidget(value, row, 1)
            self.wires_layout.addWidget(field, row, 2)
            self.fields[node] = field

    def refresh(self) -> None:
        practice = self.practice
        self.title.setText(f"<b>{as_rich_text(practice.circuit.name)}</b>: {as_rich_text(practice.circuit.formula)}")
        revealed = sum(1 for how in practice.known.values() if how == "revealed")
        self.counter.setText(
            f"{practice.done} of {practice.total} wires done ({revealed} revealed), "
            f"{practice.mistakes} mistake{'' if practice.mistakes == 1 else 's'}"
            + ("  — all done!" if practice.finished else "")
        )
        for node, field in self.fields.items():
            how = practice.known.get(node)
            if how is not None:
                field.setText(f"{practice.wires[node].grad:.10g}")
                field.setStyleSheet(RIGHT_STYLE if how == "answered" else REVEALED_STYLE)
                field.setEnabled(False)
            else:
                field.setEnabled(practice.answerable(node))
                field.setStyleSheet(BAD_STYLE if practice.tries.get(node) else "")
        self.canvas.set_diagram(practice.shown())
        self.next_timer.start(0)

    def show_message(self, level: str, text: str) -> None:
        colour = {"error": "#b00000", "right": "#1a7f37"}.get(level, "#205080")
        self.message.setText(f'<span style="color:{colour}">{as_rich_text(text)}</span>')
