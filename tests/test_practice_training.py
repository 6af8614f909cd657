"""Chapter 3's practice in the trainer: inits, unbalanced data, class weights, max-norm, early stopping, monitors."""

import math

import pytest
import torch

from torchcircuits.config import TrainConfig
from torchcircuits.data import imbalance, make_dataset
from torchcircuits.errors import SettingError
from torchcircuits.models import INITS, ModelSpec, init_params
from torchcircuits.monitors import HealthWatcher
from torchcircuits.run import DataSpec
from torchcircuits.trainer import Trainer

MOONS = make_dataset("moons", n=60, seed=1)


# --- initialization ------------------------------------------------------------------------------
def test_each_init_has_its_standard_deviation_per_layer():
    spec = ModelSpec(2, (400, 300), 3, "relu")
    expected = {  # weight std of W1 (2, 400), W2 (400, 300), W3 (300, 3)
        "small": (0.01, 0.01, 0.01),
        "he": (math.sqrt(2 / 2), math.sqrt(2 / 400), math.sqrt(2 / 300)),
        "xavier": (math.sqrt(2 / 402), math.sqrt(2 / 700), math.sqrt(2 / 303)),
        "large": (1.0, 1.0, 1.0),
        "uniform": (1 / math.sqrt(12),) * 3,  # U(-0.5, 0.5)
        "guide": (1 / math.sqrt(12),) * 3,  # the guide's net starts uniform in [-0.5, 0.5]
        "zero": (0.0, 0.0, 0.0),
    }
    assert set(expected) == set(INITS)
    for init, stds in expected.items():
        params = init_params(spec, init, torch.Generator().manual_seed(0))
        for name, std in zip(("W1", "W2", "W3"), stds, strict=True):
            # 800 to 120,000 draws: the sample std is within 10% of the true one (W1's 800 draws: ~2.5% error)
            assert params[name].std().item() == pytest.approx(std, rel=0.1, abs=1e-12), (init, name)
        biases = params["b1"].abs().max().item()
        assert (biases > 0) == (init in ("uniform", "guide")), init


def test_todays_inits_draw_the_same_numbers():
    spec = ModelSpec(2, (3,), 1, "relu")
    he = init_params(spec, "he", torch.Generator().manual_seed(5))
    g = torch.Generator().manual_seed(5)
    assert torch.equal(he["W1"], math.sqrt(2 / 2) * torch.randn((2, 3), generator=g, dtype=torch.float64))


def test_zero_init_keeps_every_hidden_unit_identical():
    trainer = Trainer(TrainConfig(model="net", hidden=(6,), lr=0.5, batch=None, init="zero"), MOONS)
    trainer.run(50, record_every=50)
    W1, W2 = trainer.params["W1"], trainer.params["W2"]
    assert torch.equal(W1, W1[:, :1].expand_as(W1)) and torch.equal(W2, W2[:1].expand_as(W2))
    assert trainer.evaluate().train_accuracy <= 0.6  # one unit's worth of model: it cannot fit the moons


def test_large_init_saturates_tanh_and_starts_far_above_ln_k():
    spiral = make_dataset("spiral", n=150, seed=0)
    large = Trainer(TrainConfig(model="net", hidden=(100, 100), activation="tanh", init="large", batch=None), spiral)
    xavier = Trainer(TrainConfig(model="net", hidden=(100, 100), activation="tanh", batch=None), spiral)

    def saturated(trainer):  # share of the second layer's outputs past |t| = 0.97 (measured 51% and 0%)
        return (trainer.hidden_activations(spiral.X)[1].abs() > 0.97).double().mean().item()

    assert saturated(large) > 0.4 and saturated(xavier) < 0.05
    assert large.evaluate().train_data_loss > 5 * math.log(3) > xavier.evaluate().train_data_loss


# --- unbalanced data and class weights ---------------------------------------------------------------
def test_imbalance_subsamples_with_the_seed():
    spiral = make_dataset("spiral", n=300, seed=0)
    assert imbalance(spiral, 1.0, 0) is spiral  # R = 1: the set as generated, bit for bit
    tilted = imbalance(spiral, 0.1, 3)
    assert torch.bincount(tilted.labels).tolist() == [100, 32, 10]  # shares 1, 0.1^0.5, 0.1
    assert torch.equal(imbalance(spiral, 0.1, 3).X, tilted.X) and not torch.equal(imbalance(spiral, 0.1, 4).X, tilted.X)
    moons = DataSpec("moons", imbalance=0.25, test_ratio=0.0).load()[0]
    assert torch.bincount(moons.labels).tolist() == [100, 25]
    assert torch.equal(DataSpec("moons", imbalance=1.0).load()[0].X, DataSpec("moons").load()[0].X)


@pytest.mark.parametrize("ratio", [0, -1.0, 1.5])
def test_bad_imbalance_is_refused(ratio):
    with pytest.raises(SettingError, match="imbalance must be above 0 and at most 1"):
        DataSpec("moons", imbalance=ratio).validated()
    with pytest.raises(SettingError, match="imbalance applies to classification sets"):
        DataSpec("sine", imbalance=0.5).validated()


def test_balanced_class_weights_are_n_over_k_nk_and_both_backends_agree():
    data = DataSpec("moons", imbalance=0.2, test_ratio=0.0).load()[0]  # 100 and 20 points
    config = TrainConfig(model="net", hidden=(8,), lr=0.3, batch=16, class_weight="balanced", compare=True)
    trainer = Trainer(config, data)
    assert trainer.class_weights.tolist() == pytest.approx([120 / (2 * 100), 120 / (2 * 20)])
    assert all(trainer.step().max_grad_diff < 1e-10 for _ in range(20))


def test_balanced_weights_raise_the_minority_recall():
    train, test = DataSpec("blobs", n=600, imbalance=0.1, noise=1.5, seed=1).load()  # 10:1, overlapping
    reports = {}
    for weight in ("none", "balanced"):
        trainer = Trainer(TrainConfig(model="linear", loss="logistic", lr=0.1, batch=None, class_weight=weight),
                          train, test)  # fmt: skip
        trainer.run(300, record_every=300)
        reports[weight] = trainer.class_report()
    # measured: minority recall 71% -> 86%, balanced accuracy 86% -> 90% (7 minority test points)
    assert reports["balanced"].recall[1] > reports["none"].recall[1]
    assert reports["balanced"].balanced_accuracy > reports["none"].balanced_accuracy
    assert reports["none"].support == reports["balanced"].support and reports["none"].support[1] < 10


# --- max-norm and early stopping -------------------------------------------------------------------
def test_max_norm_projects_every_neuron_after_each_step():
    trainer = Trainer(TrainConfig(model="net", hidden=(10,), lr=5.0, batch=None, max_norm=0.5, reg=0.0), MOONS)
    free = Trainer(TrainConfig(model="net", hidden=(10,), lr=5.0, batch=None, reg=0.0), MOONS)
    for _ in range(20):
        trainer.step()
        free.step()
        for name in ("W1", "W2"):
            assert torch.linalg.vector_norm(trainer.params[name], dim=0).max().item() <= 0.5 + 1e-12
    assert torch.linalg.vector_norm(free.params["W1"], dim=0).max().item() > 0.5  # without it they grow past C


def test_early_stop_needs_a_test_set_and_restores_the_best_parameters():
    with pytest.raises(SettingError, match="early_stop needs a test set"):
        Trainer(TrainConfig(model="net", early_stop=3), MOONS)
    train, test = DataSpec("moons", n=80, noise=0.35, seed=1).load()
    config = TrainConfig(model="net", hidden=(64,), lr=0.5, batch=None, reg=0.0, early_stop=5)
    trainer = Trainer(config, train, test)
    history = trainer.run(3000, record_every=20)
    stopper = trainer.early_stopping
    assert stopper.stopped_at is not None and stopper.stopped_at == history[-1]["step"] < 3000
    assert stopper.best_step == stopper.stopped_at - 5 * 20  # five records without improvement
    best = min(history, key=lambda r: r["test_loss"])
    assert best["step"] == stopper.best_step
    assert trainer.evaluate().test_loss == pytest.approx(best["test_loss"], rel=1e-12)  # the best parameters back
    assert stopper.to_json()["restored"] is True


# --- monitors in every record -------------------------------------------------------------------------
def test_history_records_carry_the_monitors_on_both_backends():
    records = {}
    for backend in ("hand", "torch"):
        config = TrainConfig(model="net", hidden=(6, 4), lr=0.2, batch=8, backend=backend)
        records[backend] = Trainer(config, MOONS).run(20, record_every=5)
    for record in records["hand"]:
        assert len(record["dead_fraction"]) == 2 and set(record["update_ratio"]) == {"W1", "b1", "W2", "b2", "W3", "b3"}
        assert set(record["layer_grad_norm"]) == set(record["update_ratio"]) and record["grad_norm"] > 0
        squares = sum(v * v for v in record["layer_grad_norm"].values())
        assert math.sqrt(squares) == pytest.approx(record["grad_norm"], rel=1e-12)  # the layers make up the whole
    for a, b in zip(records["hand"], records["torch"], strict=True):
        assert a["dead_fraction"] == b["dead_fraction"]
        for name in a["update_ratio"]:
            assert a["update_ratio"][name] == pytest.approx(b["update_ratio"][name], rel=1e-9)


def test_health_after_evaluate_equals_a_fresh_measurement():
    trainer = Trainer(TrainConfig(model="net", hidden=(20,), lr=5.0, batch=None), make_dataset("spiral", n=90))
    trainer.run(30, record_every=30)
    cached = trainer.health().dead_fraction
    trainer._dead_cache = None
    assert trainer.health().dead_fraction == cached and cached[0] > 0


def test_watcher_warns_once_on_dead_layers_and_stuck_update_ratios():
    watcher = HealthWatcher()
    assert watcher.observe({"step": 1, "dead_fraction": [0.5], "update_ratio": {"W1": 1e-3}}) == []  # half: not more
    dead = watcher.observe({"step": 2, "dead_fraction": [0.51, 0.0], "update_ratio": {}})
    assert len(dead) == 1 and dead[0].startswith("hidden layer 1: 51% of its units are dead")
    assert watcher.observe({"step": 3, "dead_fraction": [0.9], "update_ratio": {}}) == []  # once only
    warnings = [watcher.observe({"step": s, "dead_fraction": [], "update_ratio": {"W1": 0.5, "b1": None}})
                for s in range(1, 51)]  # fmt: skip
    assert warnings[:49] == [[]] * 49
    assert len(warnings[49]) == 1 and "W1: update:data ratio 5.0e-01 has been above [1e-05, 0.1] for 50 records" in (
        warnings[49][0])
    biases_ignored = HealthWatcher(watch=("W1",))
    assert not any(biases_ignored.observe({"step": s, "update_ratio": {"b1": 0.9}}) for s in range(1, 60))
    low = HealthWatcher()  # below the range for 29 records, one healthy record, then 50 below: warns at the 80th
    runs = [low.observe({"step": s, "update_ratio": {"W1": 1e-7 if s != 30 else 1e-3}}) for s in range(1, 81)]
    assert runs[78] == [] and len(runs[79]) == 1 and sum(map(len, runs)) == 1
    assert "has been below [1e-05, 0.1] for 50 records (step 80): raise the step size" in runs[79][0]


def test_dead_relus_the_cs231n_spiral_contrast_small():
    # the docs' 10,000-step figure (docs/practice.md) in 100 steps on a smaller net: the units that die,
    # die in the first few dozen steps; step size 1 leaves few, 3 kills a third (measured 4% and 36%)
    train, _ = DataSpec("spiral", n=150, test_ratio=0.0).load()
    dead = {}
    for lr in (1.0, 3.0):
        config = TrainConfig(model="net", hidden=(50,), lr=lr, reg=5e-4, batch=None, init="small")
        history = Trainer(config, train).run(100, record_every=100)
        dead[lr] = history[-1]["dead_fraction"][0]
    assert dead[1.0] <= 0.12 and dead[3.0] >= 0.25 and dead[3.0] >= 4 * dead[1.0], dead


def test_bench_reports_the_monitors_cost_against_a_step():
    from torchcircuits.bench import monitors_cost

    rows = monitors_cost((8,), 50, 2, 2)
    assert [r.name for r in rows] == ["H=8, N=50: Trainer step (hand, full batch)",
                                      "H=8, N=50: update ratios + gradient norms",
                                      "H=8, N=50: dead fraction from the evaluation's pass",
                                      "H=8, N=50: Trainer.health() with its own pass"]  # fmt: skip
    assert all(r.median > 0 for r in rows) and all(r.ratio > 0 for r in rows[1:])
    assert rows[2].ratio == pytest.approx(rows[2].median / rows[0].median)
