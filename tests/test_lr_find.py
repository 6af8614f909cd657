"""`torchcircuits lr-find`: an exponential sweep, a stated smoothing, a stop on divergence, the steepest point."""

import json
import math

import pytest

from torchcircuits.cli import main
from torchcircuits.config import TrainConfig
from torchcircuits.errors import SettingError
from torchcircuits.lr_find import LrStep, _steepest, lr_at, lr_range_test
from torchcircuits.run import DataSpec, RunSettings

MOONS = RunSettings(TrainConfig(model="net", hidden=(16,), batch=None), DataSpec("moons", n=100))


def test_the_step_size_grows_exponentially_from_start_to_end():
    assert lr_at(1e-6, 10.0, 100, 0) == 1e-6
    assert lr_at(1e-6, 10.0, 100, 99) == pytest.approx(10.0, rel=1e-12)
    ratios = [lr_at(1e-3, 1.0, 4, i + 1) / lr_at(1e-3, 1.0, 4, i) for i in range(3)]
    assert ratios == pytest.approx([10.0, 10.0, 10.0], rel=1e-12)


def test_the_smoothing_is_a_bias_corrected_moving_average_with_its_lag():
    result = lr_range_test(MOONS, 1e-4, 1.0, steps=30, smoothing=0.8)
    average = 0.0
    for i, s in enumerate(result.steps, start=1):
        average = 0.8 * average + 0.2 * s.loss
        assert s.smoothed == pytest.approx(average / (1 - 0.8**i), rel=1e-12)
        ages = [0.8**k for k in range(i)]
        assert s.lag == pytest.approx(sum(k * w for k, w in enumerate(ages)) / sum(ages), rel=1e-12)
    assert [s.lr for s in result.steps] == pytest.approx([lr_at(1e-4, 1.0, 30, i) for i in range(30)], rel=1e-12)
    assert result.stopped == "completed" and len(result.steps) == 30
    unsmoothed = lr_range_test(MOONS, 1e-4, 1.0, steps=5, smoothing=0.0)
    assert [s.smoothed for s in unsmoothed.steps] == [s.loss for s in unsmoothed.steps]
    assert all(s.lag == 0 for s in unsmoothed.steps)


def test_a_divergence_stops_the_test_and_the_suggestion_comes_before_it():
    result = lr_range_test(MOONS, 1e-3, 1e6, steps=60)
    assert len(result.steps) < 60 and result.stopped.startswith(("diverged", "not finite"))
    last = result.steps[-1]
    assert result.suggested_lr is not None and result.suggested_lr < last.lr
    assert result.suggested_lr in [s.lr for s in result.steps]


def test_the_suggestion_is_the_steepest_fall_credited_back_by_the_lag():
    # a smoothed loss falling fastest between steps 5 and 7 (lr 1e-2 at step 6)
    values = [1.0, 1.0, 0.99, 0.97, 0.9, 0.6, 0.3, 0.25, 0.24, 0.5]
    steps = [LrStep(i + 1, 10.0 ** (i - 7), v, v, 0.0) for i, v in enumerate(values)]
    assert _steepest(steps).lr == pytest.approx(1e-2)
    lagged = [LrStep(s.step, s.lr, s.loss, s.smoothed, 2.0) for s in steps]
    assert _steepest(lagged).lr == pytest.approx(1e-4)  # two steps back
    assert _steepest(steps[:2]) is None


def test_on_moons_the_suggestion_trains():
    result = lr_range_test(MOONS, 1e-6, 10.0, steps=100)
    assert 0.01 < result.suggested_lr < result.min_loss_lr
    # the suggested step size trains the net; the test's end (10) is past the divergence point
    from torchcircuits.trainer import Trainer

    train, _ = MOONS.data.load()
    good = Trainer(TrainConfig(model="net", hidden=(16,), batch=None, lr=result.suggested_lr), train)
    good.run(300, record_every=300)
    assert good.evaluate().train_accuracy > 0.95


def test_cli_table_and_json(capsys):
    argv = ["lr-find", "--model", "net", "--hidden", "8", "--dataset", "moons", "--n", "60", "--batch", "all",
            "--start", "1e-4", "--end", "3", "--steps", "40"]  # fmt: skip
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out, parse_constant=lambda name: pytest.fail(f"not JSON: {name}"))
    assert result["suggested_lr"] > 0 and result["steps_taken"] == len(result["steps"]) <= 40
    assert math.isclose(result["steps"][0]["lr"], 1e-4) and result["smoothing"] == 0.9
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "<- steepest descent" in out and "suggested lr" in out.splitlines()[-1]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--start", "0"], "--start must be a positive step size, got 0"),
        (["--start", "-1"], "--start must be a positive step size"),
        (["--start", "nan"], "--start must be a finite number"),
        (["--end", "1e-7"], "--end must be a step size above --start (1e-06), got 1e-07"),
        (["--steps", "2"], "--steps must be a whole number >= 3 for the range test, got 2"),
        (["--smoothing", "1"], "--smoothing must be at least 0 and below 1, got 1"),
        (["--lr", "0"], "--lr must be a positive step size"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(extra, message, capsys):
    assert main(["lr-find", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_library_refusals_name_the_setting():
    with pytest.raises(SettingError, match="start must be a positive step size"):
        lr_range_test(MOONS, 0.0, 1.0)


def test_one_lucky_example_does_not_end_the_test():
    # batch 1: the first loss can be one well-classified example's (0.02 here); before the average spans its
    # ten steps it does not count as the best, so the noisy run goes on
    noisy = RunSettings(TrainConfig(model="net", hidden=(8,), optimizer="adam"), DataSpec("moons"))
    result = lr_range_test(noisy, 1e-4, 1.0, steps=30)
    assert result.steps[0].loss < 0.05 and max(s.smoothed for s in result.steps[:10]) > 4 * result.steps[0].loss
    assert result.stopped == "completed" and len(result.steps) == 30
