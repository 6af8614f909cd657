"""A user's own hand-derived gradients, declared as circuits and layers and checked like the registry's.

Two declarations, both returning objects that :mod:`torchcircuits.check` checks
through :func:`~torchcircuits.check.check_circuit`, the code path of the
registered circuits:

* :func:`circuit`: a scalar circuit. Its hand function takes one float per
  input (named by its parameters) and returns ``(output, gradients)``: one
  gradient per input, as a tuple in parameter order or a name → float dict.
  Its torch twin takes the same inputs as 0-d float64 tensors. The result is a
  :class:`~torchcircuits.circuits.Circuit`.
* :func:`layer`: a vectorized layer ``forward(*inputs) -> (out, cache)`` and
  ``backward(dout, cache) -> grads`` on float64 tensors of the given shapes.
  At each trial the checker draws the inputs and an upstream gradient ``dout``
  and checks the scalar ⟨forward(x), dout⟩ as a circuit whose inputs are the
  entries ``x[i, j]``; so a wrong entry is named with its index.

Anything wrong with the user's code itself (it raises, returns the wrong number
of gradients, the wrong shapes, non-finite values) is an
:class:`~torchcircuits.errors.InputError` naming the declaration, the function
and the line: a wrong *value* of a gradient is a check failure, not an error.
"""

from __future__ import annotations

import inspect
import math
import random
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from .circuits import Circuit, uniform_sampler
from .errors import InputError, finite_float

__all__ = ["Layer", "circuit", "layer", "layer_point", "collecting", "user_error", "tensor_entry_names", "split_entry",
           "summarize_entries"]

#: Declarations made while :func:`collecting` is active (a user's file being imported).
_collector: list[list[Circuit | Layer]] = []


def collecting() -> _Collecting:
    """``with collecting() as found:`` gathers every circuit and layer declared inside the block."""
    return _Collecting()


class _Collecting:
    def __enter__(self) -> list[Circuit | Layer]:
        self.found: list[Circuit | Layer] = []
        _collector.append(self.found)
        return self.found

    def __exit__(self, *exc: object) -> None:
        _collector.remove(self.found)


def _declare(thing: Circuit | Layer) -> None:
    for found in _collector:
        found.append(thing)


def user_error(what: str, error: BaseException) -> InputError:
    """``{what} raised ZeroDivisionError: division by zero (my_file.py, line 12)``: where in the user's code."""
    frames = traceback.extract_tb(error.__traceback__)
    own = __file__.rsplit(".", 1)[0]
    user_frames = [f for f in frames if not f.filename.startswith(own) and "/torch/" not in f.filename]
    where = f" ({user_frames[-1].filename.rsplit('/', 1)[-1]}, line {user_frames[-1].lineno})" if user_frames else ""
    detail = str(error).splitlines()[0] if str(error) else ""
    return InputError(f"{what} raised {type(error).__name__}{': ' + detail if detail else ''}{where}")


def _call(what: str, function: Callable[..., Any], *args: Any) -> Any:
    try:
        return function(*args)
    except InputError:
        raise
    except Exception as error:  # the user's code: any exception is their bug, reported in one line
        raise user_error(what, error) from None


def _point(names: Sequence[str], values: Sequence[float]) -> str:
    return ", ".join(f"{n}={v:.6g}" for n, v in zip(names, values, strict=True))


# --- scalar circuits ----------------------------------------------------------------------
def _finite(value: object, what: str) -> float:
    """A float from a number or a one-number tensor; anything else (or NaN, inf) is an InputError naming ``what``."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise InputError(f"{what} must be one number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    return finite_float(value, what)


def _scalar_hand(name: str, hand: Callable[..., Any], inputs: tuple[str, ...]) -> Callable[[Mapping[str, float]], Any]:
    def run(values: Mapping[str, float]) -> tuple[float, dict[str, float]]:
        args = [values[n] for n in inputs]
        where = f"circuit {name}: hand function at {_point(inputs, args)}"
        result = _call(where, hand, *args)
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise InputError(f"{where} must return (output, gradients), got {type(result).__name__}")
        output, grads = result
        output = _finite(output, f"{where}: the output")
        if isinstance(grads, Mapping):
            if set(grads) != set(inputs):
                raise InputError(f"{where} returned gradients for {', '.join(map(str, grads)) or 'nothing'}, "
                                 f"expected one for each of {', '.join(inputs)}")  # fmt: skip
            grads = [grads[n] for n in inputs]
        elif not isinstance(grads, tuple | list):
            grads = (grads,)  # one input: a bare number is its gradient
        if len(grads) != len(inputs):
            raise InputError(f"{where} returned {len(grads)} gradient{'' if len(grads) == 1 else 's'}, "
                             f"expected {len(inputs)} ({', '.join(inputs)})")  # fmt: skip
        return output, {n: _finite(g, f"{where}: the gradient of {n}") for n, g in zip(inputs, grads, strict=True)}

    return run


def _scalar_torch(
    name: str, twin: Callable[..., Tensor], inputs: tuple[str, ...]
) -> Callable[[Mapping[str, Tensor]], Tensor]:
    def run(tensors: Mapping[str, Tensor]) -> Tensor:
        out = _call(f"circuit {name}: torch function", twin, *(tensors[n] for n in inputs))
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise InputError(f"circuit {name}: torch function must return a one-number tensor, got "
                             f"{type(out).__name__}{tuple(out.shape) if isinstance(out, Tensor) else ''}")  # fmt: skip
        if not out.requires_grad:
            raise InputError(f"circuit {name}: torch function's output does not depend on its inputs "
                             "(compute it from the tensors it is given)")  # fmt: skip
        return out.reshape(())

    return run


def _traces_on_units(function: Callable[..., Any], values: list[float]) -> bool:
    """Whether ``function`` run on Units (instead of tensors) builds a Unit expression."""
    from .units import Unit

    try:
        return isinstance(function(*(Unit(v) for v in values)), Unit)
    except Exception:  # torch.sigmoid(Unit) and the like: not traceable, which is fine
        return False


def circuit(
    hand: Callable[..., Any] | None = None,
    *,
    torch: Callable[..., Tensor] | None = None,
    seed: Mapping[str, float] | None = None,
    name: str | None = None,
    formula: str = "",
    build: Callable[..., Any] | None = None,
    low: float = -3.0,
    high: float = 3.0,
    domain: Callable[..., bool] | None = None,
    description: str = "",
) -> Any:
    """Declare a scalar circuit from a hand function; usable as ``@circuit(...)`` or ``circuit(f, ...)``.

    ``hand(x, y, ...)`` returns ``(output, (dx, dy, ...))``; its parameter names
    are the inputs, its defaults the seed point (``seed`` overrides them).
    ``torch`` is the same expression on 0-d float64 tensors (optional: without
    it the hand gradients are compared with centered differences only).
    ``build`` is the same expression on :class:`~torchcircuits.units.Unit` s
    (optional: it draws the circuit and lets the app practise it; a torch twin
    written with operators only, such as ``(x + y) * z``, serves as both). Random
    points are uniform in [low, high] and satisfy ``domain(x, y, ...)``.
    Returns a :class:`~torchcircuits.circuits.Circuit`.
    """
    if hand is None:
        return lambda function: circuit(
            function, torch=torch, seed=seed, name=name, formula=formula, build=build,
            low=low, high=high, domain=domain, description=description,
        )  # fmt: skip
    label = name or getattr(hand, "__name__", "circuit")
    parameters = inspect.signature(hand).parameters.values()
    inputs = tuple(p.name for p in parameters)
    if not inputs:
        raise InputError(f"circuit {label}: the hand function takes no inputs; write def {label}(x, y): ...")
    defaults = {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}
    start = {**defaults, **(seed or {})}
    missing = [n for n in inputs if n not in start]
    unknown = [n for n in start if n not in inputs]
    if unknown:
        raise InputError(f"circuit {label}: seed names {', '.join(unknown)}, but the inputs are {', '.join(inputs)}")
    if missing:
        start.update({n: 1.0 for n in missing})  # no seed given: every input starts at 1
    if build is None and torch is not None and _traces_on_units(torch, [float(start[n]) for n in inputs]):
        build = torch  # written with operators only, the torch twin runs on Units too: it can be drawn
    declared = Circuit(
        name=label,
        formula=formula or label,
        inputs=inputs,
        seed={n: _finite(start[n], f"circuit {label}: seed value of {n}") for n in inputs},
        build=None if build is None else (lambda units: build(*(units[n] for n in inputs))),
        hand=_scalar_hand(label, hand, inputs),
        torch_forward=None if torch is None else _scalar_torch(label, torch, inputs),
        description=description,
        domain=(lambda v: True) if domain is None else (
            lambda v: bool(_call(f"circuit {label}: domain", domain, *(v[n] for n in inputs)))
        ),
        sampler=uniform_sampler(low, high),
    )
    _declare(declared)
    return declared


# --- vectorized layers ----------------------------------------------------------------------
def tensor_entry_names(name: str, shape: tuple[int, ...]) -> list[str]:
    """``x[0, 0]``, ``x[0, 1]``, ... for every entry in row-major order; a 0-d input is just ``x``."""
    if not shape:
        return [name]
    names = []
    for flat in range(math.prod(shape)):
        index, rest = [], flat
        for size in reversed(shape):
            index.append(rest % size)
            rest //= size
        names.append(f"{name}[{', '.join(map(str, reversed(index)))}]")
    return names


def split_entry(entry: str) -> tuple[str, str]:
    """``'x[2, 1]'`` → ``('x', '[2, 1]')``; ``'x'`` → ``('x', '')``."""
    name, bracket, index = entry.partition("[")
    return name, bracket + index


def summarize_entries(values: Mapping[str, float]) -> str:
    """``x[0, 0]=.., x[0, 1]=.., b[0]=..`` → ``x: 2 entries, b: 1 entry`` (a layer's point in a table)."""
    counts: dict[str, int] = {}
    for entry in values:
        counts[split_entry(entry)[0]] = counts.get(split_entry(entry)[0], 0) + 1
    return ", ".join(f"{name}: {n} entr{'y' if n == 1 else 'ies'}" for name, n in counts.items())


def _gaussian(generator: torch.Generator, name: str, shape: tuple[int, ...]) -> Tensor:
    return torch.randn(shape, generator=generator, dtype=torch.float64)


@dataclass(frozen=True)
class Layer:
    """A user's vectorized layer with a hand backward; see :func:`layer`."""

    name: str
    shapes: Mapping[str, tuple[int, ...]]
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    torch_forward: Callable[..., Tensor] | None = None
    sample: Callable[[torch.Generator, str, tuple[int, ...]], Tensor] = field(default=_gaussian)
    description: str = ""

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(self.shapes)

    def draw(self, generator: torch.Generator) -> dict[str, Tensor]:
        """One random point: a float64 tensor per input, from ``sample``."""
        drawn = {}
        for name, shape in self.shapes.items():
            value = _call(f"layer {self.name}: sample", self.sample, generator, name, shape)
            drawn[name] = torch.as_tensor(value, dtype=torch.float64).reshape(shape)
        return drawn

    def run(self, inputs: Mapping[str, Tensor], dout: Tensor | None) -> tuple[Tensor, dict[str, Tensor]]:
        """(out, gradients) of the user's forward and backward (no gradients without ``dout``), all validated."""
        result = _call(f"layer {self.name}: forward", self.forward, *(inputs[n] for n in self.inputs))
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise InputError(f"layer {self.name}: forward must return (out, cache), got {type(result).__name__}")
        out = self._tensor(result[0], "the output", None, "forward")
        if dout is None:
            return out, {}
        raw = _call(f"layer {self.name}: backward", self.backward, dout, result[1])
        if isinstance(raw, Mapping):
            if set(raw) != set(self.inputs):
                raise InputError(f"layer {self.name}: backward returned gradients for {', '.join(map(str, raw))}, "
                                 f"expected one for each of {', '.join(self.inputs)}")  # fmt: skip
            raw = [raw[n] for n in self.inputs]
        elif isinstance(raw, Tensor) or not isinstance(raw, tuple | list):
            raw = (raw,)
        if len(raw) != len(self.inputs):
            raise InputError(f"layer {self.name}: backward returned {len(raw)} gradient{'' if len(raw) == 1 else 's'}, "
                             f"expected {len(self.inputs)} ({', '.join(self.inputs)})")  # fmt: skip
        return out, {
            name: self._tensor(grad, f"the gradient of {name}", self.shapes[name], "backward")
            for name, grad in zip(self.inputs, raw, strict=True)
        }

    def _tensor(self, value: object, what: str, shape: tuple[int, ...] | None, function: str) -> Tensor:
        try:
            tensor = torch.as_tensor(value, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError):
            raise InputError(f"layer {self.name}: {function} returned {type(value).__name__} as {what}, "
                             "expected a tensor") from None  # fmt: skip
        if shape is not None and tuple(tensor.shape) != tuple(shape):
            raise InputError(f"layer {self.name}: {function} returned {what} with shape {tuple(tensor.shape)}, "
                             f"expected {tuple(shape)}")  # fmt: skip
        if not bool(torch.isfinite(tensor).all()):
            where = tuple((~torch.isfinite(tensor)).nonzero()[0].tolist())
            bad = tensor[where].item()
            raise InputError(f"layer {self.name}: {function} returned a non-finite value in {what}: {bad} at {where}")
        return tensor

    def at(self, inputs: Mapping[str, Tensor], dout: Tensor, run: str = "") -> Circuit:
        """The layer at one upstream gradient, as a scalar circuit of its entries.

        Its output is ⟨forward(x), dout⟩, its inputs the entries ``x[i, j]``;
        hand = the user's backward, torch = autograd through the torch twin.
        """
        entries = {n: tensor_entry_names(n, tuple(s)) for n, s in self.shapes.items()}
        names = tuple(e for group in entries.values() for e in group)

        def gather(values: Mapping[str, Any], name: str, stack: Callable[[list[Any]], Tensor]) -> Tensor:
            return stack([values[e] for e in entries[name]]).reshape(self.shapes[name])

        def hand(values: Mapping[str, float]) -> tuple[float, dict[str, float]]:
            point = {n: gather(values, n, lambda xs: torch.tensor(xs, dtype=torch.float64)) for n in self.inputs}
            out, grads = self.run(point, dout)
            return float((out * dout).sum()), {
                e: float(v) for n in self.inputs for e, v in zip(entries[n], grads[n].reshape(-1).tolist(), strict=True)
            }

        def twin(tensors: Mapping[str, Tensor]) -> Tensor:
            point = [gather(tensors, n, torch.stack) for n in self.inputs]
            out = _call(f"layer {self.name}: torch function", self.torch_forward, *point)
            if not isinstance(out, Tensor) or tuple(out.shape) != tuple(dout.shape):
                raise InputError(f"layer {self.name}: torch function returned shape "
                                 f"{tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__}, "
                                 f"expected the forward's {tuple(dout.shape)}")  # fmt: skip
            if not out.requires_grad:
                raise InputError(f"layer {self.name}: torch function's output does not depend on its inputs "
                                 "(compute it from the tensors it is given)")  # fmt: skip
            return (out * dout.to(out.device)).sum()

        flat = {
            e: float(v) for n in self.inputs for e, v in zip(entries[n], inputs[n].reshape(-1).tolist(), strict=True)
        }
        return Circuit(
            name=self.name,
            formula=f"<{self.name}(" + ", ".join(self.inputs) + "), dout>",
            inputs=names,
            seed=flat,
            build=None,
            hand=hand,
            torch_forward=None if self.torch_forward is None else twin,
            description=run,
        )


def layer(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    *,
    shapes: Mapping[str, Sequence[int]],
    torch: Callable[..., Tensor] | None = None,
    name: str | None = None,
    sample: Callable[[torch.Generator, str, tuple[int, ...]], Tensor] | None = None,
    description: str = "",
) -> Layer:
    """Declare a vectorized layer with a hand backward.

    ``forward(*inputs) -> (out, cache)`` and ``backward(dout, cache) -> grads``
    (a tuple in the order of ``shapes``, or a name → tensor dict) on float64
    tensors; ``shapes`` maps each input's name to its shape, in forward's
    argument order. ``torch(*inputs) -> out`` is the same layer in plain torch
    for autograd (optional: without it, centered differences of
    ⟨forward(x), dout⟩). ``sample(generator, name, shape)`` draws an input
    (default: standard normal).
    """
    label = name or getattr(forward, "__name__", "layer").removesuffix("_forward")
    if not shapes:
        raise InputError(f"layer {label}: give the inputs' shapes, e.g. shapes={{'x': (4, 3)}}")
    clean = {}
    for key, shape in shapes.items():
        try:
            clean[key] = tuple(int(s) for s in shape)
        except (TypeError, ValueError):
            raise InputError(
                f"layer {label}: the shape of {key} must be a tuple of whole numbers, got {shape!r}"
            ) from None
        if any(s < 1 for s in clean[key]) or math.prod(clean[key]) > 4096:
            raise InputError(f"layer {label}: the shape of {key} must have 1 to 4096 entries, got {clean[key]}")
    declared = Layer(label, clean, forward, backward, torch, sample or _gaussian, description)
    _declare(declared)
    return declared


def layer_point(layer: Layer, seed: int, trial: int) -> tuple[dict[str, Tensor], Tensor]:
    """The inputs and upstream gradient of one trial: reproducible from (seed, layer, trial)."""
    generator = torch.Generator().manual_seed(random.Random(f"{seed}:{layer.name}:{trial}").getrandbits(62))
    inputs = layer.draw(generator)
    out, _ = layer.run(inputs, None)
    return inputs, torch.randn(tuple(out.shape), generator=generator, dtype=torch.float64)
