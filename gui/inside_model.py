"""The controller's part for the views of the net's inside: what they asked to see, and what it kept.

The network, hidden-space and parameter-space views and the health panel draw
from the controller's snapshot; this object (one per controller) holds their
requests (which hidden layer and axes, which two parameters), the records kept
beside the curves (the health over time, the parameters' path) and the
throttled loss map. Every number comes from the library
(:mod:`torchcircuits.inside`, :mod:`torchcircuits.landscape`, ``Trainer.health()``).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

import numpy as np
import torch

from torchcircuits.features import featurize
from torchcircuits.inside import HiddenMap, NetworkState, grid_lines, hidden_map, network_state
from torchcircuits.landscape import (
    LossSurface,
    ParameterRef,
    default_pair,
    flatten,
    loss_surface,
    parameter_refs,
    parse_ref,
    window_around,
)
from torchcircuits.trainer import Trainer

from .boundary import plot_bounds
from .history import DecimatingHistory

__all__ = ["InsideViews", "ParameterView", "health_columns", "PATH_LENGTH", "LANDSCAPE_EVERY_S", "LANDSCAPE_SIZE",
           "HEALTH_SPACING", "HEALTH_CHEAP_S"]

#: how many recorded points of the parameters' path the parameter-space view keeps
PATH_LENGTH = 500
#: while training runs, the loss map is recomputed at most this often (seconds): it costs size² loss evaluations
LANDSCAPE_EVERY_S = 1.0
#: the loss map's grid side (odd: the current point is a node)
LANDSCAPE_SIZE = 31
#: a health record (a forward pass over the whole training set) that took over HEALTH_CHEAP_S is not repeated
#: until HEALTH_SPACING times its cost has passed: every record for small sets, a tenth of the time for large ones
HEALTH_SPACING = 10.0
HEALTH_CHEAP_S = 0.02
#: a session keeps the parameters' path when it holds at most this many numbers (PATH_LENGTH points of a big
#: net would add megabytes; the path then starts afresh on reopening)
MAX_SAVED_PATH_NUMBERS = 100_000


def health_columns(trainer: Trainer) -> tuple[str, ...]:
    """The health history's columns: step, each hidden layer's dead share, each parameter's ratio and gradient norm."""
    names = list(trainer.spec.shapes())
    return ("step", *(f"dead{k}" for k in range(1, trainer.spec.depth + 1)), *(f"ratio:{n}" for n in names),
            *(f"grad:{n}" for n in names))  # fmt: skip


@dataclass(frozen=True)
class ParameterView:
    """The loss map (None until first computed), the path of the two parameters and the momentum step."""

    pair: tuple[ParameterRef, ParameterRef]
    surface: LossSurface | None
    path: np.ndarray  # (P, 2), oldest first; the last point is the current one
    #: -lr·v of the two parameters (where momentum carries them next), None without momentum
    velocity: tuple[float, float] | None
    #: the step the map was computed at (it lags by up to LANDSCAPE_EVERY_S while training runs)
    surface_step: int = 0


class InsideViews:
    """Requests and records of the inside views; the controller calls :meth:`reset` and :meth:`record`."""

    def __init__(self) -> None:
        self.hidden_layer = 1
        #: two 0-based neurons of the hidden layer as axes; None: its first two principal components
        self.hidden_neurons: tuple[int, int] | None = None
        self.pair: tuple[ParameterRef, ParameterRef] | None = None
        self.health_history = DecimatingHistory(("step",))
        self.path: deque[np.ndarray] = deque(maxlen=PATH_LENGTH)
        self._surface: LossSurface | None = None
        self._surface_step = -1
        self._surface_at = 0.0
        self._health_at = -math.inf
        self._health_cost = 0.0

    @property
    def key(self) -> object:
        """Changes whenever a request changes (part of the snapshot's cache key)."""
        return self.hidden_layer, self.hidden_neurons, self.pair, id(self._surface)

    def reset(self, trainer: Trainer | None) -> None:
        """A new model: fresh records; requests kept where they still fit it."""
        self.path.clear()
        self._surface, self._surface_step = None, -1
        self._health_at, self._health_cost = -math.inf, 0.0
        if trainer is None:
            return
        self.health_history = DecimatingHistory(health_columns(trainer))
        depth = trainer.spec.depth
        self.hidden_layer = min(max(1, self.hidden_layer), max(1, depth))
        if self.hidden_neurons is not None and (not depth or max(self.hidden_neurons) >= trainer.spec.hidden[
                self.hidden_layer - 1]):  # fmt: skip
            self.hidden_neurons = None
        refs = parameter_refs(trainer.spec)
        if self.pair is not None and not all(ref in refs for ref in self.pair):
            self.pair = None

    def to_json(self) -> dict:
        """The requests, the health history and the parameters' path, for a session (strict JSON: all finite)."""
        saved: dict = {
            "hidden_layer": self.hidden_layer,
            "hidden_neurons": None if self.hidden_neurons is None else list(self.hidden_neurons),
            "pair": None if self.pair is None else [ref.label for ref in self.pair],
            "health": self.health_history.to_json(),
        }
        if sum(len(point) for point in self.path) <= MAX_SAVED_PATH_NUMBERS:
            saved["path"] = [point.tolist() for point in self.path]
        return saved

    def restore(self, saved: object, trainer: Trainer) -> None:
        """Take :meth:`to_json`'s output for ``trainer``'s model, after :meth:`reset`.

        Like the other view options, what does not fit the model (a layer or neuron it
        lacks, a parameter of another model, a path of another length) is left at its
        default; it is never an error.
        """
        if not isinstance(saved, dict):
            return
        hidden = trainer.spec.hidden
        layer = saved.get("hidden_layer")
        if isinstance(layer, int) and 1 <= layer <= len(hidden):
            self.hidden_layer = layer
        neurons = saved.get("hidden_neurons")
        if (isinstance(neurons, list) and len(neurons) == 2 and all(isinstance(n, int) for n in neurons) and hidden
                and all(0 <= n < hidden[self.hidden_layer - 1] for n in neurons)):  # fmt: skip
            self.hidden_neurons = (neurons[0], neurons[1])
        pair = saved.get("pair")
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(label, str) for label in pair):
            try:
                refs = (parse_ref(pair[0], trainer.spec), parse_ref(pair[1], trainer.spec))
            except ValueError:
                refs = None
            if refs is not None and refs[0] != refs[1]:
                self.pair = refs
        health = DecimatingHistory.from_json(saved.get("health"), health_columns(trainer))
        if health is not None:
            self.health_history = health
        size = len(flatten(trainer.params, trainer.spec))
        path = saved.get("path")
        if isinstance(path, list) and all(isinstance(point, list) and len(point) == size for point in path):
            try:
                points = [np.array(point, dtype=np.float64) for point in path[-PATH_LENGTH:]]
            except (TypeError, ValueError):
                return
            if all(np.isfinite(point).all() for point in points):
                now = self.path[-1] if self.path else None  # the point reset's first record took
                self.path.clear()
                self.path.extend(points)
                if now is not None and not np.array_equal(self.path[-1] if self.path else None, now):
                    self.path.append(now)

    def record(self, trainer: Trainer, step: int) -> None:
        """Keep the parameters at a recorded step (where the curves get a point), and the health unless the last
        health record cost over HEALTH_CHEAP_S and was less than HEALTH_SPACING times that cost ago."""
        self.path.append(flatten(trainer.params, trainer.spec).numpy())
        start = time.perf_counter()
        if self._health_cost > HEALTH_CHEAP_S and start - self._health_at < HEALTH_SPACING * self._health_cost:
            return
        health = trainer.health()
        self._health_at, self._health_cost = start, time.perf_counter() - start
        values: dict[str, float | None] = {"step": step}
        values.update({f"dead{k + 1}": v for k, v in enumerate(health.dead_fraction)})
        values.update({f"ratio:{n}": v for n, v in health.update_ratio.items()})
        values.update({f"grad:{n}": v for n, v in health.grad_norm.items()})
        self.health_history.append(**values)

    # --- what the views draw --------------------------------------------------------------
    def network(self, trainer: Trainer) -> NetworkState:
        """Weights, gradients and pulls on the examples of the last step (all of them before the first step)."""
        inputs = featurize(trainer.train_set.X, trainer.features)
        targets = trainer.loss.targets(trainer.train_set.labels)
        batch = trainer.last_batch
        batch_inputs, batch_targets = (inputs, targets) if batch is None else (inputs[batch], targets[batch])
        c = trainer.config
        return network_state(trainer.params, trainer.spec, trainer.features, trainer.loss, inputs, batch_inputs,
                             batch_targets, c.reg, c.reg_kind)  # fmt: skip

    def hidden(self, trainer: Trainer) -> HiddenMap | None:
        """The training points and the plane's grid lines in the chosen hidden layer; None for a linear model."""
        if not trainer.spec.depth:
            return None
        X = trainer.train_set.X
        lines = grid_lines(plot_bounds(X.numpy()))
        return hidden_map(trainer.params, trainer.spec, trainer.features, self.hidden_layer, X, lines,
                          self.hidden_neurons)  # fmt: skip

    def parameters(self, trainer: Trainer, running: bool) -> ParameterView:
        """The pair's path and momentum step; the loss map recomputed when the step moved, at most every
        LANDSCAPE_EVERY_S while running (never per step)."""
        if self.pair is None:
            grads = self.network(trainer).grads if trainer.spec.depth else None
            self.pair = default_pair(trainer.spec, grads)
        a, b = self.pair
        spec = trainer.spec
        path = np.array(self.path)[:, [a.offset(spec), b.offset(spec)]] if self.path else np.zeros((0, 2))
        now = time.perf_counter()
        stale = self._surface is None or self._surface.pair != self.pair or (
            self._surface_step != trainer.step_count and (not running or now - self._surface_at >= LANDSCAPE_EVERY_S))
        if stale:
            centre = (trainer.params[a.name][a.index].item(), trainer.params[b.name][b.index].item())
            halves = window_around(centre, torch.from_numpy(path) if len(path) else None)
            c = trainer.config
            X = featurize(trainer.train_set.X, trainer.features)
            targets = trainer.loss.targets(trainer.train_set.labels)
            self._surface = loss_surface(trainer.params, spec, trainer.loss, X, targets, c.reg, c.reg_kind, self.pair,
                                         halves, LANDSCAPE_SIZE)  # fmt: skip
            self._surface_step, self._surface_at = trainer.step_count, time.perf_counter()
        velocity = None
        buffers = getattr(trainer.optimizer, "state", {}).get("momentum_buffer")
        if buffers and getattr(trainer.optimizer, "momentum", 0.0) > 0:
            lr = trainer.lr
            velocity = (-lr * buffers[a.name][a.index].item(), -lr * buffers[b.name][b.index].item())
        return ParameterView(self.pair, self._surface, path, velocity, self._surface_step)
