"""Trainer state, live retuning, data replacement and session files."""

import json

import pytest
import torch

from torchcircuits.errors import InputError
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.session import load_session, restore_trainer, save_session
from torchcircuits.trainer import TrainConfig, Trainer

CONFIG = TrainConfig(model="net", hidden=5, lr=0.1, batch=4, momentum=0.9, seed=3)


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
    b.load_state_dict(json.loads(json.dumps(a.state_dict())))
    assert set(b.velocity()) == {"W1", "b1", "W2", "b2"}
    assert a.run(5) == b.run(5)


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
    with pytest.raises(InputError, match="--lr must be a positive"):
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
        ("not json", "is not a session file"),
        ("[]", "is not a torchcircuits session"),
        ('{"format": "torchcircuits-session", "version": 9}', "has session version 9"),
        ('{"format": "torchcircuits-session", "version": 1, "settings": {"config": {"lr": -1}, "data": {}}}',
         "--lr must be a positive"),
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
    document["train"]["labels"][0] = 0
    document["trainer"]["parameters"]["W1"] = [[1.0]]
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="shape"):
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
    assert trainer.retune(TrainConfig(model="svm", hidden=50, activation="tanh"))
    assert trainer.step_count == 5
