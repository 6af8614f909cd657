"""Bad and extreme command-line input: one line on stderr and exit 2 (1 for a genuine failure), never a traceback.

Covers `check`, `draw`, `list` and `bench` (train's options are tested with the trainer), the IEEE
faces at poles and overflow, strict JSON, streaming, closed pipes and scripts/guide_runs.py.
"""

import importlib.util
import json
import math
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

import torchcircuits.circuits as circuits_module
from torchcircuits.check import check_circuit, iter_checks
from torchcircuits.circuits import CIRCUITS, get_circuit
from torchcircuits.cli import MAX_TRIALS, main
from torchcircuits.strict_json import dumps_strict, strict_value

ROOT = Path(__file__).parents[1]


def strict_loads(text: str):
    """json.loads that refuses NaN, Infinity and -Infinity, as standard JSON parsers do."""

    def refuse(name: str):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def run_main(argv, capsys) -> tuple[int, str, list[str]]:
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.out, captured.err.strip().splitlines()


BAD = [
    # unknown names, in each place a name goes
    (["check", "nope"], "unknown circuit 'nope'"),
    (["check", "multiply", "Multiply"], "unknown circuit 'Multiply'"),
    (["check", ""], "unknown circuit ''"),
    (["draw", "nope", "--out", "x.svg"], "unknown circuit 'nope'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["list", "extra"], "unrecognized arguments: extra"),
    (["bench", "--frob"], "unrecognized arguments: --frob"),
    # counts out of range or not whole numbers
    (["check", "--trials", "-1"], "expected a whole number >= 0, got -1"),
    (["check", "--trials", "1.5"], "expected a whole number >= 0, got '1.5'"),
    (["check", "--trials", str(MAX_TRIALS + 1)], f"expected at most {MAX_TRIALS} trials per circuit"),
    (["check", "--trials", "9" * 30], f"expected at most {MAX_TRIALS} trials per circuit"),
    (["check", "--trials", "9" * 5000], "expected a whole number >= 0"),  # past Python's int-parsing limit
    (["check", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
    # numbers that are not finite, or not numbers
    (["check", "reciprocal", "--inputs", "a=nan"], "input a must be a finite number, got 'nan'"),
    (["check", "reciprocal", "--inputs", "a=1e309"], "input a must be a finite number, got '1e309'"),
    (["check", "reciprocal", "--inputs", "a=-inf"], "input a must be a finite number, got '-inf'"),
    (["check", "reciprocal", "--inputs", "a="], "input a must be a finite number, got ''"),
    (["check", "reciprocal", "--inputs", "=1"], "expected NAME=NUMBER pairs"),
    (["check", "reciprocal", "--inputs", ","], "expected NAME=NUMBER pairs"),
    (["check", "reciprocal", "--inputs", "b=1"], "circuit reciprocal has no input 'b'"),
    (["check", "--inputs", "a=1"], "--inputs needs exactly one circuit name"),
    (["check", "--device", "tpu"], "unknown device 'tpu'"),
    # draw: paths, scales, names
    (["draw", "neuron", "--out", "x.jpg"], "--out must end in .png or .svg"),
    (["draw", "neuron", "--out", "/tmp/"], "--out must end in .png or .svg"),
    (["draw", "neuron", "--out", "x.svg", "--scale", "nan"], "--scale must be a finite number"),
    (["draw", "neuron", "--out", "x.svg", "--scale", "1e400"], "--scale must be a finite number"),
    (["draw", "neuron", "--out", "x.svg", "--scale", "0"], "--scale must be between 0.1 and 8"),
    (["draw", "neuron", "--out", "x.svg", "--scale", "1e9"], "--scale must be between 0.1 and 8"),
    (["draw", "neuron", "--out", "x.svg", "--fixed", "q"], "circuit neuron has no input 'q'"),
    (["draw", "neuron", "--out", "x.svg", "--inputs", "a=1e999"], "input a must be a finite number"),
    (["draw", "neuron", "--out", "/no/such/dir/x.svg"], "cannot write /no/such/dir/x.svg: No such file"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    code, out, err = run_main(argv, capsys)
    assert code == 2 and out == ""
    assert len(err) == 1 and err[0].startswith("torchcircuits: error: ")
    assert message in err[0]


def test_drawing_over_a_folder_is_one_line(tmp_path, capsys):
    folder = tmp_path / "taken.svg"
    folder.mkdir()
    code, _, err = run_main(["draw", "neuron", "--out", str(folder)], capsys)
    assert code == 2 and len(err) == 1 and "cannot write" in err[0] and "directory" in err[0]


# --- poles and overflow: IEEE values, reported as such ------------------------------------------------
EXTREME = [
    # (circuit, inputs, status, text in the reason)
    ("reciprocal", "a=0", "not finite", "output is not finite at this point (inf)"),
    ("reciprocal", "a=-0.0", "not finite", "output is not finite at this point (-inf)"),
    ("division", "c=1,d=-1", "not finite", "output is not finite at this point (inf)"),
    ("division", "a=1,b=-1,c=1,d=-1", "not finite", "output is not finite at this point (nan)"),
    ("square", "a=1e200", "not finite", "output is not finite at this point (inf)"),
    ("sum_of_squares", "a=1e300", "not finite", "output is not finite at this point (inf)"),
    ("svm_score", "a=1.79769e308,x=1", "numeric skipped", "numeric gradient not finite at this point"),
    ("svm_score", "x=1e308", "ok", ""),
    ("svm_score", "a=-1e308,x=1e308", "not finite", "output is not finite at this point (-inf)"),
    ("neuron", "a=1e308,x=1e308", "ok", ""),  # the sigmoid saturates: finite everywhere
]


@pytest.mark.parametrize("name, inputs, status, reason", EXTREME)
def test_extreme_points_are_reported_not_crashed(name, inputs, status, reason, capsys):
    code, out, err = run_main(["check", name, "--inputs", inputs, "--trials", "0"], capsys)
    assert code == 0 and err == []
    row = out.splitlines()[2]
    label = {"ok": "OK", "not finite": "NOT FINITE", "numeric skipped": "OK (no numeric)"}[status]
    assert f"  {label}" in row and reason in row
    code, out, _ = run_main(["check", name, "--inputs", inputs, "--trials", "0", "--json"], capsys)
    (run,) = strict_loads(out)
    assert run["status"] == status and run["ok"] is True and reason in run["reason"]


def test_the_three_faces_agree_at_a_pole():
    run = check_circuit(get_circuit("reciprocal"), {"a": 0.0}, "given")
    assert run.output == math.inf and run.grad_hand == {"a": -math.inf} == run.grad_torch == run.grad_units
    assert run.max_abs_diff_hand_torch == 0.0 and run.status == "not finite"
    run = check_circuit(get_circuit("division"), {"a": 1.0, "b": 2.0, "c": 1.0, "d": -1.0}, "given")
    assert run.grad_hand == {"a": math.inf, "b": math.inf, "c": -math.inf, "d": -math.inf} == run.grad_torch


def test_rel_error_near_the_float_limit_is_not_a_false_inf():
    from torchcircuits.gradcheck import rel_error

    assert rel_error(1e308, 1.0000000001e308) == pytest.approx(5e-11, rel=1e-6)
    assert rel_error(1.7e308, -1.7e308) == 1.0
    assert rel_error(math.inf, math.inf) == 0.0 and rel_error(math.inf, 1e308) == math.inf


# --- a FAIL always says which comparison failed and why -----------------------------------------------
def _wrong(circuit, name: str, factor: float):
    def hand(values):
        out, grads = circuit.hand(values)
        return out, {**grads, name: grads[name] * factor}

    return replace(circuit, hand=hand)


def test_a_failure_names_the_comparison_the_input_and_the_sizes():
    run = check_circuit(_wrong(get_circuit("mul_add"), "c", 1.001), get_circuit("mul_add").seed)
    assert run.status == "fail" and not run.ok
    assert "hand vs torch: gradient of c is 1.0009999999999999 by hand, 1 by torch: differs by 1.0e-03" in run.reason
    assert "hand vs Unit: gradient of c" in run.reason
    assert "hand vs numeric: gradient of c" in run.reason and "rel err 5.0e-04 >= 1e-06" in run.reason


def test_a_failing_check_exits_1_with_the_reason_in_table_json_and_summary(monkeypatch, capsys):
    broken = _wrong(get_circuit("multiply"), "x", -1.0)
    monkeypatch.setattr(circuits_module, "CIRCUITS", {**CIRCUITS, "multiply": broken})
    code, out, err = run_main(["check", "multiply", "--trials", "2"], capsys)
    assert code == 1 and err == []
    rows = out.splitlines()
    assert rows[2].startswith("multiply") and "FAIL" in rows[2] and "hand vs torch: gradient of x is -3" in rows[2]
    assert "3 runs on 1 circuit: 3 FAILED" in out and "failures:\n  multiply seed: hand vs torch" in out
    code, out, _ = run_main(["check", "multiply", "--trials", "0", "--json"], capsys)
    (run,) = strict_loads(out)
    assert code == 1 and run["status"] == "fail" and run["reason"].startswith("hand vs torch: gradient of x")


# --- strict JSON ----------------------------------------------------------------------------------------
def test_check_json_is_strict_with_null_and_a_field_saying_why(capsys):
    code, out, _ = run_main(["check", "division", "--inputs", "a=1,b=-1,c=1,d=-1", "--trials", "1", "--json"], capsys)
    runs = strict_loads(out)
    assert code == 0 and len(runs) == 2
    assert runs[0]["output"] is None and runs[0]["non_finite"]["output"] == "nan"
    assert runs[0]["grad_hand"]["a"] is None and runs[0]["non_finite"]["grad_hand.a"] == "inf"
    assert "non_finite" not in runs[1] and math.isfinite(runs[1]["output"])


def test_bench_json_is_strict(monkeypatch, capsys):
    from torchcircuits import bench

    rows = [bench.Measurement("app", "skipped", float("nan"), "", note="needs PyQt6"),
            bench.Measurement("engine", "neuron", 2.5e-6, "s", "micrograd", float("inf"))]  # fmt: skip
    monkeypatch.setattr(bench, "run_benchmarks", lambda quick, progress: rows)
    code, out, _ = run_main(["bench", "--json"], capsys)
    first, second = strict_loads(out)
    assert code == 0 and first["median"] is None and first["non_finite"] == {"median": "nan"}
    assert second["median"] == 2.5e-6 and second["ratio"] is None and second["non_finite"] == {"ratio": "inf"}


def test_strict_value_paths_and_untouched_finite_values():
    value = {"a": [1.0, float("-inf")], "b": {"c": float("nan")}, "d": "inf", "e": 2}
    assert strict_value(value) == {"a": [1.0, None], "b": {"c": None}, "d": "inf", "e": 2,
                                   "non_finite": {"a.1": "-inf", "b.c": "nan"}}  # fmt: skip
    assert strict_loads(dumps_strict([{"x": float("inf")}, {"x": 1.0}])) == [
        {"x": None, "non_finite": {"x": "inf"}}, {"x": 1.0}]  # fmt: skip


# --- streaming: rows as they come, memory flat -------------------------------------------------------------
def test_checks_are_computed_lazily():
    runs = iter_checks(["add3"], trials=MAX_TRIALS)
    start = time.perf_counter()
    first, second = next(runs), next(runs)
    assert (first.run, second.run) == ("seed", "trial 1")
    assert time.perf_counter() - start < 5.0  # a list of a billion runs would never return


class _Sink:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _peak_bytes(trials: int, monkeypatch) -> int:
    monkeypatch.setattr(sys, "stdout", _Sink())
    tracemalloc.start()
    try:
        assert main(["check", "add3", "--trials", str(trials)]) == 0
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_check_memory_stays_flat(monkeypatch):
    _peak_bytes(2, monkeypatch)  # imports and caches first
    small, large = _peak_bytes(40, monkeypatch), _peak_bytes(240, monkeypatch)
    # a kept CheckRun (four dicts of gradients, inputs, strings) takes over 2 kB: keeping 200 more would add
    # 400 kB; streamed, only garbage awaiting the cycle collector grows (tens of bytes a run)
    assert large - small < 120_000, (small, large)


def _popen(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# --- closed pipes: quiet, as Unix tools ------------------------------------------------------------------
def test_streaming_and_closed_pipes_in_real_processes():
    """`check --trials 1000000000 | head -6` and `scripts/crosscheck.py --json | head -c 10`.

    Two processes at once (each pays for importing torch): the billion-trial check must print its first
    rows at once (streamed, not gathered), and both must end quietly when their reader goes away.
    """
    check = _popen("-m", "torchcircuits", "check", "add3", "--trials", str(MAX_TRIALS))
    script = _popen(str(ROOT / "scripts" / "crosscheck.py"), "--trials", "300", "--json")
    lines = [check.stdout.readline() for _ in range(6)]
    assert lines[0].startswith(b"circuit") and lines[2].startswith(b"add3     seed")
    assert lines[5].startswith(b"add3     trial 3")
    for process in (check, script):
        head = process.stdout.read(10)
        process.stdout.close()
        try:
            _, err = process.communicate(timeout=120)
        finally:
            process.kill()
        assert len(head) == 10 and process.returncode in (0, 141), (process.args, process.returncode, err)
        assert b"Traceback" not in err and b"Exception ignored" not in err and b"BrokenPipe" not in err, err
    assert check.returncode == 141  # a billion trials: it was still writing when the pipe closed


class _ClosedPipe(_Sink):
    """A pipe whose reader (`head -c N`) takes ``keep`` characters, then goes away."""

    def __init__(self, keep: int) -> None:
        self.left = keep

    def write(self, text: str) -> int:
        if self.left <= 0:
            raise BrokenPipeError(32, "Broken pipe")
        self.left -= len(text)
        return len(text)


@pytest.mark.parametrize(
    "argv",
    [["list"], ["check", "--trials", "30"], ["check", "--trials", "30", "--json"],
     ["train", "--dataset", "xor", "--steps", "50", "--json"], ["train", "--dataset", "xor", "--steps", "50"],
     ["draw", "multiply", "--out", "{tmp}/m.svg"]],
)  # fmt: skip
def test_a_broken_pipe_ends_any_subcommand_with_141(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe(10))
    assert main([a.format(tmp=tmp_path) for a in argv]) == 141
    assert capsys.readouterr().err == ""
    assert not isinstance(sys.stdout, _ClosedPipe)  # pointed at /dev/null: the final flush at exit is quiet
    sys.stdout.close()


# --- scripts/guide_runs.py --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def guide_runs():
    spec = importlib.util.spec_from_file_location("guide_runs", ROOT / "scripts" / "guide_runs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_guide_runs_reports_diverged_seeds_and_exits_1(guide_runs, capsys):
    code = guide_runs(["--reg", "1e300", "--seeds", "3", "--steps", "5", "--preset", "guide-svm"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert "DIVERGED in 3/3 seeds: seed 0 diverged at step 1; seed 1 diverged at step 1" in captured.out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--seeds", "x"], "argument --seeds: invalid int value: 'x'"),
        (["--seeds", "0"], "--seeds and --steps must be positive"),
        (["--steps", "-5"], "--seeds and --steps must be positive"),
        (["--reg", "nan", "--seeds", "1", "--steps", "1"], "--reg must be a finite number"),
        (["--reg", "many"], "argument --reg: invalid float value: 'many'"),
        (["--preset", "nope"], "argument --preset: invalid choice: 'nope'"),
    ],
)
def test_guide_runs_bad_options_are_one_line_exit_2(guide_runs, argv, message, capsys):
    assert guide_runs(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("guide_runs: error: ") and message in err[0]
