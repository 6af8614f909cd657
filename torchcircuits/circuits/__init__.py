"""The registry of named circuits: one entry per circuit of the guide.

``CIRCUITS`` maps each name to its :class:`Circuit`, in the guide's order. It
drives the tests, ``torchcircuits check``, ``scripts/`` and the app's circuit
view; adding a circuit means adding one entry to a chapter's tuple.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..errors import unknown_name
from .base import KINK_GAP, Circuit, uniform_sampler
from .chapter1 import CHAPTER1
from .chapter2 import CHAPTER2, guide_svm_cost
from .chapter3 import CHAPTER3

__all__ = ["CIRCUITS", "Circuit", "KINK_GAP", "get_circuit", "circuit_names", "guide_svm_cost", "uniform_sampler"]


def _index(circuits: tuple[Circuit, ...]) -> Mapping[str, Circuit]:
    index: dict[str, Circuit] = {}
    for circuit in circuits:
        if circuit.name in index:
            raise ValueError(f"two circuits are named {circuit.name!r}")
        if set(circuit.seed) != set(circuit.inputs):
            raise ValueError(f"the seed of {circuit.name} must give every input once")
        index[circuit.name] = circuit
    return MappingProxyType(index)


CIRCUITS: Mapping[str, Circuit] = _index(CHAPTER1 + CHAPTER2 + CHAPTER3)


def circuit_names() -> list[str]:
    """Every registered name, in the guide's order."""
    return list(CIRCUITS)


def get_circuit(name: str) -> Circuit:
    """The circuit called ``name``; an unknown name lists the known ones."""
    try:
        return CIRCUITS[name]
    except KeyError:
        raise unknown_name("circuit", name, CIRCUITS) from None
