"""The guide companion: every number the tests pin is in its table, marked, and computed by the library."""

import ast
import json
import math
from pathlib import Path

import pytest

from torchcircuits import companion
from torchcircuits.cli import main
from torchcircuits.companion import ERRATUM, REPRODUCED, UNEXPLAINED, as_printed, chapter1, chapter2, svm_runs

GUIDE_NUMBERS_TEST = Path(__file__).with_name("test_guide_numbers.py")
#: bounds in test_guide_numbers.py that are not numbers the guide prints
BOUNDS = {-5.9: "the random search's band is (-6, -5.9)", 0.8826: "0.8825 is cut, so ours is below 0.8826"}


def _numbers(node: ast.AST) -> list[float]:
    """Numeric constants of an expression: a number, a tuple or list of numbers, or arithmetic on numbers."""
    if isinstance(node, ast.Tuple | ast.List):
        return [n for element in node.elts for n in _numbers(element)]
    try:
        value = eval(compile(ast.Expression(node), "<pinned>", "eval"), {"__builtins__": {}})  # constants only
    except NameError:
        return []
    return [float(value)] if isinstance(value, int | float) else []


def pinned_numbers() -> list[float]:
    """What test_guide_numbers.py compares against: approx's first argument, comparisons' constants, dicts of them."""
    found = []
    for node in ast.walk(ast.parse(GUIDE_NUMBERS_TEST.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "approx":
            found += _numbers(node.args[0])
        elif isinstance(node, ast.Dict):  # a table of expected values, compared in a loop
            found += [n for value in node.values if value is not None for n in _numbers(value)]
        elif isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if not isinstance(side, ast.Call):
                    found += _numbers(side)
    return found


def _decimals(x: float) -> int:
    text = repr(x)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _shows(row, x: float) -> bool:
    return math.isclose(row.guide_value, x, abs_tol=1e-12) or math.isclose(round(row.ours, _decimals(x)), x,
                                                                          abs_tol=1e-12)  # fmt: skip


@pytest.fixture(scope="module")
def rows():
    return chapter1() + chapter2(seeds=2)


def test_every_number_the_guide_tests_pin_is_in_the_table_and_marked(rows):
    numbers = pinned_numbers()
    assert len(numbers) >= 38  # the parser found the file's numbers (38 when written)
    missing = [x for x in numbers if x not in BOUNDS and not any(_shows(r, x) for r in rows)]
    assert missing == []
    assert {r.status for r in rows} <= {REPRODUCED, ERRATUM}
    assert all(r.note for r in rows if r.status == ERRATUM)  # every erratum says why, with its numbers


def test_the_errata_carry_their_measured_explanations(rows):
    errata = {r.what: r for r in rows if r.status == ERRATUM}
    slope = errata["dsig/dx at 3 = sig(3) (1 - sig(3))"]
    assert slope.ours == pytest.approx(0.0451767, abs=1e-7) and "0.0452" in slope.note
    assert errata["x * y after a step of size 1.0"].ours == 1.0
    assert errata["a_grad as the guide's code computes it"].ours == pytest.approx(-1.05e-5, abs=1e-7)
    start = errata["training accuracy at iteration 0"]
    assert start.ours == 4 / 6 and "4 of the 6 points" in start.note
    held = errata["accuracy 1 from iteration 300 on, held to the end"]
    assert "of 2 seeds" in held.note and "held at step 400 in" in held.note


def test_the_svm_runs_are_the_trainers_pinned_seeds():
    runs = svm_runs(seeds=4)
    # test_guide_training pins seed 0 at 5/6 and seed 3 at 6/6 after step 400
    assert runs.final[0] == 5 / 6 and runs.final[3] == 1.0
    assert runs.first_full[3] is not None and runs.first_full[3] <= 400
    assert all(trace[0] == 4 / 6 for trace in runs.trace) and len(runs.trace[0]) == len(companion.TRACE)


def test_as_printed_rounds_or_cuts_to_the_printed_digits():
    assert as_printed(-11.5924, "-11.59") and as_printed(0.0, "0.000") and as_printed(3.0000001, "3.0")
    assert not as_printed(0.0452, "0.0475") and not as_printed(1.0, "-1")
    assert as_printed(0.88259, "0.8825", cut=True) and not as_printed(0.88259, "0.8825")
    assert as_printed(0.00669, "0.006", cut=True) and as_printed(-1.99086, "-1.990", cut=True)


def test_the_command_prints_the_table_and_exits_0(capsys):
    assert main(["guide", "--chapter", "1"]) == 0
    out = capsys.readouterr().out
    assert "Chapter 1" in out and "Chapter 2" not in out
    assert "-> sig(3) = 0.9526, so sig'(3) = 0.9526 x 0.0474 = 0.0452" in out
    assert out.strip().endswith("errata (each explained)")


def test_json_is_strict_and_names_every_verdict(capsys):
    assert main(["guide", "--chapter", "2", "--seeds", "1", "--json"]) == 0
    records = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert {r["chapter"] for r in records} == {2}
    assert {r["status"] for r in records} <= {REPRODUCED, ERRATUM}
    total = next(r for r in records if r["what"] == "total cost")
    assert (total["printed"], total["guide_value"], total["status"]) == ("1.815", 1.815, REPRODUCED)


def test_a_number_that_differs_unexplained_fails_the_command(monkeypatch, capsys):
    real = companion.guide_svm_cost

    def wrong(*args):  # a library bug: the cost example's regularization doubled
        cost = real(*args)
        return cost._replace(regularization=2 * cost.regularization)

    monkeypatch.setattr(companion, "guide_svm_cost", wrong)
    assert main(["guide", "--chapter", "2", "--seeds", "1"]) == 1
    out = capsys.readouterr().out
    assert "regularization cost" in out and UNEXPLAINED in out and "1 UNEXPLAINED" in out


def test_bad_options_are_one_line(capsys):
    assert main(["guide", "--seeds", "0"]) == 2
    assert capsys.readouterr().err.strip() == (
        "torchcircuits: error: argument --seeds: expected 1 to 1000 seeds, got 0 (see torchcircuits guide --help)"
    )
    assert main(["guide", "--chapter", "3"]) == 2
