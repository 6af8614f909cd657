"""What a notebook shows: an expression as its circuit, a run's curves, a model's decision boundary.

Jupyter asks an object for ``_repr_svg_`` (or ``_repr_png_``) and shows the
picture; nothing here imports Qt, IPython or a plotting library.

* :func:`unit_svg`: a :class:`~torchcircuits.units.Unit` as its circuit diagram, the
  same drawing as ``torchcircuits draw`` (``Unit._repr_svg_`` calls it);
* :class:`History` and :func:`history_chart`: a trainer's records as a small SVG
  chart of the loss and the accuracy (or RMSE) against the step;
* :func:`boundary_png`: a trained 2-D classifier's scores over the plane, the data on
  top, as a PNG written by the standard library (zlib + struct), so the library
  stays free of Qt: the app's painter is a plugin, and a notebook must work without it.
"""

from __future__ import annotations

import html
import math
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

import torch

from .diagram import diagram_of, to_svg
from .errors import InputError
from .files import atomic_write_bytes
from .units import Unit

__all__ = ["unit_svg", "History", "history_chart", "PNGImage", "png_bytes", "boundary_png", "CLASS_COLOURS"]


def unit_svg(out: Unit) -> str:
    """The circuit that computed ``out`` as SVG; a graph too large to draw is a one-line SVG that says so."""
    try:
        return to_svg(diagram_of(out))
    except InputError as error:
        text = html.escape(str(error))
        width = 12 + 7 * len(text)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="30" font-family="DejaVu Sans, '
                f'Arial, sans-serif" font-size="12"><text x="6" y="19" fill="#c62828">{text}</text></svg>')  # fmt: skip


# --- history -----------------------------------------------------------------------------------
#: the chart's series: (record key, legend, colour); the metric panel shows accuracy or, for regression, RMSE
_LOSS_SERIES = (("train_loss", "train loss", "#0072b2"), ("test_loss", "test loss", "#d55e00"))
_ACCURACY_SERIES = (("train_accuracy", "train accuracy", "#0072b2"), ("test_accuracy", "test accuracy", "#d55e00"))
_RMSE_SERIES = (("train_rmse", "train RMSE", "#0072b2"), ("test_rmse", "test RMSE", "#d55e00"))
#: at most this many points per curve: a long history is thinned evenly (the last record always kept)
_MAX_POINTS = 400


class History(list):
    """A trainer's history (the list ``Trainer.run`` returns, one dict per record) that draws itself.

    Each record holds ``step`` and the evaluation's ``train_loss``, ``test_loss``,
    ``train_accuracy`` … (see :class:`~torchcircuits.trainer.Evaluation`).
    """

    def _repr_svg_(self) -> str:
        return history_chart(self)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _panel(records: Sequence[dict], series: tuple, x0: float, width: float, height: float, title: str,
           unit_range: bool) -> list[str]:  # fmt: skip
    """One chart panel at x0: axes, the min and max of each axis written at its ends, a polyline per series."""
    top, bottom, left, right = 28.0, height - 34.0, x0 + 52.0, x0 + width - 12.0
    present = [s for s in series if any(_finite(r.get(s[0])) for r in records)]
    values = [r[key] for key, *_ in present for r in records if _finite(r.get(key))]
    steps = [r["step"] for r in records if _finite(r.get("step"))]
    out = [f'<text x="{x0 + 8:.0f}" y="16" font-weight="bold">{html.escape(title)}</text>']
    if not values or not steps:
        out.append(f'<text x="{left:.0f}" y="{(top + bottom) / 2:.0f}" fill="#666">no finite values</text>')
        return out
    lo, hi = (0.0, 1.0) if unit_range else (min(values), max(values))
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    s0, s1 = min(steps), max(steps)
    s1 = s1 if s1 > s0 else s0 + 1

    def xy(step: float, value: float) -> tuple[float, float]:
        return left + (step - s0) / (s1 - s0) * (right - left), bottom - (value - lo) / (hi - lo) * (bottom - top)

    out.append(f'<polyline points="{left:.0f},{top:.0f} {left:.0f},{bottom:.0f} {right:.0f},{bottom:.0f}" '
               'fill="none" stroke="#333"/>')  # fmt: skip
    for value, y in ((hi, top), (lo, bottom)):
        out.append(f'<text x="{left - 4:.0f}" y="{y + 4:.0f}" text-anchor="end" fill="#444">{value:.4g}</text>')
    for step, anchor in ((s0, "start"), (s1, "end")):
        out.append(f'<text x="{xy(step, lo)[0]:.0f}" y="{bottom + 16:.0f}" text-anchor="{anchor}" fill="#444">'
                   f"{step:g}</text>")  # fmt: skip
    out.append(f'<text x="{(left + right) / 2:.0f}" y="{bottom + 16:.0f}" text-anchor="middle" fill="#444">step</text>')
    for i, (key, legend, colour) in enumerate(present):
        runs: list[list[str]] = [[]]
        for record in records:
            value, step = record.get(key), record.get("step")
            if isinstance(value, int | float) and isinstance(step, int | float) and _finite(value) and _finite(step):
                px, py = xy(step, value)
                runs[-1].append(f"{px:.1f},{py:.1f}")
            elif runs[-1]:  # a gap where a value is missing or not finite
                runs.append([])
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{colour}"/>')
            elif run:
                out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        out.append(f'<text x="{x0 + 90 + 110 * i:.0f}" y="16" fill="{colour}">{html.escape(legend)}</text>')
    return out


def _thin(records: Sequence[dict], limit: int = _MAX_POINTS) -> list[dict]:
    if len(records) <= limit:
        return list(records)
    every = math.ceil(len(records) / limit)
    kept = list(records[::every])
    return kept if kept[-1] is records[-1] else [*kept, records[-1]]


def history_chart(history: Sequence[dict], width: int = 720, height: int = 220) -> str:
    """The records of ``Trainer.run`` as an SVG chart: loss on the left, accuracy (0–1) or RMSE on the right.

    Missing and non-finite values leave gaps; past 400 records the curves are
    thinned evenly. ``width`` and ``height`` are in pixels.
    """
    records = _thin([r for r in history if isinstance(r, dict)])
    regression = any(_finite(r.get("train_rmse")) for r in records)
    metric, title = (_RMSE_SERIES, "RMSE") if regression else (_ACCURACY_SERIES, "accuracy")
    half = width / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        *_panel(records, _LOSS_SERIES, 0.0, half, height, "loss", unit_range=False),
        *_panel(records, metric, half, half, height, title, unit_range=not regression),
        "</svg>",
    ]
    return "\n".join(parts)


# --- PNG --------------------------------------------------------------------------------------
class PNGImage(bytes):
    """PNG file contents that a notebook shows as the picture (``_repr_png_``); still plain bytes."""

    def _repr_png_(self) -> bytes:
        return bytes(self)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(rgb: torch.Tensor) -> bytes:
    """An RGB image (H, W, 3) uint8, top row first, encoded as a PNG file (8-bit truecolour, no filter)."""
    if rgb.dim() != 3 or rgb.shape[2] != 3 or rgb.dtype != torch.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {tuple(rgb.shape)} {rgb.dtype}")
    h, w, _ = rgb.shape
    rows = torch.cat([torch.zeros(h, 1, dtype=torch.uint8), rgb.reshape(h, w * 3)], dim=1)  # filter byte 0 per row
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    body = zlib.compress(rows.contiguous().numpy().tobytes(), 6)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


# --- decision boundary ---------------------------------------------------------------------------
#: class colours, Okabe and Ito's colour-blind-safe palette (the app's too): class 0 blue, class 1 vermillion, ...
CLASS_COLOURS = torch.tensor(
    [[0, 114, 178], [213, 94, 0], [0, 158, 115], [230, 159, 0], [204, 121, 167],
     [86, 180, 233], [240, 228, 66], [120, 90, 40], [90, 90, 90], [160, 170, 20]],
    dtype=torch.float32,
)  # fmt: skip
#: one score's map runs from class 0's colour (score -3) through white (0) to class 1's (+3), washed halfway
_SCORE_RANGE = 3.0
_MAX_PIXELS = 1000


def _square_bounds(X: torch.Tensor, pad: float = 0.15) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): a square around the points with a margin, at least 2 units wide."""
    lo, hi = X.min(dim=0).values, X.max(dim=0).values
    centre = (lo + hi) / 2
    half = max(float((hi - lo).max()) / 2 * (1 + pad), 1.0)
    cx, cy = float(centre[0]), float(centre[1])
    return cx - half, cx + half, cy - half, cy + half


def _colour_scores(scores: torch.Tensor) -> torch.Tensor:
    """(G, G, M) scores to (G, G, 3) float colours; the boundary (where the class changes) in black."""
    scores = torch.nan_to_num(scores.to(torch.float32), nan=0.0, posinf=1e6, neginf=-1e6)
    white = torch.full((3,), 255.0)
    if scores.shape[2] == 1:
        s = scores[:, :, 0]
        t = (s / _SCORE_RANGE).clamp(-1.0, 1.0).unsqueeze(2)
        towards = torch.where(t > 0, CLASS_COLOURS[1], CLASS_COLOURS[0])
        rgb = white + 0.5 * t.abs() * (towards - white)  # at most halfway to the class colour: points stand out
        classes = (s > 0).to(torch.int64)
    else:
        classes = scores.argmax(dim=2)
        sure = torch.softmax(scores, dim=2).max(dim=2).values.unsqueeze(2)
        k = scores.shape[2]
        strength = 0.1 + 0.45 * (sure - 1.0 / k) / (1.0 - 1.0 / k)
        rgb = white + strength * (CLASS_COLOURS[classes % len(CLASS_COLOURS)] - white)
    edge = torch.zeros(classes.shape, dtype=torch.bool)
    edge[:, :-1] |= classes[:, :-1] != classes[:, 1:]
    edge[:-1, :] |= classes[:-1, :] != classes[1:, :]
    rgb[edge] = 0.0
    return rgb


def _draw_points(rgb: torch.Tensor, pixels: torch.Tensor, labels: torch.Tensor, radius: float) -> None:
    """Discs in their class colour with a white rim, at pixel centres (N, 2) given as (column, row)."""
    size = rgb.shape[0]
    reach = int(radius + 2.5)
    for (c, r), label in zip(pixels.tolist(), labels.tolist(), strict=True):
        r0, r1 = max(0, int(r) - reach), min(size, int(r) + reach + 1)
        c0, c1 = max(0, int(c) - reach), min(size, int(c) + reach + 1)
        if r0 >= r1 or c0 >= c1:  # a point outside the picture
            continue
        rows = torch.arange(r0, r1, dtype=torch.float32).view(-1, 1)
        cols = torch.arange(c0, c1, dtype=torch.float32).view(1, -1)
        distance = ((rows - r) ** 2 + (cols - c) ** 2).sqrt()
        patch = rgb[r0:r1, c0:c1]
        patch[distance <= radius + 1.5] = 255.0
        patch[distance <= radius] = CLASS_COLOURS[label % len(CLASS_COLOURS)]


def boundary_png(trainer, path: str | Path | None = None, size: int = 200) -> PNGImage:
    """A trained 2-D classifier's decision boundary as a PNG ``size`` × ``size`` pixels; written to ``path`` if given.

    The scores over a square around the training points (one score: class 0's
    colour through white to class 1's over [-3, 3]; K scores: the arg-max class's
    colour, paler where the softmax is less sure), the boundary in black, the
    training points on top. Returns the PNG's bytes, which a notebook shows as
    the picture. InputError for a regression set, 1-D inputs or a bad size.
    """
    data = trainer.train_set
    if data.task != "classification" or data.inputs != 2:
        kind = "a regression set" if data.task != "classification" else f"{data.inputs}-D inputs"
        raise InputError(f"a decision boundary needs a classification set with 2-D inputs, got {kind}")
    if not isinstance(size, int) or not 16 <= size <= _MAX_PIXELS:
        raise InputError(f"size must be a whole number of pixels from 16 to {_MAX_PIXELS}, got {size!r}")
    x0, x1, y0, y1 = _square_bounds(data.X)
    xs = torch.linspace(x0, x1, size + 1, dtype=torch.float64)
    ys = torch.linspace(y1, y0, size + 1, dtype=torch.float64)  # the top row of the image is the largest y
    xs, ys = (xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)  # (size², 2)
    with torch.no_grad():
        scores = trainer.scores(grid).reshape(size, size, -1)
    rgb = _colour_scores(scores)
    pixels = torch.stack([(data.X[:, 0] - x0) / (x1 - x0), (y1 - data.X[:, 1]) / (y1 - y0)], dim=1) * size - 0.5
    _draw_points(rgb, pixels.to(torch.float32), data.labels, radius=max(2.0, size / 60))
    image = PNGImage(png_bytes(rgb.round().clamp(0, 255).to(torch.uint8)))
    if path is not None:
        try:
            atomic_write_bytes(path, image)
        except OSError as error:
            raise InputError(f"cannot write {path}: {error.strerror or error}") from None
    return image
