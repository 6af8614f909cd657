"""The app's model: a QObject that drives the library's Trainer from a QTimer.

It holds the data, the run settings and the trainer; the widgets call its
methods and redraw on its signals. It has no training logic of its own: every
step is ``Trainer.step()``, every measurement ``Trainer.evaluate()``.

Stepping runs on the main thread in slices of at most ``budget_ms`` between
events, so the window keeps answering while the trainer runs as fast as it can;
redrawing is the window's business, on its own timer.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import torch
from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from torchcircuits.data import Dataset, save_csv
from torchcircuits.errors import InputError
from torchcircuits.run import PRESETS, DataSpec, RunSettings
from torchcircuits.session import load_session, restore_trainer, save_session
from torchcircuits.trainer import Diverged, Evaluation, StepStats, TrainConfig, Trainer

from .history import DecimatingHistory

__all__ = ["TrainingController", "HISTORY_COLUMNS"]

HISTORY_COLUMNS = ("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")


def _empty_like(data: Dataset) -> Dataset:
    return data.subset(torch.zeros(0, dtype=torch.int64))


class TrainingController(QObject):
    """Data + settings + Trainer, stepped by a timer. Signals say what changed."""

    #: the data or the model changed: redraw everything
    sigReset = pyqtSignal()
    #: steps were taken: redraw plots and readouts
    sigStepped = pyqtSignal()
    #: (level, text): level is "error" or "info"; errors are shown until the next message
    sigMessage = pyqtSignal(str, str)
    sigRunning = pyqtSignal(bool)
    #: the settings changed from the controller's side (preset, session): refresh the controls
    sigSettings = pyqtSignal()

    def __init__(self, settings: RunSettings | None = None, budget_ms: float = 12.0, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings or PRESETS["guide-svm"]
        self.preset: str | None = None
        self.budget_ms = budget_ms
        self.history = DecimatingHistory(HISTORY_COLUMNS)
        self.trainer: Trainer | None = None
        self.last_stats: StepStats | None = None
        self.last_evaluation: Evaluation | None = None
        self.steps_per_second = 0.0
        self.max_grad_diff: float | None = None
        self.train, self.test = self.settings.data.load()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        #: (time a tick started, steps it took): the last second of ticks, for steps per second
        self._rate_window: list[tuple[float, int]] = []
        self._build_trainer()

    # --- state ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def num_classes(self) -> int:
        return self.train.num_classes

    def all_points(self) -> Dataset:
        """Train and test points together (what a CSV save writes)."""
        return Dataset(
            torch.cat([self.train.X, self.test.X]),
            torch.cat([self.train.labels, self.test.labels]),
            max(self.train.num_classes, self.test.num_classes),
            self.train.name,
        )

    def _build_trainer(self) -> bool:
        """A fresh Trainer at step 0; on bad data the trainer is None and the message says why."""
        self.pause()
        self.history.clear()
        self.last_stats = self.last_evaluation = None
        self.max_grad_diff = None
        try:
            self.trainer = Trainer(self.settings.config, self.train, self.test)
        except InputError as error:
            self.trainer = None
            self.sigReset.emit()
            self.sigMessage.emit("error", str(error))
            return False
        self._record()
        self.sigReset.emit()
        return True

    def _record(self, evaluation: Evaluation | None = None) -> None:
        """Evaluate (unless given an evaluation) and append it to the history."""
        evaluation = evaluation or self.trainer.evaluate()
        self.last_evaluation = evaluation
        self.history.append(
            step=evaluation.step,
            train_loss=evaluation.train_loss,
            test_loss=evaluation.test_loss,
            train_accuracy=evaluation.train_accuracy,
            test_accuracy=evaluation.test_accuracy,
        )

    # --- running ----------------------------------------------------------------------------
    def play(self) -> None:
        if self.trainer is None:
            self.sigMessage.emit("error", "nothing to train: fix the data or the settings first")
            return
        if self.trainer.diverged:
            self.sigMessage.emit("error", f"{self.trainer.diverged}, then press Reset")
            return
        if not self.running:
            self._rate_window.clear()
            self._timer.start()
            self.sigRunning.emit(True)

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.sigRunning.emit(False)

    def toggle(self) -> None:
        self.pause() if self.running else self.play()

    def step_once(self) -> None:
        """One step, then evaluate and record."""
        self.run_steps(1)

    def run_steps(self, steps: int, record_every: int | None = None) -> int:
        """Take ``steps`` steps synchronously (single step, tests, screenshots); returns steps taken."""
        if self.trainer is None:
            self.sigMessage.emit("error", "nothing to train: fix the data or the settings first")
            return 0
        first = self.trainer.step_count
        start = time.perf_counter()
        try:  # the library's loop: it records every `record_every` steps and at the last
            self.trainer.run(steps, record_every or max(1, steps // 1000), on_record=self._on_record)
        except Diverged as error:
            self._diverged(error)
        taken = self.trainer.step_count - first
        if taken > 1:
            self.steps_per_second = taken / max(time.perf_counter() - start, 1e-9)
        self.sigStepped.emit()
        return taken

    def _on_record(self, stats: StepStats, evaluation: Evaluation) -> None:
        self._note_stats(stats)
        self._record(evaluation)

    def _take_step(self) -> None:
        self._note_stats(self.trainer.step())

    def _note_stats(self, stats: StepStats) -> None:
        self.last_stats = stats
        if stats.max_grad_diff is not None:
            self.max_grad_diff = stats.max_grad_diff

    def _tick(self) -> None:
        """Step for up to budget_ms, record once, let the event loop run."""
        start = time.perf_counter()
        deadline = start + self.budget_ms / 1000.0
        steps = 0
        try:
            while True:
                self._take_step()
                steps += 1
                if time.perf_counter() >= deadline:
                    break
        except Diverged as error:
            self._diverged(error)
        if steps:
            self._record()
            now = time.perf_counter()
            self._rate_window = [(t, n) for t, n in self._rate_window if now - t < 1.0] + [(start, steps)]
            # wall time from the first kept tick's start to now, redraws and idle time included
            span = now - self._rate_window[0][0]
            self.steps_per_second = sum(n for _, n in self._rate_window) / max(span, 1e-6)
        self.sigStepped.emit()

    def _diverged(self, error: Diverged) -> None:
        self.pause()
        self.sigMessage.emit("error", f"{error}; press Reset to start again")

    # --- settings -----------------------------------------------------------------------------
    def apply_config(self, config: TrainConfig) -> None:
        """Change training settings: live when the model stays the same, else a reset that says so."""
        try:
            config = config.validated()
        except InputError as error:
            self.sigMessage.emit("error", str(error))
            return
        self.preset = None
        old = self.settings.config
        self.settings = replace(self.settings, config=config)
        if self.trainer is not None and not self.trainer.diverged and self.trainer.retune(config):
            self.sigMessage.emit("info", "applied to the running model")
            return
        was_running = self.running
        if self._build_trainer():
            changed = [f for f in vars(config) if getattr(config, f) != getattr(old, f)]
            self.sigMessage.emit("info", f"model reset to step 0 ({', '.join(changed) or 'settings'} changed)")
            if was_running:
                self.play()

    def apply_data(self, spec: DataSpec) -> None:
        """Load or generate a new data set (replacing added points) and reset the model."""
        try:
            spec = spec.validated()
            train, test = spec.load()
        except InputError as error:
            self.sigMessage.emit("error", str(error))
            return
        self.preset = None
        self.settings = replace(self.settings, data=spec)
        self.train, self.test = train, test
        if self._build_trainer():
            seed = "" if spec.is_file or spec.name.startswith("guide") else f" (data seed {spec.seed})"
            message = f"data set {Path(spec.name).name}{seed}: {len(train)} train, {len(test)} test points"
            self.sigMessage.emit("info", message)

    def regenerate(self) -> None:
        """A fresh sample of a generated data set (its seed moves on by one); a file is read again."""
        spec = self.settings.data
        fresh = spec if spec.is_file or spec.name.startswith("guide") else replace(spec, seed=spec.seed + 1)
        self.apply_data(fresh)

    def apply_preset(self, name: str) -> None:
        """The guide's runs: data, start point, step size, spring; stops a running trainer."""
        self.settings = PRESETS[name]
        self.train, self.test = self.settings.data.load()
        self.preset = name
        self._build_trainer()
        self.sigSettings.emit()
        self.sigMessage.emit("info", f"preset {name}: reset to the guide's start")

    def reset(self) -> None:
        """Back to step 0 with fresh parameters from the seed (data and added points kept)."""
        if self._build_trainer():
            self.sigMessage.emit("info", "reset to step 0")

    # --- data edits -------------------------------------------------------------------------------
    def add_point(self, x: float, y: float, label: int) -> None:
        """Add a training point of class ``label``; the model keeps training unless the classes change."""
        if not 0 <= label <= 9:
            self.sigMessage.emit("error", f"class {label} is outside 0..9")
            return
        self.train = self.train.with_point(x, y, label)
        if self.test.num_classes < self.train.num_classes:
            self.test = Dataset(self.test.X, self.test.labels, self.train.num_classes, self.test.name)
        if self.trainer is not None and not self.trainer.diverged:
            try:
                self.trainer.replace_data(self.train, self.test)
                self.sigReset.emit()
                return
            except InputError:
                pass
        self._build_trainer()

    def clear_points(self) -> None:
        """Remove every point; training waits until points of two classes are added."""
        self.train, self.test = _empty_like(self.train), _empty_like(self.test)
        self._build_trainer()

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
            self.sigMessage.emit("error", str(error))
            return None
        self.pause()
        self.settings, self.train, self.test = session.settings, session.train, session.test
        self.preset = None
        self.trainer = trainer
        self.history.clear()
        self.last_stats = None
        self._record()
        self.sigSettings.emit()
        self.sigReset.emit()
        self.sigMessage.emit("info", f"session {Path(path).name} reopened at step {trainer.step_count}")
        return session.view
