"""Trainer state, live retuning, data replacement and session files."""

import json
from pathlib import Path

import pytest
import torch

from torchcircuits.errors import InputError
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.session import load_session, restore_trainer, save_session
from torchcircuits.trainer import TrainConfig, Trainer

CONFIG = TrainConfig(model="net", hidden=(5,), lr=0.1, batch=4, momentum=0.9, seed=3)
DATA = Path(__file__).parent / "data"


def data():
    return DataSpec("moons", n=40, seed=3).load()


def test_a_restored_session_continues_exactly(tmp_path):
    train, test = data()
    reference = Trainer(CONFIG, train, test)
    reference.run(30)
    expected = reference.run(20, record_every=5)

    trainer = Trainer(CONFIG, train, test)
    trainer.run(30)
    path = tmp_path / "s.json"
    settings = RunSettings(CONFIG, DataSpec("moons", n=40, seed=3), 50)
    save_session(path, settings, train, test, trainer, {"log_scale": True})
    session = load_session(path)
    assert session.view == {"log_scale": True} and session.settings == settings
    restored = restore_trainer(session)
    assert restored.step_count == 30
    assert restored.run(20, record_every=5) == expected


@pytest.mark.parametrize("backend", ["hand", "torch"])
def test_state_dict_round_trip_keeps_momentum(backend):
    train, test = data()
    config = TrainConfig(**{**CONFIG.__dict__, "backend": backend})
    a = Trainer(config, train, test)
    a.run(10)
    b = Trainer(config, train, test)
    state = json.loads(json.dumps(a.state_dict(), allow_nan=False))
    assert state["optimizer"]["kind"] == "sgd" and state["optimizer"]["state"]
    b.load_state_dict(state)
    fresh = Trainer(config, train, test)
    fresh.load_state_dict({**state, "optimizer": None})
    continued = a.run(5)
    assert b.run(5) == continued
    assert fresh.run(5) != continued  # without the momentum buffers the run differs


def test_retune_applies_live_settings_and_refuses_structural_ones():
    train, test = data()
    trainer = Trainer(CONFIG, train, test)
    trainer.run(5)
    before = trainer.parameters()
    assert trainer.retune(TrainConfig(**{**CONFIG.__dict__, "lr": 0.01, "backend": "torch", "batch": None}))
    assert trainer.config.lr == 0.01 and trainer.batch is None and trainer.step_count == 5
    assert all(torch.equal(before[k], v) for k, v in trainer.parameters().items())
    trainer.run(3)
    assert not trainer.retune(TrainConfig(**{**CONFIG.__dict__, "hidden": 7}))
    with pytest.raises(InputError, match="lr must be a positive"):
        trainer.retune(TrainConfig(**{**CONFIG.__dict__, "lr": 0.0}))


def test_replace_data_keeps_the_model_unless_classes_change():
    train, test = data()
    trainer = Trainer(CONFIG, train, test)
    trainer.replace_data(train.with_point(0.0, 0.0, 1), test)
    assert len(trainer.train_set) == len(train) + 1
    with pytest.raises(InputError, match="must be reset"):
        trainer.replace_data(train.with_point(0.0, 0.0, 2), test)
    with pytest.raises(InputError, match="only one class"):
        trainer.replace_data(train.subset(torch.nonzero(train.labels == 0).flatten()), test)


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "cannot open session bad.json: not JSON"),
        ("[]", "not a torchcircuits session"),
        ('{"format": "torchcircuits-session", "version": 9}', "version 9; this version reads 1 and 2"),
        ('{"format": "torchcircuits-session", "version": 1, "settings": {"config": {"lr": -1}, "data": {}}}',
         "lr must be a positive"),
        ('{"format": "torchcircuits-session", "version": 2, "settings": {"config": {"lr": "0.1"}, "data": {}}}',
         "lr must be a positive step size, got '0.1'"),
        ('{"format": "torchcircuits-session", "version": 2, "settings": {"config": {"hidden": ["a"]}, "data": {}}}',
         "hidden widths must be whole numbers"),
        ('{"format": "torchcircuits-session", "version": 2, "settings": {"config": {"seed": 1180591620717411303424},'
         ' "data": {}}}', "seed must be a whole number from 0 to 2"),
        ('{"format": "torchcircuits-session", "version": 2, "settings": {"config": {}, "data": {"name": ["guide"]}}}',
         "dataset must be one of"),
        ('{"format": "torchcircuits-session", "version": 2, "settings": {"config": {}, "data": {}, "steps": 1e400}}',
         "steps must be a whole number"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": "torchcircuits-session", "version": 1, "settings": {"config": {"colour": 1}, "data": {}}}',
         "unknown config setting 'colour'"),
    ],
)  # fmt: skip
def test_malformed_sessions_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_session(path)


def test_bad_data_or_state_in_a_session(tmp_path):
    train, test = data()
    path = tmp_path / "s.json"
    save_session(path, RunSettings(CONFIG), train, test, Trainer(CONFIG, train, test), {})
    document = json.loads(path.read_text())
    document["train"]["labels"][0] = 7
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="label outside 0..1"):
        load_session(path)
    fractional = [0.5] + document["train"]["labels"][1:]
    for labels, message in ((fractional, "whole numbers"), (["a"], "labels must be a list of numbers, got str")):
        document["train"]["labels"] = labels
        path.write_text(json.dumps(document))
        with pytest.raises(InputError, match=message):
            load_session(path)
    save_session(path, RunSettings(CONFIG), train, test, Trainer(CONFIG, train, test), {})
    good = json.loads(path.read_text())
    for change, message in (
        (lambda d: d["trainer"]["parameters"].update(W1=[[1.0]]), "parameter W1 has shape"),
        (lambda d: d["trainer"].update(step=-3), "saved step must be a whole number"),
        (lambda d: d["trainer"].update(step=1e400), "saved step must be a whole number"),
        (lambda d: d["trainer"].update(generator="x"), "random state must be a list"),
        (lambda d: d["trainer"].update(optimizer={"kind": "adam", "state": {}}), "not for the sgd optimizer"),
        (lambda d: d["trainer"]["parameters"].pop("b2"), "parameters must be exactly W1, b1, W2, b2"),
        (lambda d: d["train"].update(X=[[1.0, 2.0, 3.0]] * len(d["train"]["X"])), "has shape"),
    ):
        document = json.loads(json.dumps(good))
        change(document)
        path.write_text(json.dumps(document))
        with pytest.raises(InputError, match=message):
            restore_trainer(load_session(path))


def test_a_failed_save_keeps_the_old_file(tmp_path):
    train, test = data()
    path = tmp_path / "s.json"
    save_session(path, RunSettings(CONFIG), train, test, None, {})
    before = path.read_text()
    with pytest.raises(TypeError):
        save_session(path, RunSettings(CONFIG), train, test, None, {"bad": object()})
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_width_and_activation_do_not_reset_a_linear_model():
    train, test = data()
    trainer = Trainer(TrainConfig(model="svm"), train, test)
    trainer.run(5)
    assert trainer.retune(TrainConfig(model="svm", hidden=(50,), activation="tanh"))
    assert trainer.step_count == 5


def test_a_version_1_session_opens_and_continues_exactly():
    """tests/data/session_v1.json was saved by the version-1 code after 30 steps; the expected
    file holds what that code printed for the next 20 steps."""
    session = load_session(DATA / "session_v1.json")
    assert session.settings.config.hidden == (5,) and session.view == {"log_scale": True}
    trainer = restore_trainer(session)
    assert trainer.step_count == 30
    history = trainer.run(20, record_every=5)
    expected = json.loads((DATA / "session_v1_expected.json").read_text())
    for ours, theirs in zip(history, expected[:-1], strict=True):
        assert ours["step"] == theirs["step"] and ours["train_accuracy"] == theirs["train_accuracy"]
        assert abs(ours["train_loss"] - theirs["train_loss"]) < 1e-12
    for name, values in expected[-1]["parameters"].items():
        assert torch.allclose(trainer.params[name].detach(), torch.tensor(values, dtype=torch.float64), atol=1e-12)


def test_sessions_keep_the_history_and_regression_data(tmp_path):
    train, test = DataSpec("sine", n=30, seed=1).load()
    config = TrainConfig(model="net", hidden=(6, 4), activation="tanh", optimizer="sgd", lr=0.05, batch=None)
    trainer = Trainer(config, train, test)
    history = trainer.run(10, record_every=2)
    path = tmp_path / "r.json"
    save_session(path, RunSettings(config, DataSpec("sine", n=30, seed=1), 10), train, test, trainer, {}, history)
    session = load_session(path)
    assert session.history == json.loads(json.dumps(history))
    assert session.train.task == "regression" and session.train.inputs == 1
    assert torch.equal(session.train.labels, train.labels)
    restored = restore_trainer(session)
    assert restored.run(3) == trainer.run(3)


def test_practice_settings_and_monitor_history_round_trip(tmp_path):
    config = TrainConfig(model="net", hidden=(6,), lr=0.2, batch=8, seed=2, dropout=0.25, reg_kind="elastic",
                         l1_ratio=0.3, max_norm=2.5, early_stop=7, class_weight="balanced")  # fmt: skip
    spec = DataSpec("spiral", n=90, seed=2, imbalance=0.5)
    train, test = spec.load()
    trainer = Trainer(config, train, test)
    history = trainer.run(20, record_every=5)
    path = tmp_path / "p.json"
    save_session(path, RunSettings(config, spec, 20), train, test, trainer, {}, history)
    session = load_session(path)
    assert session.settings.config == config.validated() and session.settings.data == spec.validated()
    assert session.history == history and session.history[-1]["dead_fraction"] == history[-1]["dead_fraction"]
    reference = Trainer(config, train, test)
    reference.run(20, record_every=5)
    # dropout masks come from the saved generator: the continued run equals one longer run
    assert restore_trainer(session).run(10, record_every=5) == reference.run(10, record_every=5)


def test_an_old_session_without_practice_fields_still_opens(tmp_path):
    train, test = data()
    trainer = Trainer(CONFIG, train, test)
    path = tmp_path / "old.json"
    save_session(path, RunSettings(CONFIG, DataSpec("moons", n=40, seed=3), 5), train, test, trainer, {})
    document = json.loads(path.read_text())
    for key in ("dropout", "l1_ratio", "max_norm", "early_stop", "class_weight"):
        del document["settings"]["config"][key]
    del document["settings"]["data"]["imbalance"]
    path.write_text(json.dumps(document))
    session = load_session(path)
    assert session.settings.config == CONFIG.validated() and session.settings.data.imbalance == 1.0
    bad = dict(document, history=[{"step": 1, "dead_fraction": ["x"]}])
    path.write_text(json.dumps(bad))
    with pytest.raises(InputError, match="history field 'dead_fraction' must hold finite numbers or nulls"):
        load_session(path)
