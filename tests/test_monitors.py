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
