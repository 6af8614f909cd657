"""The guide's numbers, reproduced: acceptance data for Chapter 1 and the SVM cost."""

import random

import pytest

from torchcircuits.circuits import get_circuit, guide_svm_cost
from torchcircuits.circuits.chapter2 import SVM_COST_EXAMPLE
from torchcircuits.gradcheck import numerical_gradient
from torchcircuits.strategies import analytic_gradient_ascent, numerical_gradient_ascent, random_local_search


def test_multiply_gate():
    circuit = get_circuit("multiply")
    assert circuit.forward(circuit.seed) == -6.0
    assert circuit.forward({"x": -1.99, "y": 2.99}) == pytest.approx(-5.95, abs=1e-3)
    assert circuit.forward({"x": -2.0 + 1e-4, "y": 3.0}) == pytest.approx(-5.9997, abs=1e-12)
    grads = numerical_gradient(circuit.forward, circuit.seed, h=1e-4, method="forward")
    assert grads["x"] == pytest.approx(3.0, abs=1e-9)
    assert grads["y"] == pytest.approx(-2.0, abs=1e-9)
    result = analytic_gradient_ascent(circuit, circuit.seed, step_size=0.01)
    assert result.end_output == pytest.approx(-5.87, abs=1e-3)


def test_add_multiply():
    circuit = get_circuit("add_multiply")
    out, grads = circuit.grad_hand(circuit.seed)
    assert out == -12.0
    assert [grads[k] for k in "xyz"] == [-4.0, -4.0, 3.0]
    step = analytic_gradient_ascent(circuit, circuit.seed, step_size=0.01)
    q = step.end["x"] + step.end["y"]
    assert q == pytest.approx(2.92, abs=1e-12)
    assert step.end_output == pytest.approx(-11.59, abs=1e-2)
    assert step.end_output == pytest.approx(2.92 * -3.97, rel=1e-12)


def test_neuron():
    circuit = get_circuit("neuron")
    out, grads = circuit.grad_hand(circuit.seed)
    assert out == pytest.approx(0.8808, abs=5e-5)
    expected = {"a": -0.105, "b": 0.315, "c": 0.105, "x": 0.105, "y": 0.210}
    for name, value in expected.items():
        assert grads[name] == pytest.approx(value, abs=5e-4)
    step = analytic_gradient_ascent(circuit, circuit.seed, step_size=0.01)
    # the guide prints 0.8825, cut (not rounded) to 4 decimals: 0.88255 here
    assert 0.8825 <= step.end_output < 0.8826


def test_svm_cost_example():
    cost = guide_svm_cost(
        SVM_COST_EXAMPLE["X"], SVM_COST_EXAMPLE["y"], SVM_COST_EXAMPLE["w"], SVM_COST_EXAMPLE["alpha"]
    )
    assert cost.per_example == pytest.approx((0.44, 1.37, 0.0), abs=1e-12)
    assert cost.regularization == pytest.approx(0.005, abs=1e-15)
    assert cost.total == pytest.approx(1.815, abs=1e-12)
    circuit = get_circuit("svm_loss")
    assert circuit.forward(circuit.seed) == pytest.approx(1.815, abs=1e-12)


def test_three_strategies_report_output_and_cost():
    circuit = get_circuit("multiply")
    start = dict(circuit.seed)
    search = random_local_search(circuit, start, tweak=0.01, iterations=100, rng=random.Random(1))
    numeric = numerical_gradient_ascent(circuit, start, step_size=0.01)
    analytic = analytic_gradient_ascent(circuit, start, step_size=0.01)
    assert start == circuit.seed  # nothing the strategies were given has moved
    assert -6.0 < search.end_output < -5.9
    assert search.evaluations == 101
    assert numeric.evaluations == 4 and analytic.evaluations == 2
    assert numeric.end_output == pytest.approx(-5.8706, abs=1e-9)
    assert analytic.end_output == pytest.approx(-5.8706, abs=1e-15)
    # the gradient climbs further than the best of 100 random nudges
    assert analytic.end_output > search.end_output
