"""The Unit engine: operators, explicit gates, accumulation, depth, edge values."""

import math

import pytest
import torch

from torchcircuits.units import (
    AddGate,
    ExpGate,
    MultiplyGate,
    ReluGate,
    SigmoidGate,
    TanhGate,
    Unit,
    topological_gates,
)


def test_add_multiply_by_operators():
    x, y, z = Unit(-2.0), Unit(5.0), Unit(-4.0)
    out = (x + y) * z
    out.backward()
    assert out.value == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_guide_explicit_gate_style_neuron():
    # the guide's way: make the gates, forward in order, backward in reverse
    a, b, c, x, y = Unit(1.0), Unit(2.0), Unit(-3.0), Unit(-1.0), Unit(3.0)
    mul0, mul1, add0, add1, sg0 = MultiplyGate(), MultiplyGate(), AddGate(), AddGate(), SigmoidGate()
    ax = mul0.forward(a, x)
    by = mul1.forward(b, y)
    axpby = add0.forward(ax, by)
    axpbypc = add1.forward(axpby, c)
    s = sg0.forward(axpbypc)
    s.grad = 1.0
    for gate in (sg0, add1, add0, mul1, mul0):
        gate.backward()
    assert s.value == pytest.approx(0.8808, abs=5e-5)
    assert [round(u.grad, 3) for u in (a, b, c, x, y)] == [-0.105, 0.315, 0.105, 0.105, 0.210]


def test_a_wire_feeding_two_inputs_sums_its_gradients():
    a = Unit(3.0)
    out = a * a
    out.backward()
    assert a.grad == 6.0


def test_numbers_on_either_side():
    a = Unit(2.0)
    for expr, value, grad in [
        (lambda: 2 * a, 4.0, 2.0),
        (lambda: a * 2, 4.0, 2.0),
        (lambda: 1 + a, 3.0, 1.0),
        (lambda: a - 5, -3.0, 1.0),
        (lambda: 5 - a, 3.0, -1.0),
        (lambda: 10.0 / a, 5.0, -2.5),
        (lambda: a / 4, 0.5, 0.25),
        (lambda: -a, -2.0, -1.0),
        (lambda: a**3, 8.0, 12.0),
        (lambda: a**0.5, math.sqrt(2.0), 0.5 / math.sqrt(2.0)),
        (lambda: a.max(3.0), 3.0, 0.0),
        (lambda: a.max(1.0), 2.0, 1.0),
    ]:
        a.grad = 0.0
        out = expr()
        out.backward()
        assert out.value == pytest.approx(value, rel=1e-15)
        assert a.grad == pytest.approx(grad, rel=1e-15)


def test_power_takes_only_a_constant():
    with pytest.raises(TypeError):
        Unit(2.0) ** Unit(2.0)
    with pytest.raises(TypeError):
        Unit(2.0) + "x"


def test_backward_accumulates_until_zero_grad():
    a, b = Unit(2.0), Unit(-3.0)
    out = a * b
    out.backward()
    out.backward()
    assert a.grad == -6.0
    out.zero_grad()
    assert (a.grad, b.grad, out.grad) == (0.0, 0.0, 0.0)
    out.backward()
    assert a.grad == -3.0


def test_tens_of_thousands_of_gates_backpropagate_without_recursion():
    x = Unit(0.5)
    out = x
    for _ in range(50_000):
        out = out + x * 1.0
    out.backward()
    assert out.value == pytest.approx(0.5 * 50_001)
    assert x.grad == pytest.approx(50_001.0)
    assert len(topological_gates(out)) == 100_000


def test_deep_chain_of_unary_gates():
    x = Unit(0.3)
    out = x
    for _ in range(30_000):
        out = out.tanh()
    out.backward()
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    r = t
    for _ in range(30_000):
        r = torch.tanh(r)
    r.backward()
    assert out.value == pytest.approx(r.item(), rel=1e-12)
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-9)


@pytest.mark.parametrize("z", [1000.0, -1000.0, 800.0, -800.0])
def test_sigmoid_and_tanh_saturate_exactly_with_zero_gradient(z):
    for gate, limit in ((SigmoidGate(), 1.0 if z > 0 else 0.0), (TanhGate(), math.copysign(1.0, z))):
        u = Unit(z)
        out = gate.forward(u)
        out.grad = 1.0
        gate.backward()
        assert out.value == limit
        assert u.grad == 0.0


def test_sigmoid_is_exact_where_it_is_not_saturated():
    for z in (-30.0, -1.0, 0.0, 2.5, 30.0):
        expected = torch.sigmoid(torch.tensor(z, dtype=torch.float64)).item()
        assert Unit(z).sigmoid().value == pytest.approx(expected, rel=1e-15)


def test_exp_overflow_is_inf_like_torch():
    u = Unit(710.0)
    out = ExpGate().forward(u)
    out.grad = 1.0
    out.gate.backward()
    assert out.value == math.inf == torch.exp(torch.tensor(710.0, dtype=torch.float64)).item()
    assert u.grad == math.inf
    assert Unit(-800.0).exp().value == 0.0
    assert Unit(709.0).exp().value == pytest.approx(math.exp(709.0))


def test_reciprocal_and_power_edge_values_follow_torch():
    cases = [(0.0, -1.0), (-0.0, -1.0), (0.0, -2.0), (-8.0, 1 / 3), (1e200, 2.0), (-1e200, 3.0), (0.0, 0.5)]
    for base, p in cases:
        ours = (Unit(base) ** p).value
        theirs = torch.tensor(base, dtype=torch.float64).pow(p).item()
        assert (math.isnan(ours) and math.isnan(theirs)) or ours == theirs, (base, p)
    assert (1.0 / Unit(0.0)).value == math.inf
    assert (1.0 / Unit(-0.0)).value == -math.inf


def test_max_tie_goes_to_first_input_and_relu_has_no_gradient_at_zero():
    a, b = Unit(1.0), Unit(1.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    z = Unit(0.0)
    z.relu().backward()
    assert z.grad == 0.0


def test_wires_lists_every_unit_once():
    a = Unit(1.0, label="a")
    out = a * a + a
    labels = [u.label for u in out.wires()]
    assert labels.count("a") == 1
    assert len(labels) == 3


def test_nan_propagates_through_every_gate_like_torch():
    nan = float("nan")
    for method in ("relu", "sigmoid", "tanh", "exp", "log"):
        ours = getattr(Unit(nan), method)().value
        theirs = getattr(torch, method)(torch.tensor(nan, dtype=torch.float64)).item()
        assert math.isnan(ours) and math.isnan(theirs), method
    assert math.isnan((1.0 / Unit(nan)).value) and math.isnan((Unit(nan) ** 2).value)


NAN = float("nan")


@pytest.mark.parametrize("a, b", [(NAN, 1.0), (1.0, NAN), (NAN, NAN), (-math.inf, NAN), (3.0, -1.0), (-1.0, 3.0)])
def test_max_propagates_nan_and_routes_gradients_as_torch_maximum(a, b):
    ua, ub = Unit(a), Unit(b)
    out = ua.max(ub)
    out.backward()
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    theirs = torch.maximum(ta, tb)
    theirs.backward()
    assert math.isnan(out.value) == math.isnan(theirs.item())
    if not math.isnan(out.value):
        assert out.value == theirs.item()
    # with a nan input torch sends the whole gradient to both inputs (every comparison is false)
    assert (ua.grad, ub.grad) == (ta.grad.item(), tb.grad.item())


def test_max_on_a_tie_keeps_the_guides_switch_where_torch_splits():
    ua, ub = Unit(2.0), Unit(2.0)
    ua.max(ub).backward()
    ta = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    torch.maximum(ta, tb).backward()
    assert (ua.grad, ub.grad) == (1.0, 0.0)  # documented: the whole gradient to the first input
    assert (ta.grad.item(), tb.grad.item()) == (0.5, 0.5)


def test_gate_objects_are_built_from_the_record_once_and_keep_the_explicit_style():
    a, b = Unit(2.0), Unit(-3.0)
    out = (a * b).relu()
    gate = out.gate
    assert gate is out.gate  # built once: drawings key nodes by the gate's identity
    assert isinstance(gate, ReluGate) and gate.output is out and gate.local == (None,)  # -6 <= 0: the switch is off
    mul = gate.inputs[0].gate
    assert isinstance(mul, MultiplyGate) and mul.inputs == (a, b) and mul.local == (-3.0, 2.0)
    # the explicit style on the operator's record: the gate's own backward gives the same gradients
    mul.output.grad = 1.0
    mul.backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)
    assert Unit(1.0).gate is None
