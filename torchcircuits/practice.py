"""Practice mode: the learner backpropagates a circuit by hand, one wire at a time, and is graded.

cs231n's backprop notebook hides the backward pass and grades it with a
gradient check; here the circuit's drawing (:func:`~torchcircuits.diagram.build_diagram`)
is the worksheet. Every named input and every gate's output is a *wire*; its
gradient is hidden until the learner types it. The chain rule sets the order:
a wire is *answerable* once every gate it feeds has a known output gradient
("the gradient from above"); the output's own wire starts with gradient 1 above it.

An answer is right within :data:`RELATIVE_TOL` = 1e-6 relative (absolute 1e-12
at a true 0), so it must be computed, not eyeballed from 4 rounded digits:
:func:`parse_answer` accepts plain arithmetic (``0.25 * -4``). A wrong answer
gets a hint in the guide's words, the local derivative times the gradient from
above, and from the second wrong try on a wire, the two numbers themselves.
The state (:class:`Practice`) serializes to JSON, so a session remembers it.
"""

from __future__ import annotations

import ast
import math
import operator
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .circuits import Circuit
from .diagram import Diagram, build_diagram, gate_order
from .errors import InputError
from .units import Unit

__all__ = ["Practice", "Wire", "Outcome", "RELATIVE_TOL", "parse_answer", "is_right", "practice_inputs"]

RELATIVE_TOL = 1e-6
ZERO_TOL = 1e-12


@dataclass(frozen=True)
class Wire:
    """One wire of the drawing: a named input or a gate's output, with its true gradient."""

    node: int
    label: str
    value: float
    grad: float
    #: (gate node, its symbol, local derivative of that gate wrt this wire's slot) for each gate it feeds
    feeds: tuple[tuple[int, str, float], ...]


@dataclass(frozen=True)
class Outcome:
    """The grade of one answer: right or not, and what to tell the learner."""

    node: int
    right: bool
    message: str


def is_right(answer: float, truth: float) -> bool:
    """Within 1e-6 relative of the true gradient (or 1e-12 absolute where it is 0)."""
    return math.isclose(answer, truth, rel_tol=RELATIVE_TOL, abs_tol=ZERO_TOL)


_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def parse_answer(text: str) -> float:
    """A number or plain arithmetic of numbers (``+ - * /``, parentheses); anything else is an InputError."""

    def evaluate(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.operand))
        raise ValueError

    try:
        value = evaluate(ast.parse(text.strip(), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, RecursionError):
        raise InputError(f"an answer must be a number or arithmetic such as 0.25 * -4, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise InputError(f"an answer must be a finite number, got {text.strip()!r}")
    return value


def practice_inputs(circuit: Circuit, rng: random.Random) -> dict[str, float]:
    """Fresh inputs for an exercise: the circuit's random draw rounded to one decimal (easy to type), in its domain."""
    for _ in range(100):
        values = {name: round(value, 1) for name, value in circuit.random_inputs(rng).items()}
        if circuit.domain(values) and circuit.kink_gap(values) > 0:
            return values
    return dict(circuit.seed)


def _local_derivatives(circuit: Circuit, values: Mapping[str, float]) -> list[tuple[float, ...]]:
    """For each gate in drawing order: d(gate output) / d(each input slot), by the gate's own backward."""
    out, _ = circuit.units(values)
    locals_ = []
    for gate in gate_order(out):
        originals = gate.inputs
        proxies = tuple(Unit(u.value) for u in originals)
        gate.inputs = proxies
        saved = gate.output.grad
        gate.output.grad = 1.0
        try:
            gate.backward()
        finally:
            gate.inputs = originals
            gate.output.grad = saved
        locals_.append(tuple(p.grad for p in proxies))
    return locals_


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _expression(diagram: Diagram, node: int, into: dict[int, list[int]], limit: int = 28) -> str:
    """A short text for a wire: its input name, or its gate applied to what feeds it (``a * x + b * y``)."""

    def text(n: int) -> tuple[str, int]:
        item = diagram.node(n)
        if item.kind != "gate":
            return item.label, 9
        parts = [text(s) for s in into.get(n, [])]
        rank = _PRECEDENCE.get(item.label)
        if len(parts) == 2 and rank is not None:
            left, right = (p if r >= rank else f"({p})" for p, r in parts)
            return f"{left} {item.label} {right}", rank
        inner = ", ".join(p for p, _ in parts)
        if item.label.startswith("**"):  # a power reads x**2, not **2(x)
            return (inner if parts and parts[0][1] == 9 else f"({inner})") + item.label, 9
        return f"{item.label}({inner})", 9

    full = text(node)[0]
    return full if len(full) <= limit else full[: limit - 1] + "…"


@dataclass
class Practice:
    """One exercise: a circuit at given inputs, the wires known so far, mistakes and tries.

    ``known`` maps a wire's node id to how it became known: ``"answered"`` or ``"revealed"``.
    """

    circuit: Circuit
    values: dict[str, float]
    known: dict[int, str] = field(default_factory=dict)
    tries: dict[int, int] = field(default_factory=dict)
    mistakes: int = 0

    def __post_init__(self) -> None:
        self.values = self.circuit.validate(self.values, partial=True)
        self.diagram = build_diagram(self.circuit, self.values)
        locals_ = _local_derivatives(self.circuit, self.values)
        gate_nodes = [n.id for n in self.diagram.gate_nodes()]
        local_of = {
            (gate, slot): derivative
            for gate, derivatives in zip(gate_nodes, locals_, strict=True)
            for slot, derivative in enumerate(derivatives)
        }
        into: dict[int, list[int]] = {}
        for edge in sorted(self.diagram.edges, key=lambda e: e.slot):
            into.setdefault(edge.target, []).append(edge.source)
        self.output_node = next(n.id for n in self.diagram.nodes if n.kind == "output")
        wires = {}
        for node in self.diagram.nodes:
            if node.kind not in ("input", "gate"):
                continue  # constants have no gradient to find; the output terminal is given
            feeds = tuple(
                (e.target, self.diagram.node(e.target).label, local_of.get((e.target, e.slot), 1.0))
                for e in self.diagram.edges
                if e.source == node.id
            )
            label = node.label if node.kind == "input" else _expression(self.diagram, node.id, into)
            if any(w.label == label for w in wires.values()):  # long expressions cut to the same text
                label = f"{label} #{node.id}"
            wires[node.id] = Wire(node.id, label, node.value, node.grad, feeds)
        self.wires: dict[int, Wire] = wires

    # --- the state ------------------------------------------------------------------------------
    @property
    def done(self) -> int:
        return len(self.known)

    @property
    def total(self) -> int:
        return len(self.wires)

    @property
    def finished(self) -> bool:
        return self.done == self.total

    def grad_above(self, node: int) -> float | None:
        """The known gradient of a gate's output (1 at the output terminal); None while unknown."""
        if node == self.output_node:
            return 1.0
        return self.wires[node].grad if node in self.known else None

    def answerable(self, node: int) -> bool:
        """Unknown yet, and every gate it feeds has a known output gradient."""
        wire = self.wires[node]
        return node not in self.known and all(self.grad_above(gate) is not None for gate, _, _ in wire.feeds)

    def answerable_wires(self) -> list[int]:
        return [node for node in self.wires if self.answerable(node)]

    def wire_named(self, label: str) -> int:
        """The node of the wire labelled ``label`` (an input name or a gate's expression)."""
        for node, wire in self.wires.items():
            if wire.label == label:
                return node
        raise InputError(f"no wire {label!r}: the wires are {', '.join(w.label for w in self.wires.values())}")

    # --- the learner's moves --------------------------------------------------------------------
    def _refuse_unanswerable(self, node: int) -> Wire:
        if node not in self.wires:
            raise InputError(f"no wire {node}: answer one of {', '.join(map(str, self.wires))}")
        wire = self.wires[node]
        if node in self.known:
            raise InputError(f"the gradient on {wire.label} is already known")
        waiting = [self.wires[gate].label for gate, _, _ in wire.feeds if self.grad_above(gate) is None]
        if waiting:
            raise InputError(f"the gradient from above is not known yet for {wire.label}: "
                             f"first find the gradient on {', '.join(waiting)}")  # fmt: skip
        return wire

    def submit(self, node: int, answer: float | str) -> Outcome:
        """Grade an answer for one wire; a refused one (unknown wire above, not a number) raises InputError."""
        wire = self._refuse_unanswerable(node)
        value = parse_answer(answer) if isinstance(answer, str) else float(answer)
        if is_right(value, wire.grad):
            self.known[node] = "answered"
            return Outcome(node, True, f"Right: the gradient on {wire.label} is {wire.grad:.6g}.")
        self.mistakes += 1
        self.tries[node] = self.tries.get(node, 0) + 1
        return Outcome(node, False, f"Not quite ({value:.6g}). {self.hint(node)}")

    def hint(self, node: int) -> str:
        """The chain rule for this wire, in the guide's words; the numbers from the second wrong try on."""
        wire = self.wires[node]
        gates = [f"the {symbol} gate" for _, symbol, _ in wire.feeds] or ["the output"]
        rule = (
            f"Its gradient is the local derivative of {gates[0]} with respect to {wire.label}, "
            "times the gradient from above."
            if len(wire.feeds) == 1
            else f"It feeds {len(wire.feeds)} gate inputs ({', '.join(gates)}): add up, for each, "
            "the local derivative times the gradient from above."
        )
        if self.tries.get(node, 0) < 2:
            return rule
        numbers = "; ".join(
            f"local derivative {local:.6g}, gradient from above {self.grad_above(gate):.6g}"
            for gate, _, local in wire.feeds
        )
        return f"{rule} Here: {numbers}."

    def reveal(self, node: int | None = None) -> int:
        """Fill one wire (the given one, or the first answerable); returns its node. Counts as a reveal."""
        if node is None:
            choices = self.answerable_wires()
            if not choices:
                raise InputError("every wire is known: start a new exercise")
            node = choices[0]
        self._refuse_unanswerable(node)
        self.known[node] = "revealed"
        return node

    def shown(self) -> Diagram:
        """The drawing with every unknown gradient hidden (wires, their parts, and the edges they send back)."""
        nodes = [
            replace(n, grad=None, grad_parts=[]) if n.id in self.wires and n.id not in self.known else replace(n)
            for n in self.diagram.nodes
        ]
        edges = [
            replace(e, grad=None) if e.source in self.wires and e.source not in self.known else replace(e)
            for e in self.diagram.edges
        ]
        return replace(self.diagram, nodes=nodes, edges=edges, highlight=None)

    # --- sessions ---------------------------------------------------------------------------------
    def to_json(self) -> dict:
        """Progress as plain JSON: circuit name, inputs, known wires, tries and mistakes."""
        return {
            "circuit": self.circuit.name,
            "values": dict(self.values),
            "known": {str(k): v for k, v in self.known.items()},
            "tries": {str(k): v for k, v in self.tries.items()},
            "mistakes": self.mistakes,
        }

    @classmethod
    def from_json(cls, data: Mapping, circuits: Mapping[str, Circuit]) -> Practice:
        """Rebuild a saved exercise; a bad record is an InputError naming what is wrong."""
        try:
            circuit = circuits[data["circuit"]]
            practice = cls(circuit, dict(data["values"]))
            practice.known = {int(k): str(v) for k, v in data.get("known", {}).items()}
            practice.tries = {int(k): int(v) for k, v in data.get("tries", {}).items()}
            practice.mistakes = int(data.get("mistakes", 0))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InputError(f"a saved practice is not readable: {error}") from None
        if not set(practice.known) <= set(practice.wires):
            raise InputError("a saved practice names wires its circuit does not have")
        return practice
