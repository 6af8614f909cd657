"""Dropout: one mask from the trainer's generator shared by hand backward, Units and autograd; none at evaluation."""

import pytest
import torch

from torchcircuits.config import TrainConfig
from torchcircuits.data import make_dataset
from torchcircuits.errors import SettingError
from torchcircuits.losses import get_loss
from torchcircuits.models import (
    ModelSpec,
    build_module,
    hand_loss_and_grads,
    init_params,
    scalar_loss_and_grads,
    torch_loss_and_grads,
)
from torchcircuits.trainer import Trainer

# float64; the faces differ by summation order only (~1e-16), far inside the 1e-10 asked for
TOL = 1e-10
MOONS = make_dataset("moons", n=40, seed=2)


def test_hand_units_and_autograd_agree_with_a_shared_mask():
    data = make_dataset("spiral", n=9, seed=1)
    loss = get_loss("softmax")
    spec = ModelSpec(2, (5, 4), 3, "relu")
    params = init_params(spec, "he", torch.Generator().manual_seed(1))
    g = torch.Generator().manual_seed(7)
    masks = [(torch.rand(9, h, generator=g, dtype=torch.float64) < 0.5).to(torch.float64) / 0.5 for h in (5, 4)]
    targets = loss.targets(data.labels)
    hand = hand_loss_and_grads(params, spec, loss, data.X, targets, 0.01, "l2", masks=masks)
    units = scalar_loss_and_grads(params, spec, loss, data.X, targets, 0.01, "l2", masks=masks)
    auto = torch_loss_and_grads(build_module(spec, params), spec, loss, data.X, targets, 0.01, "l2", masks=masks)
    plain = hand_loss_and_grads(params, spec, loss, data.X, targets, 0.01, "l2")
    assert abs(float(hand[0]) - float(plain[0])) > 1e-3  # the mask changes the loss: something was dropped
    for other in (units, auto):
        assert abs(float(hand[0]) - float(other[0])) < TOL
        for name in hand[2]:
            assert torch.allclose(hand[2][name], other[2][name], rtol=0, atol=TOL), name
    # a unit dropped on every example gets no gradient into its incoming weights
    all_dropped = [m.clone() for m in masks]
    all_dropped[0][:, 2] = 0.0
    grads = hand_loss_and_grads(params, spec, loss, data.X, targets, 0.0, "l2", masks=all_dropped)[2]
    assert grads["W1"][:, 2].abs().max() == 0 and grads["b1"][2] == 0


def test_trainer_compare_holds_with_dropout_on():
    trainer = Trainer(TrainConfig(model="net", hidden=(8, 6), lr=0.1, batch=16, dropout=0.5, compare=True), MOONS)
    stats = [trainer.step() for _ in range(30)]
    assert all(s.max_grad_diff < 1e-10 for s in stats)


def test_masks_come_from_the_generator_and_evaluation_never_drops():
    config = TrainConfig(model="net", hidden=(8,), lr=0.1, batch=None, dropout=0.3, seed=3)
    a, b = Trainer(config, MOONS), Trainer(config, MOONS)
    assert a.run(20) == b.run(20)  # the same seed draws the same masks
    masks = a._dropout_masks(1000)
    kept = masks[0][masks[0] > 0]
    assert torch.allclose(kept, torch.full_like(kept, 1 / 0.7))  # inverted dropout: kept units scaled by 1/(1-p)
    assert 0.25 < (masks[0] == 0).double().mean().item() < 0.35  # about p of the units dropped
    first = a.evaluate()
    assert a.evaluate() == first  # evaluation draws nothing and drops nothing
    no_dropout = Trainer(TrainConfig(model="net", hidden=(8,), lr=0.1, batch=None, seed=3), MOONS)
    no_dropout.load_parameters(a.parameters())
    assert no_dropout.evaluate().train_loss == first.train_loss
    assert torch.equal(no_dropout.scores(MOONS.X), a.scores(MOONS.X))


def test_no_dropout_keeps_the_random_stream_of_today():
    plain = Trainer(TrainConfig(model="net", hidden=(4,), lr=0.1, batch=4, seed=1), MOONS)
    zero = Trainer(TrainConfig(model="net", hidden=(4,), lr=0.1, batch=4, seed=1, dropout=0.0), MOONS)
    assert plain.run(10) == zero.run(10)


@pytest.mark.parametrize("value, message", [(1.0, "dropout must be at least 0 and below 1"),
                                            (-0.1, "dropout must be at least 0 and below 1")])  # fmt: skip
def test_bad_dropout_is_refused(value, message):
    with pytest.raises(SettingError, match=message):
        TrainConfig(model="net", dropout=value).validated()
    with pytest.raises(SettingError, match="dropout applies to the net only"):
        TrainConfig(model="svm", dropout=0.5).validated()
