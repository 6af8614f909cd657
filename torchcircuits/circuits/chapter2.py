"""Chapter 2 of the guide: the SVM score, the SVM cost and the 2-layer net's score.

``svm_loss`` is differentiated with respect to the weights ``w0, w1, w2`` only,
on the guide's three-example data set (:data:`SVM_COST_EXAMPLE`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import torch

from ..units import Unit
from .base import Circuit

__all__ = ["CHAPTER2", "SVM_COST_EXAMPLE", "SvmCost", "guide_svm_cost"]

#: The guide's worked example of the SVM cost: points, ±1 labels, alpha.
SVM_COST_EXAMPLE: dict = {
    "X": ((1.2, 0.7), (-0.3, 0.5), (3.0, 2.5)),
    "y": (1, -1, 1),
    "w": (0.1, 0.2, 0.3),
    "alpha": 0.1,
}


class SvmCost(NamedTuple):
    """The SVM cost split as the guide prints it."""

    per_example: tuple[float, ...]
    regularization: float
    total: float


def guide_svm_cost(X: Sequence[Sequence[float]], y: Sequence[int], w: Sequence[float], alpha: float) -> SvmCost:
    """sum_i max(0, 1 - y_i (w0 x_i0 + w1 x_i1 + w2)) + alpha (w0² + w1²).

    ``X`` is N×2, ``y`` holds ±1 labels, ``w`` is (w0, w1, bias w2).
    """
    costs = tuple(max(0.0, 1.0 - yi * (w[0] * xi[0] + w[1] * xi[1] + w[2])) for xi, yi in zip(X, y, strict=True))
    reg = alpha * (w[0] * w[0] + w[1] * w[1])
    return SvmCost(costs, reg, sum(costs) + reg)


def _svm_score_hand(v):
    a, b, c, x, y = v["a"], v["b"], v["c"], v["x"], v["y"]
    out = a * x + b * y + c
    dout = 1.0
    return out, {"a": x * dout, "b": y * dout, "c": dout, "x": a * dout, "y": b * dout}


def _svm_loss_build(u: Mapping[str, Unit]) -> Unit:
    ex = SVM_COST_EXAMPLE
    w0, w1, w2 = u["w0"], u["w1"], u["w2"]
    total = ex["alpha"] * (w0 * w0 + w1 * w1)
    for (x0, x1), label in zip(ex["X"], ex["y"], strict=True):
        score = w0 * x0 + w1 * x1 + w2
        total = total + (1.0 - label * score).relu()
    return total


def _svm_loss_hand(v):
    ex = SVM_COST_EXAMPLE
    w0, w1, w2 = v["w0"], v["w1"], v["w2"]
    cost = guide_svm_cost(ex["X"], ex["y"], (w0, w1, w2), ex["alpha"])
    dw0 = 2.0 * ex["alpha"] * w0
    dw1 = 2.0 * ex["alpha"] * w1
    dw2 = 0.0
    for (x0, x1), label, margin_cost in zip(ex["X"], ex["y"], cost.per_example, strict=True):
        if margin_cost > 0.0:  # inside the margin: the hinge passes -y times the input
            dw0 += -label * x0
            dw1 += -label * x1
            dw2 += -label
    return cost.total, {"w0": dw0, "w1": dw1, "w2": dw2}


def _svm_loss_torch(t):
    ex = SVM_COST_EXAMPLE
    X = torch.tensor(ex["X"], dtype=torch.float64, device=t["w0"].device)
    y = torch.tensor(ex["y"], dtype=torch.float64, device=t["w0"].device)
    scores = X[:, 0] * t["w0"] + X[:, 1] * t["w1"] + t["w2"]
    return torch.relu(1.0 - y * scores).sum() + ex["alpha"] * (t["w0"] ** 2 + t["w1"] ** 2)


_NET_PARAMS = ("a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3", "a4", "b4", "c4", "d4")


def _net_build(u: Mapping[str, Unit]) -> Unit:
    x, y = u["x"], u["y"]
    n1 = (u["a1"] * x + u["b1"] * y + u["c1"]).relu()
    n2 = (u["a2"] * x + u["b2"] * y + u["c2"]).relu()
    n3 = (u["a3"] * x + u["b3"] * y + u["c3"]).relu()
    return u["a4"] * n1 + u["b4"] * n2 + u["c4"] * n3 + u["d4"]


def _net_hand(v):
    x, y = v["x"], v["y"]
    grads: dict[str, float] = {}
    hidden = []
    for i in "123":
        pre = v["a" + i] * x + v["b" + i] * y + v["c" + i]
        hidden.append((i, pre, max(0.0, pre)))
    out_weights = {"1": v["a4"], "2": v["b4"], "3": v["c4"]}
    out = sum(out_weights[i] * n for i, _, n in hidden) + v["d4"]
    dscore = 1.0
    dx = dy = 0.0
    for (i, pre, n), out_name in zip(hidden, ("a4", "b4", "c4"), strict=True):
        grads[out_name] = n * dscore
        dn = out_weights[i] * dscore
        dpre = dn if pre > 0.0 else 0.0  # the ReLU gate
        grads["a" + i] = x * dpre
        grads["b" + i] = y * dpre
        grads["c" + i] = dpre
        dx += v["a" + i] * dpre
        dy += v["b" + i] * dpre
    grads["d4"] = dscore
    grads["x"], grads["y"] = dx, dy
    return out, grads


def _net_torch(t):
    x, y = t["x"], t["y"]
    n1 = torch.relu(t["a1"] * x + t["b1"] * y + t["c1"])
    n2 = torch.relu(t["a2"] * x + t["b2"] * y + t["c2"])
    n3 = torch.relu(t["a3"] * x + t["b3"] * y + t["c3"])
    return t["a4"] * n1 + t["b4"] * n2 + t["c4"] * n3 + t["d4"]


CHAPTER2: tuple[Circuit, ...] = (
    Circuit(
        name="svm_score",
        formula="a*x + b*y + c",
        inputs=("a", "b", "c", "x", "y"),
        seed={"a": 1.0, "b": -2.0, "c": -1.0, "x": 1.2, "y": 0.7},
        build=lambda u: u["a"] * u["x"] + u["b"] * u["y"] + u["c"],
        hand=_svm_score_hand,
        torch_forward=lambda t: t["a"] * t["x"] + t["b"] * t["y"] + t["c"],
        description="The linear SVM's score, at the guide's starting a, b, c.",
        data_inputs=("x", "y"),
    ),
    Circuit(
        name="svm_loss",
        formula="sum_i max(0, 1 - y_i (w0 x_i0 + w1 x_i1 + w2)) + 0.1 (w0² + w1²)",
        inputs=("w0", "w1", "w2"),
        seed=dict(zip(("w0", "w1", "w2"), SVM_COST_EXAMPLE["w"], strict=True)),
        build=_svm_loss_build,
        hand=_svm_loss_hand,
        torch_forward=_svm_loss_torch,
        description="The guide's SVM cost on its 3-example data set, as a function of w.",
    ),
    Circuit(
        name="two_layer_net",
        formula="a4 relu(a1 x + b1 y + c1) + b4 relu(a2 x + b2 y + c2) + c4 relu(a3 x + b3 y + c3) + d4",
        inputs=("x", "y", *_NET_PARAMS),
        seed={
            "x": 1.2,
            "y": 0.7,
            "a1": 0.5,
            "b1": -0.3,
            "c1": 0.1,
            "a2": -0.4,
            "b2": 0.8,
            "c2": 0.2,
            "a3": 0.3,
            "b3": 0.6,
            "c3": -1.5,
            "a4": 1.0,
            "b4": -0.7,
            "c4": 0.5,
            "d4": 0.1,
        },  # fmt: skip
        build=_net_build,
        hand=_net_hand,
        torch_forward=_net_torch,
        description="The score of the guide's 2-layer net: 3 ReLU neurons, one output.",
        data_inputs=("x", "y"),
    ),
)
