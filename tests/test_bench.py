"""The benchmark runs (quick mode): CI proves it works; the figures themselves are not tested."""

import json
import os

from torchcircuits.cli import main


def test_quick_benchmark_runs_and_reports_every_section(capsys):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    assert main(["bench", "--quick", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out, parse_constant=lambda name: 1 / 0)  # strict: no NaN/Infinity
    sections = {row["section"] for row in rows}
    assert {"scalar engine", "training step", "decision boundary", "check and import"} <= sections
    # a row not measured (an optional package missing) has a null median and says so in non_finite
    assert all(row["median"] > 0 if row["median"] is not None else row["non_finite"]["median"] == "nan"
               for row in rows)  # fmt: skip
    names = [row["name"] for row in rows]
    assert "H=3, N=6, float64: Trainer, hand backward" in names and "H=100 net on a 100×100 grid" in names
    # each dtype against a bare loop of its own dtype, with the ratio and the goal's verdict carried in --json
    row = next(row for row in rows if row["name"] == "H=3, N=6, float32: Trainer, autograd")
    assert row["anchor"] == "bare float32 loop" and row["ratio"] > 0 and row["met"] == (row["ratio"] <= 1.2)


def test_a_row_with_a_goal_says_whether_it_was_met():
    from torchcircuits.bench import Measurement, to_json

    faster = Measurement("scalar engine", "x: Unit", 10.0, "µs/call", "micrograd", 3.0, goal="≥ 2.5")
    slower = Measurement("training step", "y", 1.0, "ms/step", "bare loop", 1.3, goal="≤ 1.2")
    plain = Measurement("decision boundary", "z", 5.0, "ms")
    assert [row["met"] for row in to_json([faster, slower, plain])] == [True, False, None]
