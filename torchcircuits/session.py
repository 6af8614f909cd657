"""A whole training session as one JSON file: settings, data, parameters, random state.

Saving writes a temporary file and renames it over the target, so a failed
save never destroys an earlier session. Loading checks every part and raises
:class:`~torchcircuits.errors.InputError` with one line on anything malformed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .data import Dataset
from .errors import InputError
from .files import atomic_write_text
from .run import RunSettings
from .trainer import Trainer

__all__ = ["Session", "save_session", "load_session", "restore_trainer", "FORMAT"]

FORMAT = "torchcircuits-session"
VERSION = 1


@dataclass
class Session:
    settings: RunSettings
    train: Dataset
    test: Dataset
    trainer_state: dict | None = None
    #: free-form display options of the app (log scale, hard boundary, ...)
    view: dict = field(default_factory=dict)


def _dataset_json(data: Dataset) -> dict:
    return {"X": data.X.tolist(), "labels": data.labels.tolist(), "num_classes": data.num_classes, "name": data.name}


def _dataset_from_json(obj: object, what: str) -> Dataset:
    try:
        X = torch.tensor(obj["X"], dtype=torch.float64).reshape(-1, 2)  # type: ignore[index]
        labels = torch.tensor(obj["labels"], dtype=torch.int64).reshape(-1)  # type: ignore[index]
        num_classes = int(obj["num_classes"])  # type: ignore[index]
        name = str(obj.get("name", ""))  # type: ignore[union-attr]
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError):
        raise InputError(
            f"the {what} data in the session is malformed: expected X (N×2), labels, num_classes"
        ) from None
    if X.shape[0] != labels.shape[0]:
        raise InputError(f"the {what} data in the session has {X.shape[0]} points but {labels.shape[0]} labels")
    if not torch.isfinite(X).all():
        raise InputError(f"the {what} data in the session holds a non-finite coordinate")
    if not 2 <= num_classes <= 10 or (labels.numel() and (labels.min() < 0 or labels.max() >= num_classes)):
        raise InputError(f"the {what} data in the session has a label outside 0..{num_classes - 1}")
    return Dataset(X, labels, num_classes, name)


def save_session(
    path: str | Path, settings: RunSettings, train: Dataset, test: Dataset, trainer: Trainer | None, view: dict
) -> None:
    """Write the session atomically (temporary file, then rename)."""
    path = Path(path)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "settings": settings.to_json(),
        "train": _dataset_json(train),
        "test": _dataset_json(test),
        "trainer": trainer.state_dict() if trainer is not None else None,
        "view": view,
    }
    atomic_write_text(path, json.dumps(document, allow_nan=False))


def load_session(path: str | Path) -> Session:
    """Read and check a session file."""
    path = Path(path)
    try:
        document = json.loads(path.read_text())
    except OSError as error:
        raise InputError(f"cannot read session {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path.name} is not a session file: {str(error).splitlines()[0]}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f'{path.name} is not a torchcircuits session (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise InputError(f"{path.name} has session version {document.get('version')!r}; this app reads {VERSION}")
    settings = RunSettings.from_json(document.get("settings") or {})
    train = _dataset_from_json(document.get("train"), "training")
    test = _dataset_from_json(document.get("test"), "test")
    state = document.get("trainer")
    if state is not None and not isinstance(state, dict):
        raise InputError(f"{path.name}: the trainer state must be an object")
    view = document.get("view") or {}
    if not isinstance(view, dict):
        raise InputError(f"{path.name}: the view settings must be an object")
    return Session(settings, train, test, state, view)


def restore_trainer(session: Session) -> Trainer:
    """A Trainer for the session's settings and data, at its saved state."""
    trainer = Trainer(session.settings.config, session.train, session.test)
    if session.trainer_state is not None:
        trainer.load_state_dict(session.trainer_state)
    return trainer
