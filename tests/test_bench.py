"""The benchmark runs (quick mode): CI proves it works; the figures themselves are not tested."""

import json
import os

from torchcircuits.cli import main


def test_quick_benchmark_runs_and_reports_every_section(capsys):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    assert main(["bench", "--quick", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    sections = {row["section"] for row in rows}
    assert {"scalar engine", "training step", "decision boundary", "check and import"} <= sections
    assert all(row["median"] > 0 for row in rows if row["median"] == row["median"])
    names = [row["name"] for row in rows]
    assert "H=3, N=6: Trainer, hand backward" in names and "H=100 net on a 100×100 grid" in names
