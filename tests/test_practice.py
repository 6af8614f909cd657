"""Practice mode's logic, without Qt: answerable wires, grading, hints, reveal, counters, sessions."""

import json
import random

import pytest

import torchcircuits
from torchcircuits.circuits import CIRCUITS, get_circuit
from torchcircuits.errors import InputError
from torchcircuits.practice import Practice, is_right, parse_answer, practice_inputs


def neuron():
    return Practice(get_circuit("neuron"), {})


def test_only_the_output_wire_is_answerable_at_first():
    practice = neuron()
    assert practice.total == 10 and practice.done == 0
    assert [practice.wires[n].label for n in practice.answerable_wires()] == ["σ(a * x + b * y + c)"]


def test_a_right_answer_is_accepted_and_opens_the_wires_below():
    practice = neuron()
    top = practice.wire_named("σ(a * x + b * y + c)")
    outcome = practice.submit(top, "1")
    assert outcome.right and practice.known == {top: "answered"} and practice.mistakes == 0
    s = practice.wire_named("a * x + b * y + c")
    assert practice.answerable_wires() == [s]
    # the guide's number: sigmoid'(2) = 0.8808 * (1 - 0.8808) = 0.104993..., typed as arithmetic
    out = practice.wires[top].value
    assert practice.submit(s, f"{out!r} * (1 - {out!r})").right
    assert set(practice.answerable_wires()) == {practice.wire_named("c"), practice.wire_named("a * x + b * y")}


def test_a_wrong_answer_is_rejected_with_a_hint_then_the_numbers():
    practice = neuron()
    practice.submit(practice.wire_named("σ(a * x + b * y + c)"), 1)
    s = practice.wire_named("a * x + b * y + c")
    first = practice.submit(s, 0.25)  # sigmoid'(0), not sigmoid'(2)
    assert not first.right and practice.mistakes == 1 and s not in practice.known
    assert "local derivative of the σ gate" in first.message and "times the gradient from above" in first.message
    assert "0.104994" not in first.message  # no numbers on the first wrong try
    second = practice.submit(s, 0.1)
    assert not second.right and practice.mistakes == 2
    assert "local derivative 0.104994, gradient from above 1" in second.message


def test_one_part_in_a_million_is_the_line():
    truth = 0.10499358540350662
    assert is_right(truth * (1 + 0.9e-6), truth) and not is_right(truth * (1 + 1.1e-6), truth)
    assert is_right(0.0, 0.0) and not is_right(1e-9, 0.0)


def test_an_answer_whose_upstream_wire_is_unknown_is_refused():
    practice = neuron()
    refusal = r"gradient from above is not known yet for a: first find the gradient on a \* x"
    with pytest.raises(InputError, match=refusal):
        practice.submit(practice.wire_named("a"), -0.105)
    assert practice.mistakes == 0 and practice.done == 0


def test_reveal_fills_exactly_one_wire():
    practice = neuron()
    node = practice.reveal()
    assert practice.known == {node: "revealed"} and practice.done == 1
    assert practice.shown().node(node).grad == 1.0
    hidden = [n for n in practice.shown().nodes if n.id in practice.wires and n.id != node]
    assert all(n.grad is None for n in hidden)


def test_a_whole_exercise_by_the_chain_rule_on_every_registered_circuit():
    for circuit in CIRCUITS.values():
        practice = Practice(circuit, {})
        while not practice.finished:
            node = practice.answerable_wires()[0]
            wire = practice.wires[node]
            answer = sum(local * practice.grad_above(gate) for gate, _, local in wire.feeds)
            assert practice.submit(node, answer).right, (circuit.name, wire.label)
        assert practice.mistakes == 0
        shown = practice.shown()
        assert [n.grad for n in shown.nodes] == [n.grad for n in practice.diagram.nodes]


def test_answers_must_be_numbers_or_arithmetic():
    assert parse_answer(" -0.5 * (2 + 1) / 3 ") == -0.5
    for text in ("__import__('os')", "x", "1/0", "", "1e999"):
        with pytest.raises(InputError):
            parse_answer(text)


def test_fresh_inputs_are_short_decimals():
    circuit = get_circuit("neuron")
    values = practice_inputs(circuit, random.Random(3))
    assert values != dict(circuit.seed) and all(round(v, 1) == v for v in values.values())


def test_progress_survives_a_session_round_trip():
    practice = neuron()
    practice.reveal()
    s = practice.wire_named("a * x + b * y + c")
    practice.submit(s, 3.0)
    data = json.loads(json.dumps(practice.to_json()))
    back = Practice.from_json(data, CIRCUITS)
    assert back.known == practice.known and back.tries == {s: 1} and back.mistakes == 1
    with pytest.raises(InputError, match="saved practice"):
        Practice.from_json({"circuit": "nope"}, CIRCUITS)


def test_a_users_circuit_with_a_unit_face_can_be_practised():
    @torchcircuits.circuit(build=lambda x, y, z: (x + y) * z)
    def mine(x=-2.0, y=5.0, z=-4.0):
        return (x + y) * z, (z, z, x + y)

    practice = Practice(mine, {})
    assert [w.label for w in practice.wires.values()] == ["x", "y", "z", "x + y", "(x + y) * z"]
    assert practice.submit(practice.wire_named("(x + y) * z"), 1).right
    assert practice.submit(practice.wire_named("x + y"), -4).right
    assert practice.submit(practice.wire_named("x"), -4).right


def test_a_torch_twin_of_operators_only_is_drawn_and_practised_too():
    import torch

    drawn = torchcircuits.circuit(lambda a=3.0: (a * a, (2 * a,)), torch=lambda a: a * a, name="sq")
    assert Practice(drawn, {}).total == 2
    opaque = torchcircuits.circuit(lambda a=1.0: (a, (1.0,)), torch=lambda a: torch.sigmoid(a) * 0 + a, name="id")
    assert opaque.build is None


def test_a_wire_used_twice_gets_the_sum_hint():
    practice = Practice(get_circuit("square"), {})
    practice.submit(practice.wire_named("a * a"), 1)
    a = practice.wire_named("a")
    practice.submit(a, 3)
    assert "It feeds 2 gate inputs (the * gate, the * gate): add up" in practice.submit(a, 3).message
    assert "local derivative 3, gradient from above 1; local derivative 3, gradient from above 1" in practice.hint(a)
