"""--dtype float32|float64: float32 follows float64, every tensor is in the dtype, sessions keep it."""

import json
from dataclasses import replace

import pytest
import torch

from torchcircuits.cli import main
from torchcircuits.config import DTYPES, TEXT_PARSERS, TrainConfig, config_from_json
from torchcircuits.data import make_dataset, train_test_split
from torchcircuits.errors import SettingError
from torchcircuits.recipes import recipe_config
from torchcircuits.run import DataSpec, RunSettings
from torchcircuits.session import load_session, restore_trainer, save_session
from torchcircuits.train_cli import _comparison
from torchcircuits.trainer import FLOAT32_COMPARE_ULPS, Trainer, compare_tolerance

EPS32 = torch.finfo(torch.float32).eps  # 1.2e-7
SPIRAL = make_dataset("spiral", n=200, seed=0)
STEPS = 10


def _net(dtype: str, **changes) -> Trainer:
    config = TrainConfig(model="net", hidden=(16,), batch=None, lr=0.1, loss="softmax", dtype=dtype)
    return Trainer(replace(config, **changes), SPIRAL)


@pytest.mark.parametrize("backend", ["hand", "torch"])
@pytest.mark.parametrize(("optimizer", "lr"), [("sgd", 0.1), ("adam", 0.01)])
def test_a_float32_run_follows_the_float64_run(backend, optimizer, lr):
    runs = {}
    for dtype in DTYPES:
        trainer = _net(dtype, backend=backend, optimizer=optimizer, lr=lr)
        runs[dtype] = [trainer.step().loss for _ in range(STEPS)], trainer.parameters()
    (loss64, params64), (loss32, params32) = runs["float64"], runs["float32"]
    # both start from the same float64 draw (rounded to float32). Each step rounds every parameter (half an ulp)
    # and its gradient (a few ulps, times lr): at most a few ulps of max(1, |p|) a step, adding up at most linearly
    # over the steps. 8 ulps a step is the budget; measured: 0.5 ulp a step (4.5e-7 after 10 adam steps).
    size = max(1.0, max(p.abs().max().item() for p in params64.values()))
    tolerance = STEPS * 8 * EPS32 * size
    drift = max((params64[name] - params32[name].double()).abs().max().item() for name in params64)
    assert 0 < drift <= tolerance  # they really ran in two dtypes, and stayed together
    # the loss is a mean of logs: a float32 loss is within a few ulps of the float64 one (measured: under 1 ulp)
    assert all(abs(a - b) <= FLOAT32_COMPARE_ULPS * EPS32 * abs(a) for a, b in zip(loss64, loss32, strict=True))


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("backend", ["hand", "torch"])
def test_parameters_gradients_data_and_optimizer_state_are_in_the_dtype(dtype, backend):
    expected = DTYPES[dtype]
    train, test = train_test_split(SPIRAL, 0.2, 0)
    config = TrainConfig(model="net", hidden=(8,), batch=None, lr=0.01, loss="softmax", optimizer="adam",
                         backend=backend, dropout=0.2, dtype=dtype)  # fmt: skip
    trainer = Trainer(config, train, test)
    trainer.run(3, record_every=3)
    assert {p.dtype for p in trainer.params.values()} == {expected}
    assert trainer._inputs.dtype == trainer._test_inputs.dtype == expected
    assert {m.dtype for m in trainer._dropout_masks(4)} == {expected}
    _, _, grads, _ = trainer._gradients(trainer._inputs, trainer._targets)
    assert {g.dtype for g in grads.values()} == {expected}
    state = trainer.optimizer.state
    assert {t.dtype for key in ("exp_avg", "exp_avg_sq") for t in state[key].values()} == {expected}
    # evaluation in the dtype too: its loss is the float loss of dtype-typed scores
    evaluation = trainer.evaluate()
    assert evaluation.test_loss is not None and evaluation.train_accuracy is not None


def test_float32_keeps_regression_targets_and_class_indices_apart():
    data = make_dataset("sine", n=50, seed=0)
    trainer = Trainer(TrainConfig(model="net", hidden=(4,), loss="l2", batch=None, dtype="float32"), data)
    assert trainer._targets.dtype == torch.float32
    classes = Trainer(TrainConfig(model="net", hidden=(4,), loss="softmax", dtype="float32"), SPIRAL)
    assert classes._targets.dtype == torch.int64  # class indices stay whole numbers


def test_a_float32_session_round_trips_and_continues_exactly(tmp_path):
    settings = RunSettings(TrainConfig(model="net", hidden=(8,), batch=5, lr=0.01, optimizer="adam",
                                       dtype="float32"), DataSpec("spiral", n=100), steps=20)  # fmt: skip
    train, test = settings.data.load()
    straight = Trainer(settings.config, train, test)
    straight.run(40, record_every=40)
    first = Trainer(settings.config, train, test)
    first.run(20, record_every=20)
    path = tmp_path / "run.json"
    save_session(path, settings, train, test, first, {})
    session = load_session(path)
    assert session.settings.config.dtype == "float32"
    resumed = restore_trainer(session)
    assert {p.dtype for p in resumed.params.values()} == {torch.float32}
    assert all(torch.equal(resumed.params[n], first.params[n]) for n in first.params)
    assert {t.dtype for t in resumed.optimizer.state["exp_avg"].values()} == {torch.float32}
    resumed.run(20, record_every=20)
    assert all(torch.equal(resumed.params[n], straight.params[n]) for n in straight.params)


def test_a_session_saved_before_dtype_opens_in_float64(tmp_path):
    settings = RunSettings(TrainConfig(model="svm"), DataSpec("guide"), steps=5)
    train, test = settings.data.load()
    path = tmp_path / "old.json"
    save_session(path, settings, train, test, Trainer(settings.config, train, test), {})
    document = json.loads(path.read_text())
    del document["settings"]["config"]["dtype"]  # as written by a version without the setting
    path.write_text(json.dumps(document))
    trainer = restore_trainer(load_session(path))
    assert trainer.config.dtype == "float64" and trainer.params["W"].dtype == torch.float64


def test_a_bad_dtype_is_refused_in_one_line(capsys, tmp_path):
    with pytest.raises(SettingError, match="dtype must be one of float64, float32, got 'float16'"):
        TrainConfig(dtype="float16").validated()
    assert TEXT_PARSERS["dtype"](" float32 ") == "float32"
    with pytest.raises(SettingError, match="dtype must be one of"):
        config_from_json({"dtype": 32})
    assert main(["train", "--dtype", "half", "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert err == "torchcircuits: error: --dtype must be one of float64, float32, got 'half'\n"
    # a saved session's model keeps its dtype
    settings = RunSettings(TrainConfig(model="svm"), DataSpec("guide"), steps=1)
    train, test = settings.data.load()
    path = tmp_path / "s.json"
    save_session(path, settings, train, test, Trainer(settings.config, train, test), {})
    assert main(["train", "--session", str(path), "--dtype", "float32"]) == 2
    assert "--dtype cannot change a saved session's model" in capsys.readouterr().err


def test_compare_tolerance_is_float64_exact_and_float32_round_off():
    assert compare_tolerance("float64", 123.0) == 1e-10
    assert compare_tolerance("float32", 0.5) == pytest.approx(64 * EPS32)
    assert compare_tolerance("float32", 10.0) == pytest.approx(640 * EPS32)
    ok = {"max_grad_diff": 3e-7, "grad_norm": 10.0}
    wrong = {"max_grad_diff": 0.05, "grad_norm": 10.0}  # a gradient off by a share of its own size
    assert _comparison([ok], "float32")["agree"] and not _comparison([ok, wrong], "float32")["agree"]
    assert not _comparison([ok], "float64")["agree"]  # 3e-7 is far past float64's 1e-10
    assert _comparison([{"max_grad_diff": None, "grad_norm": 1.0}], "float32") is None


@pytest.mark.parametrize("dtype", list(DTYPES))
def test_train_compare_states_the_dtype_tolerance(capsys, dtype):
    args = ["train", "--model", "net", "--hidden", "8", "--dataset", "spiral", "--batch", "all", "--steps", "5",
            "--compare", "--dtype", dtype]  # fmt: skip
    assert main(args) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if x.startswith("largest |hand - torch|")][0]
    if dtype == "float64":
        assert line.endswith("(float64: tolerance 1e-10, absolute: agree)")
    else:
        assert "(float32: tolerance" in line and "× its round-off 1.2e-07" in line and line.endswith(": agree)")
    assert main([*args, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["settings"]["config"]["dtype"] == dtype
    assert summary["compare"]["agree"] and summary["compare"]["max_grad_diff"] <= summary["compare"]["tolerance"]


def test_the_dtype_carries_over_when_the_app_picks_another_data_set_or_model():
    keep = TrainConfig(model="svm", dtype="float32")
    assert recipe_config("spiral", "net", keep=keep).dtype == "float32"
    assert recipe_config("spiral", "net").dtype == "float64"
