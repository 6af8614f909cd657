"""The loss over two parameters: equal to the trainer's loss at the centre, to loss_value elsewhere."""

import pytest
import torch

from torchcircuits.features import featurize
from torchcircuits.landscape import (
    ParameterRef,
    default_pair,
    flatten,
    loss_surface,
    parameter_refs,
    parse_ref,
    window_around,
)
from torchcircuits.models import ModelSpec, loss_value
from torchcircuits.run import PRESETS, DataSpec
from torchcircuits.trainer import TrainConfig, Trainer


def _trainer(settings, steps):
    train, test = settings.data.load()
    trainer = Trainer(settings.config, train, test)
    trainer.run(steps, steps)
    return trainer


def _surface(trainer, pair, halves=(1.0, 0.5), size=5):
    c = trainer.config
    X = featurize(trainer.train_set.X, trainer.features)
    targets = trainer.loss.targets(trainer.train_set.labels)
    return loss_surface(trainer.params, trainer.spec, trainer.loss, X, targets, c.reg, c.reg_kind, pair, halves, size)


def test_the_centre_is_the_trainers_loss_and_the_others_are_loss_value():
    trainer = _trainer(PRESETS["guide-svm"], 120)
    pair = default_pair(trainer.spec)
    assert [ref.label for ref in pair] == ["W[0,0]", "W[1,0]"]  # the guide's a and b
    before = trainer.parameters()
    surface = _surface(trainer, pair)
    assert surface.loss[2, 2].item() == pytest.approx(trainer.evaluate().train_loss, rel=1e-14)
    assert surface.centre == (before["W"][0, 0].item(), before["W"][1, 0].item())
    for name, p in trainer.params.items():
        assert torch.equal(p.detach(), before[name])  # the trainer's parameters are untouched
    # row 0 is b - 0.5, column 4 is a + 1: evaluated independently with the library's loss
    moved = {name: p.clone() for name, p in before.items()}
    moved["W"][0, 0] += 1.0
    moved["W"][1, 0] -= 0.5
    X = featurize(trainer.train_set.X, trainer.features)
    data, reg = loss_value(moved, trainer.spec, trainer.loss, X, trainer.loss.targets(trainer.train_set.labels),
                           0.5, "l2")  # fmt: skip
    assert surface.loss[0, 4].item() == pytest.approx(data.item() + reg, rel=1e-12)
    assert surface.xs[4].item() == pytest.approx(surface.centre[0] + 1.0, rel=1e-15)
    # the spring: moving away from the optimum along a raises the loss on both sides of a minimum near it
    assert surface.loss.min().item() <= surface.loss[2, 2].item()


def test_a_nets_surface_in_its_hidden_weights():
    settings = PRESETS["guide-net"]
    trainer = _trainer(settings, 30)
    pair = (parse_ref("W1[0,1]", trainer.spec), parse_ref("b2[0]", trainer.spec))
    surface = _surface(trainer, pair, size=3)
    assert surface.loss[1, 1].item() == pytest.approx(trainer.evaluate().train_loss, rel=1e-14)
    moved = trainer.parameters()
    moved["W1"][0, 1] += 1.0  # column 2: a + 1; row 0: b - 0.5
    moved["b2"][0] -= 0.5
    X = featurize(trainer.train_set.X, trainer.features)
    data, reg = loss_value(moved, trainer.spec, trainer.loss, X, trainer.loss.targets(trainer.train_set.labels),
                           0.5, "l2")  # fmt: skip
    assert surface.loss[0, 2].item() == pytest.approx(data.item() + reg, rel=1e-12)
    assert surface.loss[0, 2].item() != surface.loss[1, 1].item()


def test_refs_flatten_and_parse():
    spec = ModelSpec(2, (3,), 1)
    refs = parameter_refs(spec)
    assert len(refs) == 2 * 3 + 3 + 3 + 1
    params = {name: torch.arange(torch.Size(shape).numel(), dtype=torch.float64).reshape(shape) + 100 * k
              for k, (name, shape) in enumerate(spec.shapes().items())}  # fmt: skip
    flat = flatten(params, spec)
    for ref in refs:
        assert flat[ref.offset(spec)].item() == params[ref.name][ref.index].item()
    assert parse_ref("W1[1, 2]", spec) == ParameterRef("W1", (1, 2))
    with pytest.raises(ValueError, match=r"not a parameter of this model: its parameters are W1\[2, 3\]"):
        parse_ref("W1[2,0]", spec)
    with pytest.raises(ValueError, match="not a parameter"):
        parse_ref("W9", spec)


def test_a_nets_default_pair_is_its_two_largest_gradient_weights():
    spec = ModelSpec(2, (3,), 1)
    grads = {name: torch.zeros(shape, dtype=torch.float64) for name, shape in spec.shapes().items()}
    grads["W1"][1, 2] = -5.0
    grads["W2"][0, 0] = 3.0
    grads["b1"][0] = 100.0  # a bias: not a weight, never picked
    assert [ref.label for ref in default_pair(spec, grads)] == ["W1[1,2]", "W2[0,0]"]
    assert [ref.label for ref in default_pair(spec)] == ["W1[0,0]", "W1[0,1]"]


def test_the_window_holds_the_path():
    path = torch.tensor([[0.0, 0.0], [3.0, -1.0], [2.0, 1.0]], dtype=torch.float64)
    half_a, half_b = window_around((2.0, 1.0), path)
    assert half_a >= 2.0 and half_b >= 2.0
    assert window_around((0.0, 4.0)) == (0.5, 2.0)


def test_the_size_must_put_a_node_at_the_centre():
    train, _ = DataSpec("guide").load()
    trainer = Trainer(TrainConfig(model="svm"), train)
    with pytest.raises(ValueError, match="odd"):
        _surface(trainer, default_pair(trainer.spec), size=4)
