"""Learning-rate schedules: torch.optim.lr_scheduler's values step for step, parsing and refusals."""

import math

import pytest
import torch

from torchcircuits.errors import SettingError
from torchcircuits.schedules import SCHEDULES, Schedule, parse_schedule

BASE_LR = 0.3


def torch_rates(make_scheduler, steps: int = 200) -> list[float]:
    """The lr torch's usual loop uses at each step: ``optimizer.step(); scheduler.step()``."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([p], lr=BASE_LR)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


SCHEDULERS = {
    "step:10:0.5": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5),
    "step:1:0.9": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.9),
    "step:7:1": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=1.0),
    "exp:0.98": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.98),
    "inverse:0.05": lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.05 * t)),
    "inverse:0": lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1.0),
    "cosine:200": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=200, eta_min=0.0),
    # past T torch's cosine rises again (period 2T): three turns within the 200 steps
    "cosine:60": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=60, eta_min=0.0),
    "cosine:1": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=1, eta_min=0.0),
}


@pytest.mark.parametrize("text", SCHEDULERS)
def test_each_schedule_matches_torch_lr_scheduler_for_200_steps(text):
    schedule = parse_schedule(text)
    expected = torch_rates(SCHEDULERS[text])
    ours = [schedule.lr_at(BASE_LR, t) for t in range(200)]
    for t, (a, b) in enumerate(zip(ours, expected, strict=True)):
        # torch multiplies step by step, we use the closed form: round-off grows by ~1e-16 a step;
        # where the cosine reaches 0 both are exactly 0
        assert abs(a - b) <= 1e-12 * abs(b), (t, a, b)
    assert ours[0] == BASE_LR
    assert text in ("step:7:1", "inverse:0") or min(ours) < 0.9 * BASE_LR  # the schedule did something


def test_constant_keeps_the_rate():
    schedule = parse_schedule("constant")
    assert [schedule.lr_at(0.05, t) for t in (0, 1, 10**6)] == [0.05, 0.05, 0.05]


def test_the_formulas_at_a_few_points():
    assert parse_schedule("step:10:0.5").lr_at(1.0, 9) == 1.0
    assert parse_schedule("step:10:0.5").lr_at(1.0, 10) == 0.5
    assert parse_schedule("step:10:0.5").lr_at(1.0, 25) == 0.25
    assert parse_schedule("exp:0.5").lr_at(2.0, 3) == 0.25
    assert parse_schedule("inverse:0.5").lr_at(1.0, 4) == pytest.approx(1 / 3, rel=1e-15)
    assert parse_schedule("cosine:10").lr_at(1.0, 5) == pytest.approx(0.5, rel=1e-15)
    assert parse_schedule("cosine:10").lr_at(1.0, 10) == 0.0
    assert parse_schedule("cosine:10").lr_at(1.0, 20) == 1.0


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("constant", "constant"),
        ("step:10:0.5", "step:10:0.5"),
        (" Step:10.0:0.50 ", "step:10:0.5"),
        ("exp:0.99", "exp:0.99"),
        ("inverse:1e-3", "inverse:0.001"),
        ("inverse:0", "inverse:0"),
        ("cosine:500", "cosine:500"),
        ("exp:0.1234567890123", "exp:0.1234567890123"),
    ],
)
def test_text_round_trips_through_parse(text, canonical):
    schedule = parse_schedule(text)
    assert isinstance(schedule, Schedule) and schedule.text == canonical
    assert parse_schedule(schedule.text) == schedule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("step:0:2", "schedule step:EVERY:GAMMA needs EVERY a whole number >= 1, got 0"),
        ("step:2.5:0.5", "schedule step:EVERY:GAMMA needs EVERY a whole number >= 1, got 2.5"),
        ("step:10", "schedule step:EVERY:GAMMA needs EVERY and GAMMA after 'step:', got 'step:10'"),
        ("step:10:2", "schedule step:EVERY:GAMMA needs GAMMA in (0, 1], got 2"),
        ("exp:0", "schedule exp:GAMMA needs GAMMA in (0, 1], got 0"),
        ("exp:1.5", "schedule exp:GAMMA needs GAMMA in (0, 1], got 1.5"),
        ("exp:nan", "schedule exp:GAMMA needs GAMMA in (0, 1], got 'nan'"),
        ("exp:", "schedule exp:GAMMA needs GAMMA in (0, 1], got ''"),
        ("inverse:-1", "schedule inverse:K needs K a number >= 0, got -1"),
        ("inverse:inf", "schedule inverse:K needs K a number >= 0, got 'inf'"),
        ("cosine:0", "schedule cosine:T needs T a whole number >= 1, got 0"),
        ("cosine:x", "schedule cosine:T needs T a whole number >= 1, got 'x'"),
        ("cosine:10:2", "schedule cosine:T needs T after 'cosine:', got 'cosine:10:2'"),
        ("warp:3", "schedule must be one of constant, step:EVERY:GAMMA, exp:GAMMA, inverse:K, cosine:T, got 'warp:3'"),
        ("constant:1", "schedule must be one of constant, step:EVERY:GAMMA"),
        ("", "schedule must be one of constant, step:EVERY:GAMMA, exp:GAMMA, inverse:K, cosine:T, got ''"),
    ],
)
def test_bad_forms_are_refused_with_one_line(text, message):
    with pytest.raises(SettingError) as error:
        parse_schedule(text)
    assert error.value.setting == "schedule" and str(error.value).startswith(message)
    assert "\n" not in str(error.value) and error.value.as_flag().startswith("--schedule ")


def test_the_forms_for_help_texts():
    assert SCHEDULES == ("constant", "step:EVERY:GAMMA", "exp:GAMMA", "inverse:K", "cosine:T")
    assert all(math.isfinite(parse_schedule(f.replace("EVERY", "3").replace("GAMMA", "0.5").replace("K", "1")
                                             .replace("T", "4")).lr_at(1.0, 7)) for f in SCHEDULES)
