"""The shared trainer: determinism, backends, optimizers, divergence, results."""

import math

import pytest
import torch

from torchcircuits.data import make_dataset, train_test_split
from torchcircuits.errors import InputError
from torchcircuits.trainer import Diverged, TrainConfig, Trainer

MOONS = make_dataset("moons", n=60, seed=1)


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
    with pytest.raises(Diverged, match=r"(step \d+ would make the parameters non-finite|at step \d+).*lower the step"):
        for _ in range(1000):
            trainer.step()
    assert all(torch.isfinite(p).all() for p in trainer.parameters().values())
    assert trainer.diverged and "lower the step size" in trainer.diverged
    with pytest.raises(Diverged):
        trainer.step()


def test_bad_configs_and_data_are_refused():
    for config, message in [
        (TrainConfig(lr=-1.0), "lr must be a positive step size"),
        (TrainConfig(lr=math.inf), "lr must be a positive step size, got inf"),
        (TrainConfig(lr="0.1"), "lr must be a positive step size, got '0.1'"),
        (TrainConfig(reg=-0.1), "reg must be >= 0"),
        (TrainConfig(batch=0), "batch must be a count from 1"),
        (TrainConfig(momentum=1.0), "momentum must be at least 0 and below 1"),
        (TrainConfig(model="tree"), "model must be one of svm, softmax, linear, net, got 'tree'"),
        (TrainConfig(loss="l9"), "loss must be one of hinge"),
        (TrainConfig(loss="l2"), "loss l2 is not trained by model svm"),
        (TrainConfig(model="softmax", loss="hinge"), "loss hinge is not trained by model softmax"),
        (TrainConfig(backend="jax"), "backend must be one of hand, torch"),
        (TrainConfig(model="net", hidden=(8, 0)), "hidden widths must be whole numbers from 1 to 4096"),
        (TrainConfig(seed=2**64), "seed must be a whole number from 0 to 2"),
        (TrainConfig(nesterov=True), "nesterov needs the sgd optimizer with momentum > 0"),
        (TrainConfig(optimizer="lbfgs"), "batch must be 'all' for the lbfgs optimizer"),
        (TrainConfig(features=("x3",)), "features has unknown feature 'x3'"),
        (TrainConfig(model="linear", loss="l2"), "l2 trains on real targets and moons is a classification set"),
        (TrainConfig(model="linear", bias_init="target-mean"), "bias_init target-mean is for regression"),
    ]:
        with pytest.raises(InputError, match=message):
            Trainer(config, MOONS)
    empty = MOONS.subset(torch.tensor([], dtype=torch.int64))
    with pytest.raises(InputError, match="the training set is empty"):
        Trainer(TrainConfig(), empty)
    one_class = MOONS.subset(torch.nonzero(MOONS.labels == 1).flatten())
    with pytest.raises(InputError, match="only one class"):
        Trainer(TrainConfig(), one_class)
    with pytest.raises(InputError, match="hinge takes two classes and spiral has 3"):
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


def test_a_loss_not_finite_at_the_start_says_so_not_lower_the_step_size():
    trainer = Trainer(TrainConfig(model="svm", reg=1e300, lr=1e-100, batch=None), MOONS)
    with pytest.raises(Diverged, match="gradient is not finite at the start: the data's scale or the regul"):
        trainer.step()
    trainer = Trainer(TrainConfig(model="svm", reg=1e308, lr=1e-100, batch=None), MOONS)
    with pytest.raises(Diverged, match="regularization loss is not finite at the start"):
        trainer.step()
    assert trainer.step_count == 0


def test_run_returns_the_history_before_a_divergence():
    trainer = Trainer(TrainConfig(model="net", hidden=(10,), lr=1e8, batch=None), MOONS)
    history = trainer.run(100, record_every=1)
    assert trainer.diverged and 0 < len(history) < 100
    assert [h["step"] for h in history] == list(range(1, len(history) + 1))
    assert trainer.step_count == len(history)


@pytest.mark.parametrize("hidden", [(8, 8), (8, 8, 8), (8, 8, 8, 8)])
def test_deep_nets_train_and_backends_agree(hidden):
    config = TrainConfig(model="net", hidden=hidden, lr=0.1, momentum=0.9, batch=None, seed=1, compare=True)
    trainer = Trainer(config, MOONS)
    start = trainer.evaluate().train_loss
    history = trainer.run(200, record_every=50)
    assert max(h["max_grad_diff"] for h in history) < 1e-10
    assert history[-1]["train_loss"] < 0.5 * start
    assert list(trainer.params) == [n for i in range(1, len(hidden) + 2) for n in (f"W{i}", f"b{i}")]


def test_the_trainer_holds_one_parameter_dict_shared_with_its_module():
    trainer = Trainer(TrainConfig(model="net", hidden=(4,)), MOONS)
    module_params = dict(trainer.module.named_parameters())
    assert all(trainer.params[n] is module_params[n] for n in module_params)
    before = trainer.parameters()
    trainer.step()
    assert any(not torch.equal(before[n], trainer.params[n]) for n in before)


def test_regression_reports_rmse_mae_r2_and_no_accuracy():
    train, test = train_test_split(make_dataset("sine", seed=0), 0.2, seed=0)
    config = TrainConfig(model="net", hidden=(16,), activation="tanh", lr=0.1, batch=20, seed=0)
    trainer = Trainer(config, train, test)
    assert trainer.loss.name == "l2"
    before = trainer.evaluate()
    trainer.run(1500, record_every=1500)
    after = trainer.evaluate()
    assert before.train_accuracy is None and after.test_accuracy is None
    assert after.test_r2 > 0.9 > before.test_r2
    prediction = trainer.predict(test.X)
    assert after.test_rmse == pytest.approx(torch.nn.functional.mse_loss(prediction, test.labels).sqrt().item())
    assert after.test_mae == pytest.approx(torch.nn.functional.l1_loss(prediction, test.labels).item())
    one = Trainer(config, train, test.subset(torch.tensor([0])))
    assert one.evaluate().test_r2 is None  # R² is undefined on targets that do not vary


def test_bias_init_from_the_data():
    sine = make_dataset("sine", seed=1)
    shifted = type(sine)(sine.X, sine.labels + 3.0, 0, "shifted")
    trainer = Trainer(TrainConfig(model="net", hidden=(4,), bias_init="target-mean"), shifted)
    assert trainer.params["b2"].item() == pytest.approx(shifted.labels.mean().item())
    zeros, ones_index = torch.nonzero(MOONS.labels == 0).flatten(), torch.nonzero(MOONS.labels == 1).flatten()
    skewed = MOONS.subset(torch.cat([zeros, ones_index[:2]]))
    ones = int(skewed.labels.sum())
    logistic = Trainer(TrainConfig(model="linear", loss="logistic", bias_init="prior"), skewed)
    odds = (ones + 1) / (len(skewed) - ones + 1)
    assert logistic.params["b"].item() == pytest.approx(math.log(odds))
    spiral = make_dataset("spiral")
    softmax = Trainer(TrainConfig(model="softmax", bias_init="prior"), spiral)
    assert torch.allclose(softmax.params["b"], torch.log(torch.full((3,), 1 / 3, dtype=torch.float64)))


def test_features_reach_the_model_and_the_grid():
    circle = make_dataset("circle", seed=0)
    config = TrainConfig(model="linear", loss="logistic", features=("x1sq", "x2sq"), lr=0.5, batch=None)
    trainer = Trainer(config, circle)
    assert trainer.spec.inputs == 2 and trainer.features == ("x1sq", "x2sq")
    trainer.run(500, record_every=500)
    assert trainer.evaluate().train_accuracy > 0.97  # a circle is linear in the squares
    raw = Trainer(TrainConfig(model="linear", loss="logistic", lr=0.5, batch=None), circle)
    raw.run(500, record_every=500)
    assert raw.evaluate().train_accuracy < 0.8  # and not in the raw coordinates
    with pytest.raises(InputError, match="x2sq needs x2, and the data has one input"):
        Trainer(TrainConfig(model="linear", features=("x1", "x2sq")), make_dataset("sine"))
