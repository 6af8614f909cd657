"""The guide's training code equals the library's SGD on the loss (one sign convention)."""

import torch

from torchcircuits.data import make_dataset
from torchcircuits.guide import GUIDE_SPRING, GuideSVM, net_float_step, net_to_guide_names, svm_float_step
from torchcircuits.losses import get_loss
from torchcircuits.models import ModelSpec, hand_loss_and_grads
from torchcircuits.optim import make_optimizer
from torchcircuits.trainer import TrainConfig, Trainer

DATA = make_dataset("guide")
POINTS = list(zip(DATA.X.tolist(), (2 * DATA.labels - 1).tolist(), strict=True))


def test_force_specification_equals_one_sgd_step_on_the_cost():
    svm = GuideSVM(1.0, -2.0, -1.0)
    abc = (1.0, -2.0, -1.0)
    spec = ModelSpec(2, (), 1)
    params = {"W": torch.tensor([[1.0], [-2.0]], dtype=torch.float64), "b": torch.tensor([-1.0], dtype=torch.float64)}
    sgd = make_optimizer("sgd", 0.01)
    for i in [0, 1, 4, 2, 3, 5, 4, 4, 1, 0] * 5:
        (x, y), label = POINTS[i]
        svm.learn_from(x, y, label, step_size=0.01)
        abc = svm_float_step(abc, x, y, label, step_size=0.01)
        hinge = get_loss("hinge")
        signs = hinge.targets(DATA.labels[i : i + 1])
        _, _, grads = hand_loss_and_grads(params, spec, hinge, DATA.X[i : i + 1], signs, GUIDE_SPRING, "l2")
        sgd.step(params, grads)
        ours = (params["W"][0, 0].item(), params["W"][1, 0].item(), params["b"][0].item())
        guide = (svm.a.value, svm.b.value, svm.c.value)
        for u, v, w in zip(ours, guide, abc, strict=True):
            assert abs(u - v) < 1e-12 and abs(u - w) < 1e-12


def test_trainer_replays_the_guide_svm_loop():
    trainer = Trainer(TrainConfig(model="svm", lr=0.01, reg=0.5, batch=1, init="guide", seed=3), DATA)
    abc = (1.0, -2.0, -1.0)
    for _ in range(400):
        trainer.step()
        (x, y), label = POINTS[trainer.last_batch.item()]
        abc = svm_float_step(abc, x, y, label, 0.01)
    p = trainer.parameters()
    assert abs(p["W"][0, 0].item() - abc[0]) < 1e-10
    assert abs(p["W"][1, 0].item() - abc[1]) < 1e-10
    assert abs(p["b"][0].item() - abc[2]) < 1e-10


def test_trainer_replays_the_guide_net_loop():
    config = TrainConfig(model="net", hidden=3, lr=0.01, reg=0.5, batch=1, init="guide", seed=5)
    trainer = Trainer(config, DATA)
    guide = net_to_guide_names(trainer.parameters())
    assert all(-0.5 <= v <= 0.5 for v in guide.values())
    for _ in range(400):
        trainer.step()
        (x, y), label = POINTS[trainer.last_batch.item()]
        guide = net_float_step(guide, x, y, label, 0.01)
    ours = net_to_guide_names(trainer.parameters())
    assert max(abs(ours[k] - guide[k]) for k in guide) < 1e-10


def test_guide_svm_starts_at_four_of_six_not_one_third():
    svm = GuideSVM(1.0, -2.0, -1.0)
    correct = sum(svm.predict(x, y) == label for (x, y), label in POINTS)
    assert correct == 4
    trainer = Trainer(TrainConfig(model="svm", reg=0.5), DATA)
    assert trainer.evaluate().train_accuracy == 4 / 6


def test_pinned_seeds_of_the_guides_runs():
    """docs/circuits.md quotes these: scripts/guide_runs.py gives the distributions over 100 seeds."""
    from dataclasses import replace

    from torchcircuits.run import PRESETS

    def final_accuracy(preset, seed, steps=400, reg=None):
        config = replace(PRESETS[preset].config, seed=seed)
        if reg is not None:
            config = replace(config, reg=reg)
        trainer = Trainer(config, DATA)
        trainer.run(steps, record_every=steps)
        return trainer

    assert final_accuracy("guide-svm", 0).evaluate().train_accuracy == 5 / 6
    assert final_accuracy("guide-svm", 3).evaluate().train_accuracy == 1.0
    assert final_accuracy("guide-net", 0).evaluate().train_accuracy == 0.5
    # with a weak spring the net separates the data for 99 of 100 seeds; seed 95 starts with its
    # ReLUs (almost) dead on every point, they die completely, and the score is a constant
    dead = final_accuracy("guide-net", 95, steps=2000, reg=1e-3)
    assert dead.evaluate().train_accuracy == 0.5
    pre = DATA.X @ dead.parameters()["W1"] + dead.parameters()["b1"]
    assert (pre <= 0).all()
