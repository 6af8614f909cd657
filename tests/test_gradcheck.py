"""Numerical gradients, relative error and the autograd Functions."""

import math

import pytest
import torch

from torchcircuits.functions import AddFunction, MultiplyFunction, SigmoidFunction
from torchcircuits.gradcheck import (
    max_rel_error,
    numerical_gradient,
    numerical_gradient_tensors,
    numerical_gradient_units,
    rel_error,
)
from torchcircuits.units import Unit


def f(v):
    return v["x"] ** 3 + v["x"] * v["y"]


def test_forward_and_centered_differences():
    point = {"x": 2.0, "y": -1.0}
    exact = {"x": 3 * 4.0 - 1.0, "y": 2.0}
    forward = numerical_gradient(f, point, h=1e-5, method="forward")
    centered = numerical_gradient(f, point, h=1e-5, method="centered")
    # forward difference error is O(h) (here 3·x·h = 6e-5); centered is O(h²)
    assert abs(forward["x"] - exact["x"]) == pytest.approx(6e-5, rel=1e-3)
    assert abs(centered["x"] - exact["x"]) < 1e-8
    assert max_rel_error(exact, centered) < 1e-9
    assert point == {"x": 2.0, "y": -1.0}
    with pytest.raises(ValueError, match="unknown difference"):
        numerical_gradient(f, point, method="backward")


def test_rel_error():
    assert rel_error(0.0, 0.0) == 0.0
    assert rel_error(1.0, -1.0) == 1.0
    assert rel_error(1.0, 1.0 + 2e-9) == pytest.approx(1e-9, rel=1e-6)
    assert rel_error(math.inf, math.inf) == 0.0
    assert rel_error(math.inf, 1.0) == math.inf


def test_unit_numerical_gradient_restores_values_even_on_error():
    x, y = Unit(-2.0), Unit(3.0)
    grads = numerical_gradient_units(lambda: x.value * y.value, [x, y], h=1e-4, method="forward")
    assert grads == pytest.approx([3.0, -2.0], abs=1e-9)
    assert (x.value, y.value) == (-2.0, 3.0)

    def explode():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient_units(explode, [x])
    assert x.value == -2.0


def test_tensor_numerical_gradient_matches_autograd_and_restores():
    w = torch.randn(3, 2, dtype=torch.float64)
    x = torch.randn(2, dtype=torch.float64)
    before = w.clone()
    numeric = numerical_gradient_tensors(lambda: torch.tanh(w @ x).sum(), {"w": w})
    w.requires_grad_(True)
    torch.tanh(w @ x).sum().backward()
    assert torch.equal(w.detach(), before)
    assert torch.allclose(numeric["w"], w.grad, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    "fn, shapes",
    [(MultiplyFunction, [(3, 4), (3, 4)]), (MultiplyFunction, [(3, 4), (4,)]), (AddFunction, [(2, 3), (1, 3)]),
     (AddFunction, [(5,), ()]), (SigmoidFunction, [(4, 5)])],
)  # fmt: skip
def test_functions_pass_torch_gradcheck(fn, shapes):
    inputs = tuple(torch.randn(s, dtype=torch.float64, requires_grad=True) for s in shapes)
    assert torch.autograd.gradcheck(fn.apply, inputs, eps=1e-6, atol=1e-8)


def test_functions_match_torch_ops():
    x = torch.randn(6, dtype=torch.float64, requires_grad=True)
    y = torch.randn(6, dtype=torch.float64, requires_grad=True)
    SigmoidFunction.apply(AddFunction.apply(MultiplyFunction.apply(x, y), y)).sum().backward()
    ours = (x.grad.clone(), y.grad.clone())
    x.grad = y.grad = None
    torch.sigmoid(x * y + y).sum().backward()
    assert torch.allclose(ours[0], x.grad, atol=1e-15) and torch.allclose(ours[1], y.grad, atol=1e-15)
    sig = SigmoidFunction.apply(torch.tensor([-1000.0, 1000.0], dtype=torch.float64))
    assert sig.tolist() == [0.0, 1.0]
