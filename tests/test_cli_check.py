"""`torchcircuits check` and `torchcircuits list`, as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from torchcircuits.cli import main


def test_check_prints_a_table_and_exits_0(capsys):
    assert main(["check", "--trials", "2"]) == 0
    out = capsys.readouterr().out
    assert "max|hand-torch|" in out and "FAIL" not in out
    assert "57 runs on 19 circuits: all agree" in out
    assert "multiply         seed     x=-2, y=3" in out


def test_check_json_has_every_field(capsys):
    assert main(["check", "neuron", "svm_loss", "--trials", "1", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["circuit"] for r in runs] == ["neuron", "neuron", "svm_loss", "svm_loss"]
    first = runs[0]
    for key in ("circuit", "inputs", "output", "grad_hand", "grad_torch", "grad_numeric",
                "max_abs_diff_hand_torch", "max_rel_error_numeric", "ok"):  # fmt: skip
        assert key in first
    assert first["output"] == pytest.approx(0.8808, abs=5e-5)
    assert first["grad_hand"]["b"] == pytest.approx(0.315, abs=5e-4)
    assert runs[2]["output"] == pytest.approx(1.815)


def test_seed_makes_trials_reproducible(capsys):
    main(["check", "max", "--trials", "3", "--seed", "5", "--json"])
    first = capsys.readouterr().out
    main(["check", "max", "--trials", "3", "--seed", "5", "--json"])
    assert capsys.readouterr().out == first
    main(["check", "max", "--trials", "3", "--seed", "6", "--json"])
    assert capsys.readouterr().out != first


def test_given_inputs_and_the_kink_rule(capsys):
    assert main(["check", "relu", "--inputs", "a=0", "--trials", "0"]) == 0
    assert "OK (kink)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["check", "nope"], "unknown circuit 'nope': choose one of multiply"),
        (["check", "--trials", "-1"], "argument --trials: expected a whole number >= 0, got -1"),
        (["check", "--trials", "many"], "expected a whole number >= 0, got 'many'"),
        (["check", "neuron", "--inputs", "a=nan"], "input a must be a finite number, got 'nan'"),
        (["check", "neuron", "--inputs", "a=x"], "input a must be a finite number, got 'x'"),
        (["check", "neuron", "--inputs", "q=1"], "circuit neuron has no input 'q'"),
        (["check", "neuron", "--inputs", "a1"], "expected NAME=NUMBER pairs"),
        (["check", "neuron", "relu", "--inputs", "a=1"], "--inputs needs exactly one circuit name"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("torchcircuits: error: ")
    assert message in lines[0]


def test_python_dash_m_and_the_script_run_the_same_code():
    args = ["multiply", "--trials", "1", "--json"]
    script_path = str(Path(__file__).parents[1] / "scripts" / "crosscheck.py")
    module = subprocess.run([sys.executable, "-m", "torchcircuits", "check", *args], capture_output=True, text=True)
    script = subprocess.run([sys.executable, script_path, *args], capture_output=True, text=True)
    assert module.returncode == 0 == script.returncode
    assert json.loads(module.stdout) == json.loads(script.stdout)
    bad = subprocess.run([sys.executable, "-m", "torchcircuits", "check", "x"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_list_names_every_circuit(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 19 and "squared_product  ((a*b + c) * d) ** 2" in out


def test_draw_writes_png_and_svg(tmp_path, capsys):
    import os
    import xml.etree.ElementTree as ET

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    png, svg = tmp_path / "am.png", tmp_path / "neuron.svg"
    assert main(["draw", "add_multiply", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert main(["draw", "neuron", "--inputs", "x=2", "--fixed", "x,y", "--out", str(svg)]) == 0
    text = svg.read_text()
    ET.fromstring(text)
    assert "sigmoid(a*x + b*y + c)" in text
    out = capsys.readouterr().out
    assert "add_multiply, output -12, 2 gates" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["draw", "nope", "--out", "x.png"], "unknown circuit 'nope'"),
        (["draw", "neuron", "--out", "x.jpg"], "--out must end in .png or .svg"),
        (["draw", "neuron", "--out", "x.svg", "--inputs", "a=nan"], "input a must be a finite number"),
        (["draw", "neuron", "--out", "x.svg", "--fixed", "q"], "circuit neuron has no input 'q'"),
        (["draw", "neuron", "--out", "/no/such/dir/x.svg"], "cannot write /no/such/dir/x.svg"),
        (["draw", "neuron"], "the following arguments are required: --out"),
    ],
)
def test_draw_refuses_bad_input(argv, message, capsys):
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
