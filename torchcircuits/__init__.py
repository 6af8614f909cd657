"""torchcircuits: the Hacker's guide to Neural Networks, backpropagated by hand and by torch.

* :mod:`torchcircuits.units`: ``Unit`` wires and gates, the guide's scalar engine;
* :mod:`torchcircuits.circuits`: the registry of the guide's named circuits;
* :mod:`torchcircuits.functions`: hand-derived backward passes as autograd Functions;
* :mod:`torchcircuits.gradcheck` and :mod:`torchcircuits.check`: gradient checking;
* :mod:`torchcircuits.strategies`: Chapter 1's three ways to improve an output.
"""

from .check import CheckRun, check_circuit, run_checks
from .circuits import CIRCUITS, Circuit, circuit_names, get_circuit
from .errors import InputError
from .gradcheck import numerical_gradient, rel_error
from .units import (
    AddGate,
    ExpGate,
    Gate,
    MaxGate,
    MultiplyGate,
    PowerGate,
    ReciprocalGate,
    ReluGate,
    SigmoidGate,
    TanhGate,
    Unit,
)

__version__ = "0.1.0"

__all__ = [
    "AddGate",
    "CIRCUITS",
    "CheckRun",
    "Circuit",
    "ExpGate",
    "Gate",
    "InputError",
    "MaxGate",
    "MultiplyGate",
    "PowerGate",
    "ReciprocalGate",
    "ReluGate",
    "SigmoidGate",
    "TanhGate",
    "Unit",
    "check_circuit",
    "circuit_names",
    "get_circuit",
    "numerical_gradient",
    "rel_error",
    "run_checks",
]
