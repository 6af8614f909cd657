"""The health measurements on tensors whose answer is known by construction."""

import math

import torch

from torchcircuits.monitors import dead_fraction, grad_norms, inactive_units, update_ratios


def test_a_relu_unit_is_dead_only_when_zero_on_every_point():
    h = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 2.0, 0.0]], dtype=torch.float64)
    h[1, 2] = 0.5  # unit 2 fires on one point: alive
    assert inactive_units(h, "relu").tolist() == [True, False, False]
    assert dead_fraction([h, h[:, :1]], "relu") == (1 / 3, 1.0)


def test_tanh_and_sigmoid_units_count_as_saturated_past_097():
    t = torch.tensor([[0.98, -0.5], [-0.99, 0.99]], dtype=torch.float64)
    assert inactive_units(t, "tanh").tolist() == [True, False]
    s = (t + 1) / 2  # the same shape on the sigmoid's (0, 1) range
    assert inactive_units(s, "sigmoid").tolist() == [True, False]
    assert inactive_units(t, "linear").tolist() == [False, False]


def test_update_ratio_and_grad_norm():
    before = {"W": torch.tensor([3.0, 4.0], dtype=torch.float64), "b": torch.zeros(1, dtype=torch.float64)}
    after = {"W": torch.tensor([3.0, 4.05], dtype=torch.float64), "b": torch.ones(1, dtype=torch.float64)}
    ratios = update_ratios(before, after)
    assert math.isclose(ratios["W"], 0.05 / 5.0, rel_tol=1e-12)
    assert ratios["b"] is None  # ‖θ‖ = 0: undefined, not inf
    assert grad_norms(before) == {"W": 5.0, "b": 0.0}


def test_trainer_health_reports_the_last_step_and_a_forced_dead_unit():
    from torchcircuits.config import TrainConfig
    from torchcircuits.data import make_dataset
    from torchcircuits.trainer import Trainer

    trainer = Trainer(TrainConfig(model="net", hidden=(4,), lr=0.1, batch=None), make_dataset("moons", n=40, seed=0))
    assert trainer.health().update_ratio == {}  # no step yet
    before = trainer.parameters()
    with torch.no_grad():  # unit 0: a bias so negative that it never fires on these points
        trainer.params["b1"][0] = -1e3
        before["b1"][0] = -1e3
    trainer.step()
    health = trainer.health()
    assert health.dead_fraction == (0.25,)
    after = trainer.parameters()
    expected = torch.linalg.vector_norm(after["W2"] - before["W2"]) / torch.linalg.vector_norm(before["W2"])
    assert math.isclose(health.update_ratio["W2"], expected.item(), rel_tol=1e-12)
    assert set(health.grad_norm) == {"W1", "b1", "W2", "b2"} and health.grad_norm["W2"] > 0
