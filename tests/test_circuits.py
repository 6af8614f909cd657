"""Every registered circuit: hand-derived == Unit engine == torch autograd == numerics."""

import random

import pytest
import torch

from torchcircuits.check import HAND_TORCH_TOL, check_circuit, run_checks
from torchcircuits.circuits import CIRCUITS, KINK_GAP, get_circuit
from torchcircuits.errors import InputError

NAMES = list(CIRCUITS)


def test_the_registry_holds_the_guides_circuits():
    assert NAMES == [
        "multiply", "add_multiply", "neuron", "add3", "mul_add", "square", "sum_of_squares",
        "squared_product", "reciprocal", "division", "max", "relu", "svm_score", "svm_loss", "two_layer_net",
        "multiclass_svm", "ova_hinge", "structured_svm", "softmax",
    ]  # fmt: skip
    assert len(get_circuit("two_layer_net").inputs) == 15  # x, y and 13 parameters


@pytest.mark.parametrize("name", NAMES)
def test_hand_equals_torch_and_units_at_seed_and_random_points(name):
    circuit = get_circuit(name)
    rng = random.Random(name)
    for values in [circuit.seed] + [circuit.random_inputs(rng) for _ in range(25)]:
        out, hand = circuit.grad_hand(values)
        torch_out, torch_grads = circuit.grad_torch(values)
        units_out, unit_grads = circuit.grad_units(values)
        assert set(hand) == set(circuit.inputs)
        assert abs(out - torch_out) <= HAND_TORCH_TOL and abs(out - units_out) <= HAND_TORCH_TOL
        for k in circuit.inputs:
            assert abs(hand[k] - torch_grads[k]) <= HAND_TORCH_TOL, k
            assert abs(hand[k] - unit_grads[k]) <= HAND_TORCH_TOL, k


@pytest.mark.parametrize("name", NAMES)
def test_check_agrees_with_numerics(name):
    runs = run_checks([name], trials=10, seed=7)
    assert all(run.ok for run in runs)
    assert max(run.max_rel_error_numeric for run in runs) < 1e-6


def test_a_wrong_hand_gradient_is_caught():
    from dataclasses import replace

    good = get_circuit("mul_add")

    def wrong(values):
        out, grads = good.hand(values)
        return out, {**grads, "c": grads["c"] * 1.001}

    run = check_circuit(replace(good, hand=wrong), good.seed)
    assert not run.ok
    assert run.max_abs_diff_hand_torch == pytest.approx(0.001)


def test_a_small_wrong_gradient_is_caught_too():
    from dataclasses import replace

    good = get_circuit("neuron")

    def wrong(values):
        out, grads = good.hand(values)
        return out, {**grads, "a": 0.0}

    # a saturated neuron: the true gradient of a is ~1e-5, below the relative floor
    values = {"a": 3.0, "b": 2.0, "c": 5.0, "x": 1.0, "y": 1.0}
    assert 0 < abs(good.hand(values)[1]["a"]) < 1e-4
    assert not check_circuit(replace(good, hand=wrong), values).ok


def test_random_inputs_avoid_kinks_and_domains():
    rng = random.Random(0)
    for _ in range(200):
        assert get_circuit("relu").kink_gap(get_circuit("relu").random_inputs(rng)) > KINK_GAP
        assert abs(get_circuit("reciprocal").random_inputs(rng)["a"]) >= 0.5
        v = get_circuit("division").random_inputs(rng)
        assert abs(v["c"] + v["d"]) >= 0.5


def test_a_run_at_a_kink_is_marked_and_does_not_fail():
    run = check_circuit(get_circuit("max"), {"a": 1.0, "b": 1.0})
    assert run.at_kink and run.ok
    assert run.grad_hand == {"a": 1.0, "b": 0.0} == run.grad_torch


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", None, True])
def test_non_finite_or_non_numeric_inputs_are_refused(bad):
    with pytest.raises(InputError, match="input x of multiply must be a finite number"):
        get_circuit("multiply").validate({"x": bad, "y": 1.0})


def test_unknown_names_are_refused_with_the_known_ones():
    with pytest.raises(InputError, match="unknown circuit 'nope': choose one of multiply, add_multiply"):
        get_circuit("nope")
    with pytest.raises(InputError, match="has no input 'q'"):
        get_circuit("multiply").validate({"q": 1.0}, partial=True)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_torch_face_runs_on_cuda():
    for circuit in CIRCUITS.values():
        assert check_circuit(circuit, circuit.seed, device="cuda").ok
