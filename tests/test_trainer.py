"""The shared trainer: determinism, backends, optimizers, divergence, results."""

import math

import pytest
import torch

from torchcircuits.data import make_dataset, train_test_split
from torchcircuits.errors import InputError
from torchcircuits.losses import get_loss
from torchcircuits.models import ModelSpec, build_module, init_params, torch_loss_and_grads, weight_names
from torchcircuits.optim import SGD
from torchcircuits.trainer import Diverged, TrainConfig, Trainer

MOONS = make_dataset("moons", n=60, seed=1)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("reg", [0.0, 0.05])
def test_hand_sgd_matches_torch_optim_sgd_step_for_step(momentum, reg):
    spec = ModelSpec("net", 1, hidden=5, activation="tanh")
    start = init_params(spec, "he", torch.Generator().manual_seed(2))
    loss = get_loss("logistic")
    ours = {k: v.clone() for k, v in start.items()}
    sgd = SGD(lr=0.1, momentum=momentum)
    module = build_module(spec, start)
    # our L2 term reg·Σw² has gradient 2·reg·w: torch's weight_decay = 2·reg on the weights only
    groups = [
        {"params": [p for n, p in module.named_parameters() if n in weight_names(spec)], "weight_decay": 2 * reg},
        {"params": [p for n, p in module.named_parameters() if n not in weight_names(spec)], "weight_decay": 0.0},
    ]
    torch_sgd = torch.optim.SGD(groups, lr=0.1, momentum=momentum)
    from torchcircuits.models import hand_loss_and_grads

    for _ in range(30):
        _, _, grads = hand_loss_and_grads(ours, spec, loss, MOONS.X, MOONS.labels, reg, "l2")
        sgd.step(ours, grads)
        torch_loss_and_grads(module, spec, loss, MOONS.X, MOONS.labels, 0.0, "l2")
        torch_sgd.step()
    for name, p in module.named_parameters():
        assert torch.allclose(ours[name], p.detach(), rtol=0, atol=1e-12), name


def test_same_seed_same_run_and_backends_agree():
    config = TrainConfig(model="net", hidden=6, lr=0.1, batch=8, momentum=0.5, seed=4)
    a = Trainer(config, MOONS).run(100, record_every=10)
    b = Trainer(config, MOONS).run(100, record_every=10)
    assert a == b
    c = Trainer(TrainConfig(**{**config.__dict__, "backend": "torch"}), MOONS).run(100, record_every=10)
    for x, y in zip(a, c, strict=True):
        assert x["train_accuracy"] == y["train_accuracy"]
        assert abs(x["train_loss"] - y["train_loss"]) < 1e-10
    d = Trainer(TrainConfig(**{**config.__dict__, "seed": 5}), MOONS).run(100, record_every=10)
    assert d != a


def test_compare_reports_the_hand_torch_difference():
    trainer = Trainer(TrainConfig(model="net", hidden=8, lr=0.1, batch=16, compare=True, loss="softmax"), MOONS)
    stats = [trainer.step() for _ in range(20)]
    assert all(s.max_grad_diff is not None and s.max_grad_diff < 1e-10 for s in stats)
    assert Trainer(TrainConfig(), MOONS).step().max_grad_diff is None


def test_step_reports_losses_and_gradient_norm():
    trainer = Trainer(TrainConfig(model="svm", batch=None, reg=0.1), MOONS)
    stats = trainer.step()
    assert stats.step == 1 and stats.loss == pytest.approx(stats.data_loss + stats.reg_loss)
    assert stats.reg_loss == pytest.approx(0.1 * 5.0)  # W = (1, -2): reg·(1 + 4)
    assert stats.grad_norm > 0
    evaluation = trainer.evaluate()
    assert evaluation.test_accuracy is None and 0 <= evaluation.train_accuracy <= 1


@pytest.mark.parametrize("hidden", [10, 400])  # both ways of checking: small models in Python, large in torch
def test_divergence_stops_with_a_message_and_keeps_finite_parameters(hidden):
    trainer = Trainer(TrainConfig(model="net", hidden=hidden, lr=1e8, batch=None, init="he"), MOONS)
    with pytest.raises(Diverged, match=r"diverged at step \d+: lower the step size"):
        for _ in range(1000):
            trainer.step()
    assert all(torch.isfinite(p).all() for p in trainer.parameters().values())
    assert trainer.diverged and trainer.diverged.startswith("diverged at step")
    with pytest.raises(Diverged):
        trainer.step()


def test_bad_configs_and_data_are_refused():
    for config, message in [
        (TrainConfig(lr=-1.0), "--lr must be a positive step size"),
        (TrainConfig(lr=math.inf), "--lr must be a finite number"),
        (TrainConfig(reg=-0.1), "--reg must be >= 0"),
        (TrainConfig(batch=0), "--batch must be a positive count"),
        (TrainConfig(momentum=1.0), "--momentum must be at least 0 and below 1"),
        (TrainConfig(model="tree"), "unknown model 'tree'"),
        (TrainConfig(loss="l2"), "unknown loss 'l2'"),
        (TrainConfig(model="softmax", loss="hinge"), "model softmax does not train the hinge loss"),
        (TrainConfig(backend="jax"), "unknown backend 'jax'"),
    ]:
        with pytest.raises(InputError, match=message):
            Trainer(config, MOONS)
    empty = MOONS.subset(torch.tensor([], dtype=torch.int64))
    with pytest.raises(InputError, match="the training set is empty"):
        Trainer(TrainConfig(), empty)
    one_class = MOONS.subset(torch.nonzero(MOONS.labels == 1).flatten())
    with pytest.raises(InputError, match="only one class"):
        Trainer(TrainConfig(), one_class)
    with pytest.raises(InputError, match="the hinge loss takes two classes and spiral has 3"):
        Trainer(TrainConfig(loss="hinge"), make_dataset("spiral"))


def test_weak_spring_separates_guide_for_every_seed_tried():
    guide = make_dataset("guide")
    for model in ("svm", "net"):
        for seed in range(5):
            config = TrainConfig(model=model, hidden=3, lr=0.01, reg=1e-3, batch=1, init="guide", seed=seed)
            trainer = Trainer(config, guide)
            trainer.run(2000, record_every=2000)
            assert trainer.evaluate().train_accuracy == 1.0, (model, seed)


def test_spiral_linear_softmax_stays_near_half_while_the_net_fits_it():
    train, test = train_test_split(make_dataset("spiral"), 0.2, seed=0)
    linear = Trainer(TrainConfig(model="softmax", lr=1.0, batch=None, reg=1e-3), train, test)
    linear.run(300, record_every=300)
    assert 0.4 < linear.evaluate().train_accuracy < 0.6
    net = Trainer(TrainConfig(model="net", hidden=100, lr=1.0, batch=None, reg=1e-3), train, test)
    net.run(1000, record_every=1000)
    result = net.evaluate()
    assert result.train_accuracy > 0.95 and result.test_accuracy > 0.9
