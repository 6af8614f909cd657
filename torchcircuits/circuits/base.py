"""A named circuit of the guide, with its three faces.

A :class:`Circuit` holds one expression written three times over the same
named inputs:

* ``build``: the expression on :class:`~torchcircuits.units.Unit` s, which
  records the gates (used by ``Unit.backward``, the drawings and the kink rule);
* ``hand``: plain floats with an explicit, hand-derived backward pass in the
  guide's "backprop ninja" style; returns the output and one gradient per input;
* ``torch_forward``: the same expression on float64 tensors, for autograd.

A circuit declared by a user (:mod:`torchcircuits.usercheck`) may lack the
Unit face (``build=None``: no drawing, no Unit gradients) or the torch face
(``torch_forward=None``: the hand gradients are then compared with numerics only).

The registry (:mod:`torchcircuits.circuits`) collects them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch
from torch import Tensor

from ..errors import InputError, finite_float
from ..units import MaxGate, ReluGate, Unit

__all__ = ["Circuit", "KINK_GAP", "uniform_sampler"]

HandResult = tuple[float, dict[str, float]]

#: A max or ReLU gate whose two inputs are closer than this is "at a kink":
#: a centered difference with h = 1e-5 may straddle the switch there.
KINK_GAP = 1e-3


def uniform_sampler(
    low: float = -3.0, high: float = 3.0
) -> Callable[[random.Random, tuple[str, ...]], dict[str, float]]:
    def sample(rng: random.Random, names: tuple[str, ...]) -> dict[str, float]:
        return {name: rng.uniform(low, high) for name in names}

    return sample


@dataclass(frozen=True)
class Circuit:
    """One named circuit: its inputs, seed values and three faces."""

    name: str
    formula: str
    inputs: tuple[str, ...]
    seed: Mapping[str, float]
    build: Callable[[Mapping[str, Unit]], Unit] | None
    hand: Callable[[Mapping[str, float]], HandResult]
    torch_forward: Callable[[Mapping[str, Tensor]], Tensor] | None
    description: str = ""
    #: Inputs that are data rather than parameters (the guide's "pegs").
    data_inputs: tuple[str, ...] = ()
    #: Random inputs must satisfy this (e.g. keep a denominator away from 0).
    domain: Callable[[Mapping[str, float]], bool] = field(default=lambda values: True)
    sampler: Callable[[random.Random, tuple[str, ...]], dict[str, float]] = field(default_factory=uniform_sampler)

    # --- inputs ------------------------------------------------------------------
    def validate(self, values: Mapping[str, object], partial: bool = False) -> dict[str, float]:
        """Check names and values; return a full name → float dict.

        With ``partial``, missing names take their seed values. Unknown names,
        non-numeric and non-finite values raise :class:`InputError`.
        """
        for name in values:
            if name not in self.inputs:
                raise InputError(f"circuit {self.name} has no input {name!r}: its inputs are {', '.join(self.inputs)}")
        missing = [name for name in self.inputs if name not in values]
        if missing and not partial:
            raise InputError(f"circuit {self.name} needs a value for {', '.join(missing)}")
        merged = {**self.seed, **values}
        return {name: finite_float(merged[name], f"input {name} of {self.name}") for name in self.inputs}

    def random_inputs(self, rng: random.Random, max_tries: int = 1000) -> dict[str, float]:
        """Inputs drawn from the sampler, inside the domain and away from kinks."""
        for _ in range(max_tries):
            values = self.sampler(rng, self.inputs)
            if self.domain(values) and self.kink_gap(values) > KINK_GAP:
                return values
        raise RuntimeError(f"could not draw inputs for {self.name} inside its domain and away from its kinks")

    # --- the three faces ---------------------------------------------------------------
    def units(self, values: Mapping[str, float]) -> tuple[Unit, dict[str, Unit]]:
        """Build the Unit expression; returns (output, input Units by name)."""
        if self.build is None:
            raise InputError(f"circuit {self.name} has no Unit expression (declare it with build=...)")
        leaves = {name: Unit(values[name], label=name) for name in self.inputs}
        return self.build(leaves), leaves

    def forward(self, values: Mapping[str, float]) -> float:
        """The output, computed by the hand-written face."""
        return self.hand(values)[0]

    def grad_hand(self, values: Mapping[str, float]) -> HandResult:
        return self.hand(values)

    def grad_units(self, values: Mapping[str, float]) -> HandResult | None:
        """The Unit engine's gradients; None for a circuit without a Unit face."""
        if self.build is None:
            return None
        out, leaves = self.units(values)
        out.backward()
        return out.value, {name: unit.grad for name, unit in leaves.items()}

    def grad_torch(self, values: Mapping[str, float], device: str | torch.device = "cpu") -> HandResult | None:
        """Autograd's gradients in float64; None for a circuit without a torch face."""
        if self.torch_forward is None:
            return None
        tensors = {
            name: torch.tensor(values[name], dtype=torch.float64, device=device, requires_grad=True)
            for name in self.inputs
        }
        out = self.torch_forward(tensors)
        out.backward()
        grads = {name: (t.grad.item() if t.grad is not None else 0.0) for name, t in tensors.items()}
        return out.item(), grads

    def kink_gap(self, values: Mapping[str, float]) -> float:
        """Smallest distance of any max/ReLU gate's inputs from its switch point (inf without a Unit face)."""
        if self.build is None:
            return math.inf
        out, _ = self.units(values)
        gap = math.inf
        for unit in out.wires():
            gate = unit.gate
            if isinstance(gate, MaxGate):
                gap = min(gap, abs(gate.inputs[0].value - gate.inputs[1].value))
            elif isinstance(gate, ReluGate):
                gap = min(gap, abs(gate.inputs[0].value))
        return gap
