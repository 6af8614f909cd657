"""Property tests: random expressions over every gate, Unit.backward() vs torch autograd."""

import math

import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from torchcircuits.units import Unit

VARIABLES = ("a", "b", "c")

UNARY = {
    "neg": (lambda u: -u, lambda t: -t),
    "relu": (lambda u: u.relu(), torch.relu),
    "sigmoid": (lambda u: u.sigmoid(), torch.sigmoid),
    "tanh": (lambda u: u.tanh(), torch.tanh),
    "exp": (lambda u: u.exp(), torch.exp),
    "log": (lambda u: u.log(), torch.log),
    "reciprocal": (lambda u: 1.0 / u, lambda t: 1.0 / t),
    "square": (lambda u: u**2, lambda t: t**2),
    "cube": (lambda u: u**3, lambda t: t**3),
    "sqrt": (lambda u: u**0.5, lambda t: t**0.5),
    "scale": (lambda u: 2.5 * u, lambda t: 2.5 * t),
    "shift": (lambda u: 1.0 - u, lambda t: 1.0 - t),
}
BINARY = {
    "add": (lambda u, v: u + v, lambda s, t: s + t),
    "sub": (lambda u, v: u - v, lambda s, t: s - t),
    "mul": (lambda u, v: u * v, lambda s, t: s * t),
    # the engine divides as u * (1/v); torch's fused division rounds differently near 1e-305
    "div": (lambda u, v: u / v, lambda s, t: s * (1.0 / t)),
    "max": (lambda u, v: u.max(v), lambda s, t: torch.where(s >= t, s, t)),
}

leaves = st.sampled_from(VARIABLES)
expressions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), inner),
        st.tuples(st.sampled_from(sorted(BINARY)), inner, inner),
    ),
    max_leaves=12,
)
# keep away from subnormal inputs, whose reciprocals overflow
values = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False).filter(lambda v: v == 0.0 or abs(v) > 1e-3)


def evaluate(tree, leaves, face):
    if isinstance(tree, str):
        return leaves[tree]
    op, *args = tree
    table = UNARY if len(args) == 1 else BINARY
    return table[op][face](*(evaluate(arg, leaves, face) for arg in args))


@settings(max_examples=300, deadline=None)
@given(expressions, values, values, values)
def test_unit_backward_matches_torch_autograd(tree, a, b, c):
    point = {"a": a, "b": b, "c": c}
    units = {name: Unit(v, label=name) for name, v in point.items()}
    tensors = {name: torch.tensor(v, dtype=torch.float64, requires_grad=True) for name, v in point.items()}
    out_unit = evaluate(tree, units, 0)
    out_torch = evaluate(tree, tensors, 1)
    if isinstance(out_unit, Unit) and out_unit.gate is None:
        return  # a bare variable: nothing to backpropagate
    assume(math.isfinite(out_unit.value) and abs(out_unit.value) < 1e100)
    out_unit.backward()
    out_torch.backward()
    assert math.isclose(out_unit.value, out_torch.item(), rel_tol=1e-12, abs_tol=1e-12)
    for name in VARIABLES:
        ours = units[name].grad
        theirs = tensors[name].grad.item() if tensors[name].grad is not None else 0.0
        assume(math.isfinite(theirs) and abs(theirs) < 1e100)
        # same products in the same order; allow rounding of ~1e3 ulps across deep sums
        assert math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12 * max(1.0, abs(theirs))), (tree, name)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_sigmoid_and_tanh_stay_finite_everywhere(z):
    for method in ("sigmoid", "tanh"):
        u = Unit(z)
        out = getattr(u, method)()
        out.backward()
        expected = getattr(torch, method)(torch.tensor(z, dtype=torch.float64)).item()
        assert math.isfinite(out.value) and math.isfinite(u.grad)
        assert math.isclose(out.value, expected, rel_tol=1e-15, abs_tol=1e-300)
