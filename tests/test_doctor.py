"""`torchcircuits doctor`: each check measures what it says, and each can fail."""

import json
import math
from dataclasses import replace

import pytest
import torch

from torchcircuits.cli import main
from torchcircuits.config import TrainConfig
from torchcircuits.data import Dataset, make_dataset
from torchcircuits.doctor import (
    check_dead_units,
    check_gradients,
    check_initial_loss,
    check_input_independent,
    check_no_leak,
    check_overfit,
    gradient_errors,
    run_doctor,
    tiny_subset,
    uninformed_loss,
)
from torchcircuits.losses import get_loss
from torchcircuits.models import hand_loss_and_grads
from torchcircuits.run import PRESETS, DataSpec, RunSettings
from torchcircuits.trainer import Trainer

SPIRAL_NET = TrainConfig(model="net", hidden=(100,), lr=1.0, batch=None)


def small_net(**changes) -> Trainer:
    """A 2-layer tanh/relu net on 60 blob points: big enough to have every kind of tensor, quick to check."""
    config = replace(TrainConfig(model="net", hidden=(6, 4), lr=0.5, batch=None), **changes)
    return Trainer(config, make_dataset("blobs", n=60, classes=3))


def test_the_uninformed_loss_is_the_textbook_value_at_zero_scores():
    classes = torch.tensor([0, 1, 2, 2, 1])
    signs = torch.tensor([1.0, -1.0, 1.0, 1.0])
    assert uninformed_loss(get_loss("softmax"), classes, 3) == pytest.approx(math.log(3), abs=1e-15)
    assert uninformed_loss(get_loss("multiclass_svm"), classes, 3) == pytest.approx(2.0, abs=1e-15)  # K - 1
    assert uninformed_loss(get_loss("hinge"), signs, 1) == pytest.approx(1.0, abs=1e-15)
    assert uninformed_loss(get_loss("logistic"), signs, 1) == pytest.approx(math.log(2), abs=1e-15)
    # a constant score of ln(prior) gives the entropy of the labels
    prior = torch.log(torch.tensor([0.2, 0.4, 0.4], dtype=torch.float64))
    assert uninformed_loss(get_loss("softmax"), classes, 3, prior) == pytest.approx(
        -(0.2 * math.log(0.2) + 0.8 * math.log(0.4)), abs=1e-12
    )


def test_loss_at_init_passes_for_he_init_and_fails_for_a_confident_last_layer():
    trainer = Trainer(SPIRAL_NET, *DataSpec("spiral").load())
    check = check_initial_loss(trainer)
    assert check.status == "PASS" and check.details["theory"] == pytest.approx(math.log(3))
    assert abs(check.measured - math.log(3)) < 0.25 * math.log(3)
    with torch.no_grad():
        trainer.params["W2"].mul_(30.0)  # scores of spread ~20: confidently wrong on two thirds of the points
    check = check_initial_loss(trainer)
    assert check.status == "FAIL" and check.measured > 2 * math.log(3)


def test_the_gradient_check_passes_on_every_tensor_of_a_correct_model():
    trainer = small_net(activation="tanh", reg=0.01)
    tensors = gradient_errors(trainer, tiny_subset(trainer.train_set, 5, 0))
    assert [t.name for t in tensors] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert all(t.ok for t in tensors)
    assert max(t.worst for t in tensors) < 1e-6 and max(t.max_abs_hand_torch for t in tensors) <= 1e-10


def test_the_gradient_check_flags_exactly_the_layer_with_a_wrong_gradient():
    trainer = small_net(reg=0.01)
    subset = tiny_subset(trainer.train_set, 5, 0)

    def wrong_in_w2(*args):
        data_loss, reg_loss, grads = hand_loss_and_grads(*args)
        return data_loss, reg_loss, {**grads, "W2": grads["W2"] * 1.01}  # 1% off: a typical slip

    check = check_gradients(trainer, subset, hand=wrong_in_w2)
    assert check.status == "FAIL"
    bad = {t["name"] for t in check.details["tensors"] if not t["ok"]}
    assert bad == {"W2"}
    assert "W2 (hand, hand vs torch" in check.summary and "W1" not in check.summary
    assert check_gradients(trainer, subset).status == "PASS"


def test_a_kink_is_checked_against_the_one_sided_differences():
    # zero weights under an L1 penalty: |w| has a kink at 0, where every subgradient in [-reg, reg] is right
    trainer = small_net(reg=0.1, reg_kind="l1")
    with torch.no_grad():
        trainer.params["W3"].zero_()
    subset = tiny_subset(trainer.train_set, 5, 0)
    tensors = {t.name: t for t in gradient_errors(trainer, subset)}
    assert tensors["W3"].kinks == trainer.params["W3"].numel() and tensors["W3"].ok

    def outside_the_interval(*args):
        data_loss, reg_loss, grads = hand_loss_and_grads(*args)
        return data_loss, reg_loss, {**grads, "W3": grads["W3"] + 0.15}  # beyond reg = 0.1 on every entry

    check = check_gradients(trainer, subset, hand=outside_the_interval)
    assert check.status == "FAIL" and {t["name"] for t in check.details["tensors"] if not t["ok"]} == {"W3"}


def test_no_leak_passes_for_the_layer_stack_and_fails_for_a_batch_statistic():
    trainer = small_net()
    subset = tiny_subset(trainer.train_set, 5, 0)
    check = check_no_leak(trainer, subset)
    assert check.status == "PASS" and check.measured == 0.0
    module = trainer.module
    leaking = check_no_leak(trainer, subset, forward=lambda X: module(X - X.mean(dim=0)))
    assert leaking.status == "FAIL" and leaking.measured > 1e-3


def test_dead_units_at_init():
    trainer = small_net()
    assert check_dead_units(trainer).status == "PASS"
    with torch.no_grad():
        trainer.params["b1"][:4] = -100.0  # 4 of 6 first-layer ReLUs off on every point
    check = check_dead_units(trainer)
    assert check.status == "FAIL" and check.measured == pytest.approx(4 / 6)
    linear = Trainer(TrainConfig(model="softmax"), make_dataset("blobs", n=30))
    assert check_dead_units(linear).status == "SKIP"


def test_the_input_independent_baseline():
    config = replace(SPIRAL_NET, hidden=(30,))
    train = make_dataset("spiral", n=90)
    check = check_input_independent(config, train, steps=150)
    assert check.status == "PASS"
    assert check.details["real_data_loss"] < 0.9 * check.details["zeroed_data_loss"]
    # inputs that carry nothing: the real run is the zeroed run, and the check fails
    blank = Dataset(torch.zeros_like(train.X), train.labels, 3, "blank")
    assert check_input_independent(config, blank, steps=20).status == "FAIL"


def test_overfit_a_tiny_subset_passes_for_the_spiral_net_and_fails_under_the_guides_spring():
    subset = tiny_subset(make_dataset("spiral"), 5, 0)
    assert sorted(subset.labels.tolist()) == [0, 0, 1, 1, 2]  # the classes taken in turn
    check = check_overfit(SPIRAL_NET, subset, steps=300)
    assert check.status == "PASS" and check.details["accuracy"] == 1.0
    assert check.measured <= 0.1 * math.log(3)
    guide = PRESETS["guide-net"]
    failed = check_overfit(guide.config, tiny_subset(guide.data.load()[0], 5, 0), steps=300)
    assert failed.status == "FAIL" and "--reg 0" in failed.summary


def test_run_doctor_reports_every_check_in_order():
    seen = []
    settings = RunSettings(SPIRAL_NET, DataSpec("spiral"))
    checks = run_doctor(settings, steps=300, on_check=seen.append)
    assert [c.name for c in checks] == ["loss at init", "dead units at init", "gradients",
                                        "no leaks between examples", "input-independent baseline",
                                        "overfit a tiny subset"]  # fmt: skip
    assert seen == checks and all(c.status == "PASS" for c in checks)


def test_cli_exit_status_and_json(capsys):
    assert main(["doctor", "--preset", "guide-net", "--init", "uniform", "--steps", "200"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  overfit a tiny subset" in out and out.strip().splitlines()[-1].startswith("6 checks:")
    assert main(["doctor", "--model", "net", "--hidden", "10", "--dataset", "blobs", "--n", "40", "--classes", "3",
                 "--batch", "all", "--lr", "0.5", "--steps", "100", "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out, parse_constant=lambda name: pytest.fail(f"not JSON: {name}"))
    assert result["passed"] is True and result["counts"]["FAIL"] == 0 and len(result["checks"]) == 6


@pytest.mark.parametrize(
    "argv, message",
    [
        (["doctor", "--steps", "0"], "--steps must be at least 1 for the doctor's training checks"),
        (["doctor", "--lr", "0"], "--lr must be a positive step size"),
        (["doctor", "--dataset", "nope"], "--dataset must be one of"),
        (["doctor", "--model", "net", "--dataset", "moons", "--loss", "l2"], "--loss l2 trains on real targets"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and captured.out == ""


def test_loss_at_init_below_the_theory_or_for_regression_warns_at_most():
    guide_start = Trainer(TrainConfig(model="svm"), make_dataset("blobs", n=60))  # a fixed start that separates
    check = check_initial_loss(guide_start)
    assert check.status == "WARN" and check.measured < 0.5 * check.details["theory"] and "below it" in check.summary
    sine = Trainer(TrainConfig(model="net", hidden=(16,), activation="tanh", batch=None), make_dataset("sine"))
    check = check_initial_loss(sine)
    assert check.measured > 3 * check.details["theory"] and check.status == "WARN"


def test_a_big_tensor_is_checked_on_a_seeded_sample_and_still_flagged():
    trainer = Trainer(TrainConfig(model="net", hidden=(300,), batch=None), make_dataset("spiral", n=60))
    subset = tiny_subset(trainer.train_set, 5, 0)
    tensors = {t.name: t for t in gradient_errors(trainer, subset)}
    assert tensors["W1"].checked == 200 and tensors["b2"].checked == 3 and all(t.ok for t in tensors.values())

    def wrong_in_w2(*args):
        data_loss, reg_loss, grads = hand_loss_and_grads(*args)
        return data_loss, reg_loss, {**grads, "W2": grads["W2"] * 1.01}

    check = check_gradients(trainer, subset, hand=wrong_in_w2)
    assert check.status == "FAIL" and {t["name"] for t in check.details["tensors"] if not t["ok"]} == {"W2"}
    assert "sampled 200 of 600 entries of W1" in check_gradients(trainer, subset).summary
