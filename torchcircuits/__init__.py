"""torchcircuits: the Hacker's guide to Neural Networks, backpropagated by hand and by torch.

* :mod:`torchcircuits.units`: ``Unit`` wires and gates, the guide's scalar engine;
* :mod:`torchcircuits.circuits`: the registry of the guide's named circuits;
* :mod:`torchcircuits.functions`: hand-derived backward passes as autograd Functions;
* :mod:`torchcircuits.gradcheck` and :mod:`torchcircuits.check`: gradient checking;
* :mod:`torchcircuits.strategies`: Chapter 1's three ways to improve an output;
* :mod:`torchcircuits.diagram`: a circuit laid out with values and gradients on its wires;
* :mod:`torchcircuits.data`, :mod:`torchcircuits.losses`, :mod:`torchcircuits.models`,
  :mod:`torchcircuits.optim`, :mod:`torchcircuits.trainer`: Chapter 2's models trained by SGD;
* :mod:`torchcircuits.guide`: the guide's own training code, for comparison.
"""

from .check import CheckRun, check_circuit, run_checks
from .circuits import CIRCUITS, Circuit, circuit_names, get_circuit
from .data import Dataset, load_csv, make_dataset, save_csv, train_test_split
from .diagram import build_diagram, to_svg
from .errors import InputError
from .gradcheck import numerical_gradient, rel_error
from .losses import LOSSES, get_loss
from .models import ModelSpec
from .optim import SGD
from .run import DataSpec, RunSettings
from .trainer import Diverged, TrainConfig, Trainer
from .units import (
    AddGate,
    ExpGate,
    Gate,
    LogGate,
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
    "DataSpec",
    "Dataset",
    "Diverged",
    "LOSSES",
    "ModelSpec",
    "RunSettings",
    "SGD",
    "TrainConfig",
    "Trainer",
    "build_diagram",
    "get_loss",
    "load_csv",
    "make_dataset",
    "save_csv",
    "to_svg",
    "train_test_split",
    "CIRCUITS",
    "CheckRun",
    "Circuit",
    "ExpGate",
    "Gate",
    "InputError",
    "LogGate",
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
