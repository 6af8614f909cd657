"""The layer pairs and the activation registry: every face of every activation agrees with torch."""

import pytest
import torch

from torchcircuits.activations import ACTIVATIONS, get_activation
from torchcircuits.errors import InputError
from torchcircuits.layers import affine_backward, affine_forward, relu_backward, relu_forward
from torchcircuits.units import Unit

# float64 throughout; each local derivative is one elementwise expression, so hand and
# autograd agree to a few ulps: 1e-12 leaves room and still catches a wrong factor
TOL = 1e-12


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_hand_backward_equals_autograd(name):
    act = get_activation(name)
    x = torch.randn(7, 5, dtype=torch.float64, requires_grad=True)
    dout = torch.randn(7, 5, dtype=torch.float64)
    out, cache = act.forward(x.detach())
    act.torch(x).backward(dout)
    assert torch.allclose(out, act.torch(x).detach(), atol=TOL)
    assert torch.allclose(act.backward(dout, cache), x.grad, atol=TOL)
    in_place = act.in_place(x.detach().clone())
    assert torch.allclose(in_place, out, atol=TOL)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("value", [-2.5, -0.3, 0.7, 3.0])
def test_each_activation_unit_face_equals_torch(name, value):
    act = get_activation(name)
    u = Unit(value)
    out = act.unit(u)
    out.backward()
    x = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    y = act.torch(x)
    y.backward()
    assert out.value == pytest.approx(y.item(), abs=TOL)
    assert u.grad == pytest.approx(x.grad.item(), abs=TOL)


def test_kinks_follow_torch():
    # relu passes nothing at exactly 0 (the guide's strict >); leaky relu passes its slope there, as torch
    zero = torch.zeros(3, dtype=torch.float64)
    ones = torch.ones(3, dtype=torch.float64)
    assert get_activation("relu").backward(ones, zero).tolist() == [0.0, 0.0, 0.0]
    assert get_activation("leaky_relu").backward(ones, zero).tolist() == [0.01, 0.01, 0.01]
    u = Unit(0.0)
    u.leaky_relu().backward()
    assert u.grad == 0.01


def test_fused_relu_backward_equals_the_plain_mask():
    x = torch.randn(50, 8, dtype=torch.float64)
    x[0, :3] = 0.0
    dout = torch.randn(50, 8, dtype=torch.float64)
    _, cache = relu_forward(x)
    assert torch.equal(relu_backward(dout, cache), dout * (cache > 0))


def test_affine_backward_equals_autograd():
    X = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    W = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, dtype=torch.float64, requires_grad=True)
    dout = torch.randn(6, 4, dtype=torch.float64)
    out, cache = affine_forward(X.detach(), W.detach(), b.detach())
    (X @ W + b).backward(dout)
    dX, dW, db = affine_backward(dout, cache)
    for hand, auto in ((dX, X.grad), (dW, W.grad), (db, b.grad)):
        assert torch.allclose(hand, auto, atol=TOL)
    assert affine_backward(dout, cache, need_dx=False)[0] is None


def test_unknown_activation_names_the_choices():
    with pytest.raises(InputError, match="unknown activation 'gelu': choose one of relu, leaky_relu, tanh"):
        get_activation("gelu")
