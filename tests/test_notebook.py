"""What a notebook shows: any expression as its circuit, a history as a chart, a boundary as a PNG."""

import json
import os
import struct
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
import torch

import torchcircuits
from torchcircuits import Unit
from torchcircuits.data import make_dataset
from torchcircuits.diagram import (
    GRAD_COLOUR,
    MAX_DRAWN_GATES,
    VALUE_COLOUR,
    colliding_labels,
    diagram_of,
    draw,
    expression_text,
)
from torchcircuits.errors import InputError
from torchcircuits.notebook import CLASS_COLOURS, History, boundary_png, history_chart, png_bytes, unit_svg
from torchcircuits.trainer import TrainConfig, Trainer

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str, colour: str) -> list[str]:
    """The texts drawn in ``colour`` (values green, gradients red)."""
    root = ET.fromstring(svg)
    return [t.text for t in root.iter(f"{SVG}text") if t.get("fill") == colour and t.text]


def guide_expression(labels: bool = True) -> tuple[Unit, Unit, Unit, Unit]:
    x, y, z = (Unit(v, label=n if labels else "") for v, n in ((-2.0, "x"), (5.0, "y"), (-4.0, "z")))
    return x, y, z, (x + y) * z


def test_the_repr_of_x_plus_y_times_z_shows_the_guides_values_and_gradients():
    x, y, z, out = guide_expression()
    out.backward()
    svg = out._repr_svg_()
    values, grads = texts(svg, VALUE_COLOUR), texts(svg, GRAD_COLOUR)
    for number in ("-2", "5", "-4", "-12", "3"):  # inputs, output, and q = x + y on the wire into *
        assert number in values
    # x's and y's wires carry -4 (on their node and their wire), z's 3, q's -4, the output's 1
    assert grads.count("-4") == 5 and grads.count("3") == 2 and "1" in grads
    assert "(x + y) * z" in svg
    assert (x.grad, y.grad, z.grad, out.grad) == (-4.0, -4.0, 3.0, 1.0)  # drawing changed no Unit


def test_unlabeled_inputs_draw_as_constants_whose_wires_still_carry_gradients():
    _, _, _, out = guide_expression(labels=False)
    out.backward()
    svg = unit_svg(out)
    assert texts(svg, GRAD_COLOUR).count("-4") == 3
    assert "name an input with Unit(2.0, label=" in svg  # the caption says how to name them


def test_before_backward_the_gradients_are_unknown_and_stay_zero():
    x, y, z, out = guide_expression()
    diagram = diagram_of(out)
    assert {n.label: n.value for n in diagram.nodes if n.kind == "input"} == {"x": -2.0, "y": 5.0, "z": -4.0}
    assert all(e.grad is None for e in diagram.edges) and diagram.output == -12.0
    assert "backward" in diagram.caption
    assert (x.grad, y.grad, z.grad, out.grad) == (0.0, 0.0, 0.0, 0.0)


def test_a_part_of_a_larger_expression_is_drawn_with_the_gradient_from_above():
    x, y, z, out = guide_expression()
    out.backward()
    q = out.gate.inputs[0]  # the + gate's output
    diagram = diagram_of(q)
    inputs = {n.label: n.grad for n in diagram.nodes if n.kind == "input"}
    assert inputs == {"x": -4.0, "y": -4.0} and diagram.output == 3.0


def test_a_wire_used_twice_shows_both_parts_and_their_sum():
    a = Unit(3.0, label="a")
    out = a * a
    out.backward()
    assert "3 + 3 = 6" in unit_svg(out) and a.grad == 6.0


def test_expression_text():
    x, y, z, out = guide_expression()
    assert expression_text(out) == "(x + y) * z"
    assert expression_text((x * y + 1.0).sigmoid()) == "σ(x * y + 1)"
    many = x
    for _ in range(40):
        many = many * y + z
    assert expression_text(many) == "80 gates"


def sum_of_products(terms: int) -> Unit:
    """w0 x0 + ... : 2 terms - 1 gates, every input labeled."""
    total = None
    for i in range(terms):
        product = Unit(0.1 * i, label=f"w{i}") * Unit(1.0 - 0.05 * i, label=f"x{i}")
        total = product if total is None else total + product
    return total


def test_a_200_gate_expression_is_refused_with_a_way_to_draw_a_part(tmp_path):
    out = sum_of_products(100).relu()
    out.backward()
    with pytest.raises(InputError, match=r"200 gates, more than the 60 .*draw a part"):
        draw(out, tmp_path / "big.svg")
    assert not (tmp_path / "big.svg").exists()
    assert "draw a part" in out._repr_svg_()  # the notebook says so instead of raising


def test_an_expression_at_the_limit_draws_with_no_label_colliding(tmp_path):
    terms = (MAX_DRAWN_GATES + 1) // 2
    out = sum_of_products(terms)
    out.backward()
    diagram = draw(out, tmp_path / "big.svg")
    assert len(diagram.gate_nodes()) == 2 * terms - 1 <= MAX_DRAWN_GATES
    assert colliding_labels(diagram) == []
    assert all(e.value is not None and e.grad is not None for e in diagram.edges)
    ET.parse(tmp_path / "big.svg")


def test_draw_writes_svg_atomically_keeping_the_mode_and_refuses_other_suffixes(tmp_path):
    *_, out = guide_expression()
    out.backward()
    path = tmp_path / "e.svg"
    path.write_text("old")
    os.chmod(path, 0o640)
    torchcircuits.draw(out, path)
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert "-12" in texts(path.read_text(), VALUE_COLOUR)
    with pytest.raises(InputError, match=r"must end in \.png or \.svg, got '.*e\.pdf'"):
        draw(out, tmp_path / "e.pdf")
    with pytest.raises(InputError, match="takes the Unit an expression ends in, got float"):
        diagram_of(3.0)


def test_draw_writes_png_through_the_renderer_plugin(tmp_path):
    pytest.importorskip("PyQt6")
    *_, out = guide_expression()
    out.backward()
    draw(out, tmp_path / "e.png", scale=1.0)
    data = (tmp_path / "e.png").read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    diagram = diagram_of(out)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and (width, height) == (int(diagram.width), int(diagram.height + 30))


# --- history -----------------------------------------------------------------------------------
def polylines(svg: str) -> list[list[tuple[float, float]]]:
    root = ET.fromstring(svg)
    lines = [p.get("points") for p in root.iter(f"{SVG}polyline") if p.get("stroke") != "#333"]  # not the axes
    return [[tuple(map(float, xy.split(","))) for xy in line.split()] for line in lines]


def test_a_history_draws_its_loss_and_accuracy_curves():
    trainer = Trainer(TrainConfig(model="svm", lr=0.01, reg=0.5, batch=1, init="guide", seed=3), make_dataset("guide"))
    history = History(trainer.run(40, record_every=4))
    svg = history._repr_svg_()
    root = ET.fromstring(svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    losses = [r["train_loss"] for r in history]
    assert f"{max(losses):.4g}" in labels and f"{min(losses):.4g}" in labels  # the loss axis spans the losses
    assert "train accuracy" in labels and "40" in labels  # the last step
    loss, accuracy = polylines(svg)  # no test set: one curve per panel
    assert len(loss) == len(accuracy) == 10
    # the highest loss is drawn highest (smallest y): the curve is the data, not a decoration
    assert min(loss, key=lambda p: p[1]) == loss[losses.index(max(losses))]


def test_missing_and_non_finite_values_leave_gaps():
    records = [{"step": s, "train_loss": v, "train_accuracy": 0.5} for s, v in
               enumerate([1.0, 0.8, float("nan"), 0.6, 0.5, None, 0.4, 0.3])]  # fmt: skip
    loss_runs = [line for line in polylines(history_chart(records)) if len(line) < 8]
    assert [len(run) for run in loss_runs] == [2, 2, 2]
    assert "RMSE" in history_chart([{"step": 1, "train_loss": 1.0, "train_rmse": 0.3}])


# --- boundary PNG ------------------------------------------------------------------------------
def decode_png(data: bytes) -> torch.Tensor:
    """A truecolour, unfiltered PNG (what png_bytes writes) back to (H, W, 3) uint8."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
            assert body[8:10] == b"\x08\x02"  # 8 bits, RGB
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h = size
    rows = torch.frombuffer(bytearray(zlib.decompress(idat)), dtype=torch.uint8).reshape(h, 1 + 3 * w)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(h, w, 3)


def test_png_bytes_round_trip():
    image = torch.randint(0, 256, (5, 7, 3), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    assert torch.equal(decode_png(png_bytes(image)), image)
    with pytest.raises(ValueError, match="expected an"):
        png_bytes(image.to(torch.float32))


def test_the_boundary_png_colours_each_side_of_the_trained_svm(tmp_path):
    data = make_dataset("guide")
    trainer = Trainer(TrainConfig(model="svm", lr=0.01, reg=0.5, batch=1, init="guide", seed=3), data)
    trainer.run(400, record_every=400)
    assert trainer.evaluate().train_accuracy == 1.0  # pinned in test_guide_training
    path = tmp_path / "b.png"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    png = boundary_png(trainer, path, size=120)
    assert path.read_bytes() == png and os.stat(path).st_mode & 0o777 == 0o640 and png._repr_png_() == png
    rgb = decode_png(png).to(torch.float32)
    assert rgb.shape == (120, 120, 3)
    # a pixel is nearer class 1's vermillion than class 0's blue exactly where the score is positive
    x0, x1 = data.X[:, 0].min().item(), data.X[:, 0].max().item()
    y0, y1 = data.X[:, 1].min().item(), data.X[:, 1].max().item()
    checked = 0
    for fx in (0.1, 0.3, 0.5, 0.7, 0.9):
        for fy in (0.1, 0.3, 0.5, 0.7, 0.9):
            x, y = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
            score = trainer.scores(torch.tensor([[x, y]], dtype=torch.float64))[0, 0].item()
            if abs(score) < 0.3:  # too near the boundary for a pixel's half-width
                continue
            col, row = _pixel(data.X, x, y, 120)
            pixel = rgb[row, col]
            if (pixel == 255).all() or (pixel == 0).all():  # a point's white rim or the boundary line
                continue
            red = ((pixel - CLASS_COLOURS[1]) ** 2).sum() < ((pixel - CLASS_COLOURS[0]) ** 2).sum()
            assert red == (score > 0), (x, y, score, pixel)
            checked += 1
    assert checked >= 10
    # each training point is drawn in its class colour at its place
    for (x, y), label in zip(data.X.tolist(), data.labels.tolist(), strict=True):
        col, row = _pixel(data.X, x, y, 120)
        assert torch.equal(rgb[row, col], CLASS_COLOURS[label])


def _pixel(X: torch.Tensor, x: float, y: float, size: int) -> tuple[int, int]:
    """The pixel of (x, y) in boundary_png's square around X (15% margin, at least 2 units wide)."""
    lo, hi = X.min(dim=0).values, X.max(dim=0).values
    centre = (lo + hi) / 2
    half = max(float((hi - lo).max()) / 2 * 1.15, 1.0)
    col = int((x - (centre[0].item() - half)) / (2 * half) * size)
    row = int(((centre[1].item() + half) - y) / (2 * half) * size)
    return col, row


def test_the_boundary_png_refuses_what_has_no_boundary():
    regression = Trainer(TrainConfig(model="linear", loss="l2"), make_dataset("sine"))
    with pytest.raises(InputError, match="needs a classification set with 2-D inputs, got a regression set"):
        boundary_png(regression)
    svm = Trainer(TrainConfig(model="svm"), make_dataset("guide"))
    with pytest.raises(InputError, match="size must be a whole number of pixels from 16 to 1000, got 5"):
        boundary_png(svm, size=5)


# --- the example notebook ------------------------------------------------------------------------
NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "hackers_guide.ipynb"


def _printed(notebook) -> list[tuple[str, list[str]]]:
    """Per code cell, its printed text (a stream may come in pieces) and the kinds of its result: must stay current."""
    shown = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        text = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
        kinds = [kind for o in outputs if o.output_type == "execute_result" for kind in sorted(o.data)]
        shown.append((text, kinds))  # a picture's kind is compared; the SVG's numbers are tested above
    return shown


def test_the_example_notebook_runs_in_a_fresh_kernel_and_its_committed_outputs_are_current(tmp_path, monkeypatch):
    """About 20 s: a kernel starts, imports torch and trains the SVM and the net of Chapter 2."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    # a kernel of this very interpreter, whatever kernels the machine has installed
    spec = tmp_path / "kernels" / "torchcircuits-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    committed = nbformat.read(NOTEBOOK, as_version=4)
    fresh = nbformat.read(NOTEBOOK, as_version=4)
    run_in = tmp_path / "cwd"
    run_in.mkdir()
    client = nbclient.NotebookClient(fresh, timeout=300, kernel_name="torchcircuits-test",
                                     resources={"metadata": {"path": str(run_in)}})  # fmt: skip
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    assert _printed(fresh) == _printed(committed)
    assert any("accuracy after 400 steps: 1.0000" in text for text, _ in _printed(fresh))
    assert not list(run_in.iterdir())  # the notebook writes no file


def test_a_trainers_run_returns_a_history_that_draws_and_a_boundary_png():
    from torchcircuits.config import TrainConfig
    from torchcircuits.data import make_dataset
    from torchcircuits.trainer import Trainer

    trainer = Trainer(TrainConfig(model="net", hidden=(8,), lr=0.5, batch=None), make_dataset("moons", n=60, seed=0))
    history = trainer.run(20, record_every=5)
    assert [r["step"] for r in history] == [5, 10, 15, 20]
    assert history._repr_svg_().startswith("<svg")
    assert bytes(trainer.boundary_png(size=32)).startswith(b"\x89PNG")
