"""diagnose(): a dead net, flat scores and divergence are named, a healthy run is not."""

import torch

from torchcircuits.health import diagnose
from torchcircuits.recipes import recipe_config
from torchcircuits.run import PRESETS, DataSpec
from torchcircuits.trainer import Diverged, TrainConfig, Trainer


def test_the_guide_net_preset_ends_flat_and_is_told_so():
    settings = PRESETS["guide-net"]
    train, test = settings.data.load()
    trainer = Trainer(settings.config, train, test)
    assert diagnose(trainer) is None  # step 0: nothing has gone wrong yet
    trainer.run(400, 400)
    message = diagnose(trainer)
    assert trainer.accuracy(train) == 0.5
    assert message.startswith("the scores are flat") and "regularization 0.5" in message


def test_a_dead_relu_net_is_named():
    train, _ = DataSpec("moons").load()
    trainer = Trainer(TrainConfig(model="net", hidden=4), train)
    with torch.no_grad():  # every hidden unit's pre-activation below 0 on every point
        trainer.params["b1"].fill_(-100.0)
    assert trainer.hidden_activations(train.X)[0].abs().max().item() == 0.0
    assert diagnose(trainer).startswith("the net is dead")


def test_hidden_activations_are_the_first_layer_output():
    train, _ = DataSpec("moons", n=20).load()
    trainer = Trainer(TrainConfig(model="net", hidden=5, activation="tanh"), train)
    p = trainer.parameters()
    (hidden,) = trainer.hidden_activations(train.X)
    assert hidden.shape == (len(train), 5)
    assert torch.allclose(hidden, torch.tanh(train.X @ p["W1"] + p["b1"]), atol=1e-12)
    assert Trainer(TrainConfig(model="svm"), train).hidden_activations(train.X) == []


def test_a_healthy_run_and_a_diverged_one():
    train, _ = DataSpec("moons").load()
    trainer = Trainer(recipe_config("moons", "net"), train)
    trainer.run(100, 100)
    assert diagnose(trainer) is None
    wild = Trainer(TrainConfig(model="net", lr=1e12, batch=None), train)
    try:
        wild.run(50, 50)
    except Diverged:
        pass
    message = diagnose(wild)
    assert message.startswith("diverged: step") and "Lower the step size (now 1e+12)" in message
    assert f"stays at step {wild.step_count}," in message


def _flat_message(config: TrainConfig, steps: int = 50) -> str:
    train, _ = DataSpec("moons", n=60).load()
    trainer = Trainer(config, train)
    trainer.run(steps, steps)
    message = diagnose(trainer)
    assert message is not None and message.startswith("the scores are flat"), message
    return message


def test_flat_scores_name_the_likely_cause_not_always_the_spring():
    zero = _flat_message(TrainConfig(model="net", hidden=8, activation="tanh", init="zero", reg=0.0, batch=None))
    assert "started at 0" in zero and "spring" not in zero
    strong = _flat_message(TrainConfig(model="net", hidden=8, reg=5.0, lr=0.05, batch=None), steps=300)
    assert "the spring (regularization 5)" in strong and "(e.g. 0.01)" in strong
    weak_guide = PRESETS["guide-net"]  # the guide's spring 0.5: weaken it to below 0.01
    trainer = Trainer(weak_guide.config, *weak_guide.data.load())
    trainer.run(400, 400)
    assert "(e.g. 0.01)" in diagnose(trainer)


def test_a_relu_net_dead_from_a_zero_start_names_the_init():
    train, _ = DataSpec("moons", n=60).load()
    trainer = Trainer(TrainConfig(model="net", hidden=8, init="zero", reg=0.0, batch=None), train)
    trainer.run(20, 20)
    message = diagnose(trainer)
    assert message.startswith("the net is dead: every weight started at 0") and "step size" not in message
