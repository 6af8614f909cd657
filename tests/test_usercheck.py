"""A user's own circuits and layers: correct ones pass, each classic bug is caught and diagnosed.

Every layer here is checked at float64 with the checker's own tolerances
(hand vs torch 1e-10 abs, vs centered differences 1e-6 rel); the bugs change a
gradient by O(1), so they fail by orders of magnitude, not by a hair.
"""

import pytest
import torch

import torchcircuits
from torchcircuits.check import check_circuit
from torchcircuits.diagnosis import summarize, verdicts
from torchcircuits.testing import assert_gradients
from torchcircuits.usercheck import tensor_entry_names

N, D, H = 5, 3, 2


def linear_forward(x, w, b):
    return x @ w + b, (x, w)


def linear_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(dim=0)


def linear(backward=linear_backward, twin=True):
    return torchcircuits.layer(
        linear_forward,
        backward,
        shapes={"x": (N, D), "w": (D, H), "b": (H,)},
        torch=(lambda x, w, b: x @ w + b) if twin else None,
        name="linear",
    )


def square_forward(x):
    return x * x, x


def square(backward):
    return torchcircuits.layer(square_forward, backward, shapes={"x": (N, D)}, torch=lambda x: x * x, name="square")


def wrong_only(layer, trials=2):
    with pytest.raises(AssertionError) as failure:
        assert_gradients(layer, trials=trials)
    return str(failure.value)


def test_a_correct_layer_passes_with_and_without_a_torch_twin():
    runs = assert_gradients(linear(), trials=2)
    assert len(runs) == 2 and all(r.ok for r in runs)
    assert [v.verdict for v in summarize(runs)] == ["exact", "exact", "exact"]  # the same matmuls as autograd
    no_twin = assert_gradients(linear(twin=False), trials=1)
    assert [v.reference for v in summarize(no_twin)] == ["numeric"] * 3
    assert no_twin[0].grad_torch == {} and no_twin[0].max_abs_diff_hand_torch is None


def test_a_correct_circuit_passes_and_is_exact():
    @torchcircuits.circuit(torch=lambda x, y, z: (x + y) * z)
    def add_multiply(x=-2.0, y=5.0, z=-4.0):
        q = x + y
        return q * z, (z, z, q)

    runs = assert_gradients(add_multiply, trials=3)
    assert [r.run for r in runs] == ["seed", "trial 1", "trial 2", "trial 3"]
    assert runs[0].output == -12.0 and runs[0].grad_hand == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert {v.verdict for v in summarize(runs)} == {"exact"}


def test_wrong_sign_names_the_input_and_worst_index():
    def backward(dout, cache):
        x, w = cache
        return dout @ w.T, -(x.T @ dout), dout.sum(dim=0)

    message = wrong_only(linear(backward))
    assert "dw is wrong at w[" in message and "dx" not in message and "db" not in message
    layer = linear(backward)
    run = check_circuit(*_first_trial(layer))
    (bad,) = [v for v in verdicts(run) if v.verdict == "wrong"]
    diffs = {e: abs(run.grad_hand[e] - run.grad_torch[e]) for e in tensor_entry_names("w", (D, H))}
    assert bad.worst == max(diffs, key=diffs.get) and bad.index == bad.worst[1:]
    assert bad.analytic == pytest.approx(-bad.torch) and bad.torch == pytest.approx(bad.numeric, rel=1e-6)


def test_missing_factor_two():
    message = wrong_only(square(lambda dout, x: x * dout))
    assert "square trial 1: dx is wrong at x[" in message and "torch" in message and "numeric" in message


def test_missing_sum_over_the_batch():
    def backward(dout, cache):
        x, w = cache
        return dout @ w.T, x.T @ dout, dout[0]  # only the first example's gradient reaches b

    message = wrong_only(linear(backward))
    assert "db is wrong at b[" in message and "dw" not in message


def test_ignoring_the_upstream_gradient():
    message = wrong_only(square(lambda dout, x: 2 * x))
    assert "dx is wrong at x[" in message


def relu_layer(backward):
    def sample(generator, name, shape):
        x = torch.randn(shape, generator=generator, dtype=torch.float64)
        x[0, :] = 0.0  # the first row sits exactly on the kink
        return x

    return torchcircuits.layer(
        lambda x: (x.clamp(min=0), x), backward, shapes={"x": (N, D)}, torch=torch.relu, sample=sample, name="relu"
    )


def test_at_a_kink_any_subgradient_passes_and_a_wrong_one_fails():
    # torch picks 0 at x = 0; 1 (or anything between) is a subgradient too and must pass
    assert_gradients(relu_layer(lambda dout, x: dout * (x >= 0)), trials=2)
    run = check_circuit(*_first_trial(relu_layer(lambda dout, x: dout * (x >= 0))))
    assert run.ok and run.at_kink and run.grad_hand != run.grad_torch
    wrong = relu_layer(lambda dout, x: torch.where(x == 0, 2 * dout, dout * (x > 0)))
    message = wrong_only(wrong)
    assert "dx is wrong at x[0, " in message and "a kink: it must lie between the one-sided differences" in message


def test_a_scalar_kink_uses_the_subgradient_interval():
    ok = torchcircuits.circuit(lambda a=0.0: (max(a, 0.0), (1.0 if a >= 0 else 0.0,)), torch=torch.relu, name="r")
    run = check_circuit(ok, {"a": 0.0})
    assert run.ok and run.at_kink and run.grad_numeric_left == {"a": 0.0} and run.grad_numeric_right == {"a": 1.0}
    bad = torchcircuits.circuit(lambda a=0.0: (max(a, 0.0), (-1.0 if a == 0 else float(a > 0),)), name="r")
    run = check_circuit(bad, {"a": 0.0})
    (verdict,) = verdicts(run)
    assert not run.ok and verdict.verdict == "wrong" and verdict.at_kink
    assert verdict.describe() == (
        "r seed: da is wrong at a=0: analytic -1, numeric 0.5 "
        "(a kink: it must lie between the one-sided differences 0 and 1)"
    )


def test_registered_circuits_keep_passing_at_kinks():
    from torchcircuits.circuits import get_circuit

    assert check_circuit(get_circuit("max"), {"a": 1.0, "b": 1.0}).ok
    net = get_circuit("two_layer_net")
    assert check_circuit(net, {**net.seed, "x": 0.0, "y": 0.0, "c1": 0.0}).ok


def _first_trial(layer):
    from torchcircuits.usercheck import layer_point

    inputs, dout = layer_point(layer, 0, 0)
    circuit = layer.at(inputs, dout)
    return circuit, circuit.seed


def test_the_example_test_suite_passes(monkeypatch):
    """examples/test_my_gradients.py is what a user writes; each of its tests must pass as it stands."""
    import importlib
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    monkeypatch.syspath_prepend(str(examples))
    suite = importlib.import_module("test_my_gradients")
    tests = [getattr(suite, name) for name in dir(suite) if name.startswith("test_")]
    assert len(tests) == 4
    for test in tests:
        test()
