"""Circuit diagrams: layout, per-wire values and gradients, step-through, SVG."""

import xml.etree.ElementTree as ET

import pytest

from torchcircuits.circuits import CIRCUITS, get_circuit
from torchcircuits.diagram import build_diagram, format_number, gate_order, to_svg


@pytest.mark.parametrize("name", list(CIRCUITS))
def test_every_circuit_lays_out_left_to_right(name):
    circuit = get_circuit(name)
    diagram = build_diagram(circuit)
    inputs = [n for n in diagram.nodes if n.kind == "input"]
    output = [n for n in diagram.nodes if n.kind == "output"]
    assert {n.label for n in inputs} == set(circuit.inputs) and len(output) == 1
    assert all(n.x < output[0].x for n in diagram.nodes if n.kind != "output")
    for edge in diagram.edges:  # every wire runs left to right
        assert diagram.node(edge.source).x < diagram.node(edge.target).x
    positions = {(round(n.x), round(n.y)) for n in diagram.nodes}
    assert len(positions) == len(diagram.nodes)  # no two nodes on top of each other
    out, grads = circuit.grad_hand(circuit.seed)
    assert diagram.output == pytest.approx(out)
    for node in inputs:  # the node gradient is the sum over its wires, and equals the hand gradient
        assert node.grad == pytest.approx(grads[node.label], abs=1e-12)
    ET.fromstring(to_svg(diagram))  # well-formed SVG


def test_add_multiply_wires_carry_the_guides_numbers():
    diagram = build_diagram(get_circuit("add_multiply"))
    by_label = {n.label: n for n in diagram.nodes}
    assert (by_label["x"].grad, by_label["y"].grad, by_label["z"].grad) == (-4.0, -4.0, 3.0)
    plus = next(n for n in diagram.nodes if n.label == "+")
    into_times = next(e for e in diagram.edges if e.source == plus.id)
    assert (into_times.value, into_times.grad) == (3.0, -4.0)


def test_a_wire_into_both_slots_is_two_edges_whose_gradients_add():
    diagram = build_diagram(get_circuit("square"), {"a": 3.0})
    a = next(n for n in diagram.nodes if n.label == "a")
    edges = [e for e in diagram.edges if e.source == a.id]
    assert len(edges) == 2 and [e.grad for e in edges] == [3.0, 3.0]
    assert a.grad_parts == [3.0, 3.0] and a.grad == 6.0
    assert edges[0].bend == -edges[1].bend != 0  # drawn apart
    assert "3 + 3 = 6" in to_svg(diagram)


def test_step_through_hides_what_is_not_computed_and_highlights_the_next_gate():
    circuit = get_circuit("neuron")
    out, _ = circuit.units(circuit.seed)
    n = len(gate_order(out))
    start = build_diagram(circuit, forward_done=0)
    assert all(node.value is None for node in start.gate_nodes())
    assert all(e.grad is None for e in start.edges)
    highlighted = []
    shown = []
    for k in range(n + 1):
        d = build_diagram(circuit, forward_done=n, backward_done=k)
        shown.append(sum(e.grad is not None for e in d.edges))
        if d.highlight is not None:
            highlighted.append(d.node(d.highlight).label)
    forward_labels = [g.symbol for g in gate_order(out)]
    assert highlighted == list(reversed(forward_labels))  # backward visits every gate in reverse order
    # each backward step writes more gradients, from none (the output wire excepted) to all
    assert all(a < b for a, b in zip(shown, shown[1:], strict=False))
    assert shown[0] <= 1 and shown[-1] == len(d.edges)


def test_pull_at_the_top_scales_every_gradient():
    circuit = get_circuit("svm_score")
    d = build_diagram(circuit, seed_grad=-1.0)
    a = next(n for n in d.nodes if n.label == "a")
    assert a.grad == -circuit.seed["x"]


def test_format_number():
    assert format_number(None) == "?" and format_number(0.0) == "0"
    assert format_number(0.88079707) == "0.8808" and format_number(1.5e-7) == "1.5e-7"


@pytest.mark.parametrize("name", list(CIRCUITS))
def test_no_two_labels_collide_at_zoom_1(name):
    from torchcircuits.diagram import label_boxes

    diagram = build_diagram(get_circuit(name))
    boxes = label_boxes(diagram)
    assert len(boxes) >= 2 * len(diagram.edges)  # every wire's value and gradient is there
    for i, (a, text_a) in enumerate(boxes):
        for b, text_b in boxes[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, f"{text_a!r} at {a} overlaps {text_b!r} at {b}"
