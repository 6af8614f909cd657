"""The multiclass loss family: known values, theory at initialization, hand = torch = numerics, class weights."""

import math

import pytest
import torch
import torch.nn.functional as F

from torchcircuits.check import run_checks
from torchcircuits.circuits import get_circuit
from torchcircuits.gradcheck import numerical_gradient_tensors
from torchcircuits.losses import get_loss

MULTICLASS = ["softmax", "multiclass_svm", "ova_hinge", "structured_svm"]


def _scores(n=7, k=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=g, dtype=torch.float64) * 2, torch.randint(k, (n,), generator=g)


def test_known_values_of_one_example():
    S = torch.tensor([[1.0, 2.0, -0.5]], dtype=torch.float64)
    c = torch.tensor([0])
    # one-vs-all: 1 - 1 = 0 for the class, 1 + 2 = 3 and 1 - 0.5 = 0.5 for the others
    assert get_loss("ova_hinge").hand(S, c)[0].item() == pytest.approx(0.0 + 3.0 + 0.5)
    # Crammer-Singer: only the top runner-up (2.0) counts
    assert get_loss("structured_svm").hand(S, c)[0].item() == pytest.approx(1.0 + 2.0 - 1.0)
    # Weston-Watkins: every violating class counts (2 - 1 + 1 = 2; -0.5 - 1 + 1 < 0 does not violate)
    assert get_loss("multiclass_svm").hand(S, c)[0].item() == pytest.approx(2.0)
    _, dS = get_loss("structured_svm").hand(S, c)
    assert dS.tolist() == [[-1.0, 1.0, 0.0]]  # the true class up, the runner-up down, the third untouched


@pytest.mark.parametrize("k", [2, 3, 5])
def test_loss_at_zero_scores_matches_theory(k):
    S = torch.zeros(6, k, dtype=torch.float64)
    c = torch.arange(6) % k
    assert get_loss("softmax").hand(S, c)[0].item() == pytest.approx(math.log(k), rel=1e-14)  # ln K
    assert get_loss("multiclass_svm").hand(S, c)[0].item() == pytest.approx(k - 1)  # K - 1 margins of 1
    assert get_loss("ova_hinge").hand(S, c)[0].item() == pytest.approx(k)  # K hinges at 1
    assert get_loss("structured_svm").hand(S, c)[0].item() == pytest.approx(1.0)  # one margin of 1


@pytest.mark.parametrize("name", MULTICLASS)
def test_hand_equals_torch_and_numerics(name):
    loss = get_loss(name)
    S, c = _scores(seed=len(name))
    value, dS = loss.hand(S, c)
    leaf = S.clone().requires_grad_(True)
    auto = loss.torch(leaf, c)
    auto.backward()
    assert abs(value.item() - auto.item()) < 1e-12
    assert torch.allclose(dS, leaf.grad, rtol=0, atol=1e-12)
    numeric = numerical_gradient_tensors(lambda: loss.hand(S, c)[0], {"S": S})["S"]
    # random Gaussian scores sit far from every hinge kink (gap > 1e-3 with probability ~1); h = 1e-5
    assert torch.allclose(dS, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", MULTICLASS)
def test_registered_circuits_pass_the_check(name):
    runs = run_checks([name], trials=3, seed=1)
    assert len(runs) == 4 and all(r.ok and r.status == "ok" for r in runs)
    assert get_circuit(name).formula


def test_class_weights_match_torch_cross_entropy_weight():
    S, c = _scores(n=9, k=3, seed=4)
    class_weights = torch.tensor([0.5, 2.0, 3.0], dtype=torch.float64)
    per_example = class_weights[c]
    value, dS = get_loss("softmax").hand(S, c, per_example)
    leaf = S.clone().requires_grad_(True)
    reference = F.cross_entropy(leaf, c, weight=class_weights)  # divides by the batch's sum of weights
    reference.backward()
    assert abs(value.item() - reference.item()) < 1e-12
    assert torch.allclose(dS, leaf.grad, rtol=0, atol=1e-12)
    unweighted = get_loss("softmax").hand(S, c)[0].item()
    assert abs(value.item() - unweighted) > 1e-3  # the weights change the loss


@pytest.mark.parametrize("name", ["hinge", "logistic", "l1", "multiclass_svm", "ova_hinge", "structured_svm"])
def test_weighted_loss_hand_equals_torch_on_every_kind(name):
    loss = get_loss(name)
    if loss.target == "classes":
        S, labels = _scores(n=8, k=3, seed=2)
    else:
        S, labels = _scores(n=8, k=1, seed=2)
        labels = labels % 2 if loss.target == "signs" else torch.randn(8, dtype=torch.float64)
    targets = loss.targets(labels)
    weights = torch.linspace(0.2, 3.0, 8, dtype=torch.float64)
    value, dS = loss.hand(S, targets, weights)
    leaf = S.clone().requires_grad_(True)
    auto = loss.torch(leaf, targets, weights)
    auto.backward()
    assert abs(value.item() - auto.item()) < 1e-12
    assert torch.allclose(dS, leaf.grad, rtol=0, atol=1e-12)
    # equal weights give the plain mean
    same = loss.hand(S, targets, torch.full((8,), 2.5, dtype=torch.float64))
    plain = loss.hand(S, targets)
    assert abs(same[0].item() - plain[0].item()) < 1e-12 and torch.allclose(same[1], plain[1], atol=1e-15)
