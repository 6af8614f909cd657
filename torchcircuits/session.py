"""A whole training session as one JSON file: settings, data, parameters, optimizer and random state.

Version 2 adds the optimizer's state, the layer stack's settings and the
history; version 1 files (momentum saved as ``velocity``) still open and
continue exactly. Saving writes a temporary file and renames it over the
target, so a failed save never destroys an earlier session. Loading checks
every field's type and range and raises
:class:`~torchcircuits.errors.InputError` with one line naming the field;
nothing is coerced silently.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .data import COORDINATE_LIMIT, MAX_POINTS, Dataset
from .errors import InputError
from .files import atomic_write_text
from .optim import sgd_state_from_velocity
from .run import RunSettings
from .tensors import from_json_list
from .trainer import Trainer

__all__ = ["Session", "save_session", "load_session", "restore_trainer", "FORMAT", "VERSION", "MAX_SESSION_BYTES"]

FORMAT = "torchcircuits-session"
VERSION = 2
#: a session file larger than this is refused before it is parsed
MAX_SESSION_BYTES = 256 * 2**20
#: history records kept in a session
MAX_HISTORY = 10_000


@dataclass
class Session:
    settings: RunSettings
    train: Dataset
    test: Dataset
    trainer_state: dict | None = None
    #: free-form display options of the app (log scale, hard boundary, ...)
    view: dict = field(default_factory=dict)
    #: the recorded history (one dict of numbers per record), so curves reopen as they were
    history: list[dict] = field(default_factory=list)


def _dataset_json(data: Dataset) -> dict:
    return {
        "X": data.X.tolist(),
        "labels": data.labels.tolist(),
        "num_classes": data.num_classes,
        "inputs": data.inputs,
        "name": data.name,
    }


def _dataset_from_json(obj: object, what: str) -> Dataset:
    if not isinstance(obj, dict):
        raise InputError(f"the {what} data must be an object with X, labels and num_classes")
    for key in ("X", "labels", "num_classes"):
        if key not in obj:
            raise InputError(f"the {what} data has no {key!r}")
    num_classes = obj["num_classes"]
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, int)
        or not (num_classes == 0 or 2 <= num_classes <= 10)
    ):
        raise InputError(f"the {what} data's num_classes must be 0 (regression) or 2..10, got {num_classes!r}")
    inputs = obj.get("inputs", 2)
    if inputs not in (1, 2) or isinstance(inputs, bool):
        raise InputError(f"the {what} data's inputs must be 1 or 2, got {inputs!r}")
    name = obj.get("name", "")
    if not isinstance(name, str):
        raise InputError(f"the {what} data's name must be text, got {name!r}")
    if not isinstance(obj["X"], list) or len(obj["X"]) > MAX_POINTS:
        raise InputError(f"the {what} data's X must be a list of at most {MAX_POINTS:,} points")
    n = len(obj["X"])
    X = (
        from_json_list(obj["X"], (n, inputs), f"the {what} data's X")
        if n
        else torch.zeros(0, inputs, dtype=torch.float64)
    )
    if X.numel() and X.abs().max().item() > COORDINATE_LIMIT:
        raise InputError(f"the {what} data holds a coordinate beyond ±{COORDINATE_LIMIT:g}")
    dtype = torch.float64 if num_classes == 0 else torch.int64
    labels = (
        from_json_list(obj["labels"], (n,), f"the {what} data's labels", dtype=dtype)
        if n
        else torch.zeros(0, dtype=dtype)
    )
    if num_classes and n and (labels.min() < 0 or labels.max() >= num_classes):
        raise InputError(f"the {what} data has a label outside 0..{num_classes - 1}")
    return Dataset(X, labels, num_classes, name)


def _number_or_null(value: object) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return number or value is None


#: history fields that hold a list (per hidden layer) or an object (per parameter) of numbers
_MONITOR_FIELDS = {"dead_fraction": list, "update_ratio": dict, "layer_grad_norm": dict}


def _history_from_json(obj: object) -> list[dict]:
    if not isinstance(obj, list) or len(obj) > MAX_HISTORY:
        raise InputError(f"the history must be a list of at most {MAX_HISTORY:,} records")
    for record in obj:
        if not isinstance(record, dict):
            raise InputError("each history record must be an object")
        for key, value in record.items():
            kind = _MONITOR_FIELDS.get(key)
            if kind is not None and isinstance(value, kind):
                values = value.values() if kind is dict else value
                if all(_number_or_null(v) for v in values):
                    continue
                raise InputError(f"history field {key!r} must hold finite numbers or nulls, got {value!r}")
            if not _number_or_null(value):
                raise InputError(f"history field {key!r} must be a finite number or null, got {value!r}")
    return obj


def save_session(
    path: str | Path,
    settings: RunSettings,
    train: Dataset,
    test: Dataset,
    trainer: Trainer | None,
    view: dict,
    history: list[dict] | None = None,
) -> None:
    """Write the session atomically (temporary file, then rename); strict JSON, so it always reads back."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "settings": settings.to_json(),
        "train": _dataset_json(train),
        "test": _dataset_json(test),
        "trainer": trainer.state_dict() if trainer is not None else None,
        "view": view,
        "history": [_finite_record(r) for r in (history or [])[-MAX_HISTORY:]],
    }
    atomic_write_text(Path(path), json.dumps(document, allow_nan=False))


def _finite(value: object) -> object:
    """A number, list or dict with non-finite numbers as null (strict JSON has no inf or nan)."""
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value if not isinstance(value, float) or math.isfinite(value) else None


def _finite_record(record: dict) -> dict:
    """A history record with non-finite numbers as null, monitors' lists and dicts included."""
    return {k: _finite(v) for k, v in record.items()}


def _migrate_v1(document: dict) -> dict:
    """Version 1 -> 2: the momentum buffers (``velocity``) become the sgd optimizer's state."""
    state = document.get("trainer")
    if isinstance(state, dict) and "velocity" in state:
        state = dict(state)
        velocity = state.pop("velocity")
        if not isinstance(velocity, dict):
            raise InputError("the saved velocity must be an object of momentum buffers")
        state["optimizer"] = {"kind": "sgd", "state": sgd_state_from_velocity(velocity)}
        document = {**document, "trainer": state}
    return document


def load_session(path: str | Path) -> Session:
    """Read and check a session file (version 1 or 2)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SESSION_BYTES:
            raise InputError(f"cannot open session {path.name}: larger than {MAX_SESSION_BYTES // 2**20} MB")
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot open session {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"cannot open session {path.name}: not JSON ({str(error).splitlines()[0]})") from None
    except RecursionError:
        raise InputError(f"cannot open session {path.name}: nested too deeply to be a session") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f'cannot open session {path.name}: not a torchcircuits session (no "format": "{FORMAT}")')
    version = document.get("version")
    if version not in (1, VERSION) or isinstance(version, bool):
        raise InputError(f"cannot open session {path.name}: version {version!r}; this version reads 1 and {VERSION}")
    if version == 1:
        document = _migrate_v1(document)
    try:
        settings = RunSettings.from_json(document.get("settings"))
        train = _dataset_from_json(document.get("train"), "training")
        test = _dataset_from_json(document.get("test"), "test")
    except InputError as error:
        raise InputError(f"cannot open session {path.name}: {error}") from None
    if train.inputs != test.inputs or train.num_classes != test.num_classes:
        raise InputError(f"cannot open session {path.name}: the training and test data do not match")
    state = document.get("trainer")
    if state is not None and not isinstance(state, dict):
        raise InputError(f"cannot open session {path.name}: the trainer state must be an object or null")
    view = document.get("view") or {}
    if not isinstance(view, dict):
        raise InputError(f"cannot open session {path.name}: the view settings must be an object")
    try:
        history = _history_from_json(document.get("history", []))
    except InputError as error:
        raise InputError(f"cannot open session {path.name}: {error}") from None
    return Session(settings, train, test, state, view, history)


def restore_trainer(session: Session) -> Trainer:
    """A Trainer for the session's settings and data, at its saved state."""
    trainer = Trainer(session.settings.config, session.train, session.test)
    if session.trainer_state is not None:
        trainer.load_state_dict(session.trainer_state)
    return trainer
