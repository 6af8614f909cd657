"""Data sets: the guide's, the generated ones, splits and CSV files."""

import pytest
import torch

from torchcircuits.data import (
    CLASSIFICATION_SETS,
    DATASETS,
    REGRESSION_SETS,
    load_csv,
    make_dataset,
    save_csv,
    signs,
    train_test_split,
)
from torchcircuits.errors import InputError


def test_the_guides_sets():
    guide = make_dataset("guide")
    assert guide.X.tolist()[0] == [1.2, 0.7] and signs(guide.labels).tolist() == [1, -1, 1, -1, -1, 1]
    intro = make_dataset("guide-intro")
    assert intro.X.tolist()[2] == [-3.0, -1.0] and signs(intro.labels).tolist() == [1, -1, 1, -1, -1, 1]


@pytest.mark.parametrize("name", [d for d in DATASETS if not d.startswith("guide")])
def test_generated_sets_are_deterministic_and_sized(name):
    a = make_dataset(name, n=50, seed=3)
    b = make_dataset(name, n=50, seed=3)
    c = make_dataset(name, n=50, seed=4)
    assert len(a) == 50 and torch.equal(a.X, b.X) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.X, c.X)
    assert a.X.dtype == torch.float64 and a.classes_present == a.num_classes
    if name in CLASSIFICATION_SETS:
        counts = torch.bincount(a.labels)
        assert counts.max() - counts.min() <= 1  # balanced classes
    else:
        assert a.task == "regression" and a.labels.dtype == torch.float64 and a.labels.std() > 0.1


def test_regression_sets_follow_their_formulas():
    assert set(REGRESSION_SETS) == {"plane", "gaussians", "sine"}
    sine = make_dataset("sine", n=500, noise=0.0, seed=1)
    assert sine.inputs == 1 and torch.allclose(sine.labels, torch.sin(sine.X[:, 0]))
    assert -torch.pi <= sine.X.min() and sine.X.max() <= torch.pi
    plane = make_dataset("plane", noise=0.0)
    assert torch.allclose(plane.labels, plane.X.sum(dim=1) / 4) and plane.X.abs().max() <= 2
    noisy = make_dataset("sine", n=2000, noise=0.1, seed=1)
    assert (noisy.labels - torch.sin(noisy.X[:, 0])).std().item() == pytest.approx(0.1, rel=0.1)
    bumps = make_dataset("gaussians", noise=0.0, n=2000)
    peak = bumps.labels[torch.argmin((bumps.X - torch.tensor([-1.3, 0.8])).norm(dim=1))]
    assert peak > 0.8 and bumps.labels.min() < -0.8  # positive and negative bumps


def test_spiral_is_the_standard_one():
    data = make_dataset("spiral", n=300, noise=0.0)
    assert data.num_classes == 3
    radius = data.X.norm(dim=1)
    assert radius.max().item() == pytest.approx(1.0) and radius.min().item() == 0.0
    five = make_dataset("spiral", classes=5, n=100)
    assert five.num_classes == 5 and five.classes_present == 5


def test_blobs_are_linearly_separable_at_default_noise():
    data = make_dataset("blobs", seed=0)
    # the centres sit on the diagonal, so x1 + x2 = 0 separates them
    assert torch.equal(((data.X.sum(dim=1)) > 0).long(), 1 - data.labels) or torch.equal(
        (data.X.sum(dim=1) > 0).long(), data.labels
    )


def test_bad_generation_arguments():
    for call, message in (
        (lambda: make_dataset("swirl"), "unknown data set 'swirl': choose one of guide, guide-intro, blobs"),
        (lambda: make_dataset("moons", n=0), "n must be a number of points from 1 to 1,000,000, got 0"),
        (lambda: make_dataset("moons", n=10**9), "n must be a number of points from 1 to 1,000,000"),
        (lambda: make_dataset("moons", noise=-1.0), "noise must be a number from 0 to 10"),
        (lambda: make_dataset("moons", noise=1e300), "noise must be a number from 0 to 10"),
        (lambda: make_dataset("xor", classes=3), "only blobs and spiral take it"),
        (lambda: make_dataset("sine", classes=3), "data set sine is a regression set"),
        (lambda: make_dataset("guide", n=50), "n does not apply to the guide's fixed data set guide"),
        (lambda: make_dataset("guide-intro", classes=3), "classes does not apply to the guide's fixed"),
    ):
        with pytest.raises(InputError, match=message):
            call()


def test_split_keeps_every_point_once():
    data = make_dataset("moons", n=101)
    train, test = train_test_split(data, 0.25, seed=1)
    assert len(train) + len(test) == 101 and len(test) == 25
    both = torch.cat([train.X, test.X])
    assert sorted(map(tuple, both.tolist())) == sorted(map(tuple, data.X.tolist()))
    with pytest.raises(InputError, match="--test-ratio must be at least 0 and below 1"):
        train_test_split(data, 1.0)
    assert len(train_test_split(make_dataset("guide"), 0.0)[1]) == 0


def test_csv_round_trip_is_exact(tmp_path):
    data = make_dataset("spiral", n=30, seed=2)
    path = tmp_path / "spiral.csv"
    save_csv(data, path)
    back = load_csv(path)
    assert torch.equal(back.X, data.X) and torch.equal(back.labels, data.labels) and back.num_classes == 3


def test_csv_plus_minus_one_labels_without_header(tmp_path):
    path = tmp_path / "pm.csv"
    path.write_text("1.5,2,1\n-1,0.5,-1\n\n")
    data = load_csv(path)
    assert data.labels.tolist() == [1, 0] and data.num_classes == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("x1,x2,label\n1,2\n", "line 2: expected 3 columns x1,x2,label, got 2"),
        ("1,2,1,4\n", "line 1: expected 3 columns"),
        ("1,abc,1\n", "line 1: x2 must be a number, got 'abc'"),
        ("nan,1,1\n", "line 1: x1 must be a finite number within ±1e+06, got 'nan'"),
        ("1,1,0.5\n", "label must be -1/+1 or a class index 0..9, got '0.5'"),
        ("1,1,-2\n", "label must be -1/+1 or a class index"),
        ("1,1,-1\n2,2,0\n", "labels mix -1 with [0]"),
        ("1,1,0\n2,2,3\n", "class labels must run 0..K-1 without gaps; none has label 1"),
        ("x1,x2,label\n", "no data rows"),
        ("", "no data rows"),
    ],
)
def test_malformed_csv_is_refused_with_its_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        load_csv(path)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(InputError, match="cannot read data file"):
        load_csv(tmp_path / "missing.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError):
        load_csv(binary)


HEADER_RULE = ("the header must be x1,x2,label or x1,x2,target or x,target or x1,target (any case), "
               "or left out for rows x1,x2,label")
#: the first bytes of a PNG file: 0x89 is not UTF-8
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize("header", ["x,y,label", "x1,x2,class", "a,b"])
def test_an_unknown_header_says_which_headers_are_allowed(tmp_path, header):
    path = tmp_path / "bad1.csv"
    path.write_text(f"{header}\n1,2,1\n3,4,0\n")
    with pytest.raises(InputError) as error:
        load_csv(path)
    assert str(error.value) == f"bad1.csv line 1: unknown header {header!r}: {HEADER_RULE}"


def test_a_data_row_with_a_typo_is_not_taken_for_a_header(tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text("1,x,1\n3,4,0\n")
    with pytest.raises(InputError, match="^typo.csv line 1: x2 must be a number, got 'x'$"):
        load_csv(path)


@pytest.mark.parametrize("content", [PNG, b"x1,x2,label\n1,2,\x001\n"], ids=["png", "nul-bytes"])
def test_a_binary_file_is_not_a_text_csv_file(tmp_path, content):
    path = tmp_path / "picture.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        load_csv(path)
    assert str(error.value).startswith("picture.csv is not a text CSV file: it holds bytes that are not UTF-8 text")
    assert "codec" not in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bad1.csv", b"x,y,label\n1,2,1\n", f"bad1.csv line 1: unknown header 'x,y,label': {HEADER_RULE}"),
        ("picture.csv", PNG, "picture.csv is not a text CSV file: it holds bytes that are not UTF-8 text"),
    ],
)
def test_the_cli_refuses_a_bad_csv_in_one_line_with_exit_2(tmp_path, capsys, name, content, message):
    from torchcircuits.cli import main

    path = tmp_path / name
    path.write_bytes(content)
    assert main(["train", "--dataset", str(path), "--steps", "1"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_a_failed_save_leaves_the_earlier_file(tmp_path, monkeypatch):
    import os

    from torchcircuits import files

    path = tmp_path / "points.csv"
    save_csv(make_dataset("guide"), path)
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_csv(make_dataset("moons"), path)
    assert path.read_text() == before
    assert os.listdir(tmp_path) == ["points.csv"]  # no temporary file left behind
    with pytest.raises(OSError):
        save_csv(make_dataset("guide"), tmp_path / "no" / "such" / "dir.csv")


@pytest.mark.parametrize("name", ["sine", "plane"])
def test_regression_csv_round_trip_is_exact(tmp_path, name):
    data = make_dataset(name, n=20, seed=2)
    path = tmp_path / "r.csv"
    save_csv(data, path)
    header = path.read_text().splitlines()[0]
    assert header == ("x,target" if name == "sine" else "x1,x2,target")
    back = load_csv(path)
    assert back.task == "regression" and torch.equal(back.X, data.X) and torch.equal(back.labels, data.labels)


def test_csv_headers_name_the_target_and_a_bom_is_accepted(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffx1,target\n0.5,2.25\n-1,0.1\n".encode())
    data = load_csv(path)
    assert data.inputs == 1 and data.task == "regression" and data.labels.tolist() == [2.25, 0.1]
    path.write_bytes("\ufeffx1,x2,label\n1,2,1\n3,4,0\n".encode())
    assert load_csv(path).labels.tolist() == [1, 0]


@pytest.mark.parametrize(
    "text, message",
    [
        ("x,target\n1,2,3\n", "line 2: expected 2 columns x,target, got 3"),
        ("x1,x2,target\n1,2,abc\n", "line 2: target must be a number, got 'abc'"),
        ("x1,x2,label\n1e308,2,1\n", "line 2: x1 must be a finite number within ±1e\\+06"),
        ("x,target\n1,1e9\n", "target must be a finite number within ±1e\\+06"),
        ("1," + "9" * 200_000 + ",1\n", "line 1: not CSV"),
    ],
)
def test_malformed_regression_and_huge_csv_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_csv(path)
