"""`torchcircuits-gui`'s command line: screenshot mode and refusals."""

import pytest

from torchcircuits_gui.app import main


def test_screenshot_mode_writes_a_png(tmp_path, qtbot, capsys):
    path = tmp_path / "shot.png"
    code = main(["--dataset", "moons", "--model", "net", "--hidden", "8", "--lr", "0.1", "--steps", "50",
                 "--grid", "50", "--screenshot", str(path)])  # fmt: skip
    assert code == 0
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert "step 50" in capsys.readouterr().out


def test_screenshot_of_a_regression_set_reports_rmse_and_r2(tmp_path, qtbot, capsys):
    path = tmp_path / "sine.png"
    code = main(["--dataset", "sine", "--model", "net", "--steps", "20", "--grid", "50", "--screenshot", str(path)])
    out = capsys.readouterr().out
    assert code == 0 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "step 20, train RMSE " in out and ", R² " in out and "accuracy" not in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "tree"], "--model must be one of svm, softmax, linear, net, got 'tree'"),
        (["--lr", "-1"], "--lr must be a positive step size"),
        (["--dataset", "nope"], "--dataset must be one of guide"),
        (["--steps", "x"], "--steps must be a whole number"),
        (["--screenshot", "out.jpg"], "--screenshot must name a .png file"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        # a pair `torchcircuits train` refuses is refused here too, not opened as an empty window
        (["--dataset", "sine", "--model", "svm"], "--model svm does not train regression data like sine"),
        (["--dataset", "sine", "--model", "net", "--tab", "network"],
         "--tab network draws the input plane: sine has 1 input(s)"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("torchcircuits-gui: error:")


def test_screenshot_of_the_circuit_tab_following_training(tmp_path, qtbot):
    path = tmp_path / "circuit.png"
    assert main(["--preset", "guide-net", "--steps", "20", "--tab", "circuit", "--follow", "--grid", "40",
                 "--screenshot", str(path)]) == 0  # fmt: skip
    assert path.stat().st_size > 20_000


def test_unknown_circuit_for_the_circuit_tab(capsys):
    assert main(["--circuit", "nope"]) == 2
    assert "unknown circuit 'nope'" in capsys.readouterr().err


def test_screenshot_size_and_a_refused_size(tmp_path, qtbot, capsys):
    from PyQt6.QtGui import QImage

    path = tmp_path / "small.png"
    assert main(["--preset", "guide-svm", "--steps", "10", "--grid", "40", "--size", "1024x640",
                 "--screenshot", str(path)]) == 0  # fmt: skip
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1024, 640)
    for bad in ("10x10", "1024", "wide", "1024x0"):
        assert main(["--size", bad]) == 2
        assert "--size must be WIDTHxHEIGHT" in capsys.readouterr().err
    assert main(["--threads", "0"]) == 2 and "--threads must be a whole number >= 1" in capsys.readouterr().err


def test_without_a_preset_the_recipe_fills_what_the_options_leave_out():
    from torchcircuits.run import settings_from_args
    from torchcircuits_gui.app import build_parser, with_recipe

    args = build_parser().parse_args(["--dataset", "spiral", "--model", "net", "--lr", "0.5"])
    config = with_recipe(settings_from_args(args), args).config
    assert (config.hidden, config.batch, config.lr) == ((100,), None, 0.5)  # the recipe, but the given step size
    args = build_parser().parse_args(["--preset", "guide-net"])
    assert with_recipe(settings_from_args(args), args).config.hidden == (3,)  # a preset is the guide's run as is
