"""The guide's own training code, in its own shape, for reproduction and comparison.

Two forms of the linear SVM of Chapter 2:

* :class:`GuideSVM`: the circuit of Units with ``forward``, ``backward`` and
  ``learn_from`` (score = a·x + b·y + c, a "pull" on the top, a spring on a, b);
* :func:`svm_float_step`: the compact loop on plain floats.

and the compact float loop of its 2-layer net, :func:`net_float_step`.

One sign convention: the guide *ascends* along a pull, pull = -dL/dθ, and its
spring pull -a on a weight is the gradient of 0.5·a² in the loss. So one
``learn_from`` equals one SGD step ``θ -= step·dL/dθ`` on the loss
``max(0, 1 - y·score) + 0.5·(a² + b²)`` of that example: the library's
hinge loss with L2 regularization ``reg = 0.5``.
"""

from __future__ import annotations

from collections.abc import Mapping

from torch import Tensor

from .units import AddGate, MultiplyGate, Unit

__all__ = ["GuideSVM", "svm_float_step", "net_float_step", "net_to_guide_names", "GUIDE_SPRING"]

#: The guide's spring, as the L2 regularization strength of the loss.
GUIDE_SPRING = 0.5


def _pull(label: int, score: float) -> float:
    """+1 for a positive example below 1, -1 for a negative one above -1, else 0."""
    if label == 1 and score < 1.0:
        return 1.0
    if label == -1 and score > -1.0:
        return -1.0
    return 0.0


class GuideSVM:
    """The guide's SVM circuit: Units a, b, c; score = a·x + b·y + c."""

    def __init__(self, a: float = 1.0, b: float = -2.0, c: float = -1.0) -> None:
        self.a, self.b, self.c = Unit(a, label="a"), Unit(b, label="b"), Unit(c, label="c")
        self._gates = (MultiplyGate(), MultiplyGate(), AddGate(), AddGate())
        self.x = self.y = self.score = None

    def forward(self, x: float, y: float) -> Unit:
        self.x, self.y = Unit(x, label="x"), Unit(y, label="y")
        mul_ax, mul_by, add_axby, add_c = self._gates
        ax = mul_ax.forward(self.a, self.x)
        by = mul_by.forward(self.b, self.y)
        self.score = add_c.forward(add_axby.forward(ax, by), self.c)
        return self.score

    def backward(self, label: int) -> None:
        """Zero the grads, pull on the score, backprop, add the spring on a and b."""
        for unit in (self.a, self.b, self.c):
            unit.grad = 0.0
        self.score.grad = _pull(label, self.score.value)
        for gate in reversed(self._gates):
            gate.backward()
        self.a.grad += -self.a.value
        self.b.grad += -self.b.value

    def parameter_update(self, step_size: float = 0.01) -> None:
        for unit in (self.a, self.b, self.c):
            unit.value += step_size * unit.grad

    def learn_from(self, x: float, y: float, label: int, step_size: float = 0.01) -> None:
        self.forward(x, y)
        self.backward(label)
        self.parameter_update(step_size)

    def predict(self, x: float, y: float) -> int:
        return 1 if self.forward(x, y).value > 0 else -1


def svm_float_step(
    abc: tuple[float, float, float], x: float, y: float, label: int, step_size: float = 0.01
) -> tuple[float, float, float]:
    """The guide's compact SVM update on floats; returns the new (a, b, c)."""
    a, b, c = abc
    pull = _pull(label, a * x + b * y + c)
    return (a + step_size * (x * pull - a), b + step_size * (y * pull - b), c + step_size * pull)


_OUTPUT_NAMES = ("a4", "b4", "c4")


def net_to_guide_names(params: Mapping[str, Tensor]) -> dict[str, float]:
    """Model layout (W1, b1, W2, b2 of a 3-neuron, 1-score net) to the guide's a1..d4."""
    named = {}
    for i in range(3):
        named[f"a{i + 1}"] = params["W1"][0, i].item()
        named[f"b{i + 1}"] = params["W1"][1, i].item()
        named[f"c{i + 1}"] = params["b1"][i].item()
        named[_OUTPUT_NAMES[i]] = params["W2"][i, 0].item()
    named["d4"] = params["b2"][0].item()
    return named


def net_float_step(
    params: dict[str, float], x: float, y: float, label: int, step_size: float = 0.01
) -> dict[str, float]:
    """The guide's 2-layer ReLU net (3 neurons) update on floats; returns new parameters."""
    p = params
    pre = [p["a" + i] * x + p["b" + i] * y + p["c" + i] for i in "123"]
    n = [max(0.0, v) for v in pre]
    score = p["a4"] * n[0] + p["b4"] * n[1] + p["c4"] * n[2] + p["d4"]
    dscore = _pull(label, score)
    grads = {"a4": n[0] * dscore, "b4": n[1] * dscore, "c4": n[2] * dscore, "d4": dscore}
    for i, out_name, hidden in zip("123", ("a4", "b4", "c4"), n, strict=True):
        dn = p[out_name] * dscore
        dn = 0.0 if hidden == 0 else dn  # the ReLU: no pull through a neuron that is off
        grads["a" + i] = x * dn
        grads["b" + i] = y * dn
        grads["c" + i] = dn
    for name in ("a1", "a2", "a3", "b1", "b2", "b3", "a4", "b4", "c4"):
        grads[name] += -p[name]  # the spring, on every multiplicative parameter
    return {name: value + step_size * grads[name] for name, value in p.items()}
