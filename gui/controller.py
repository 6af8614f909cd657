"""The app's model: a QObject that drives the library's Trainer from a QTimer.

It holds the data, the run settings and the trainer; the widgets call its
methods and redraw on its signals. It has no training logic of its own: every
step is ``Trainer.step()``, every measurement ``Trainer.evaluate()``.

Stepping runs on the main thread in slices of at most ``budget_ms`` between
events, so the window keeps answering while the trainer runs as fast as it can;
redrawing is the window's business, on its own timer.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from torchcircuits.data import Dataset, save_csv
from torchcircuits.errors import InputError
from torchcircuits.health import diagnose, divergence_message
from torchcircuits.inside import HiddenMap, NetworkState, grid_outputs
from torchcircuits.landscape import parse_ref
from torchcircuits.metrics import ClassReport
from torchcircuits.recipes import recipe_config, recipe_for, recipe_summary
from torchcircuits.run import PRESETS, DataSpec, RunSettings
from torchcircuits.session import load_session, restore_trainer, save_session
from torchcircuits.trainer import Diverged, Evaluation, StepStats, TrainConfig, Trainer, check_data

from .help import PRESET_TITLES
from .history import DecimatingHistory
from .inside_model import InsideViews, ParameterView
from .regression_view import RegressionFit
from .rewind import SnapshotTrail
from .run_compare import RunArchive, change_label

__all__ = ["TrainingController", "HISTORY_COLUMNS", "Snapshot", "HINGE_LIKE"]

HISTORY_COLUMNS = ("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "train_rmse", "test_rmse",
                   "train_r2", "test_r2")


#: losses whose ±1 margins the boundary draws
HINGE_LIKE = ("hinge", "squared_hinge")
#: how often, while running, the controller looks for a dead net or flat scores (seconds)
HEALTH_EVERY_S = 0.25
#: how often, while running, it evaluates on the whole data set and records a point of the curves (seconds):
#: an evaluation costs about two steps, and neither the curves nor the readouts need more than 25 a second
RECORD_EVERY_S = 0.04


@dataclass(frozen=True)
class Snapshot:
    """What the views draw, computed by the controller from the trainer (views never reach into it).

    ``scores`` (G², M) are on the grid the view asked for; ``train_wrong`` and
    ``test_wrong`` are boolean masks of misclassified points; ``steps_per_second``
    is None while paused. Without a model (no valid data) ``model`` is None.
    """

    step: int
    model: str | None
    loss: str | None
    evaluation: Evaluation | None
    stats: StepStats | None
    steps_per_second: float | None
    scores: torch.Tensor | None
    margins: bool
    train_wrong: torch.Tensor
    test_wrong: torch.Tensor
    compare: bool
    max_grad_diff: float | None
    health: str | None
    running: bool
    #: for the views that asked (``snapshot(views=...)``): every layer's output on the grid (features (G², D),
    #: each hidden layer (G², H_l), the scores, the same tensor as ``scores``), from ONE grid evaluation
    layers: tuple[torch.Tensor, ...] | None = None
    network: NetworkState | None = None
    hidden: HiddenMap | None = None
    parameters: ParameterView | None = None


def _history_up_to(saved: dict, step: int) -> DecimatingHistory:
    """The history of ``saved`` (DecimatingHistory.to_json) with the records after ``step`` left out."""
    steps = saved["columns"].index("step")
    rows = [row for row in saved["rows"] if row[steps] <= step]
    kept = {**saved, "rows": rows, "offered": len(rows) * saved["stride"]}
    return DecimatingHistory.from_json(kept, HISTORY_COLUMNS) or DecimatingHistory(HISTORY_COLUMNS)


def _load(spec: DataSpec) -> tuple[Dataset, Dataset]:
    """(train, test) of ``spec``; InputError when a point is not a finite number (noise 1e308 makes inf)."""
    train, test = spec.load()
    if not (torch.isfinite(train.X).all() and torch.isfinite(test.X).all()):
        raise InputError(f"{Path(spec.name).name}: some points are not finite numbers (is the noise too large?)")
    return train, test


def _trains(config: TrainConfig, train: Dataset) -> bool:
    """Whether ``config`` trains on ``train`` (the Trainer's own check of the pair)."""
    try:
        check_data(config, train)
    except InputError:
        return False
    return True


def _empty_like(data: Dataset) -> Dataset:
    return data.subset(torch.zeros(0, dtype=torch.int64))


class TrainingController(QObject):
    """Data + settings + Trainer, stepped by a timer. Signals say what changed.

    Every change goes through a method here; a refused change leaves every
    setting, the data and the model as they were and says why (sigMessage).
    """

    #: the data or the model changed: redraw everything
    sigReset = pyqtSignal()
    #: steps were taken: redraw plots and readouts
    sigStepped = pyqtSignal()
    #: (level, text): level is "error" or "info"; an empty text clears the message
    sigMessage = pyqtSignal(str, str)
    sigRunning = pyqtSignal(bool)
    #: the settings changed: refresh the controls
    sigSettings = pyqtSignal()

    def __init__(self, settings: RunSettings | None = None, budget_ms: float = 12.0, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings or PRESETS["guide-svm"]
        self.preset: str | None = None
        self.budget_ms = budget_ms
        self.history = DecimatingHistory(HISTORY_COLUMNS)
        #: the inside views' requests and records (health over time, the parameters' path)
        self.inside = InsideViews()
        self.trainer: Trainer | None = None
        self.last_stats: StepStats | None = None
        self.last_evaluation: Evaluation | None = None
        self.steps_per_second: float | None = None
        self.max_grad_diff: float | None = None
        #: steps per second while playing; None = as fast as the machine goes
        self.speed: float | None = None
        #: playing stops when the step count reaches this (None: never)
        self.stop_at: int | None = None
        #: what diagnose() said last (None: healthy)
        self.health: str | None = None
        self._owed = 0.0
        self._last_tick = 0.0
        self._health_checked = 0.0
        self._recorded_at = 0.0
        self._last_finite: tuple[int, dict[str, torch.Tensor]] | None = None
        self._snapshot_key: object = None
        self._snapshot: Snapshot | None = None
        self.train, self.test = self.settings.data.load()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        #: (time a tick started, steps it took): the last second of ticks, for steps per second
        self._rate_window: list[tuple[float, int]] = []
        #: the last change _replace_all refused (what apply_config returns when a new model cannot be made)
        self.refusal: InputError | None = None
        #: the trainer's state at recorded steps, for the rewind slider
        self.trail = SnapshotTrail()
        #: earlier runs' curves for comparison, and the settings the current run started with
        self.runs = RunArchive()
        self._installed_settings = self.settings
        #: while rewound: the trail's entries as they were before (scrubbing forward again), else None
        self.rewind_base: list[tuple[int, dict]] | None = None
        self._rewind_history: dict | None = None
        #: the trail entry shown while rewound
        self.rewound_to = 0
        self._build_trainer()

    # --- state ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def num_classes(self) -> int:
        return self.train.num_classes

    @property
    def step_count(self) -> int:
        return 0 if self.trainer is None else self.trainer.step_count

    def all_points(self) -> Dataset:
        """Train and test points together (what a CSV save writes)."""
        return Dataset(
            torch.cat([self.train.X, self.test.X]),
            torch.cat([self.train.labels, self.test.labels]),
            max(self.train.num_classes, self.test.num_classes),
            self.train.name,
        )

    def snapshot(self, grid: torch.Tensor | None = None, views: frozenset[str] = frozenset()) -> Snapshot:
        """The state to draw; ``grid`` (G², 2) are the points whose scores the boundary shows.

        ``views`` names the inside views to fill in: "network" (every layer on the
        grid, the weights, gradients and pulls), "hidden", "parameters".
        """
        trainer = self.trainer
        key = (id(trainer), self.step_count, id(grid), id(self.train), id(self.test), self.running,
               self.steps_per_second, self.health, self.last_evaluation, views, self.inside.key)  # fmt: skip
        if key == self._snapshot_key and self._snapshot is not None:
            return self._snapshot
        no_mask = torch.zeros(len(self.train), dtype=torch.bool), torch.zeros(len(self.test), dtype=torch.bool)
        if trainer is None:
            snap = Snapshot(0, None, None, None, None, None, None, False, *no_mask, False, None, self.health,
                            self.running)  # fmt: skip
        else:
            layers = None
            if "network" in views and grid is not None:  # one pass gives the thumbnails and the boundary's scores
                layers = tuple(grid_outputs(trainer.params, trainer.spec, trainer.features, grid))
            scores = layers[-1] if layers is not None else None if grid is None else trainer.scores(grid)
            if trainer.loss.task == "regression":  # a value is never exactly right: nothing is "misclassified"
                train_wrong, test_wrong = no_mask
            else:
                train_wrong = trainer.predict(self.train.X) != self.train.labels
                test_wrong = trainer.predict(self.test.X) != self.test.labels if len(self.test) else no_mask[1]
            snap = Snapshot(
                trainer.step_count, trainer.config.model, trainer.loss.name, self.last_evaluation, self.last_stats,
                self.steps_per_second if self.running else None, scores, trainer.loss.name in HINGE_LIKE,
                train_wrong, test_wrong, trainer.config.compare, self.max_grad_diff, self.health, self.running,
                layers, self.inside.network(trainer) if "network" in views else None,
                self.inside.hidden(trainer) if "hidden" in views else None,
                self.inside.parameters(trainer, self.running) if "parameters" in views else None,
            )  # fmt: skip
        self._snapshot_key, self._snapshot = key, snap
        return snap

    def class_report(self) -> tuple[ClassReport, str] | None:
        """The trainer's confusion matrix and per-class metrics, and which set they are on ("test" or "training").

        None without a model or for regression.
        """
        trainer = self.trainer
        report = None if trainer is None else trainer.class_report()
        if report is None:
            return None
        return report, "test" if trainer.test_set is not None else "training"

    def regression_fit(
        self, grid: torch.Tensor | None = None, bounds: tuple[float, float, float, float] | None = None,
        neurons: bool = False, samples: int = 400,
    ) -> RegressionFit | None:
        """What the regression views draw; None without a model or for classification.

        1-D data: the model on ``samples`` x values spanning the data with a 10%
        margin, the first hidden layer's outputs there when ``neurons``, the model
        at the training points. 2-D data: the model on ``grid`` (G², 2), laid out as
        a G×G image covering ``bounds``.
        """
        trainer = self.trainer
        if trainer is None or trainer.loss.task != "regression":
            return None
        targets = torch.cat([self.train.labels, self.test.labels])
        levels = (float(targets.min()), float(targets.max()))
        if self.train.inputs == 1:
            xs = torch.cat([self.train.X[:, 0], self.test.X[:, 0]])
            lo, hi = float(xs.min()), float(xs.max())
            pad = 0.1 * max(hi - lo, 1e-3)
            x = torch.linspace(lo - pad, hi + pad, samples, dtype=torch.float64)
            hidden = trainer.hidden_activations(x[:, None]) if neurons and trainer.spec.hidden else None
            return RegressionFit(levels, x=x, fitted=trainer.predict(x[:, None]),
                                 neurons=None if hidden is None else hidden[0],
                                 predicted=trainer.predict(self.train.X))  # fmt: skip
        if grid is None:
            return None
        size = round(len(grid) ** 0.5)
        return RegressionFit(levels, values=trainer.predict(grid).reshape(size, size), bounds=bounds)

    def _build_trainer(self) -> bool:
        """A fresh Trainer at step 0 on the current settings and data; on bad data the trainer is None."""
        try:
            trainer = Trainer(self.settings.config, self.train, self.test)
        except InputError as error:
            self._install(None)
            self.sigMessage.emit("error", error.as_flag())
            return False
        self._install(trainer)
        return True

    def _install(self, trainer: Trainer | None, history: DecimatingHistory | None = None) -> None:
        """Make ``trainer`` the model: fresh readouts, history (or the given one), health; playing goes on."""
        if self.trainer is not None:  # the run that ends joins the earlier runs' curves
            self.runs.add(change_label(self._installed_settings, self.settings), self.history)
        self._installed_settings = self.settings
        self.trainer = trainer
        self.history = DecimatingHistory(HISTORY_COLUMNS)  # a new buffer: the rewind and compare copies stay valid
        self.trail.clear()
        self.last_stats = self.last_evaluation = None
        self.max_grad_diff = None
        self.steps_per_second = None
        self._rate_window.clear()
        self._last_finite = None
        self.health = None
        self.inside.reset(trainer)
        if trainer is None:
            self.pause()  # nothing to step: the only pause not by the user's hand
        else:
            self._record()
            if history is not None:
                self.history = history
        self.sigReset.emit()

    def _record(self, evaluation: Evaluation | None = None) -> None:
        """Evaluate (unless given an evaluation) and append it to the history.

        A non-finite evaluation (the weights grew until the loss overflowed) rolls
        the model back to the last finite one and marks it diverged.
        """
        evaluation = evaluation or self.trainer.evaluate()
        if not math.isfinite(evaluation.train_loss):
            self._roll_back()
            return
        self._last_finite = (evaluation.step, self.trainer.parameters())
        self.last_evaluation = evaluation
        self.history.append(
            step=evaluation.step,
            train_loss=evaluation.train_loss,
            test_loss=evaluation.test_loss,
            train_accuracy=evaluation.train_accuracy,
            test_accuracy=evaluation.test_accuracy,
            train_rmse=evaluation.train_rmse,
            test_rmse=evaluation.test_rmse,
            train_r2=evaluation.train_r2,
            test_r2=evaluation.test_r2,
        )
        self.inside.record(self.trainer, evaluation.step)
        self.rewind_base = self._rewind_history = None  # training went on: the rewound-over future is gone
        self.trail.offer(evaluation.step, self.trainer.state_dict)

    def _roll_back(self) -> None:
        """Back to the last finite parameters, marked diverged (the one place that writes trainer state)."""
        trainer = self.trainer
        if self._last_finite is not None:
            step, params = self._last_finite
            trainer.load_parameters(params)
            trainer.step_count = step
        trainer.diverged = divergence_message(trainer, trainer.step_count)
        self._diverged()

    # --- running ----------------------------------------------------------------------------
    def play(self) -> None:
        if self.trainer is None:
            self.sigMessage.emit("error", "nothing to train: add points of two classes or choose a data set")
            return
        if self.trainer.diverged:
            self.sigMessage.emit("error", divergence_message(self.trainer, self.trainer.step_count))
            return
        if self.stop_at is not None and self.trainer.step_count >= self.stop_at:
            self.sigMessage.emit("error", f"already at step {self.trainer.step_count}: raise 'stop at step' to go on")
            return
        if not self.running:
            self._rate_window.clear()
            self._owed = 0.0
            self._last_tick = time.perf_counter()
            self._timer.setInterval(0 if self.speed is None else 10)
            self._timer.start()
            self.sigRunning.emit(True)
            if self.health is None:
                self.sigMessage.emit("info", "")

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            evaluation = self.last_evaluation
            if self.trainer is not None and evaluation is not None and evaluation.step != self.trainer.step_count:
                self._record()  # readouts and curves end at the step the model is at
            self.steps_per_second = None
            self._check_health(force=True)
            self.sigRunning.emit(False)
            self.sigStepped.emit()

    def toggle(self) -> None:
        self.pause() if self.running else self.play()

    def set_speed(self, steps_per_second: float | None) -> None:
        """Steps per second while playing (None: as fast as possible); InputError-free: the panel parses."""
        if steps_per_second is not None and not (math.isfinite(steps_per_second) and steps_per_second > 0):
            self.sigMessage.emit("error", f"speed must be a positive number of steps/s, got {steps_per_second}")
            self.sigSettings.emit()
            return
        self.speed = steps_per_second
        self._timer.setInterval(0 if steps_per_second is None else 10)
        self._owed = 0.0
        self._last_tick = time.perf_counter()
        self.sigSettings.emit()

    def set_stop_at(self, step: int | None) -> None:
        """Playing stops when the step count reaches ``step`` (None: runs until paused)."""
        if step is not None and step < 1:
            self.sigMessage.emit("error", f"stop at step must be a whole number >= 1, got {step}")
            self.sigSettings.emit()
            return
        self.stop_at = step
        self.sigSettings.emit()

    def step_once(self) -> None:
        """One step, then evaluate and record."""
        self.run_steps(1)

    def run_steps(self, steps: int, record_every: int | None = None) -> int:
        """Take ``steps`` steps synchronously (Step, tests, screenshots); returns steps taken."""
        if self.trainer is None:
            self.sigMessage.emit("error", "nothing to train: add points of two classes or choose a data set")
            return 0
        if self.trainer.diverged:
            self.sigMessage.emit("error", divergence_message(self.trainer, self.trainer.step_count))
            return 0
        self.clear_message()  # as Play does: what the last message said is behind the user now
        first = self.trainer.step_count
        # the library's loop: it records every `record_every` steps and at the last, and stops at a divergence
        self.trainer.run(steps, record_every or max(1, steps // 1000), on_record=self._on_record)
        if self.trainer.diverged:
            if self.last_evaluation is None or self.last_evaluation.step != self.trainer.step_count:
                self._record()  # the last finite state
            self._diverged()
        self.steps_per_second = None
        self._check_health(force=True)
        self.sigStepped.emit()
        return self.trainer.step_count - first

    def _on_record(self, stats: StepStats, evaluation: Evaluation) -> None:
        self._note_stats(stats)
        self._record(evaluation)

    def _note_stats(self, stats: StepStats) -> None:
        self.last_stats = stats
        if stats.max_grad_diff is not None:
            self.max_grad_diff = stats.max_grad_diff

    def _steps_this_tick(self, now: float) -> int | None:
        """How many steps the speed setting allows now (None: as many as the time budget allows)."""
        limit = None
        if self.speed is not None:
            # owed steps accumulate with time; at most a tenth of a second's worth, so a stall does not burst
            self._owed = min(self._owed + self.speed * (now - self._last_tick), max(1.0, self.speed * 0.1))
            limit = int(self._owed)
        if self.stop_at is not None:
            left = self.stop_at - self.trainer.step_count
            limit = left if limit is None else min(limit, left)
        return limit

    def _tick(self) -> None:
        """Step for up to budget_ms (and at most what the speed allows), record once, let the event loop run."""
        start = time.perf_counter()
        limit = self._steps_this_tick(start)
        self._last_tick = start
        deadline = start + self.budget_ms / 1000.0
        steps = 0
        diverged = False
        try:
            while limit is None or steps < limit:
                self._note_stats(self.trainer.step())
                steps += 1
                if time.perf_counter() >= deadline:
                    break
        except Diverged:
            diverged = True
        if self.speed is not None:
            self._owed -= steps
        stopping = diverged or (self.stop_at is not None and self.trainer.step_count >= self.stop_at)
        if steps and (stopping or time.perf_counter() - self._recorded_at >= RECORD_EVERY_S):
            self._record()  # the last finite state, even when the next step failed
            self._recorded_at = time.perf_counter()
        if diverged and self.running:
            self._diverged()
        if steps and not self.trainer.diverged:
            now = time.perf_counter()
            self._rate_window = [(t, n) for t, n in self._rate_window if now - t < 1.0] + [(start, steps)]
            # wall time from the first kept tick's start to now, redraws and idle time included
            span = now - self._rate_window[0][0]
            self.steps_per_second = sum(n for _, n in self._rate_window) / max(span, 1e-6)
            self._check_health()
        if self.running and self.stop_at is not None and self.trainer.step_count >= self.stop_at:
            self.pause()
            self.sigMessage.emit("info", f"stopped at step {self.trainer.step_count} ('stop at step')")
        self.sigStepped.emit()

    def _check_health(self, force: bool = False) -> None:
        """Look for a dead net or flat scores (at most every HEALTH_EVERY_S while running); say it, or clear it."""
        now = time.perf_counter()
        if self.trainer is None or self.trainer.diverged or (not force and now - self._health_checked < HEALTH_EVERY_S):
            return
        self._health_checked = now
        health = diagnose(self.trainer)
        if health != self.health:
            had = self.health
            self.health = health
            if health is not None:
                self.sigMessage.emit("error", health)
            elif had is not None:
                self.sigMessage.emit("info", "")

    def clear_message(self) -> None:
        """The status line after a message's cause is gone: empty, unless a lasting condition has one of its own.

        Lasting conditions: no model to train, and what diagnose() says (dead, flat, diverged).
        """
        if self.trainer is None:
            self.sigMessage.emit("error", "nothing to train: add points of two classes or choose a data set")
        elif self.health is not None:
            self.sigMessage.emit("error", self.health)
        else:
            self.sigMessage.emit("info", "")

    def _diverged(self) -> None:
        self.pause()
        self.health = divergence_message(self.trainer, self.trainer.step_count)
        self.sigMessage.emit("error", self.health)

    # --- settings -----------------------------------------------------------------------------
    def _replace_all(self, settings: RunSettings, train: Dataset, test: Dataset, message: str) -> bool:
        """Switch to new settings and data with a fresh model, or refuse and change nothing."""
        try:
            trainer = Trainer(settings.config, train, test)
        except InputError as error:
            self.refusal = error
            self.sigMessage.emit("error", f"not changed: {error.as_flag()}")
            self.sigSettings.emit()
            return False
        self.settings, self.train, self.test = settings, train, test
        self._install(trainer)
        self.sigSettings.emit()
        self.sigMessage.emit("info", message)
        return True

    def apply_config(self, config: TrainConfig) -> InputError | None:
        """Change training settings: live when the model stays the same, else a reset that says so.

        Returns the refusal (nothing changed) or None.
        """
        try:
            config = config.validated()
            # the data's own conditions (early stopping needs a test set) are the trainer's to check
            retuned = self.trainer is not None and not self.trainer.diverged and self.trainer.retune(config)
        except InputError as error:
            self.sigMessage.emit("error", error.as_flag())
            self.sigSettings.emit()
            return error
        old = self.settings.config
        if config == old:
            return None
        if retuned:
            self.preset = None
            self.settings = replace(self.settings, config=config)
            self.sigSettings.emit()
            self.sigMessage.emit("info", "applied to the running model" if self.running else "applied to the model")
            return None
        changed = [f for f in vars(config) if getattr(config, f) != getattr(old, f)]
        if self.trainer is None:  # no model to keep: take the settings, the data still decides
            self.preset = None
            self.settings = replace(self.settings, config=config)
            self.sigSettings.emit()
            self._build_trainer()
            return None
        settings = replace(self.settings, config=config)
        if self._replace_all(settings, self.train, self.test, f"model reset to step 0 ({', '.join(changed)} changed)"):
            self.preset = None
            self.sigSettings.emit()
            return None
        return self.refusal

    def choose(self, dataset: str | None = None, model: str | None = None) -> None:
        """Pick a data set and/or a model: the pair's recipe (settings that train), fresh data, step 0.

        A generated set starts from its own defaults (points, noise, classes), so a
        setting of the old set (5 spiral classes) does not refuse the new one.
        """
        data, config = self.settings.data, self.settings.config
        dataset = dataset or data.name
        model = model or config.model
        spec = data if dataset == data.name else DataSpec(dataset, seed=config.seed)
        try:
            spec = spec.validated()
            train, test = _load(spec)
        except InputError as error:
            self.sigMessage.emit("error", f"not changed: {error.as_flag()}")
            self.sigSettings.emit()
            return
        switched = ""
        if model == config.model and not _trains(recipe_config(dataset, model, keep=config), train):
            # a data set picked while a model that cannot train it is in force (the SVM, a regression set): the
            # net trains every set, so the pick goes through with it rather than being refused
            switched, model = f" ({model} does not train {train.task} data: the net instead)", "net"
        recipe = recipe_for(Path(dataset).name if spec.is_file else dataset, model)
        settings = RunSettings(recipe_config(dataset, model, keep=config), spec, self.settings.steps)
        summary = recipe_summary(dataset, model)
        message = f"{Path(dataset).name} + {model}{switched}: {summary or 'default settings'}" + (
            f". {recipe.note}" if recipe.note else ""
        )
        if self._replace_all(settings, train, test, message):
            self.preset = None
            self.sigSettings.emit()

    def apply_data(self, spec: DataSpec) -> None:
        """Load or generate a new data set (replacing added points) and reset the model; refused: nothing changes."""
        try:
            spec = spec.validated()
            train, test = _load(spec)
        except InputError as error:
            self.sigMessage.emit("error", error.as_flag())
            self.sigSettings.emit()
            return
        seed = "" if spec.is_file or spec.name.startswith("guide") else f" (data seed {spec.seed})"
        message = f"data set {Path(spec.name).name}{seed}: {len(train)} train, {len(test)} test points"
        if self._replace_all(replace(self.settings, data=spec), train, test, message):
            self.preset = None
            self.sigSettings.emit()

    def apply_settings(self, config: TrainConfig, spec: DataSpec) -> None:
        """New training settings and data together (a new seed draws new data): both or neither."""
        try:
            config, spec = config.validated(), spec.validated()
            train, test = _load(spec)
        except InputError as error:
            self.sigMessage.emit("error", error.as_flag())
            self.sigSettings.emit()
            return
        if self._replace_all(RunSettings(config, spec, self.settings.steps), train, test, f"seed {config.seed}: new "
                             f"data, new start, step 0"):  # fmt: skip
            self.preset = None
            self.sigSettings.emit()

    def regenerate(self) -> None:
        """A fresh sample of a generated data set (its seed moves on by one); a file is read again."""
        spec = self.settings.data
        if spec.name.startswith("guide") and not spec.is_file:
            self.sigMessage.emit("error", f"{spec.name} is the guide's fixed set: there is nothing to regenerate")
            return
        self.apply_data(spec if spec.is_file else replace(spec, seed=spec.seed + 1))

    def apply_preset(self, name: str) -> None:
        """The guide's runs: data, start point, step size, spring."""
        settings = PRESETS[name]
        train, test = settings.data.load()
        if self._replace_all(settings, train, test, f"{PRESET_TITLES.get(name, name)}: the guide's start, step 0"):
            self.preset = name
            self.sigSettings.emit()

    def reset(self) -> None:
        """Back to step 0 with fresh parameters from the seed (data and added points kept)."""
        if self._build_trainer():
            self.sigMessage.emit("info", "reset to step 0")

    def rewind(self, index: int) -> None:
        """Show the run as it was at trail entry ``index`` (paused); playing or stepping continues from there.

        The trainer is put back to that entry's state (parameters, optimizer and
        random state), the curves to the records up to its step. Until training
        goes on, any entry can be shown again, the later ones included.
        """
        trainer = self.trainer
        entries = self.rewind_base if self.rewind_base is not None else list(self.trail.entries)
        if trainer is None or not 0 <= index < len(entries):
            return
        self.pause()
        self.clear_message()  # e.g. "already at step 400": the run is at another step now
        if self.rewind_base is None:
            self.rewind_base, self._rewind_history = entries, self.history.to_json()
        step, state = entries[index]
        trainer.load_state_dict(state)
        self.trail.entries = entries[: index + 1]
        self.history = _history_up_to(self._rewind_history, step)
        self.rewound_to = index
        self.last_stats, self.max_grad_diff, self.health = None, None, None
        self.last_evaluation = trainer.evaluate()
        self._last_finite = (step, trainer.parameters())
        self.sigStepped.emit()

    # --- the inside views' choices ---------------------------------------------------------------
    def choose_hidden_axes(self, layer: int, neurons: tuple[int, int] | None) -> None:
        """The hidden-space view's layer (1-based) and axes: two 0-based neurons, or None (principal components)."""
        hidden = () if self.trainer is None else self.trainer.spec.hidden
        if not 1 <= layer <= len(hidden) or (neurons is not None and not all(0 <= n < hidden[layer - 1]
                                                                              for n in neurons)):  # fmt: skip
            self.sigMessage.emit("error", f"the net has hidden layers 1 to {len(hidden)}: layer {layer}, neurons "
                                          f"{neurons} do not fit it")  # fmt: skip
            return
        self.inside.hidden_layer, self.inside.hidden_neurons = layer, neurons
        self.sigStepped.emit()  # redraw

    def choose_parameter_pair(self, labels: tuple[str, str] | None) -> None:
        """The parameter-space view's two parameters by label (``W1[0,2]``); None: the default pair."""
        if self.trainer is None:
            return
        if labels is None:
            self.inside.pair = None
        else:
            try:
                pair = tuple(parse_ref(label, self.trainer.spec) for label in labels)
            except ValueError as error:
                self.sigMessage.emit("error", str(error))
                return
            if pair[0] == pair[1]:
                self.sigMessage.emit("error", f"pick two different parameters, not {labels[0]} twice")
                return
            self.inside.pair = pair
        self.sigStepped.emit()  # redraw

    # --- data edits -------------------------------------------------------------------------------
    def point_needs_reset(self, label: int) -> bool:
        """Whether adding a point of class ``label`` changes the classes, so the model must start again."""
        return self.trainer is not None and label >= self.train.num_classes

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add a training point of class ``label``; the model keeps training unless the classes change."""
        if not 0 <= label <= 9:
            self.sigMessage.emit("error", f"class {label} is outside 0..9")
            return
        new_class = label >= self.train.num_classes
        self.train = self.train.with_point(x, y, label)
        if self.preset is not None:  # the guide's 6 points are no longer the guide's
            self.preset = None
            self.sigSettings.emit()
        if self.test.num_classes < self.train.num_classes:
            self.test = Dataset(self.test.X, self.test.labels, self.train.num_classes, self.test.name)
        if self.trainer is not None and not self.trainer.diverged:
            try:
                self.trainer.replace_data(self.train, self.test)
                self.sigReset.emit()
                return
            except InputError:
                pass
        if self._build_trainer():
            why = f"class {label} is new, so the model now scores {self.num_classes} classes" if new_class else ""
            self.sigMessage.emit("info", f"model reset to step 0{': ' + why if why else ''}")
            self.sigSettings.emit()

    def clear_points(self) -> None:
        """Remove every point; training waits until points of two classes are added."""
        self.train, self.test = _empty_like(self.train), _empty_like(self.test)
        self.preset = None
        self._build_trainer()
        self.sigSettings.emit()

    def load_csv(self, path: str) -> None:
        self.apply_data(replace(self.settings.data, name=str(path), test_ratio=None))

    def save_csv(self, path: str) -> None:
        try:
            save_csv(self.all_points(), path)
        except OSError as error:
            self.sigMessage.emit("error", f"cannot write {path}: {error.strerror or error}")
            return
        self.sigMessage.emit("info", f"saved {len(self.train) + len(self.test)} points to {Path(path).name}")

    # --- sessions --------------------------------------------------------------------------------
    def save_session(self, path: str, view: dict) -> None:
        try:
            # the curves reopen as they were, and so do the inside views (their choices, health over time, path)
            view = {**view, "history": self.history.to_json(), "inside": self.inside.to_json()}
            save_session(path, self.settings, self.train, self.test, self.trainer, view)
        except OSError as error:
            self.sigMessage.emit("error", f"cannot write {path}: {error.strerror or error}")
            return
        self.sigMessage.emit("info", f"session saved to {Path(path).name}")

    def load_session(self, path: str) -> dict | None:
        """Reopen a saved session exactly; returns its view options, or None after an error message."""
        try:
            session = load_session(path)
            trainer = restore_trainer(session)
        except InputError as error:
            self.sigMessage.emit("error", error.as_flag())
            return None
        self.pause()
        self.settings, self.train, self.test = session.settings, session.train, session.test
        self.preset = None
        self._install(trainer, DecimatingHistory.from_json(session.view.get("history"), HISTORY_COLUMNS))
        self.inside.restore(session.view.get("inside"), trainer)
        self.sigSettings.emit()
        self._check_health(force=True)
        self.sigMessage.emit("info", f"session {Path(path).name} reopened at step {trainer.step_count}")
        return session.view
