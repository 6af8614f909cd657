"""Data: the guide's two sets, generated classification and regression sets, splits and CSV.

A :class:`Dataset` holds raw points ``X`` (N, D) float64 with D = 1 or 2, and
either class indices ``labels`` (N,) int64 in 0..K-1 (classification, K =
``num_classes`` >= 2) or real targets ``labels`` (N,) float64 (regression,
``num_classes`` = 0). Binary losses see class 1 as the positive label +1 and
class 0 as -1 (:func:`signs`); the guide's ±1 labels map that way.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from .errors import InputError, SettingError, unknown_name
from .files import atomic_write_text

__all__ = [
    "Dataset",
    "DATASETS",
    "GENERATED",
    "CLASSIFICATION_SETS",
    "REGRESSION_SETS",
    "FIXED_SETS",
    "MAX_POINTS",
    "COORDINATE_LIMIT",
    "make_dataset",
    "signs",
    "train_test_split",
    "imbalance",
    "check_imbalance",
    "load_csv",
    "save_csv",
    "dataset_from_points",
]

#: generated sets and CSV files hold at most this many points (16 MB of float64 coordinates)
MAX_POINTS = 1_000_000
#: coordinates and targets beyond this are refused: the plot and the losses are built for moderate numbers
COORDINATE_LIMIT = 1e6


@dataclass(frozen=True)
class Dataset:
    """Points ``X`` (N, D) float64 with class indices (N,) int64, K classes; or real targets, num_classes 0."""

    X: Tensor
    labels: Tensor
    num_classes: int
    name: str = ""

    def __post_init__(self) -> None:
        if self.X.dim() != 2 or self.X.shape[1] not in (1, 2) or self.labels.shape != (self.X.shape[0],):
            raise ValueError(f"expected X of shape (N, 1 or 2) and labels of shape (N,), got {tuple(self.X.shape)}")

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def task(self) -> str:
        """``classification`` (class labels) or ``regression`` (real targets)."""
        return "regression" if self.num_classes == 0 else "classification"

    @property
    def inputs(self) -> int:
        """Raw inputs per point: 1 or 2."""
        return int(self.X.shape[1])

    @property
    def classes_present(self) -> int:
        return 0 if self.task == "regression" else int(torch.unique(self.labels).numel())

    def subset(self, index: Tensor, name: str | None = None) -> Dataset:
        return Dataset(self.X[index], self.labels[index], self.num_classes, self.name if name is None else name)

    def with_point(self, x: float, y: float, label: int) -> Dataset:
        """A copy with one more 2-D point of class ``label`` (which may add a class)."""
        X = torch.cat([self.X, torch.tensor([[x, y]], dtype=torch.float64)])
        labels = torch.cat([self.labels, torch.tensor([label], dtype=torch.int64)])
        return Dataset(X, labels, max(self.num_classes, label + 1), self.name)


def signs(labels: Tensor) -> Tensor:
    """Class indices 0/1 as the binary labels -1/+1 (float64)."""
    return labels.to(torch.float64) * 2.0 - 1.0


def dataset_from_points(points: list[tuple[float, float, int]], name: str = "", num_classes: int = 2) -> Dataset:
    """Build a Dataset from (x1, x2, ±1) rows, the guide's label convention."""
    X = torch.tensor([[p[0], p[1]] for p in points], dtype=torch.float64).reshape(-1, 2)
    labels = torch.tensor([1 if p[2] == 1 else 0 for p in points], dtype=torch.int64)
    return Dataset(X, labels, num_classes, name)


# The guide's Chapter 2 sets, labels ±1.
_GUIDE = [(1.2, 0.7, 1), (-0.3, -0.5, -1), (3.0, 0.1, 1), (-0.1, -1.0, -1), (-1.0, 1.1, -1), (2.1, -3.0, 1)]
_GUIDE_INTRO = [(1.2, 0.7, 1), (-0.3, 0.5, -1), (-3.0, -1.0, 1), (0.1, 1.0, -1), (3.0, 1.1, -1), (2.1, -3.0, 1)]


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _class_sizes(n: int, classes: int) -> list[int]:
    return [n // classes + (1 if j < n % classes else 0) for j in range(classes)]


def _blobs(n: int, noise: float, seed: int, classes: int) -> tuple[Tensor, Tensor]:
    """Gaussian blobs of std ``noise`` around centres 2.83 apart on a circle of radius 2."""
    g = _gen(seed)
    X, labels = [], []
    for j, size in enumerate(_class_sizes(n, classes)):
        angle = math.pi / 4 + 2 * math.pi * j / classes  # two classes: (1.41, 1.41) and (-1.41, -1.41)
        centre = torch.tensor([2.0 * math.cos(angle), 2.0 * math.sin(angle)], dtype=torch.float64)
        X.append(centre + noise * torch.randn(size, 2, generator=g, dtype=torch.float64))
        labels.append(torch.full((size,), j, dtype=torch.int64))
    return torch.cat(X), torch.cat(labels)


def _xor(n: int, noise: float, seed: int, classes: int) -> tuple[Tensor, Tensor]:
    """Points 0.1..1 off the axes; class 1 in quadrants I and III, class 0 in II and IV; jitter ``noise``."""
    g = _gen(seed)
    off, on = _class_sizes(n, 2)
    labels = torch.cat([torch.zeros(off, dtype=torch.int64), torch.ones(on, dtype=torch.int64)])
    magnitude = 0.1 + 0.9 * torch.rand(n, 2, generator=g, dtype=torch.float64)
    first_sign = torch.randint(0, 2, (n,), generator=g).to(torch.float64) * 2.0 - 1.0
    second_sign = torch.where(labels == 1, first_sign, -first_sign)
    X = magnitude * torch.stack([first_sign, second_sign], dim=1)
    return X + noise * torch.randn(n, 2, generator=g, dtype=torch.float64), labels


def _circle(n: int, noise: float, seed: int, classes: int) -> tuple[Tensor, Tensor]:
    """Class 1 inside radius 0.5, class 0 on a ring 0.7..1.0; jitter ``noise``."""
    g = _gen(seed)
    inner, outer = _class_sizes(n, 2)[::-1]
    radius = torch.cat(
        [
            torch.rand(inner, generator=g, dtype=torch.float64) * 0.5,
            0.7 + torch.rand(outer, generator=g, dtype=torch.float64) * 0.3,
        ]
    )
    angle = torch.rand(n, generator=g, dtype=torch.float64) * 2 * math.pi
    X = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    labels = torch.cat([torch.ones(inner, dtype=torch.int64), torch.zeros(outer, dtype=torch.int64)])
    return X + noise * torch.randn(n, 2, generator=g, dtype=torch.float64), labels


def _moons(n: int, noise: float, seed: int, classes: int) -> tuple[Tensor, Tensor]:
    """Two interleaved half circles (as scikit-learn draws them); jitter ``noise``."""
    g = _gen(seed)
    upper, lower = _class_sizes(n, 2)
    t_upper = torch.rand(upper, generator=g, dtype=torch.float64) * math.pi
    t_lower = torch.rand(lower, generator=g, dtype=torch.float64) * math.pi
    X = torch.cat(
        [
            torch.stack([torch.cos(t_upper), torch.sin(t_upper)], dim=1),
            torch.stack([1.0 - torch.cos(t_lower), 0.5 - torch.sin(t_lower)], dim=1),
        ]
    )
    labels = torch.cat([torch.zeros(upper, dtype=torch.int64), torch.ones(lower, dtype=torch.int64)])
    return X + noise * torch.randn(n, 2, generator=g, dtype=torch.float64), labels


def _spiral(n: int, noise: float, seed: int, classes: int) -> tuple[Tensor, Tensor]:
    """cs231n's spiral: per class, radius 0..1 and angle over 4 radians plus noise·N(0,1)."""
    g = _gen(seed)
    X, labels = [], []
    for j, size in enumerate(_class_sizes(n, classes)):
        radius = torch.linspace(0.0, 1.0, size, dtype=torch.float64)
        angle = torch.linspace(j * 4.0, (j + 1) * 4.0, size, dtype=torch.float64)
        angle = angle + noise * torch.randn(size, generator=g, dtype=torch.float64)
        X.append(torch.stack([radius * torch.sin(angle), radius * torch.cos(angle)], dim=1))
        labels.append(torch.full((size,), j, dtype=torch.int64))
    return torch.cat(X), torch.cat(labels)


def _plane(n: int, noise: float, seed: int, classes: int) -> tuple[Tensor, Tensor]:
    """Regression: points uniform in [-2, 2]², target (x1 + x2) / 4 plus noise·N(0, 1) (TF Playground's plane)."""
    g = _gen(seed)
    X = 4.0 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 2.0
    return X, (X[:, 0] + X[:, 1]) / 4.0 + noise * torch.randn(n, generator=g, dtype=torch.float64)


#: (centre x1, centre x2, sign) of the six bumps of the gaussians set: alternating signs on a 3×2 grid
_BUMPS = [(-1.3, 0.8, 1.0), (0.0, 0.8, -1.0), (1.3, 0.8, 1.0), (-1.3, -0.8, -1.0), (0.0, -0.8, 1.0), (1.3, -0.8, -1.0)]


def _gaussians(n: int, noise: float, seed: int, classes: int) -> tuple[Tensor, Tensor]:
    """Regression: points uniform in [-2, 2]², target a sum of six signed Gaussian bumps (σ 0.4) plus noise."""
    g = _gen(seed)
    X = 4.0 * torch.rand(n, 2, generator=g, dtype=torch.float64) - 2.0
    target = torch.zeros(n, dtype=torch.float64)
    for cx, cy, sign in _BUMPS:
        squared = (X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2
        target += sign * torch.exp(-squared / (2 * 0.4**2))
    return X, target + noise * torch.randn(n, generator=g, dtype=torch.float64)


def _sine(n: int, noise: float, seed: int, classes: int) -> tuple[Tensor, Tensor]:
    """Regression, one input: x uniform in [-π, π], target sin x plus noise·N(0, 1)."""
    g = _gen(seed)
    x = (2.0 * torch.rand(n, generator=g, dtype=torch.float64) - 1.0) * math.pi
    return x.unsqueeze(1), torch.sin(x) + noise * torch.randn(n, generator=g, dtype=torch.float64)


@dataclass(frozen=True)
class _Generator:
    make: Callable[[int, float, int, int], tuple[Tensor, Tensor]]
    n: int
    noise: float
    #: 0 for a regression set
    classes: int = 2
    variable_classes: bool = False


GENERATED: dict[str, _Generator] = {
    "blobs": _Generator(_blobs, 100, 0.5, variable_classes=True),
    "xor": _Generator(_xor, 200, 0.05),
    "circle": _Generator(_circle, 200, 0.05),
    "moons": _Generator(_moons, 200, 0.1),
    "spiral": _Generator(_spiral, 300, 0.2, classes=3, variable_classes=True),
    "plane": _Generator(_plane, 200, 0.05, classes=0),
    "gaussians": _Generator(_gaussians, 300, 0.05, classes=0),
    "sine": _Generator(_sine, 200, 0.1, classes=0),
}
#: the guide's Chapter 2 sets: fixed points, no size, noise or classes to choose
FIXED_SETS: tuple[str, ...] = ("guide", "guide-intro")
#: Every data set name, the guide's fixed ones first.
DATASETS: tuple[str, ...] = (*FIXED_SETS, *GENERATED)
CLASSIFICATION_SETS: tuple[str, ...] = (*FIXED_SETS, *(k for k, g in GENERATED.items() if g.classes))
REGRESSION_SETS: tuple[str, ...] = tuple(k for k, g in GENERATED.items() if not g.classes)


def make_dataset(
    name: str, n: int | None = None, noise: float | None = None, seed: int = 0, classes: int | None = None
) -> Dataset:
    """A data set by name. ``n``, ``noise`` and ``classes`` apply to generated sets; the guide's refuse them."""
    if name in FIXED_SETS:
        given = [flag for flag, value in (("n", n), ("noise", noise), ("classes", classes)) if value is not None]
        if given:
            raise SettingError(given[0], f"does not apply to the guide's fixed data set {name}")
        return dataset_from_points(_GUIDE if name == "guide" else _GUIDE_INTRO, name)
    if name not in GENERATED:
        raise unknown_name("data set", name, DATASETS)
    gen = GENERATED[name]
    n = gen.n if n is None else n
    noise = gen.noise if noise is None else noise
    classes = gen.classes if classes is None else classes
    if not 1 <= n <= MAX_POINTS:
        raise SettingError("n", f"must be a number of points from 1 to {MAX_POINTS:,}, got {n}")
    if not (math.isfinite(noise) and 0 <= noise <= 10):
        raise SettingError("noise", f"must be a number from 0 to 10, got {noise}")
    if classes != gen.classes and not gen.variable_classes:
        what = "is a regression set" if not gen.classes else f"has exactly {gen.classes} classes"
        raise SettingError("classes", f"does not apply: data set {name} {what}; only blobs and spiral take it")
    if gen.classes and not 2 <= classes <= 10:
        raise SettingError("classes", f"must be between 2 and 10, got {classes}")
    X, labels = gen.make(n, float(noise), seed, classes)
    return Dataset(X, labels, classes, name)


def check_imbalance(ratio: object) -> float:
    """``ratio`` as a float if it is above 0 and at most 1, else a SettingError naming ``imbalance``."""
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0.0 < ratio <= 1.0:
        raise SettingError("imbalance", f"must be above 0 and at most 1 (smallest class / largest: 1 balanced, "
                                        f"0.1 for 10:1), got {ratio!r}")  # fmt: skip
    return float(ratio)


def imbalance(data: Dataset, ratio: float, seed: int = 0) -> Dataset:
    """A classification set subsampled so its smallest class has ``ratio`` times the points of its largest.

    The kept share falls geometrically over the classes: class k of K keeps a
    share ratio^(k / (K - 1)) of its points (class 0 all of them, the last one
    ``ratio``), at least one each, drawn without replacement with ``seed``; the
    points keep their order. ``ratio`` 1 returns ``data`` itself (balanced, as
    generated); 0.1 makes a 10:1 set from a balanced one.
    """
    if check_imbalance(ratio) == 1.0:
        return data
    if data.task != "classification":
        name = data.name or "the data"
        raise SettingError("imbalance", f"applies to classification sets; {name} is a regression set")
    g = _gen(seed)
    largest = max(int((data.labels == k).sum()) for k in range(data.num_classes))
    keep = []
    for k in range(data.num_classes):
        members = torch.nonzero(data.labels == k)[:, 0]
        share = ratio ** (k / (data.num_classes - 1))
        count = min(len(members), max(1, round(largest * share)))
        keep.append(members[torch.randperm(len(members), generator=g)[:count]])
    return data.subset(torch.sort(torch.cat(keep)).values)


def train_test_split(data: Dataset, test_ratio: float, seed: int = 0) -> tuple[Dataset, Dataset]:
    """Shuffle with ``seed`` and hold out round(N·test_ratio) points, 0 <= ratio < 1."""
    if not (math.isfinite(test_ratio) and 0.0 <= test_ratio < 1.0):
        raise InputError(f"--test-ratio must be at least 0 and below 1, got {test_ratio}")
    n_test = int(round(len(data) * test_ratio))
    if n_test == 0:  # nothing held out: keep the points in their order, so a seed means the same run everywhere
        return data, data.subset(torch.zeros(0, dtype=torch.int64))
    order = torch.randperm(len(data), generator=_gen(seed))
    if n_test == len(data):
        n_test -= 1  # keep at least one training point
    return data.subset(order[n_test:], data.name), data.subset(order[:n_test], data.name)


# --- CSV --------------------------------------------------------------------------
#: header rows and what they declare: the input columns and whether the last column is a class or a target
_HEADERS = {
    ("x1", "x2", "label"): (2, "classification"),
    ("x1", "x2", "target"): (2, "regression"),
    ("x", "target"): (1, "regression"),
    ("x1", "target"): (1, "regression"),
}


def save_csv(data: Dataset, path: str | Path) -> None:
    """Write ``x1,x2,label`` rows (class indices 0..K-1), or ``x1,x2,target`` / ``x,target`` for regression.

    Floats are written exactly (repr). Written atomically: a failed save leaves
    an earlier file as it was.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    inputs = ["x1", "x2"] if data.inputs == 2 else ["x"]
    writer.writerow([*inputs, "label" if data.task == "classification" else "target"])
    for x, label in zip(data.X.tolist(), data.labels.tolist(), strict=True):
        writer.writerow([*(repr(v) for v in x), label if data.task == "classification" else repr(label)])
    atomic_write_text(path, buffer.getvalue())


def _csv_number(text: str, where: str, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {column} must be a number, got {text.strip()[:40]!r}") from None
    if not math.isfinite(value) or abs(value) > COORDINATE_LIMIT:
        limit = f"±{COORDINATE_LIMIT:g}"
        raise InputError(f"{where}: {column} must be a finite number within {limit}, got {text.strip()[:40]!r}")
    return value


def _not_text(path: Path) -> InputError:
    return InputError(f"{path.name} is not a text CSV file: it holds bytes that are not UTF-8 text; "
                      f"a data file is lines of numbers such as 1.5,-0.3,1")  # fmt: skip


def _header_error(path: Path, number: int, row: list[str]) -> InputError:
    """A first row with no number in it is a header; say which headers the reader knows."""
    shown = ",".join(cell.strip() for cell in row)[:60]
    known = " or ".join(",".join(header) for header in _HEADERS)
    return InputError(f"{path.name} line {number}: unknown header {shown!r}: the header must be {known} "
                      f"(any case), or left out for rows x1,x2,label")  # fmt: skip


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row; a byte-order mark (as spreadsheets write) is skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _not_text(path) from None
    except OSError as error:
        raise InputError(f"cannot read data file {path}: {error.strerror or error}") from None
    if "\0" in text:  # decodes as UTF-8 yet holds NUL bytes: a binary file, never a CSV
        raise _not_text(path)
    rows = []
    reader = csv.reader(text.splitlines())
    try:
        for number, row in enumerate(reader, start=1):
            if row and any(cell.strip() for cell in row):
                rows.append((number, row))
    except csv.Error as error:
        raise InputError(f"{path.name} line {reader.line_num}: not CSV ({error})") from None
    return rows


def load_csv(path: str | Path) -> Dataset:
    """Read a data file: a header ``x1,x2,label``, ``x1,x2,target`` or ``x,target``, then one row per point.

    Without a header, rows are ``x1,x2,label``; a first row with no number in
    it is taken for a header and must be one of those. Labels are -1/+1 (binary; -1
    becomes class 0) or 0..K-1 without gaps; targets are real numbers. A
    missing column, a non-numeric, non-finite or huge value, or a file without
    data rows raises :class:`InputError` naming the file and line; so does a
    file that is not UTF-8 text.
    """
    path = Path(path)
    rows = _csv_rows(path)
    inputs, task = 2, "classification"
    if rows and tuple(c.strip().lower() for c in rows[0][1]) in _HEADERS:
        inputs, task = _HEADERS[tuple(c.strip().lower() for c in rows[0][1])]
        rows = rows[1:]
    elif rows and not any(_is_number(cell) for cell in rows[0][1]):
        raise _header_error(path, *rows[0])  # a data row with one typo still has numbers: it gets its cell's error
    if len(rows) > MAX_POINTS:
        raise InputError(f"{path.name}: {len(rows):,} rows; at most {MAX_POINTS:,} points are allowed")
    last = "label" if task == "classification" else "target"
    columns = [*(["x1", "x2"] if inputs == 2 else ["x"]), last]
    points: list[list[float]] = []
    values: list[float] = []
    for number, row in rows:
        where = f"{path.name} line {number}"
        if len(row) != len(columns):
            raise InputError(f"{where}: expected {len(columns)} columns {','.join(columns)}, got {len(row)}")
        points.append([_csv_number(cell, where, column) for cell, column in zip(row[:-1], columns[:-1], strict=True)])
        value = _csv_number(row[-1], where, last)
        if task == "classification" and (not value.is_integer() or value < -1 or value > 9):
            raise InputError(f"{where}: label must be -1/+1 or a class index 0..9, got {row[-1].strip()!r}")
        values.append(value)
    if not rows:
        raise InputError(f"{path.name}: no data rows (expected {','.join(columns)} lines)")
    X = torch.tensor(points, dtype=torch.float64)
    if task == "regression":
        return Dataset(X, torch.tensor(values, dtype=torch.float64), 0, path.stem)
    labels = [int(v) for v in values]
    if -1 in labels:
        if any(label not in (-1, 1) for label in labels):
            raise InputError(f"{path.name}: labels mix -1 with {sorted(set(labels) - {-1, 1})}: use -1/+1 or 0..K-1")
        labels = [1 if label == 1 else 0 for label in labels]
    elif max(labels) >= 2 and set(labels) != set(range(max(labels) + 1)):
        missing = sorted(set(range(max(labels) + 1)) - set(labels))
        raise InputError(f"{path.name}: class labels must run 0..K-1 without gaps; none has label {missing[0]}")
    return Dataset(X, torch.tensor(labels, dtype=torch.int64), max(2, max(labels) + 1), path.stem)
