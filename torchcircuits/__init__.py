"""torchcircuits: the Hacker's guide to Neural Networks, backpropagated by hand and by torch.

* :mod:`torchcircuits.units`: ``Unit`` wires and gates, the guide's scalar engine;
* :mod:`torchcircuits.circuits`: the registry of the guide's named circuits;
* :mod:`torchcircuits.functions`: hand-derived backward passes as autograd Functions;
* :mod:`torchcircuits.gradcheck` and :mod:`torchcircuits.check`: gradient checking;
* :mod:`torchcircuits.strategies`: Chapter 1's three ways to improve an output;
* :mod:`torchcircuits.diagram`: a circuit, or any expression, laid out with values and gradients on its wires;
* :mod:`torchcircuits.notebook`: what Jupyter shows: Units as circuits, histories as charts, boundaries as PNG;
* :mod:`torchcircuits.companion`: every number the guide prints beside ours (``torchcircuits guide``);
* :mod:`torchcircuits.data` and :mod:`torchcircuits.features`: classification and regression sets, feature inputs;
* :mod:`torchcircuits.layers`, :mod:`torchcircuits.activations`, :mod:`torchcircuits.losses`,
  :mod:`torchcircuits.regularizers`, :mod:`torchcircuits.models`: the layer stack of any depth on three faces;
* :mod:`torchcircuits.optim`, :mod:`torchcircuits.schedules`: optimizers and learning-rate schedules;
* :mod:`torchcircuits.config`, :mod:`torchcircuits.trainer`, :mod:`torchcircuits.session`: one trainer for all;
* :mod:`torchcircuits.guide`: the guide's own training code, for comparison;
* :func:`circuit`, :func:`layer` (:mod:`torchcircuits.usercheck`), :mod:`torchcircuits.testing`: your own backward.
"""

from .activations import ACTIVATIONS
from .check import CheckRun, check_circuit, run_checks
from .circuits import CIRCUITS, Circuit, circuit_names, get_circuit
from .data import Dataset, load_csv, make_dataset, save_csv, train_test_split
from .diagram import build_diagram, diagram_of, draw, to_svg
from .errors import InputError
from .gradcheck import numerical_gradient, rel_error
from .losses import LOSSES, get_loss
from .models import LayerStack, ModelSpec
from .notebook import History, boundary_png, history_chart
from .optim import OPTIMIZERS, make_optimizer
from .run import DataSpec, RunSettings
from .schedules import parse_schedule
from .trainer import Diverged, TrainConfig, Trainer
from .units import (
    AddGate,
    ExpGate,
    Gate,
    LeakyReluGate,
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
from .usercheck import Layer, circuit, layer

#: the one place the version is written: pyproject.toml reads it, ``torchcircuits --version`` prints it
__version__ = "0.2.0"

__all__ = [
    "AddGate",
    "DataSpec",
    "Dataset",
    "Diverged",
    "LOSSES",
    "ModelSpec",
    "LayerStack",
    "ACTIVATIONS",
    "OPTIMIZERS",
    "make_optimizer",
    "parse_schedule",
    "RunSettings",
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
    "LeakyReluGate",
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
    "circuit",
    "layer",
    "Layer",
    "diagram_of",
    "draw",
    "History",
    "history_chart",
    "boundary_png",
]
