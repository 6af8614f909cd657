"""`torchcircuits train` with Chapter 3's practice options, as a user runs them."""

import json

import pytest

from torchcircuits.cli import main


def _strict(text):
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "net", "--dropout", "1"], "--dropout must be at least 0 and below 1 (the share of hidden units "
                                               "dropped), got 1.0"),
        (["--model", "net", "--dropout", "-0.1"], "--dropout must be at least 0 and below 1"),
        (["--model", "svm", "--dropout", "0.5"], "--dropout applies to the net only"),
        (["--dataset", "moons", "--imbalance", "0"], "--imbalance must be above 0 and at most 1"),
        (["--dataset", "moons", "--imbalance", "2"], "--imbalance must be above 0 and at most 1"),
        (["--dataset", "sine", "--model", "net", "--imbalance", "0.5"], "--imbalance applies to classification sets"),
        (["--dataset", "guide", "--imbalance", "0.5"], "--imbalance does not apply to the guide's fixed data set"),
        (["--reg-kind", "lasso"], "--reg-kind must be one of l2, l1, group, elastic, got 'lasso'"),
        (["--l1-ratio", "1.5"], "--l1-ratio must be from 0 (all L2) to 1 (all L1), got 1.5"),
        (["--l1-ratio", "0.5"], "--l1-ratio applies to --reg-kind elastic only; the reg kind is l2"),
        (["--max-norm", "0"], "--max-norm must be > 0 (cs231n uses 3 to 4), got 0.0"),
        (["--early-stop", "0", "--dataset", "moons"], "--early-stop must be a whole number from 1 to"),
        (["--early-stop", "5"], "--early-stop needs a test set to watch: set --test-ratio above 0"),
        (["--class-weight", "inverse"], "--class-weight must be one of none, balanced, got 'inverse'"),
        (["--init", "huge"], "--init must be one of guide, uniform, small, he, xavier, zero, large, got 'huge'"),
        (["--dataset", "spiral", "--loss", "ova_hinge", "--model", "softmax"], "--loss ova_hinge is not trained by "
                                                                               "model softmax"),
    ],
)
def test_bad_practice_options_are_one_line_and_exit_2(argv, message, capsys):
    assert main(["train", *argv]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in lines[0], lines


def test_json_reports_metrics_monitors_sparsity_and_early_stop(capsys):
    argv = ["train", "--model", "net", "--hidden", "16", "--dataset", "spiral", "--imbalance", "0.3", "--batch", "all",
            "--lr", "1", "--steps", "60", "--class-weight", "balanced", "--reg-kind", "group", "--dropout", "0.1",
            "--max-norm", "3", "--early-stop", "1000", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = _strict(capsys.readouterr().out)
    k = 3
    confusion = result["confusion"]
    assert len(confusion) == k and all(len(row) == k for row in confusion)
    assert sum(map(sum, confusion)) == result["test_points"] and result["metrics_on"] == "test"
    assert [c["support"] for c in result["per_class"]] == [sum(row) for row in confusion]
    recalls = [c["recall"] for c in result["per_class"]]
    assert result["balanced_accuracy"] == pytest.approx(sum(recalls) / k)
    assert result["early_stop"] == {"patience": 1000, "stopped_at_step": None, "best_step": result["early_stop"][
        "best_step"], "best_test_loss": result["early_stop"]["best_test_loss"], "restored": False}
    assert set(result["sparsity"]) == {"zero_weights", "weights", "neurons_off"}
    assert result["sparsity"]["weights"] == 2 * 16 + 16 * 3 and len(result["sparsity"]["neurons_off"]) == 2
    record = result["history"][-1]
    assert len(record["dead_fraction"]) == 1 and set(record["update_ratio"]) == {"W1", "b1", "W2", "b2"}
    assert set(record["layer_grad_norm"]) == set(record["update_ratio"]) and "grad_norm" in record
    settings = result["settings"]["config"]
    assert settings["dropout"] == 0.1 and settings["reg_kind"] == "group" and settings["max_norm"] == 3.0
    assert result["settings"]["data"]["imbalance"] == 0.3 and result["warnings"] == []


def test_early_stop_says_where_it_stopped(capsys):
    argv = ["train", "--model", "net", "--hidden", "64", "--dataset", "moons", "--n", "80", "--noise", "0.35",
            "--seed", "1", "--batch", "all", "--lr", "0.5", "--reg", "0", "--steps", "3000", "--early-stop", "5"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "early stop at step " in out and "the test loss had not improved for 5 records; restored step" in out
    assert main([*argv, "--json"]) == 0
    stop = _strict(capsys.readouterr().out)["early_stop"]
    assert stop["restored"] and stop["best_step"] < stop["stopped_at_step"] < 3000


def test_text_summary_prints_balanced_accuracy_only_when_unbalanced(capsys):
    base = ["train", "--model", "net", "--hidden", "8", "--dataset", "moons", "--batch", "all", "--steps", "20"]
    assert main(base) == 0
    assert "balanced accuracy" not in capsys.readouterr().out
    assert main([*base, "--imbalance", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "unbalanced classes: test balanced accuracy " in out and "recall per class" in out


def test_a_dying_net_warns_once_in_one_line(capsys):
    argv = ["train", "--model", "net", "--hidden", "50", "--dataset", "spiral", "--n", "150", "--test-ratio", "0",
            "--batch", "all", "--lr", "30", "--steps", "60", "--init", "small"]
    assert main(argv) in (0, 1)
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert len([w for w in warnings if "hidden layer 1:" in w]) == 1, err
    assert warnings[0].startswith("torchcircuits: warning: hidden layer 1: ") and "dead or saturated" in warnings[0]


def test_new_losses_train_from_the_command_line(capsys):
    for loss in ("ova_hinge", "structured_svm"):
        assert main(["train", "--model", "net", "--hidden", "16", "--dataset", "spiral", "--loss", loss,
                     "--batch", "all", "--lr", "0.5", "--steps", "200", "--compare", "--json"]) == 0  # fmt: skip
        result = _strict(capsys.readouterr().out)
        assert result["loss"] == loss and result["train_accuracy"] > 0.5  # chance is 1/3
        assert max(r["max_grad_diff"] for r in result["history"]) < 1e-10
