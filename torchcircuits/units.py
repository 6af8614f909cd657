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

Each operator computes its value and, on the same line, the local derivative
of that value with respect to each input, and stores both on the output wire:
which gate made it, its inputs, their local derivatives. The
backward pass is then one loop, ``input.grad += local * out.grad``, with no
call per gate; the :class:`Gate` object itself is built from that record the
first time ``unit.gate`` is asked for (drawings, the explicit style). Nothing
refers back from an input to its output, so an expression is freed as soon as
it is dropped (no reference cycles for the garbage collector to find).

Floating-point edge cases follow IEEE 754 and torch: ``exp`` overflows to
``inf``, ``1/0`` is ``±inf``, a negative base to a fractional power is ``nan``.
``max`` sends the whole gradient to its first input on a tie, propagates nan
as ``torch.maximum`` does, and ``relu`` passes no gradient at exactly 0 (the
guide's strict ``a > 0``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import count
from numbers import Real
from operator import attrgetter

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
    if x > 0.0:  # the common case first: no sign or zero to mind
        try:
            return math.pow(x, p)
        except OverflowError:
            return math.inf
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

    # The record of the gate that made this wire, written by the operators: _gate (the Gate, or only its class until
    # someone asks for it), _in0 and _in1 (its inputs; _in0 None: an input wire, _in1 None: a one-input gate), _d0 and
    # _d1 (d value / d each input at the forward values; None: a switch that routes nothing there) and _made (a
    # counter: a wire is always made after the wires it is computed from).
    __slots__ = ("value", "grad", "label", "_gate", "_in0", "_in1", "_d0", "_d1", "_made")
    _in0: Unit | None
    _in1: Unit | None
    _d0: float | None
    _d1: float | None

    def __init__(self, value: float, grad: float = 0.0, label: str = "") -> None:
        self.value = value if value.__class__ is float else float(value)
        self.grad = grad if grad.__class__ is float else float(grad)
        self.label = label
        self._in0 = None  # an input wire: nothing else of the record is ever read

    @property
    def gate(self) -> Gate | None:
        """The gate whose output this wire is (None for an input wire), built from the record on first use."""
        if self._in0 is None:
            return None
        gate = self._gate
        if gate.__class__ is type:  # the operators record the class: make the object once, when it is asked for
            gate = gate()
        if getattr(gate, "output", None) is None:  # not yet told its record (an explicit forward has been)
            gate._record(self)
        return gate

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Unit({name}value={self.value:.6g}, grad={self.grad:.6g})"

    # --- operators: each one records a gate: its value and, on the same line, its local derivatives -------------
    # (+ and *, the most common, write the record inline: a function call costs as much as the rest of the gate)
    def __add__(self, other: Unit | float) -> Unit:
        other = other if other.__class__ is Unit else as_unit(other)
        out = _new_unit(Unit)
        out.value, out._d0, out._d1 = self.value + other.value, 1.0, 1.0  # d/dself = d/dother = 1
        out.grad = 0.0
        out.label = ""
        out._gate = AddGate
        out._in0 = self
        out._in1 = other
        out._made = _clock()
        return out

    def __radd__(self, other: float) -> Unit:
        return as_unit(other) + self

    def __mul__(self, other: Unit | float) -> Unit:
        other = other if other.__class__ is Unit else as_unit(other)
        a, b = self.value, other.value
        out = _new_unit(Unit)
        out.value, out._d0, out._d1 = a * b, b, a  # d/dself = other, d/dother = self
        out.grad = 0.0
        out.label = ""
        out._gate = MultiplyGate
        out._in0 = self
        out._in1 = other
        out._made = _clock()
        return out

    def __rmul__(self, other: float) -> Unit:
        return as_unit(other) * self

    def __neg__(self) -> Unit:
        return as_unit(-1.0) * self

    def __sub__(self, other: Unit | float) -> Unit:
        if other.__class__ is Unit:
            return self + (-other)
        return self + as_unit(-other)  # a constant: one add gate, no negation gate

    def __rsub__(self, other: float) -> Unit:
        return as_unit(other) + (-self)

    def __truediv__(self, other: Unit | float) -> Unit:
        if other.__class__ is Unit:
            return self * other.reciprocal()
        return self * reciprocal(as_unit(other).value)  # a constant divisor: one multiply gate

    def __rtruediv__(self, other: float) -> Unit:
        return as_unit(other) * self.reciprocal()

    def reciprocal(self) -> Unit:
        r = reciprocal(self.value)
        return _unary(r, ReciprocalGate, self, -(r * r))  # d/dx 1/x = -1/x²

    def __pow__(self, exponent: float) -> Unit:
        kind = exponent.__class__
        if kind is not float and kind is not int and (kind is Unit or not isinstance(exponent, Real)):
            raise TypeError("Unit ** p takes a constant number p; use exp and products instead")
        p, x = float(exponent), self.value
        local = 0.0 if p == 0.0 else p * _power(x, p - 1.0)  # d/dx x**p = p x**(p-1)
        return _unary(_power(x, p), PowerGate(p), self, local)  # the gate object now: it holds p

    def relu(self) -> Unit:
        x = self.value
        if x > 0.0:
            return _unary(x, ReluGate, self, 1.0)  # d/dx = 1
        return _unary(0.0 if x <= 0.0 else x, ReluGate, self, None)  # no gradient; nan stays nan, as torch.relu

    def leaky_relu(self, slope: float = 0.01) -> Unit:
        x, slope = self.value, float(slope)
        if x > 0.0:
            return _unary(x, LeakyReluGate(slope), self, 1.0)  # d/dx = 1
        return _unary(slope * x, LeakyReluGate(slope), self, slope)  # d/dx = slope (at 0 too, as torch)

    def sigmoid(self) -> Unit:
        s = sigmoid(self.value)
        return _unary(s, SigmoidGate, self, s * (1.0 - s))  # d/dx σ = σ (1 - σ)

    def exp(self) -> Unit:
        e = _exp(self.value)
        return _unary(e, ExpGate, self, e)  # d/dx e^x = e^x

    def tanh(self) -> Unit:
        t = math.tanh(self.value)
        return _unary(t, TanhGate, self, 1.0 - t * t)  # d/dx tanh = 1 - tanh²

    def log(self) -> Unit:
        x = self.value
        value = math.log(x) if x > 0.0 else (-math.inf if x == 0.0 else math.nan)  # ln 0 = -inf, ln(-1) = nan
        return _unary(value, LogGate, self, reciprocal(x))  # d/dx ln x = 1/x

    def max(self, other: Unit | float) -> Unit:
        other = as_unit(other)
        a, b = self.value, other.value
        if a >= b:
            return _binary(a, MaxGate, self, other, 1.0, None)  # the switch routes the gradient to self (tie too)
        if b > a:
            return _binary(b, MaxGate, self, other, None, 1.0)  # ... or to other
        return _binary(a + b, MaxGate, self, other, 1.0, 1.0)  # one is nan (so is a + b): both get it, as torch

    # --- backward --------------------------------------------------------------
    def backward(self) -> None:
        """Seed ``self.grad = 1`` and backpropagate through every recorded gate.

        Gradients accumulate (``+=``) into the inputs; call :meth:`zero_grad`
        first to run a second backward pass on the same graph.
        """
        self.grad = 1.0
        # the chain rule in one loop: each gate's output, after all the wires it feeds, sends local × grad back
        for out in _backward_order(self):
            top = out.grad
            d = out._d0
            if d is not None:
                out._in0.grad += d * top
            other = out._in1
            if other is not None:
                d = out._d1
                if d is not None:
                    other.grad += d * top

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
_clock = count().__next__
_made = attrgetter("_made")


def _unary(value: float, gate: type[Gate] | Gate, x: Unit, local: float | None) -> Unit:
    """A new wire of ``value``, recorded as made by ``gate`` from ``x`` with local derivative ``local``."""
    out = _new_unit(Unit)  # skip __init__'s conversions: the value is already a float
    out.value = value
    out.grad = 0.0
    out.label = ""
    out._gate = gate
    out._in0 = x
    out._in1 = None
    out._d0 = local
    out._made = _clock()
    return out


def _binary(value: float, gate: type[Gate], x: Unit, y: Unit, dx: float | None, dy: float | None) -> Unit:
    """A new wire of ``value``, recorded as made by ``gate`` from ``x`` and ``y`` with local derivatives dx, dy."""
    out = _new_unit(Unit)
    out.value = value
    out.grad = 0.0
    out.label = ""
    out._gate = gate
    out._in0 = x
    out._in1 = y
    out._d0 = dx
    out._d1 = dy
    out._made = _clock()
    return out


def as_unit(x: Unit | float) -> Unit:
    """Wrap a plain number as a constant input Unit; a Unit passes through."""
    kind = x.__class__
    if kind is Unit:
        return x
    if kind is float or kind is int or isinstance(x, Real):  # the ABC check is slow: plain types first
        unit = _new_unit(Unit)  # as Unit(x), without __init__'s call: expressions make many constants
        unit.value = float(x)
        unit.grad = 0.0
        unit.label = ""
        unit._in0 = None
        return unit
    raise TypeError(f"expected a Unit or a number, got {type(x).__name__}")


def _backward_order(output: Unit) -> list[Unit]:
    """The gate-made wires that feed ``output`` (itself included), each before every wire it is computed from.

    A wire is made after its inputs, so the order of making, reversed, is such an
    order: collect the wires (a list that grows while it is walked: no recursion
    limit, each wire visited once; Units hash by identity) and sort by ``_made``.
    """
    if output._in0 is None:
        return []
    wires = [output]
    seen = {output}
    for wire in wires:
        unit = wire._in0
        if unit._in0 is not None and unit not in seen:
            seen.add(unit)
            wires.append(unit)
        unit = wire._in1
        if unit is not None and unit._in0 is not None and unit not in seen:
            seen.add(unit)
            wires.append(unit)
    wires.sort(key=_made, reverse=True)
    return wires


def topological_gates(output: Unit) -> list[Gate]:
    """Gates that feed ``output``, each after every gate that feeds it."""
    return [unit.gate for unit in reversed(_backward_order(output))]


class Gate:
    """Base class: ``forward`` returns the output Unit and remembers ``inputs``, ``local`` and ``output``.

    ``local[i]`` is d output / d inputs[i] at the forward values, or None where a
    switch (relu, max) routes no gradient to that input (not even ``0 × inf = nan``:
    torch's switches route, they do not multiply). ``backward`` is the chain rule,
    the same for every gate. Each gate's forward is its Unit operator (where its
    local derivatives are written, beside its value) and keeps that operator's record.
    """

    __slots__ = ("inputs", "local", "output")
    inputs: tuple[Unit, ...]
    local: tuple[float | None, ...]
    output: Unit
    symbol = "?"
    kind = "gate"

    def backward(self) -> None:
        """Each input's ``grad`` += its local derivative × the output's ``grad`` (+=: branching wires sum)."""
        top = self.output.grad
        for unit, local in zip(self.inputs, self.local, strict=True):
            if local is not None:
                unit.grad += local * top

    def _record(self, out: Unit) -> Unit:
        """Become the gate that made ``out``: take its inputs and local derivatives from its record; returns ``out``."""
        if out._in1 is None:
            self.inputs, self.local = (out._in0,), (out._d0,)
        else:
            self.inputs, self.local = (out._in0, out._in1), (out._d0, out._d1)
        self.output = out
        out._gate = self
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class AddGate(Gate):
    """u0 + u1; the gradient passes through unchanged to both inputs."""

    __slots__ = ()
    symbol, kind = "+", "add"

    def forward(self, u0: Unit, u1: Unit) -> Unit:
        return self._record(u0 + u1)


class MultiplyGate(Gate):
    """u0 * u1; each input receives the other's value times the gradient."""

    __slots__ = ()
    symbol, kind = "*", "multiply"

    def forward(self, u0: Unit, u1: Unit) -> Unit:
        return self._record(u0 * u1)


class MaxGate(Gate):
    """max(u0, u1); a switch that routes the gradient to the larger input (u0 on a tie).

    A nan input makes the output nan and sends the gradient to both inputs, as
    ``torch.maximum`` does (every comparison with nan is false). On a tie torch
    splits the gradient in halves; this gate keeps the guide's switch.
    """

    __slots__ = ()
    symbol, kind = "max", "max"

    def forward(self, u0: Unit, u1: Unit) -> Unit:
        return self._record(u0.max(u1))


class ReluGate(Gate):
    """max(u0, 0); passes the gradient only where u0 > 0 (none at exactly 0)."""

    __slots__ = ()
    symbol, kind = "relu", "relu"

    def forward(self, u0: Unit) -> Unit:
        return self._record(u0.relu())


class LeakyReluGate(Gate):
    """u0 where u0 > 0, else slope * u0; local derivative 1 or slope (slope at exactly 0, as torch)."""

    __slots__ = ("slope",)
    symbol, kind = "lrelu", "leaky_relu"

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = float(slope)

    def forward(self, u0: Unit) -> Unit:
        return self._record(u0.leaky_relu(self.slope))

    def __repr__(self) -> str:
        return f"LeakyReluGate({self.slope:g})"


class SigmoidGate(Gate):
    """1 / (1 + e^-u0); local derivative s * (1 - s)."""

    __slots__ = ()
    symbol, kind = "σ", "sigmoid"

    def forward(self, u0: Unit) -> Unit:
        return self._record(u0.sigmoid())


class TanhGate(Gate):
    """tanh(u0); local derivative 1 - t²."""

    __slots__ = ()
    symbol, kind = "tanh", "tanh"

    def forward(self, u0: Unit) -> Unit:
        return self._record(u0.tanh())


class ExpGate(Gate):
    """e^u0 (``inf`` past overflow, like torch); local derivative e^u0."""

    __slots__ = ()
    symbol, kind = "exp", "exp"

    def forward(self, u0: Unit) -> Unit:
        return self._record(u0.exp())


class LogGate(Gate):
    """ln(u0); local derivative 1/u0. ln 0 = -inf, ln of a negative number is nan (as torch)."""

    __slots__ = ()
    symbol, kind = "log", "log"

    def forward(self, u0: Unit) -> Unit:
        return self._record(u0.log())


class ReciprocalGate(Gate):
    """1 / u0; local derivative -1 / u0²."""

    __slots__ = ()
    symbol, kind = "1/x", "reciprocal"

    def forward(self, u0: Unit) -> Unit:
        return self._record(u0.reciprocal())


class PowerGate(Gate):
    """u0 ** p for a constant p; local derivative p * u0 ** (p - 1)."""

    __slots__ = ("exponent",)
    kind = "power"

    def __init__(self, exponent: float) -> None:
        self.exponent = float(exponent)

    @property
    def symbol(self) -> str:  # type: ignore[override]
        p = self.exponent
        return f"**{int(p)}" if p.is_integer() else f"**{p:g}"

    def forward(self, u0: Unit) -> Unit:
        return self._record(u0**self.exponent)

    def __repr__(self) -> str:
        return f"PowerGate({self.exponent:g})"
