"""A circuit as a drawing: gates laid out left to right, a value and a gradient on every wire.

:func:`build_diagram` runs a registered circuit on Units and
:func:`diagram_of` takes any expression's output Unit; both lay out the
recorded gates in layers by depth (inputs on the left, the output on the
right) and orders each layer to keep wires short. Every edge carries the value
that flows forward along it and the gradient that flows back along it; a wire
that feeds two gates is two edges, and its node shows their sum.

Step-through: ``forward_done`` / ``backward_done`` hide what has not been
computed yet, and ``highlight`` marks the gate that runs next. The drawing is
plain data (:class:`Diagram`); :func:`to_svg` writes it as SVG with no
dependency, and the app paints the same data with Qt.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .circuits import Circuit
from .errors import InputError, SettingError
from .units import Gate, Unit, topological_gates

__all__ = [
    "Diagram",
    "Node",
    "Edge",
    "build_diagram",
    "diagram_of",
    "expression_text",
    "MAX_DRAWN_GATES",
    "to_svg",
    "write_diagram",
    "draw",
    "format_number",
    "gate_order",
    "edge_path",
    "node_text",
    "label_boxes",
    "colliding_labels",
    "LABEL_HEIGHT",
]

LAYER_GAP = 170.0
ROW_GAP = 96.0
MARGIN = 60.0
LEFT = 130.0  # room for a summed gradient such as '0.1 + 0.2 + 0.3 = 0.6'
NODE_RADIUS = 20.0
VALUE_COLOUR = "#1a7f37"  # forward values: green
GRAD_COLOUR = "#c62828"  # backward gradients: red
HIGHLIGHT_COLOUR = "#f9a825"
#: a label's box: its text at 12 px DejaVu Sans is at most LABEL_CHAR px a character (digits are 7.6) plus padding
LABEL_CHAR = 7.7
LABEL_PAD = 4.0
LABEL_HEIGHT = 15.0
#: an edge's value label sits this far above its wire, its gradient label this far below
LABEL_ABOVE, LABEL_BELOW = 9.0, 10.0
#: where along a wire its labels may go (fractions of its length), the first that collides with nothing wins
_LABEL_SPOTS = (0.45, 0.3, 0.6, 0.2, 0.7, 0.35, 0.55, 0.25, 0.65, 0.15, 0.75, 0.5, 0.4, 0.1, 0.8, 0.85, 0.9, 0.05)


def format_number(value: float | None) -> str:
    """Compact, readable numbers for labels: 4 significant digits, '?' when not computed yet."""
    if value is None:
        return "?"
    if value == 0:
        return "0"
    if math.isnan(value) or math.isinf(value):
        return str(value)
    text = f"{value:.4g}"
    return text.replace("e-0", "e-").replace("e+0", "e")


@dataclass
class Node:
    """An input, a constant, a gate, or the output terminal."""

    id: int
    kind: str  # "input" | "constant" | "gate" | "output"
    label: str
    value: float | None
    grad: float | None
    layer: int
    x: float = 0.0
    y: float = 0.0
    fixed: bool = False
    #: gradients of the edges that leave this node (shown as a sum where there are several)
    grad_parts: list[float] = field(default_factory=list)


@dataclass
class Edge:
    """A wire from one node into one input slot of a gate (or into the output terminal)."""

    source: int
    target: int
    slot: int
    slots: int
    value: float | None
    grad: float | None
    #: vertical bend of the wire: several wires between the same two nodes (a*a) bow apart
    bend: float = 0.0
    #: where the wire enters its gate, top to bottom: by the source's height, so wires do not cross there
    entry: int = 0
    #: where its labels sit, as a fraction of the wire's length (None: the default spot)
    label_at: float | None = None


@dataclass
class Diagram:
    name: str
    formula: str
    nodes: list[Node]
    edges: list[Edge]
    width: float
    height: float
    output: float
    highlight: int | None = None
    caption: str = ""

    def node(self, node_id: int) -> Node:
        return self.nodes[node_id]

    def gate_nodes(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == "gate"]


def gate_order(output: Unit) -> list[Gate]:
    """Gates in forward (topological) order; the backward pass runs them reversed."""
    return topological_gates(output)


def _slot_gradients(gates: list[Gate], output: Unit, seed: float) -> dict[tuple[int, int], float]:
    """(gate id, slot) → the gradient that flows back into that input slot.

    Runs the backward pass gate by gate with every input replaced by its own
    proxy Unit, so that a wire used twice by one gate (a*a) gets one number
    per slot rather than their sum.
    """
    for gate in gates:
        for unit in gate.inputs:
            unit.grad = 0.0
        gate.output.grad = 0.0
    output.grad = seed
    parts: dict[tuple[int, int], float] = {}
    for gate in reversed(gates):
        originals = gate.inputs
        proxies = tuple(Unit(u.value) for u in originals)
        gate.inputs = proxies
        try:
            gate.backward()
        finally:
            gate.inputs = originals
        for slot, (unit, proxy) in enumerate(zip(originals, proxies, strict=True)):
            parts[(id(gate), slot)] = proxy.grad
            unit.grad += proxy.grad
    return parts


def build_diagram(
    circuit: Circuit,
    values: Mapping[str, float] | None = None,
    fixed: tuple[str, ...] = (),
    seed_grad: float = 1.0,
    forward_done: int | None = None,
    backward_done: int | None = None,
    caption: str = "",
) -> Diagram:
    """Lay out ``circuit`` at ``values`` (its seed by default).

    ``forward_done`` = k shows only the first k gates' outputs (and highlights
    gate k); ``backward_done`` = j shows gradients only of the last j gates
    run backward (and highlights the next). None means all. ``seed_grad`` is
    the gradient at the output (1, or the pull of a loss).
    """
    values = circuit.validate(values or {}, partial=True)
    out, leaves = circuit.units(values)
    inputs = [(name, leaves[name]) for name in circuit.inputs]
    diagram = _layout(out, inputs, circuit.name, circuit.formula, fixed, seed_grad, forward_done, backward_done,
                      caption)  # fmt: skip
    # the labels are placed for these values' texts: where longer ones (a tug, a typed input) leave no free spot
    # along a wire, spread the layout as diagram_of does, so no two labels overlap at any values
    for _ in range(_SPREADS):
        if not colliding_labels(diagram):
            break
        _spread(diagram)
    return diagram


#: the most gates :func:`diagram_of` lays out: past this, labels crowd and the layout's label search slows
#: (about 0.3 s at 60 gates on a 2-core machine, growing with the square of the wires)
MAX_DRAWN_GATES = 60


def diagram_of(out: Unit, name: str = "", fixed: tuple[str, ...] = (), caption: str = "") -> Diagram:
    """Lay out any expression that ends in ``out``: a Unit built by operators or by gates.

    A leaf with a ``label`` is drawn as a named input, one without as a
    constant (its wire still carries its gradient). The gradients are those a
    backward pass from ``out`` leaves on each wire, seeded with ``out.grad``
    (1 after ``out.backward()``; the gradient from above when ``out`` is part
    of a larger expression); before any backward pass (every grad 0) they show
    as '?'. Drawing changes no Unit. Raises InputError past
    :data:`MAX_DRAWN_GATES` gates, saying how to draw a part.
    """
    if not isinstance(out, Unit):
        raise InputError(f"draw takes the Unit an expression ends in, got {type(out).__name__}")
    gates = gate_order(out)
    if len(gates) > MAX_DRAWN_GATES:
        raise InputError(
            f"this expression has {len(gates)} gates, more than the {MAX_DRAWN_GATES} a drawing keeps readable: "
            "draw a part of it (any Unit inside it, e.g. torchcircuits.draw(hidden, 'part.svg'))"
        )
    leaves: dict[int, Unit] = {}
    for gate in gates:
        for unit in gate.inputs:
            if unit.gate is None:
                leaves.setdefault(id(unit), unit)
    if out.gate is None:
        leaves[id(out)] = out
    named = [(unit.label, unit) for unit in leaves.values() if unit.label]
    wires = list(out.wires())
    saved = [unit.grad for unit in wires]
    backpropagated = any(grad != 0.0 for grad in saved)
    if not backpropagated and not caption:
        caption = "gradients: call .backward() on the output to compute them"
    if any(not unit.label for unit in leaves.values()) and not caption:
        caption = "unlabeled leaves are drawn as constants: name an input with Unit(2.0, label='x')"
    try:
        diagram = _layout(out, named, name or out.label or "expression", expression_text(out, gates), fixed,
                          out.grad, None, None if backpropagated else 0, caption, highlight_next=False)  # fmt: skip
    finally:  # the layout runs its own backward pass: the wires keep the gradients they had
        for unit, grad in zip(wires, saved, strict=True):
            unit.grad = grad
    for _ in range(_SPREADS):
        if not colliding_labels(diagram):
            return diagram
        _spread(diagram)
    if colliding_labels(diagram):
        raise InputError(
            f"the labels of this {len(gates)}-gate expression collide however it is spread: "
            "draw a part of it (any Unit inside it)"
        )
    return diagram


#: an expression whose labels still collide after its layout is spread apart this many times is refused
_SPREADS = 4


def colliding_labels(diagram: Diagram) -> list[tuple[str, str]]:
    """Pairs of value/gradient labels whose boxes overlap (the texts); empty when every label is clear."""
    boxes = label_boxes(diagram)
    return [(text_a, text_b) for i, (a, text_a) in enumerate(boxes) for b, text_b in boxes[i + 1 :]
            if _overlap(a, b)]  # fmt: skip


def _spread(diagram: Diagram, wider: float = 1.25, taller: float = 1.4) -> None:
    """Move the nodes apart (from the top-left corner of the layout) and place the labels again."""
    top = MARGIN + 20
    for node in diagram.nodes:
        node.x = LEFT + (node.x - LEFT) * wider
        node.y = top + (node.y - top) * taller
    for edge in diagram.edges:
        edge.label_at = None
    diagram.width = max(n.x for n in diagram.nodes) + MARGIN + 40
    diagram.height = max(n.y for n in diagram.nodes) + MARGIN + 40
    _place_labels(diagram)


#: an expression's formula longer than this is named by its size instead
_FORMULA_CHARS = 80
_INFIX = {"+": " + ", "*": " * "}


def expression_text(out: Unit, gates: list[Gate] | None = None) -> str:
    """The expression as a formula, inputs by label (``(x + y) * z``); a long one as 'N gates'."""
    gates = gate_order(out) if gates is None else gates
    text: dict[int, str] = {}

    def term(unit: Unit, parent: str) -> str:
        if unit.gate is None:
            return unit.label or format_number(unit.value)
        inner = text[id(unit.gate)]
        # a sum inside a product needs its parentheses
        return f"({inner})" if parent == "*" and unit.gate.symbol == "+" else inner

    for gate in gates:
        symbol = gate.symbol
        args = [term(u, symbol) for u in gate.inputs]
        joined = _INFIX[symbol].join(args) if symbol in _INFIX and len(args) == 2 else f"{symbol}({', '.join(args)})"
        text[id(gate)] = joined[: _FORMULA_CHARS + 1]  # shared sub-expressions must not grow it exponentially
    formula = term(out, "") if gates else (out.label or format_number(out.value))
    if len(formula) > _FORMULA_CHARS:
        return f"{len(gates)} gates"
    return formula


def _layout(
    out: Unit,
    inputs: list[tuple[str, Unit]],
    name: str,
    formula: str,
    fixed: tuple[str, ...],
    seed_grad: float,
    forward_done: int | None,
    backward_done: int | None,
    caption: str,
    highlight_next: bool = True,
) -> Diagram:
    """Lay out the expression ending in ``out``; ``inputs`` are its named leaves (others are constants)."""
    gates = gate_order(out)
    slot_grads = _slot_gradients(gates, out, seed_grad) if gates else {}
    forward_count = len(gates) if forward_done is None else max(0, min(forward_done, len(gates)))
    backward_count = len(gates) if backward_done is None else max(0, min(backward_done, len(gates)))
    if forward_count < len(gates):
        backward_count = 0
    computed = {id(g) for g in gates[:forward_count]}
    backpropagated = {id(g) for g in gates[len(gates) - backward_count :]}

    # nodes: named inputs, constants, gates, output terminal
    nodes: list[Node] = []
    node_of: dict[int, int] = {}  # id(Unit) or id(Gate) → node id
    depth: dict[int, int] = {}
    for label, unit in inputs:
        node_of[id(unit)] = len(nodes)
        nodes.append(Node(len(nodes), "input", label, unit.value, None, 0, fixed=label in fixed))
    if out.gate is None and id(out) not in node_of:  # a lone constant
        node_of[id(out)] = len(nodes)
        nodes.append(Node(len(nodes), "constant", format_number(out.value), out.value, None, 0))
    for gate in gates:
        layer = 1 + max((depth.get(id(u.gate), 0) if u.gate is not None else 0) for u in gate.inputs)
        depth[id(gate)] = layer
    last_layer = max(depth.values(), default=0) + 1
    edges: list[Edge] = []
    for gate in gates:
        gate_node = len(nodes)
        node_of[id(gate)] = gate_node
        shown = id(gate) in computed
        nodes.append(Node(gate_node, "gate", gate.symbol, gate.output.value if shown else None, None, depth[id(gate)]))
        for slot, unit in enumerate(gate.inputs):
            if unit.gate is None and id(unit) not in node_of:  # a constant such as the 1 of 1 - x
                node_of[id(unit)] = len(nodes)
                nodes.append(Node(len(nodes), "constant", format_number(unit.value), unit.value, None,
                                  depth[id(gate)] - 1))  # fmt: skip
            source = node_of[id(unit.gate)] if unit.gate is not None else node_of[id(unit)]
            value_known = unit.gate is None or id(unit.gate) in computed
            grad = slot_grads[(id(gate), slot)] if id(gate) in backpropagated else None
            edges.append(Edge(source, gate_node, slot, len(gate.inputs), unit.value if value_known else None, grad))
    output_node = Node(len(nodes), "output", "out", out.value if forward_count == len(gates) else None,
                       seed_grad if backward_count or not gates else None, last_layer)  # fmt: skip
    nodes.append(output_node)
    source = node_of[id(out.gate)] if out.gate is not None else node_of[id(out)]
    edges.append(Edge(source, output_node.id, 0, 1, output_node.value, output_node.grad))

    pairs: dict[tuple[int, int], list[Edge]] = {}
    for edge in edges:
        pairs.setdefault((edge.source, edge.target), []).append(edge)
    for group in pairs.values():
        for k, edge in enumerate(group):
            edge.bend = (k - (len(group) - 1) / 2) * 56.0 if len(group) > 1 else 0.0

    # a leaf sits just left of the first gate that reads it: parameters appear where they are used
    first_use: dict[int, int] = {}
    for edge in edges:
        first_use[edge.source] = min(first_use.get(edge.source, 10**9), nodes[edge.target].layer)
    for node in nodes:
        if node.kind in ("input", "constant") and node.id in first_use:
            node.layer = first_use[node.id] - 1

    # a node's gradient is the sum of what flows back along its outgoing edges
    for edge in edges:
        if edge.grad is not None:
            nodes[edge.source].grad_parts.append(edge.grad)
    for node in nodes:
        outgoing = [e for e in edges if e.source == node.id]
        if node.kind != "output" and outgoing and all(e.grad is not None for e in outgoing):
            node.grad = sum(node.grad_parts)

    highlight = None
    if highlight_next and forward_count < len(gates):
        highlight = node_of[id(gates[forward_count])]
    elif highlight_next and backward_count < len(gates):
        highlight = node_of[id(gates[len(gates) - 1 - backward_count])]
    _place(nodes, edges)
    into: dict[int, list[Edge]] = {}
    for edge in edges:
        into.setdefault(edge.target, []).append(edge)
    for group in into.values():
        for rank, edge in enumerate(sorted(group, key=lambda e: (nodes[e.source].y + e.bend, e.slot))):
            edge.entry = rank
    width = max(n.x for n in nodes) + MARGIN + 40
    height = max(n.y for n in nodes) + MARGIN + 40
    diagram = Diagram(name, formula, nodes, edges, width, height, out.value, highlight, caption)
    _place_labels(diagram)
    return diagram


Box = tuple[float, float, float, float]


def _text_box(x: float, y: float, text: str) -> Box:
    half = (len(text) * LABEL_CHAR + LABEL_PAD) / 2
    return x - half, y - LABEL_HEIGHT / 2, x + half, y + LABEL_HEIGHT / 2


def _node_box(node: Node) -> Box:
    if node.kind == "gate":
        return node.x - NODE_RADIUS, node.y - NODE_RADIUS, node.x + NODE_RADIUS, node.y + NODE_RADIUS
    return node.x - NODE_RADIUS - 8, node.y - NODE_RADIUS + 4, node.x + NODE_RADIUS + 8, node.y + NODE_RADIUS - 4


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _node_labels(node: Node) -> list[tuple[Box, str]]:
    if node.kind not in ("input", "output", "constant"):
        return []
    value, grad = node_text(node)
    boxes = [(_text_box(node.x, node.y - NODE_RADIUS - 10, value), value)]
    if node.kind != "constant":
        boxes.append((_text_box(node.x, node.y + NODE_RADIUS + 10, grad), grad))
    return boxes


def _edge_labels(diagram: Diagram, edge: Edge) -> list[tuple[Box, str]]:
    _, (mx, my) = edge_path(diagram, edge)
    value, grad = format_number(edge.value), format_number(edge.grad)
    return [(_text_box(mx, my - LABEL_ABOVE, value), value), (_text_box(mx, my + LABEL_BELOW, grad), grad)]


def label_boxes(diagram: Diagram) -> list[tuple[Box, str]]:
    """Every value and gradient label as (box (x0, y0, x1, y1) at zoom 1, text): what must never overlap."""
    boxes = [b for node in diagram.nodes for b in _node_labels(node)]
    return boxes + [b for edge in diagram.edges for b in _edge_labels(diagram, edge)]


def _place_labels(diagram: Diagram, rounds: int = 3) -> None:
    """Slide each wire's labels along it to the first spot that overlaps no node and no other label.

    Greedy, wires in order, then a few more rounds in which each wire moves
    again given where all the others sit; where no spot is free, the one with
    the fewest overlaps.
    """
    fixed = [_node_box(node) for node in diagram.nodes]
    fixed += [box for node in diagram.nodes for box, _ in _node_labels(node)]
    placed: dict[int, list[Box]] = {}
    for _ in range(rounds):
        moved = False
        for i, edge in enumerate(diagram.edges):
            others = fixed + [box for j, boxes in placed.items() if j != i for box in boxes]
            best, best_hits, start = None, None, edge.label_at
            for spot in _LABEL_SPOTS:
                edge.label_at = spot
                hits = sum(_overlap(box, other) for box, _ in _edge_labels(diagram, edge) for other in others)
                if best_hits is None or hits < best_hits:
                    best, best_hits = spot, hits
                if hits == 0:
                    break
            edge.label_at = best
            moved |= best != start
            placed[i] = [box for box, _ in _edge_labels(diagram, edge)]
        if not moved:
            break


def _place(nodes: list[Node], edges: list[Edge]) -> None:
    """Order each layer by the mean position of its neighbours (a few sweeps), then space evenly."""
    layers: dict[int, list[Node]] = {}
    for node in nodes:
        layers.setdefault(node.layer, []).append(node)
    preds: dict[int, list[int]] = {n.id: [] for n in nodes}
    succs: dict[int, list[int]] = {n.id: [] for n in nodes}
    for edge in edges:
        preds[edge.target].append(edge.source)
        succs[edge.source].append(edge.target)
    rank = {n.id: i for layer in layers.values() for i, n in enumerate(layer)}

    def sweep(order: list[int], neighbours: dict[int, list[int]]) -> None:
        for layer_index in order:
            layer = layers[layer_index]
            keyed = []
            for position, node in enumerate(layer):
                linked = [rank[m] for m in neighbours[node.id]]
                keyed.append((sum(linked) / len(linked) if linked else position, position, node))
            layer[:] = [node for *_, node in sorted(keyed, key=lambda k: (k[0], k[1]))]
            for i, node in enumerate(layer):
                rank[node.id] = i

    forward = sorted(layers)
    for _ in range(3):
        sweep(forward[1:], preds)
        sweep(list(reversed(forward))[1:], succs)
    sweep(forward[1:], preds)
    tallest = max(len(layer) for layer in layers.values())
    for layer_index, layer in layers.items():
        offset = (tallest - len(layer)) * ROW_GAP / 2
        for i, node in enumerate(layer):
            node.x = LEFT + layer_index * LAYER_GAP
            node.y = MARGIN + 20 + offset + i * ROW_GAP


# --- SVG -------------------------------------------------------------------------------------
def edge_path(diagram: Diagram, edge: Edge) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    """(points of the wire, where its labels go): from the source's right side into the target's slot.

    Labels sit at ``edge.label_at`` of the wire's length (by default 45% along a
    straight wire, so wires that meet at one gate keep their labels apart, and
    at the bend of a bent one); the layout slides them where they collide.
    """
    source, target = diagram.node(edge.source), diagram.node(edge.target)
    spread = 0.0 if edge.slots == 1 else (edge.entry - (edge.slots - 1) / 2) * 18.0
    x0, y0, x1, y1 = source.x + NODE_RADIUS, source.y, target.x - NODE_RADIUS, target.y + spread
    points = [(x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2 + edge.bend), (x1, y1)] if edge.bend else [(x0, y0), (x1, y1)]
    at = edge.label_at if edge.label_at is not None else (0.5 if edge.bend else 0.45)
    return points, _along(points, at)


def _along(points: list[tuple[float, float]], fraction: float) -> tuple[float, float]:
    """The point ``fraction`` of the way along a polyline, by length."""
    lengths = [math.dist(a, b) for a, b in zip(points, points[1:], strict=False)]
    left = fraction * sum(lengths)
    for (a, b), length in zip(zip(points, points[1:], strict=False), lengths, strict=True):
        if left <= length or length == 0:
            t = 0.0 if length == 0 else left / length
            return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
        left -= length
    return points[-1]


def node_text(node: Node) -> tuple[str, str]:
    """(value line, gradient line) shown beside a node; a gradient summed over up to 3 wires shows its parts."""
    value = format_number(node.value)
    if node.grad is None:
        grad = "?"
    elif len(node.grad_parts) > 3:  # past three wires the sum would run into its neighbours: say how many
        grad = f"sum of {len(node.grad_parts)} wires = {format_number(node.grad)}"
    elif len(node.grad_parts) > 1:
        grad = " + ".join(format_number(p) for p in node.grad_parts) + f" = {format_number(node.grad)}"
    else:
        grad = format_number(node.grad)
    return value, grad


def to_svg(diagram: Diagram) -> str:
    """The diagram as a standalone SVG document (values green, gradients red)."""
    w, h = diagram.width, diagram.height + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f'<rect width="{w:.0f}" height="{h:.0f}" fill="white"/>',
        f'<text x="12" y="22" font-size="15" font-weight="bold">{html.escape(diagram.name)}: '
        f"{html.escape(diagram.formula)}</text>",
        f'<text x="12" y="{h - 10:.0f}" fill="#444">value <tspan fill="{VALUE_COLOUR}">■ green</tspan>, '
        f'gradient <tspan fill="{GRAD_COLOUR}">■ red</tspan>. {html.escape(diagram.caption)}</text>',
    ]
    for edge in diagram.edges:
        points, (mx, my) = edge_path(diagram, edge)
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="#555" stroke-width="1.5"/>')
        out.append(f'<text x="{mx:.1f}" y="{my - 5:.1f}" text-anchor="middle" fill="{VALUE_COLOUR}">'
                   f"{format_number(edge.value)}</text>")  # fmt: skip
        out.append(f'<text x="{mx:.1f}" y="{my + 14:.1f}" text-anchor="middle" fill="{GRAD_COLOUR}">'
                   f"{format_number(edge.grad)}</text>")  # fmt: skip
    for node in diagram.nodes:
        stroke = HIGHLIGHT_COLOUR if node.id == diagram.highlight else "#333"
        width = 4 if node.id == diagram.highlight else 1.5
        fill = {"input": "#e3f2fd", "constant": "#eeeeee", "gate": "#fff8e1", "output": "#f3e5f5"}[node.kind]
        if node.fixed:
            fill = "#d7ccc8"
        if node.kind == "gate":
            out.append(f'<circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{NODE_RADIUS}" fill="{fill}" '
                       f'stroke="{stroke}" stroke-width="{width}"/>')  # fmt: skip
        else:
            out.append(f'<rect x="{node.x - NODE_RADIUS - 8:.1f}" y="{node.y - NODE_RADIUS + 4:.1f}" '
                       f'width="{2 * NODE_RADIUS + 16}" height="{2 * NODE_RADIUS - 8}" rx="6" fill="{fill}" '
                       f'stroke="{stroke}" stroke-width="{width}"/>')  # fmt: skip
        out.append(f'<text x="{node.x:.1f}" y="{node.y + 5:.1f}" text-anchor="middle" font-weight="bold">'
                   f"{html.escape(node.label)}</text>")  # fmt: skip
        if node.kind in ("input", "output", "constant"):
            value, grad = node_text(node)
            out.append(f'<text x="{node.x:.1f}" y="{node.y - NODE_RADIUS - 6:.1f}" text-anchor="middle" '
                       f'fill="{VALUE_COLOUR}">{html.escape(value)}</text>')  # fmt: skip
            if node.kind != "constant":
                out.append(f'<text x="{node.x:.1f}" y="{node.y + NODE_RADIUS + 14:.1f}" text-anchor="middle" '
                           f'fill="{GRAD_COLOUR}">{html.escape(grad)}</text>')  # fmt: skip
    out.append("</svg>")
    return "\n".join(out)


# --- files ------------------------------------------------------------------------------------
def write_diagram(diagram: Diagram, path: str | Path, scale: float = 1.5) -> None:
    """Write ``diagram`` to ``path``, atomically: ``.svg`` needs nothing, ``.png`` the app's painter.

    PNG painting is a plugin (the ``torchcircuits.renderers`` entry point ``png``,
    installed with the ``gui`` extra), so the library itself never imports Qt.
    ``scale`` is PNG pixels per diagram unit, 0.1 to 8. Bad input and a file
    that cannot be written raise InputError (an earlier file is then unchanged).
    """
    from importlib.metadata import entry_points

    from .files import atomic_write_text

    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InputError(f"the drawing's file must end in .png or .svg, got {str(path)!r}")
    if not 0.1 <= scale <= 8:
        raise SettingError("scale", f"must be between 0.1 and 8, got {scale:g}")
    try:
        if suffix == ".svg":
            atomic_write_text(path, to_svg(diagram))
            return
        found = [e for e in entry_points(group="torchcircuits.renderers") if e.name == "png"]
        try:
            render = found[0].load() if found else None
        except ImportError:
            render = None
        if render is None:
            raise InputError("writing PNG needs the app's extra (pip install 'torchcircuits[gui]'); .svg needs nothing")
        render(diagram, str(path), scale)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None


def draw(out: Unit, path: str | Path, scale: float = 1.5) -> Diagram:
    """Draw any expression ending in ``out`` to ``path`` (``.svg`` or ``.png``); returns the diagram.

    The same drawing as ``torchcircuits draw`` (see :func:`diagram_of` for what it
    shows and the size limit, :func:`write_diagram` for the files).
    """
    diagram = diagram_of(out)
    write_diagram(diagram, path, scale)
    return diagram
