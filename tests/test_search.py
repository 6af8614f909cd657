"""`torchcircuits search`: ranges parsed as train parses them, folds that partition, a table fixed by the seed."""

import json
import math
import shlex
from dataclasses import replace

import pytest
import torch

from torchcircuits.cli import build_parser, main
from torchcircuits.config import TrainConfig
from torchcircuits.errors import InputError, SettingError
from torchcircuits.run import DataSpec, RunSettings, settings_from_args
from torchcircuits.search import (
    VaryRange,
    draw_trials,
    kfold_indices,
    numeric_settings,
    parse_vary,
    random_search,
    train_command,
)

NET = TrainConfig(model="net", hidden=(10,), lr=0.5, batch=None)
SMALL = RunSettings(NET, DataSpec("blobs", n=40, classes=3))


@pytest.mark.parametrize("n, k", [(23, 5), (6, 6), (240, 5), (7, 2)])
def test_folds_partition_the_training_set(n, k):
    folds = kfold_indices(n, k, seed=3)
    assert len(folds) == k
    validation = torch.cat([v for _, v in folds])
    assert sorted(validation.tolist()) == list(range(n))  # disjoint and covering: a partition
    sizes = [len(v) for _, v in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert sorted(train.tolist() + val.tolist()) == list(range(n))  # each training part is the rest
    assert [v.tolist() for _, v in kfold_indices(n, k, seed=3)] == [v.tolist() for _, v in folds]
    if n > k:
        assert [v.tolist() for _, v in kfold_indices(n, k, seed=4)] != [v.tolist() for _, v in folds]


def test_fold_counts_out_of_range_are_refused():
    with pytest.raises(SettingError, match="must be a whole number >= 2"):
        kfold_indices(10, 1, 0)
    with pytest.raises(SettingError, match="is 11, more than the 10 training points"):
        kfold_indices(10, 11, 0)


def test_numeric_settings_come_from_train_config():
    known = numeric_settings()
    assert known["lr"] == "float" and known["reg"] == "float" and known["momentum"] == "float"
    assert known["hidden"] == "int" and known["batch"] == "int"
    assert "seed" not in known and "model" not in known and "betas" not in known


def test_parse_vary_reads_scales_and_defaults():
    ranges = parse_vary("lr=1e-4:10:log, reg=0:0.1, hidden=8:128:int", NET)
    assert ranges == [
        VaryRange("lr", 1e-4, 10.0, "log", "float"),
        VaryRange("reg", 0.0, 0.1, "uniform", "float"),
        VaryRange("hidden", 8.0, 128.0, "int", "int"),
    ]
    assert parse_vary("batch=4:64", NET)[0].scale == "int"


@pytest.mark.parametrize(
    "text, message",
    [
        ("lr=1:0.1:log", "--vary lr=1:0.1:log: the range is empty: the low end 1 must be below the high end 0.1"),
        ("lr=1:1", "the range is empty"),
        ("foo=1:2", "--vary foo=1:2: unknown setting 'foo': choose one of"),
        ("lr", "--vary lr: expected NAME=LOW:HIGH[:SCALE]"),
        ("lr=1", "expected LOW:HIGH or LOW:HIGH:SCALE"),
        ("lr=1:2:3:4", "expected LOW:HIGH or LOW:HIGH:SCALE"),
        ("lr=1:2:cubic", "unknown scale 'cubic'"),
        ("lr=1:2:int", "lr takes any number: use the log or uniform scale"),
        ("reg=0:1:log", "a log scale needs a low end above 0, got 0"),
        ("lr=-1:1", "--lr must be a positive step size"),  # checked exactly as train checks --lr
        ("lr=x:1", "--lr must be a number, got 'x'"),
        ("hidden=0:8", "--hidden widths must be whole numbers from 1 to 4096"),
        ("hidden=1.5:8", "--hidden widths must be whole numbers"),
        ("batch=all:8", "'all' is not a number"),
        ("lr=1e-3:1:log,lr=1:2", "lr is given twice"),
        (",", "--vary needs NAME=LOW:HIGH[:SCALE] ranges"),
        ("lr=0.1:1,", "expected NAME=LOW:HIGH[:SCALE]"),
    ],
)
def test_bad_ranges_are_one_line(text, message):
    with pytest.raises(InputError) as error:
        parse_vary(text, NET)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_hidden_is_refused_for_a_linear_model():
    with pytest.raises(InputError, match="hidden applies to the net only"):
        parse_vary("hidden=2:8", TrainConfig(model="svm"))


def test_draws_are_log_uniform_uniform_and_whole():
    log, uniform, whole = VaryRange("lr", 1e-4, 10, "log"), VaryRange("reg", 0, 1, "uniform"), VaryRange(
        "hidden", 8, 12, "int", "int")  # fmt: skip
    values = draw_trials([log, uniform, whole], 2000, seed=0)
    lrs = sorted(v["lr"] for v in values)
    # log-uniform over 5 decades: the median sits at the geometric mean 10^-1.5, not near the middle 5
    assert -1.7 < math.log10(lrs[1000]) < -1.3 and 1e-4 <= lrs[0] and lrs[-1] <= 10
    regs = sorted(v["reg"] for v in values)
    assert 0.45 < regs[1000] < 0.55
    assert {v["hidden"] for v in values} == {8, 9, 10, 11, 12}
    assert all(float(f"{v['lr']:.3g}") == v["lr"] for v in values)  # 3 significant digits, as shown
    assert draw_trials([log], 5, seed=1) == draw_trials([log], 5, seed=1) != draw_trials([log], 5, seed=2)


def test_border_of_a_range():
    log = VaryRange("lr", 1e-4, 10, "log")
    assert log.border(8.0) == "high" and log.border(1.2e-4) == "low" and log.border(0.03) is None
    uniform = VaryRange("momentum", 0.0, 0.9, "uniform")
    assert uniform.border(0.85) == "high" and uniform.border(0.05) == "low" and uniform.border(0.5) is None


@pytest.mark.parametrize("vary", ["reg=1e-5:0.1:log", "lr=1e-4:10:log", "momentum=0.2:0.6", "hidden=64:128:int",
                                  "hidden=8:128:log"])  # fmt: skip
@pytest.mark.parametrize("side", ["low", "high"])
def test_a_widened_range_reaches_past_the_searched_end(vary, side):
    searched = parse_vary(vary, NET)[0]
    wider = parse_vary(searched.widened(side, NET).text(), NET)[0]  # parses back as a --vary entry
    assert wider.scale == searched.scale
    if side == "low":
        assert wider.low < searched.low and wider.high == searched.high
    else:
        assert wider.high > searched.high and wider.low == searched.low
    if searched.scale == "log" and searched.kind == "float":  # a decade further
        assert math.log10(wider.high / wider.low) == pytest.approx(math.log10(searched.high / searched.low) + 1)
    if searched.scale != "log":  # half the width further
        assert wider.high - wider.low == pytest.approx(1.5 * (searched.high - searched.low), abs=0.5)


def test_a_range_widens_only_as_far_as_its_setting_allows():
    assert parse_vary("reg=0:0.1", NET)[0].widened("low", NET) is None  # reg >= 0
    assert parse_vary("hidden=1:4", NET)[0].widened("low", NET) is None  # a layer has at least one unit
    assert parse_vary("dropout=0:0.9", NET)[0].widened("high", NET).high == 0.99  # dropout < 1, in few digits
    assert parse_vary("reg=1e-5:0.1:log", NET)[0].widened("low", NET).text() == "reg=1e-06:0.1:log"


def test_a_border_warning_says_when_a_range_cannot_widen():
    ranges = parse_vary("hidden=1:2", NET)
    result = random_search(SMALL, ranges, trials=2, folds=2, steps=5)
    if result.best.values["hidden"] == 1:
        assert result.warnings == ["the best hidden (1) is at the low end of its range (1), and hidden can go no "
                                   "lower: the range cannot widen that way"]  # fmt: skip
    else:
        assert result.warnings == ["the best hidden (2) is at the high end of its range (2): widen it to "
                                   "hidden=1:3:int and search again"]  # fmt: skip


def test_search_is_deterministic_sorted_and_names_the_best():
    ranges = parse_vary("lr=1e-3:3:log,reg=1e-5:1e-1:log", NET)
    first = random_search(SMALL, ranges, trials=4, folds=3, steps=30)
    again = random_search(SMALL, ranges, trials=4, folds=3, steps=30)
    assert [t.to_json() for t in first.trials] == [t.to_json() for t in again.trials]
    means = [t.mean for t in first.trials]
    assert means == sorted(means, reverse=True) and first.metric == "validation accuracy"
    assert sorted(t.index for t in first.trials) == [0, 1, 2, 3] and len(first.best.fold_metrics) == 3
    assert first.best.std == pytest.approx(torch.tensor(first.best.fold_metrics).std().item(), abs=1e-12)
    other = random_search(replace(SMALL, config=replace(NET, seed=1)), ranges, trials=4, folds=3, steps=30)
    assert [t.values for t in other.trials] != [t.values for t in first.trials]


def test_the_best_runs_train_command_reproduces_its_settings():
    ranges = parse_vary("lr=1e-2:1:log,hidden=3:9:int", NET)
    result = random_search(SMALL, ranges, trials=2, folds=2, steps=5)
    words = shlex.split(result.train_command)
    assert words[:2] == ["torchcircuits", "train"]
    parsed = settings_from_args(build_parser().parse_args(words[1:]))
    best = result.best.values
    assert parsed.config == replace(NET, lr=best["lr"], hidden=(best["hidden"],)).validated()
    assert parsed.data == SMALL.data.validated() and parsed.steps == 5


def test_train_command_names_only_what_differs_from_the_defaults():
    assert train_command(RunSettings()) == "torchcircuits train"
    config = TrainConfig(model="net", hidden=(8, 8), optimizer="sgd", momentum=0.9, nesterov=True, batch=None,
                         features=("x1", "x2", "x1x2"), compare=True, seed=5)  # fmt: skip
    command = train_command(RunSettings(config, DataSpec("./pts file.csv", seed=5), steps=50))
    assert command == ("torchcircuits train --model net --hidden 8,8 --features x1,x2,x1x2 --momentum 0.9 --nesterov "
                       "--batch all --seed 5 --compare --dataset './pts file.csv' --steps 50")  # fmt: skip


def test_a_border_warning_names_the_setting():
    # a range of two whole numbers has nothing but ends: whichever wins sits at a border
    ranges = parse_vary("hidden=3:4,lr=1e-3:10:log", NET)
    result = random_search(SMALL, ranges, trials=3, folds=2, steps=5)
    assert result.warnings[0].startswith(f"the best hidden ({result.best.values['hidden']}) is at the ")
    suggested = result.warnings[0].split("widen it to ")[1].removesuffix(" and search again")
    wider = parse_vary(suggested, NET)[0]  # the suggestion parses back as a --vary entry
    assert (wider.low, wider.high) == ((2, 4) if result.best.values["hidden"] == 3 else (3, 5))
    lr = result.best.values["lr"]
    assert any(w.startswith("the best lr") for w in result.warnings) == (ranges[1].border(lr) is not None)


def test_jobs_give_the_same_table():
    ranges = parse_vary("lr=1e-2:1:log", NET)
    alone = random_search(SMALL, ranges, trials=2, folds=2, steps=10)
    pooled = random_search(SMALL, ranges, trials=2, folds=2, steps=10, jobs=2)
    assert [t.to_json() for t in pooled.trials] == [t.to_json() for t in alone.trials]


def test_cli_json_and_table(capsys):
    argv = ["search", "--model", "net", "--hidden", "10", "--batch", "all", "--dataset", "blobs", "--n", "40",
            "--vary", "lr=1e-2:1:log,reg=1e-5:1e-2:log", "--trials", "3", "--folds", "2", "--steps", "10"]  # fmt: skip
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out, parse_constant=lambda name: pytest.fail(f"not JSON: {name}"))
    assert len(result["trials"]) == 3 and result["steps"] == 10 and result["folds"] == 2
    for trial in result["trials"]:
        assert set(trial["settings"]) == {"lr", "reg"} and 0 <= trial["mean"] <= 1 and trial["std"] >= 0
    assert result["train_command"].startswith("torchcircuits train --model net")
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:4] == ["rank", "trial", "lr", "reg"] and out[-1].startswith("torchcircuits train")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--vary", "lr=1:0.1:log"], "the range is empty"),
        (["--vary", "foo=1:2"], "unknown setting 'foo'"),
        (["--vary", "lr=0.1:1", "--folds", "1"], "--folds must be a whole number >= 2"),
        (["--vary", "lr=0.1:1", "--folds", "7"], "--folds is 7, more than the 6 training points"),
        (["--vary", "lr=0.1:1", "--trials", "0"], "--trials must be a whole number from 1 to 100,000, got 0"),
        (["--vary", "lr=0.1:1", "--jobs", "0"], "--jobs must be a whole number from 1 to 64, got 0"),
        (["--vary", "lr"], "expected NAME=LOW:HIGH[:SCALE]"),
        ([], "the following arguments are required: --vary"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(extra, message, capsys):
    assert main(["search", "--dataset", "guide", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_regression_is_ranked_by_validation_rmse_lowest_first():
    settings = RunSettings(TrainConfig(model="net", hidden=(8,), activation="tanh", batch=None), DataSpec("sine", n=60))
    result = random_search(settings, parse_vary("lr=1e-3:0.3:log", settings.config), trials=3, folds=2, steps=20)
    assert result.metric == "validation RMSE" and not result.higher_is_better
    means = [t.mean for t in result.trials]
    assert means == sorted(means) and all(m > 0 for m in means)
