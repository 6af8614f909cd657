"""Chapter 1 of the guide: single gates, (x+y)z, the sigmoid neuron, the ninja catalog.

Each ``_hand`` function is the guide's "backprop ninja" style on plain floats:
forward pass first, then one line per local derivative times the gradient from
above (``da = b * dx``), starting from ``dout = 1``.
"""

from __future__ import annotations

import torch

from ..units import reciprocal, sigmoid
from .base import Circuit


def _multiply_hand(v):
    x, y = v["x"], v["y"]
    out = x * y
    dout = 1.0
    return out, {"x": y * dout, "y": x * dout}


def _add_multiply_hand(v):
    x, y, z = v["x"], v["y"], v["z"]
    q = x + y
    out = q * z
    dout = 1.0
    dz = q * dout
    dq = z * dout
    return out, {"x": 1.0 * dq, "y": 1.0 * dq, "z": dz}


def _neuron_hand(v):
    a, b, c, x, y = v["a"], v["b"], v["c"], v["x"], v["y"]
    ax, by = a * x, b * y
    s = ax + by + c
    out = sigmoid(s)
    dout = 1.0
    ds = out * (1.0 - out) * dout
    dax = dby = dc = ds
    return out, {"a": x * dax, "b": y * dby, "c": dc, "x": a * dax, "y": b * dby}


def _add3_hand(v):
    out = v["a"] + v["b"] + v["c"]
    dout = 1.0
    return out, {"a": dout, "b": dout, "c": dout}


def _mul_add_hand(v):
    a, b, c = v["a"], v["b"], v["c"]
    q = a * b
    out = q + c
    dout = 1.0
    dq = dc = dout
    return out, {"a": b * dq, "b": a * dq, "c": dc}


def _square_hand(v):
    a = v["a"]
    out = a * a
    dout = 1.0
    # a feeds both inputs of the gate: the two contributions add up
    da = a * dout + a * dout
    return out, {"a": da}


def _sum_of_squares_hand(v):
    a, b, c = v["a"], v["b"], v["c"]
    out = a * a + b * b + c * c
    dout = 1.0
    return out, {"a": 2.0 * a * dout, "b": 2.0 * b * dout, "c": 2.0 * c * dout}


def _squared_product_hand(v):
    a, b, c, d = v["a"], v["b"], v["c"], v["d"]
    q = a * b + c
    r = q * d
    out = r * r
    dout = 1.0
    dr = 2.0 * r * dout
    dq = d * dr
    dd = q * dr
    return out, {"a": b * dq, "b": a * dq, "c": dq, "d": dd}


# Python's 1.0 / 0.0 raises; IEEE 754 (and torch, and the Unit engine) give ±inf. The hand faces
# divide with `reciprocal`, so at a = 0 they report inf and -inf as the other faces do, never a crash.
def _reciprocal_hand(v):
    a = v["a"]
    out = reciprocal(a)
    dout = 1.0
    return out, {"a": -(out * out) * dout}  # -1/a² is -(1/a)²: no second division


def _division_hand(v):
    a, b, c, d = v["a"], v["b"], v["c"], v["d"]
    num = a + b
    den = c + d
    inv = reciprocal(den)
    out = num * inv
    dout = 1.0
    dnum = inv * dout
    dinv = num * dout
    dden = -(inv * inv) * dinv
    return out, {"a": dnum, "b": dnum, "c": dden, "d": dden}


def _max_hand(v):
    a, b = v["a"], v["b"]
    out = a if a >= b else b
    dout = 1.0
    # the gradient goes to whichever input was picked (to a on a tie)
    return out, {"a": dout if a >= b else 0.0, "b": dout if b > a else 0.0}


def _relu_hand(v):
    a = v["a"]
    out = max(a, 0.0)
    dout = 1.0
    return out, {"a": dout if a > 0.0 else 0.0}


def _max_torch(t):
    return torch.where(t["a"] >= t["b"], t["a"], t["b"])


CHAPTER1: tuple[Circuit, ...] = (
    Circuit(
        name="multiply",
        formula="x * y",
        inputs=("x", "y"),
        seed={"x": -2.0, "y": 3.0},
        build=lambda u: u["x"] * u["y"],
        hand=_multiply_hand,
        torch_forward=lambda t: t["x"] * t["y"],
        description="The single multiply gate of the guide's first example.",
    ),
    Circuit(
        name="add_multiply",
        formula="(x + y) * z",
        inputs=("x", "y", "z"),
        seed={"x": -2.0, "y": 5.0, "z": -4.0},
        build=lambda u: (u["x"] + u["y"]) * u["z"],
        hand=_add_multiply_hand,
        torch_forward=lambda t: (t["x"] + t["y"]) * t["z"],
        description="Two gates chained: the chain rule in its smallest form.",
    ),
    Circuit(
        name="neuron",
        formula="sigmoid(a*x + b*y + c)",
        inputs=("a", "b", "c", "x", "y"),
        seed={"a": 1.0, "b": 2.0, "c": -3.0, "x": -1.0, "y": 3.0},
        build=lambda u: (u["a"] * u["x"] + u["b"] * u["y"] + u["c"]).sigmoid(),
        hand=_neuron_hand,
        torch_forward=lambda t: torch.sigmoid(t["a"] * t["x"] + t["b"] * t["y"] + t["c"]),
        description="A 2-D sigmoid neuron; x and y are data, a, b, c parameters.",
        data_inputs=("x", "y"),
    ),
    Circuit(
        name="add3",
        formula="a + b + c",
        inputs=("a", "b", "c"),
        seed={"a": 1.5, "b": -0.5, "c": 2.0},
        build=lambda u: u["a"] + u["b"] + u["c"],
        hand=_add3_hand,
        torch_forward=lambda t: t["a"] + t["b"] + t["c"],
        description="A sum passes its gradient to every input unchanged.",
    ),
    Circuit(
        name="mul_add",
        formula="a * b + c",
        inputs=("a", "b", "c"),
        seed={"a": 1.5, "b": -0.5, "c": 2.0},
        build=lambda u: u["a"] * u["b"] + u["c"],
        hand=_mul_add_hand,
        torch_forward=lambda t: t["a"] * t["b"] + t["c"],
    ),
    Circuit(
        name="square",
        formula="a * a",
        inputs=("a",),
        seed={"a": 3.0},
        build=lambda u: u["a"] * u["a"],
        hand=_square_hand,
        torch_forward=lambda t: t["a"] * t["a"],
        description="One wire into both inputs of a gate: its gradients add.",
    ),
    Circuit(
        name="sum_of_squares",
        formula="a*a + b*b + c*c",
        inputs=("a", "b", "c"),
        seed={"a": 1.0, "b": -2.0, "c": 0.5},
        build=lambda u: u["a"] * u["a"] + u["b"] * u["b"] + u["c"] * u["c"],
        hand=_sum_of_squares_hand,
        torch_forward=lambda t: t["a"] * t["a"] + t["b"] * t["b"] + t["c"] * t["c"],
    ),
    Circuit(
        name="squared_product",
        formula="((a*b + c) * d) ** 2",
        inputs=("a", "b", "c", "d"),
        seed={"a": 1.0, "b": -2.0, "c": 0.5, "d": 1.5},
        build=lambda u: ((u["a"] * u["b"] + u["c"]) * u["d"]) ** 2,
        hand=_squared_product_hand,
        torch_forward=lambda t: ((t["a"] * t["b"] + t["c"]) * t["d"]) ** 2,
    ),
    Circuit(
        name="reciprocal",
        formula="1 / a",
        inputs=("a",),
        seed={"a": 2.0},
        build=lambda u: 1.0 / u["a"],
        hand=_reciprocal_hand,
        torch_forward=lambda t: 1.0 / t["a"],
        domain=lambda v: abs(v["a"]) >= 0.5,
    ),
    Circuit(
        name="division",
        formula="(a + b) / (c + d)",
        inputs=("a", "b", "c", "d"),
        seed={"a": 1.0, "b": 2.0, "c": 3.0, "d": -1.0},
        build=lambda u: (u["a"] + u["b"]) / (u["c"] + u["d"]),
        hand=_division_hand,
        torch_forward=lambda t: (t["a"] + t["b"]) / (t["c"] + t["d"]),
        domain=lambda v: abs(v["c"] + v["d"]) >= 0.5,
    ),
    Circuit(
        name="max",
        formula="max(a, b)",
        inputs=("a", "b"),
        seed={"a": 1.0, "b": 2.5},
        build=lambda u: u["a"].max(u["b"]),
        hand=_max_hand,
        torch_forward=_max_torch,
        description="The gradient is routed to the larger input only.",
    ),
    Circuit(
        name="relu",
        formula="max(a, 0)",
        inputs=("a",),
        seed={"a": 1.5},
        build=lambda u: u["a"].relu(),
        hand=_relu_hand,
        torch_forward=lambda t: torch.relu(t["a"]),
        description="A gate at 0: gradient 1 above, 0 below (and at) zero.",
    ),
)
