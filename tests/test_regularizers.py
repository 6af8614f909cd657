"""Group lasso and elastic net: hand gradient = autograd = Units = numerics away from 0, the stated subgradient at 0."""

import math

import pytest
import torch

from torchcircuits.data import make_dataset
from torchcircuits.gradcheck import numerical_gradient_tensors
from torchcircuits.losses import get_loss
from torchcircuits.models import (
    ModelSpec,
    build_module,
    hand_loss_and_grads,
    init_params,
    scalar_loss_and_grads,
    torch_loss_and_grads,
)
from torchcircuits.regularizers import regularization, regularization_torch, regularization_units
from torchcircuits.units import Unit

# float64; the faces differ only by summation order (~1e-16 here)
TOL = 1e-10


def _weights(seed=0):
    g = torch.Generator().manual_seed(seed)
    return {"W1": torch.randn(3, 4, generator=g, dtype=torch.float64),
            "W2": torch.randn(4, 2, generator=g, dtype=torch.float64)}  # fmt: skip


@pytest.mark.parametrize("kind, l1_ratio", [("group", 0.5), ("elastic", 0.3), ("elastic", 1.0), ("l2", 0.5)])
def test_penalty_gradient_matches_numerics_and_autograd_away_from_zero(kind, l1_ratio):
    params = _weights()
    loss, grads = regularization(params, ["W1", "W2"], 0.7, kind, l1_ratio)

    def penalty():
        return regularization(params, ["W1", "W2"], 0.7, kind, l1_ratio)[0]

    numeric = numerical_gradient_tensors(penalty, params)
    leaves = {n: p.clone().requires_grad_(True) for n, p in params.items()}
    auto = regularization_torch(list(leaves.values()), 0.7, kind, l1_ratio)
    auto.backward()
    assert auto.item() == pytest.approx(loss, rel=1e-14)
    for name in params:
        # centered differences, h = 1e-5, of a smooth function away from every kink: error ~1e-10
        assert torch.allclose(grads[name], numeric[name], rtol=1e-6, atol=1e-8), name
        assert torch.allclose(grads[name], leaves[name].grad, rtol=0, atol=TOL), name


def test_group_lasso_is_the_sum_of_column_norms():
    w = torch.tensor([[3.0, 0.0], [4.0, 1.0]], dtype=torch.float64)  # column norms 5 and 1
    loss, grads = regularization({"W": w}, ["W"], 2.0, "group")
    assert loss == pytest.approx(2.0 * (5.0 + 1.0))
    assert torch.allclose(grads["W"], 2.0 * torch.tensor([[0.6, 0.0], [0.8, 1.0]], dtype=torch.float64))


def test_elastic_mixes_l1_and_l2():
    w = torch.tensor([[-2.0, 0.5]], dtype=torch.float64)
    loss, grads = regularization({"W": w}, ["W"], 1.0, "elastic", 0.25)
    assert loss == pytest.approx(0.25 * 2.5 + 0.75 * 4.25)
    assert grads["W"][0].tolist() == pytest.approx([0.25 * -1 + 1.5 * -2.0, 0.25 + 1.5 * 0.5])


def test_the_stated_subgradient_at_zero_on_every_face():
    # a zero column (a switched-off neuron) and a zero entry in a live column
    w = torch.tensor([[0.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    for kind in ("group", "elastic", "l1"):
        _, grads = regularization({"W": w}, ["W"], 1.0, kind, 0.5)
        leaf = w.clone().requires_grad_(True)
        regularization_torch([leaf], 1.0, kind, 0.5).backward()
        cells = [[Unit(v) for v in row] for row in w.tolist()]
        regularization_units([cells], 1.0, kind, 0.5).backward()
        units = torch.tensor([[u.grad for u in row] for row in cells], dtype=torch.float64)
        # group: 0 on the zero column (the least-size subgradient), w/‖w‖ on the live one;
        # l1 and elastic: 0 at every zero entry
        expected = {"group": [[0.0, 0.0], [0.0, 1.0]], "elastic": [[0.0, 0.0], [0.0, 0.5 + 2.0]],
                    "l1": [[0.0, 0.0], [0.0, 1.0]]}[kind]  # fmt: skip
        for face in (grads["W"], leaf.grad, units):
            assert face.tolist() == expected, kind
    # 0 lies in the group subdifferential at a zero column, {g : ‖g‖ <= reg}: both one-sided slopes are ±reg
    h = 1e-6
    for direction in (torch.tensor([1.0, 0.0]), torch.tensor([0.6, -0.8])):
        bumped = w.clone()
        bumped[:, 0] = h * direction.to(torch.float64)
        rise = regularization({"W": bumped}, ["W"], 1.0, "group")[0] - regularization({"W": w}, ["W"], 1.0, "group")[0]
        # a one-sided difference of size 1e-6 on a total near 2: round-off ~1e-10 / 1e-6
        assert rise / h == pytest.approx(1.0, abs=1e-6)  # ‖h d‖ / h = 1 >= <0, d>: the subgradient inequality holds


@pytest.mark.parametrize("kind", ["group", "elastic"])
def test_three_faces_agree_on_a_net_with_group_and_elastic(kind):
    data = make_dataset("spiral", n=9, seed=3)
    loss = get_loss("softmax")
    spec = ModelSpec(2, (4, 3), 3, "tanh")
    params = init_params(spec, "uniform", torch.Generator().manual_seed(3))
    targets = loss.targets(data.labels)
    hand = hand_loss_and_grads(params, spec, loss, data.X, targets, 0.3, kind, l1_ratio=0.4)
    scalar = scalar_loss_and_grads(params, spec, loss, data.X, targets, 0.3, kind, l1_ratio=0.4)
    auto = torch_loss_and_grads(build_module(spec, params), spec, loss, data.X, targets, 0.3, kind, l1_ratio=0.4)
    assert hand[1] > 0 and math.isfinite(hand[1])
    for other in (scalar, auto):
        assert abs(float(hand[0]) - float(other[0])) < TOL and abs(hand[1] - other[1]) < TOL
        for name in hand[2]:
            assert torch.allclose(hand[2][name], other[2][name], rtol=0, atol=TOL), name
