"""Load a user's Python file of declared circuits and layers, and check them all.

``torchcircuits check --file my_gradients.py`` imports the file (its folder
first on ``sys.path``, so it may import its neighbours), collects what it
declares with :func:`torchcircuits.circuit` and :func:`torchcircuits.layer`,
and runs every declaration through :func:`~torchcircuits.check.check_circuit`:
a circuit at its seed and ``trials`` random points (exactly
:func:`~torchcircuits.check.run_checks`), a layer at ``max(trials, 1)``
random draws of its inputs and upstream gradient.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .check import CheckRun, check_circuit, run_checks
from .circuits import Circuit
from .errors import InputError, unknown_name
from .usercheck import Layer, collecting, layer_point, user_error

__all__ = ["load_declarations", "check_declarations", "run_count"]

Declaration = Circuit | Layer


def load_declarations(path: str | Path) -> dict[str, Declaration]:
    """Import ``path`` and return its declarations by name, in declaration order.

    A file that is missing, does not import or declares nothing, and two
    declarations with one name, are each an :class:`InputError`.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--file {path}: no such file")
    module_name = "torchcircuits_user_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"--file {path}: not a Python file (expected a .py file)")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        with collecting() as found:
            spec.loader.exec_module(module)
    except SyntaxError as error:
        raise InputError(f"{path.name} does not import: SyntaxError: {error.msg} (line {error.lineno})") from None
    except InputError as error:
        raise InputError(f"{path.name}: {error}") from None
    except Exception as error:  # the user's module: whatever it raises is reported in one line
        raise user_error(f"{path.name} does not import: it", error) from None
    except SystemExit:  # a script's sys.exit() or argparse at import time
        raise InputError(f"{path.name} does not import: it calls sys.exit() when imported "
                         "(put script code under if __name__ == '__main__':)") from None  # fmt: skip
    finally:
        sys.path.remove(folder)
    if not found:
        raise InputError(f"{path.name} declares no circuit or layer: declare one with "
                         "torchcircuits.circuit(...) or torchcircuits.layer(...)")  # fmt: skip
    declared: dict[str, Declaration] = {}
    for thing in found:
        if thing.name in declared:
            raise InputError(f"{path.name} declares two circuits or layers named {thing.name!r}: give one name=...")
        declared[thing.name] = thing
    return declared


def run_count(declared: Mapping[str, Declaration], names: Sequence[str], trials: int) -> int:
    """How many runs :func:`check_declarations` makes (for a progress bar)."""
    chosen = [declared[n] for n in (names or declared)]
    return sum(trials + 1 if isinstance(d, Circuit) else max(trials, 1) for d in chosen)


def check_declarations(
    declared: Mapping[str, Declaration],
    names: Sequence[str] = (),
    trials: int = 3,
    seed: int = 0,
    device: str = "cpu",
    on_run: Callable[[int, int], None] | None = None,
) -> list[CheckRun]:
    """Check the named declarations (all by default) in declaration order; unknown names are refused."""
    for name in names:
        if name not in declared:
            raise unknown_name("circuit or layer", name, declared)
    chosen = [declared[n] for n in (names or declared)]
    total = run_count(declared, names, trials)
    runs: list[CheckRun] = []

    def add(run: CheckRun) -> None:
        runs.append(run)
        if on_run is not None:
            on_run(len(runs), total)

    circuits = {d.name: d for d in chosen if isinstance(d, Circuit)}
    for thing in chosen:
        if isinstance(thing, Circuit):
            try:
                checked = run_checks([thing.name], trials, seed, device=device, circuits=circuits)
            except RuntimeError as error:  # random_inputs found no point inside the domain
                raise InputError(f"circuit {thing.name}: {error}; loosen its domain or its low/high range") from None
            for run in checked:
                add(run)
            continue
        for trial in range(max(trials, 1)):
            inputs, dout = layer_point(thing, seed, trial)
            as_circuit = thing.at(inputs, dout)
            add(check_circuit(as_circuit, as_circuit.seed, f"trial {trial + 1}", device))
    return runs
