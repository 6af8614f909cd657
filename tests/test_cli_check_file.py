"""`torchcircuits check --file`: the examples, and every broken file in one line with exit status 2."""

import json
import textwrap
from pathlib import Path

import pytest

from torchcircuits.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

HEADER = "import torch\nimport torchcircuits\n"
LINEAR = HEADER + textwrap.dedent(
    """
    def forward(x, w):
        return x @ w, (x, w)

    def backward(dout, cache):
        x, w = cache
        return {grads}

    torchcircuits.layer(forward, backward, shapes={{"x": (3, 2), "w": (2, 4)}}, torch=lambda x, w: x @ w, name="mm")
    """
)


def write(tmp_path, text, name="mine.py"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("def f(:\n", "mine.py does not import: SyntaxError: invalid syntax (line 1)"),
        ("import numpy_that_is_not_there\n", "mine.py does not import: it raised ModuleNotFoundError: No module named"),
        ("import sys\nsys.exit(3)\n", "mine.py does not import: it calls sys.exit() when imported"),
        ("x = 1\n", "mine.py declares no circuit or layer: declare one with torchcircuits.circuit(...)"),
        (
            HEADER + "@torchcircuits.circuit()\ndef f(x=1.0):\n    return 1.0 / (x - 1.0), (0.0,)\n",
            "circuit f: hand function at x=1 raised ZeroDivisionError: float division by zero (mine.py, line 5)",
        ),
        (
            HEADER + "@torchcircuits.circuit()\ndef f(x=1.0, y=2.0):\n    return x * y, (y,)\n",
            "circuit f: hand function at x=1, y=2 returned 1 gradient, expected 2 (x, y)",
        ),
        (
            HEADER + "@torchcircuits.circuit()\ndef f(x=1.0):\n    return x, (float('nan'),)\n",
            "circuit f: hand function at x=1: the gradient of x must be a finite number, got nan",
        ),
        (
            HEADER
            + "@torchcircuits.circuit(torch=lambda x: torch.tensor(2.0))\ndef f(x=1.0):\n    return 2.0, (0.0,)\n",
            "circuit f: torch function's output does not depend on its inputs",
        ),
        (
            HEADER + "@torchcircuits.circuit(domain=lambda x: x > 10)\ndef f(x=1.0):\n    return x, (1.0,)\n",
            "circuit f: could not draw inputs for f inside its domain and away from its kinks; loosen its domain",
        ),
        (LINEAR.format(grads="dout @ w.T"), "layer mm: backward returned 1 gradient, expected 2 (x, w)"),
        (LINEAR.format(grads="dout @ w.T, x.T @ dout[:, :3]"),
         "layer mm: backward returned the gradient of w with shape (2, 3), expected (2, 4)"),
        (LINEAR.format(grads="dout @ w.T, x.T @ dout / 0.0"),
         "layer mm: backward returned a non-finite value in the gradient of w: "),
        (LINEAR.format(grads="cache[5]"),
         "layer mm: backward raised IndexError: tuple index out of range (mine.py, line 9)"),
    ],
)  # fmt: skip
def test_a_broken_file_is_one_line_and_exit_2(tmp_path, capsys, text, message):
    assert main(["check", "--file", write(tmp_path, text), "--trials", "1"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("torchcircuits: error: ") and "\n" not in err
    assert message in err
    assert "Traceback" not in captured.out + captured.err


def test_file_arguments_are_refused_in_one_line(tmp_path, capsys):
    assert main(["check", "--file", str(tmp_path / "absent.py")]) == 2
    assert "absent.py: no such file" in capsys.readouterr().err
    path = str(EXAMPLES / "add_multiply.py")
    assert main(["check", "--file", path, "nope"]) == 2
    assert "unknown circuit or layer 'nope': choose one of add_multiply" in capsys.readouterr().err
    assert main(["check", "--file", path, "--inputs", "x=1"]) == 2
    assert "--inputs works on the registry's circuits" in capsys.readouterr().err


def test_the_examples_that_are_right_pass(capsys):
    for name in ("add_multiply.py", "softmax.py", "batchnorm.py"):
        assert main(["check", "--file", str(EXAMPLES / name), "--trials", "1"]) == 0, name
        out = capsys.readouterr().out
        assert "all agree" in out and "wrong" not in out and "FAIL" not in out


def test_the_wrong_softmax_exits_1_with_both_bugs_diagnosed(capsys):
    assert main(["check", "--file", str(EXAMPLES / "softmax_wrong.py"), "--trials", "2"]) == 1
    out = capsys.readouterr().out
    assert "softmax_xent  dlogits   wrong" in out and "softmax       dz        wrong" in out
    assert "WRONG softmax_xent trial 1: dlogits is wrong at logits[" in out
    assert "WRONG softmax trial 1: dz is wrong at z[" in out
    assert "2 WRONG" in out


def test_the_wrong_softmax_as_strict_json(capsys):
    assert main(["check", "--file", str(EXAMPLES / "softmax_wrong.py"), "--trials", "1", "--json"]) == 1
    report = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))
    xent = next(g for g in report["gradients"] if g["circuit"] == "softmax_xent")
    # the stray factor 2: the analytic value is twice autograd's at the worst entry
    assert xent["verdict"] == "wrong" and xent["analytic"] == pytest.approx(2 * xent["torch"], rel=1e-12)
    assert [r["ok"] for r in report["runs"]] == [False, False]


def test_one_declaration_by_name(capsys):
    assert main(["check", "--file", str(EXAMPLES / "softmax_wrong.py"), "softmax", "--trials", "1"]) == 1
    out = capsys.readouterr().out
    assert "softmax_xent" not in out and "softmax  trial 1" in out
