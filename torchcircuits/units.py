"""Wires and gates of a real-valued circuit, after Chapter 1 of the Hacker's guide.

A :class:`Unit` is a wire. It carries two floats: ``value``, written by the
forward pass, and ``grad``, the derivative of the circuit's output with respect
to this wire, written by the backward pass. A gate reads its input Units in
``forward`` and writes a new output Unit; ``backward`` multiplies the local
derivative by the output's gradient and *adds* it into each input's ``grad``,
so a wire that feeds several gates (``a * a``) sums the gradients it receives.

Two ways to use it:

* explicit, as in the guide: ``g = MultiplyGate(); out = g.forward(a, b)``,
  set ``out.grad = 1.0`` and call the gates' ``backward`` in reverse order;
* by operators: ``out = (a + b) * c; out.backward()``, which records the gates
  and sweeps them in reverse topological order (iteratively, so expressions of
  any depth work).

Floating-point edge cases follow IEEE 754 and torch: ``exp`` overflows to
``inf``, ``1/0`` is ``±inf``, a negative base to a fractional power is ``nan``.
``max`` sends the whole gradient to its first input on a tie, propagates nan
as ``torch.maximum`` does, and ``relu`` passes no gradient at exactly 0 (the
guide's strict ``a > 0``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from numbers import Real

__all__ = [
    "Unit",
    "Gate",
    "AddGate",
    "MultiplyGate",
    "SigmoidGate",
    "MaxGate",
    "ReluGate",
    "LeakyReluGate",
    "ReciprocalGate",
    "PowerGate",
    "ExpGate",
    "TanhGate",
    "LogGate",
    "as_unit",
    "topological_gates",
    "sigmoid",
    "reciprocal",
]

_EXP_OVERFLOW = 709.782712893384  # math.log(sys.float_info.max)


def sigmoid(x: float) -> float:
    """Logistic function 1 / (1 + e^-x), exact and finite for any finite x."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: e in (0, 1), no overflow
    return e / (1.0 + e)


def _exp(x: float) -> float:
    if x != x:  # nan stays nan
        return x
    return math.exp(x) if x < _EXP_OVERFLOW else math.inf


def reciprocal(x: float) -> float:
    """1 / x under IEEE 754, like torch: ±inf at ±0 (Python's ``1.0 / 0.0`` raises instead)."""
    return 1.0 / x if x != 0.0 else math.copysign(math.inf, x)


def _power(x: float, p: float) -> float:
    odd_integer = p.is_integer() and int(p) % 2 == 1
    if x == 0.0 and p < 0.0:
        return math.copysign(math.inf, x) if odd_integer else math.inf
    if x < 0.0 and not p.is_integer():
        return math.nan
    try:
        return math.pow(x, p)
    except OverflowError:
        return -math.inf if x < 0.0 and odd_integer else math.inf


class Unit:
    """A wire: ``value`` from the forward pass, ``grad`` from the backward pass.

    ``gate`` is the gate whose output this Unit is (``None`` for an input) and
    ``label`` an optional name used in tables and drawings.
    """

    __slots__ = ("value", "grad", "gate", "label")

    def __init__(self, value: float, grad: float = 0.0, label: str = "") -> None:
        self.value = value if value.__class__ is float else float(value)
        self.grad = grad if grad.__class__ is float else float(grad)
        self.gate: Gate | None = None
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Unit({name}value={self.value:.6g}, grad={self.grad:.6g})"

    # --- operators: each one records a gate -------------------------------------
    def __add__(self, other: Unit | float) -> Unit:
        return AddGate().forward(self, other if other.__class__ is Unit else as_unit(other))

    def __radd__(self, other: float) -> Unit:
        return AddGate().forward(as_unit(other), self)

    def __mul__(self, other: Unit | float) -> Unit:
        return MultiplyGate().forward(self, other if other.__class__ is Unit else as_unit(other))

    def __rmul__(self, other: float) -> Unit:
        return MultiplyGate().forward(as_unit(other), self)

    def __neg__(self) -> Unit:
        return MultiplyGate().forward(Unit(-1.0), self)

    def __sub__(self, other: Unit | float) -> Unit:
        if other.__class__ is Unit:
            return self + (-other)
        return self + as_unit(-other)  # a constant: one add gate, no negation gate

    def __rsub__(self, other: float) -> Unit:
        return as_unit(other) + (-self)

    def __truediv__(self, other: Unit | float) -> Unit:
        if other.__class__ is Unit:
            return self * ReciprocalGate().forward(other)
        return self * reciprocal(as_unit(other).value)  # a constant divisor: one multiply gate

    def __rtruediv__(self, other: float) -> Unit:
        return as_unit(other) * ReciprocalGate().forward(self)

    def __pow__(self, exponent: float) -> Unit:
        kind = exponent.__class__
        if kind is not float and kind is not int and (kind is Unit or not isinstance(exponent, Real)):
            raise TypeError("Unit ** p takes a constant number p; use exp and products instead")
        return PowerGate(float(exponent)).forward(self)

    def relu(self) -> Unit:
        return ReluGate().forward(self)

    def leaky_relu(self, slope: float = 0.01) -> Unit:
        return LeakyReluGate(slope).forward(self)

    def sigmoid(self) -> Unit:
        return SigmoidGate().forward(self)

    def exp(self) -> Unit:
        return ExpGate().forward(self)

    def tanh(self) -> Unit:
        return TanhGate().forward(self)

    def log(self) -> Unit:
        return LogGate().forward(self)

    def max(self, other: Unit | float) -> Unit:
        return MaxGate().forward(self, as_unit(other))

    # --- backward --------------------------------------------------------------
    def backward(self) -> None:
        """Seed ``self.grad = 1`` and backpropagate through every recorded gate.

        Gradients accumulate (``+=``) into the inputs; call :meth:`zero_grad`
        first to run a second backward pass on the same graph.
        """
        gates = topological_gates(self)
        self.grad = 1.0
        for gate in reversed(gates):
            gate.backward()

    def zero_grad(self) -> None:
        """Set ``grad = 0`` on this Unit and every wire that feeds it."""
        for unit in self.wires():
            unit.grad = 0.0

    def wires(self) -> Iterator[Unit]:
        """Every Unit of the expression that ends here, each once."""
        seen: set[int] = set()
        stack = [self]
        while stack:
            unit = stack.pop()
            if id(unit) in seen:
                continue
            seen.add(id(unit))
            yield unit
            if unit.gate is not None:
                stack.extend(unit.gate.inputs)

    # --- display -----------------------------------------------------------------
    def _repr_svg_(self) -> str:
        """Jupyter draws a Unit as the circuit that computed it (:func:`torchcircuits.notebook.unit_svg`)."""
        from .notebook import unit_svg  # here, not at the top: the engine does not depend on the drawing

        return unit_svg(self)


_new_unit = object.__new__


def as_unit(x: Unit | float) -> Unit:
    """Wrap a plain number as a constant input Unit; a Unit passes through."""
    kind = x.__class__
    if kind is Unit:
        return x
    if kind is float or kind is int or isinstance(x, Real):  # the ABC check is slow: plain types first
        return Unit(float(x))
    raise TypeError(f"expected a Unit or a number, got {type(x).__name__}")


def topological_gates(output: Unit) -> list[Gate]:
    """Gates that feed ``output``, each after every gate that feeds it.

    Iterative depth-first search (no recursion limit): a gate is appended once
    all of its inputs' gates are. Gates hash by identity.
    """
    root = output.gate
    if root is None:
        return []
    order: list[Gate] = []
    seen = {root}
    stack = [root]
    while stack:
        # a gate has at most two inputs, so rescanning them on each visit is cheaper than keeping iterators
        for unit in stack[-1].inputs:
            feeder = unit.gate
            if feeder is not None and feeder not in seen:
                seen.add(feeder)
                stack.append(feeder)
                break
        else:  # every input of the top gate is done
            order.append(stack.pop())
    return order


class Gate:
    """Base class: ``forward`` stores the inputs and returns the output Unit.

    ``inputs`` and ``output`` exist once ``forward`` has run.
    """

    __slots__ = ("inputs", "output")
    symbol = "?"
    kind = "gate"

    def _emit(self, value: float, *inputs: Unit) -> Unit:
        self.inputs = inputs
        # the operators make many Units: skip __init__'s conversions, the value is already a float
        out = _new_unit(Unit)
        out.value = value
        out.grad = 0.0
        out.gate = self
        out.label = ""
        self.output = out
        return out

    def backward(self) -> None:  # pragma: no cover - every gate overrides it
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class AddGate(Gate):
    """u0 + u1; the gradient passes through unchanged to both inputs."""

    __slots__ = ()
    symbol, kind = "+", "add"

    def forward(self, u0: Unit, u1: Unit) -> Unit:
        return self._emit(u0.value + u1.value, u0, u1)

    def backward(self) -> None:
        u0, u1 = self.inputs
        top = self.output.grad
        u0.grad += top
        u1.grad += top


class MultiplyGate(Gate):
    """u0 * u1; each input receives the other's value times the gradient."""

    __slots__ = ()
    symbol, kind = "*", "multiply"

    def forward(self, u0: Unit, u1: Unit) -> Unit:
        return self._emit(u0.value * u1.value, u0, u1)

    def backward(self) -> None:
        u0, u1 = self.inputs
        top = self.output.grad
        u0.grad += u1.value * top
        u1.grad += u0.value * top


class MaxGate(Gate):
    """max(u0, u1); a switch that routes the gradient to the larger input (u0 on a tie).

    A nan input makes the output nan and sends the gradient to both inputs, as
    ``torch.maximum`` does (every comparison with nan is false). On a tie torch
    splits the gradient in halves; this gate keeps the guide's switch.
    """

    __slots__ = ()
    symbol, kind = "max", "max"

    def forward(self, u0: Unit, u1: Unit) -> Unit:
        a, b = u0.value, u1.value
        # neither a >= b nor b > a: one of them is nan, and so is their sum
        return self._emit(a if a >= b else (b if b > a else a + b), u0, u1)

    def backward(self) -> None:
        u0, u1 = self.inputs
        top = self.output.grad
        if u0.value >= u1.value:
            u0.grad += top
        elif u1.value > u0.value:
            u1.grad += top
        else:
            u0.grad += top
            u1.grad += top


class ReluGate(Gate):
    """max(u0, 0); passes the gradient only where u0 > 0 (none at exactly 0)."""

    __slots__ = ()
    symbol, kind = "relu", "relu"

    def forward(self, u0: Unit) -> Unit:
        x = u0.value
        return self._emit(0.0 if x <= 0.0 else x, u0)  # nan stays nan, as torch.relu

    def backward(self) -> None:
        u0 = self.inputs[0]
        if u0.value > 0.0:
            u0.grad += self.output.grad


class LeakyReluGate(Gate):
    """u0 where u0 > 0, else slope * u0; local derivative 1 or slope (slope at exactly 0, as torch)."""

    __slots__ = ("slope",)
    symbol, kind = "lrelu", "leaky_relu"

    def __init__(self, slope: float = 0.01) -> None:
        super().__init__()
        self.slope = float(slope)

    def forward(self, u0: Unit) -> Unit:
        x = u0.value
        return self._emit(x if x > 0.0 else self.slope * x, u0)

    def backward(self) -> None:
        u0 = self.inputs[0]
        u0.grad += (1.0 if u0.value > 0.0 else self.slope) * self.output.grad

    def __repr__(self) -> str:
        return f"LeakyReluGate({self.slope:g})"


class SigmoidGate(Gate):
    """1 / (1 + e^-u0); local derivative s * (1 - s)."""

    __slots__ = ()
    symbol, kind = "σ", "sigmoid"

    def forward(self, u0: Unit) -> Unit:
        return self._emit(sigmoid(u0.value), u0)

    def backward(self) -> None:
        s = self.output.value
        self.inputs[0].grad += s * (1.0 - s) * self.output.grad


class TanhGate(Gate):
    """tanh(u0); local derivative 1 - t²."""

    __slots__ = ()
    symbol, kind = "tanh", "tanh"

    def forward(self, u0: Unit) -> Unit:
        return self._emit(math.tanh(u0.value), u0)

    def backward(self) -> None:
        t = self.output.value
        self.inputs[0].grad += (1.0 - t * t) * self.output.grad


class ExpGate(Gate):
    """e^u0 (``inf`` past overflow, like torch); local derivative e^u0."""

    __slots__ = ()
    symbol, kind = "exp", "exp"

    def forward(self, u0: Unit) -> Unit:
        return self._emit(_exp(u0.value), u0)

    def backward(self) -> None:
        self.inputs[0].grad += self.output.value * self.output.grad


class LogGate(Gate):
    """ln(u0); local derivative 1/u0. ln 0 = -inf, ln of a negative number is nan (as torch)."""

    __slots__ = ()
    symbol, kind = "log", "log"

    def forward(self, u0: Unit) -> Unit:
        x = u0.value
        value = math.log(x) if x > 0.0 else (-math.inf if x == 0.0 else math.nan)
        return self._emit(value, u0)

    def backward(self) -> None:
        (u0,) = self.inputs
        u0.grad += reciprocal(u0.value) * self.output.grad


class ReciprocalGate(Gate):
    """1 / u0; local derivative -1 / u0²."""

    __slots__ = ()
    symbol, kind = "1/x", "reciprocal"

    def forward(self, u0: Unit) -> Unit:
        return self._emit(reciprocal(u0.value), u0)

    def backward(self) -> None:
        r = self.output.value
        self.inputs[0].grad += -(r * r) * self.output.grad


class PowerGate(Gate):
    """u0 ** p for a constant p; local derivative p * u0 ** (p - 1)."""

    __slots__ = ("exponent",)
    kind = "power"

    def __init__(self, exponent: float) -> None:
        super().__init__()
        self.exponent = float(exponent)

    @property
    def symbol(self) -> str:  # type: ignore[override]
        p = self.exponent
        return f"**{int(p)}" if p.is_integer() else f"**{p:g}"

    def forward(self, u0: Unit) -> Unit:
        return self._emit(_power(u0.value, self.exponent), u0)

    def backward(self) -> None:
        p = self.exponent
        x = self.inputs[0].value
        local = 0.0 if p == 0.0 else p * _power(x, p - 1.0)
        self.inputs[0].grad += local * self.output.grad

    def __repr__(self) -> str:
        return f"PowerGate({self.exponent:g})"
