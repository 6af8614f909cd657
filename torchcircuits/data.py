"""2-D classification data: the guide's two sets, generated sets, splits and CSV.

A :class:`Dataset` holds points ``X`` (N×2, float64) and class indices
``labels`` (N, int64, in 0..K-1). Binary losses see class 1 as the positive
label +1 and class 0 as -1 (:func:`signs`); the guide's ±1 labels map that way.
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

from .errors import InputError, unknown_name
from .files import atomic_write_text

__all__ = [
    "Dataset",
    "DATASETS",
    "GENERATED",
    "make_dataset",
    "signs",
    "train_test_split",
    "load_csv",
    "save_csv",
    "dataset_from_points",
]


@dataclass(frozen=True)
class Dataset:
    """Points ``X`` (N×2 float64) with class indices ``labels`` (N int64), K classes."""

    X: Tensor
    labels: Tensor
    num_classes: int
    name: str = ""

    def __post_init__(self) -> None:
        if self.X.dim() != 2 or self.X.shape[1] != 2 or self.labels.shape != (self.X.shape[0],):
            raise ValueError(f"expected X of shape (N, 2) and labels of shape (N,), got {tuple(self.X.shape)}")

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def classes_present(self) -> int:
        return int(torch.unique(self.labels).numel())

    def subset(self, index: Tensor, name: str | None = None) -> Dataset:
        return Dataset(self.X[index], self.labels[index], self.num_classes, self.name if name is None else name)

    def with_point(self, x: float, y: float, label: int) -> Dataset:
        """A copy with one more point (labels may add a class)."""
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


@dataclass(frozen=True)
class _Generator:
    make: Callable[[int, float, int, int], tuple[Tensor, Tensor]]
    n: int
    noise: float
    classes: int = 2
    variable_classes: bool = False


GENERATED: dict[str, _Generator] = {
    "blobs": _Generator(_blobs, 100, 0.5, variable_classes=True),
    "xor": _Generator(_xor, 200, 0.05),
    "circle": _Generator(_circle, 200, 0.05),
    "moons": _Generator(_moons, 200, 0.1),
    "spiral": _Generator(_spiral, 300, 0.2, classes=3, variable_classes=True),
}
#: Every data set name, the guide's fixed ones first.
DATASETS: tuple[str, ...] = ("guide", "guide-intro", *GENERATED)


def make_dataset(
    name: str, n: int | None = None, noise: float | None = None, seed: int = 0, classes: int | None = None
) -> Dataset:
    """A data set by name. ``n``, ``noise`` and ``classes`` apply to generated sets only."""
    if name == "guide":
        return dataset_from_points(_GUIDE, "guide")
    if name == "guide-intro":
        return dataset_from_points(_GUIDE_INTRO, "guide-intro")
    if name not in GENERATED:
        raise unknown_name("data set", name, DATASETS)
    gen = GENERATED[name]
    n = gen.n if n is None else n
    noise = gen.noise if noise is None else noise
    classes = gen.classes if classes is None else classes
    if n < 1:
        raise InputError(f"--n must be a positive number of points, got {n}")
    if not (math.isfinite(noise) and noise >= 0):
        raise InputError(f"--noise must be a finite number >= 0, got {noise}")
    if classes != gen.classes and not gen.variable_classes:
        raise InputError(f"data set {name} has exactly {gen.classes} classes; only blobs and spiral take --classes")
    if not 2 <= classes <= 10:
        raise InputError(f"--classes must be between 2 and 10, got {classes}")
    X, labels = gen.make(n, float(noise), seed, classes)
    return Dataset(X, labels, classes, name)


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
def save_csv(data: Dataset, path: str | Path) -> None:
    """Write ``x1,x2,label`` rows; labels are class indices 0..K-1, floats exact (repr).

    Written atomically: a failed save leaves an earlier file as it was.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["x1", "x2", "label"])
    for (x1, x2), label in zip(data.X.tolist(), data.labels.tolist(), strict=True):
        writer.writerow([repr(x1), repr(x2), label])
    atomic_write_text(path, buffer.getvalue())


def _csv_number(text: str, where: str, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {column} must be a number, got {text.strip()!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: {column} must be a finite number, got {text.strip()!r}")
    return value


def load_csv(path: str | Path) -> Dataset:
    """Read ``x1,x2,label`` rows (a header row is optional).

    Labels are -1/+1 (binary; -1 becomes class 0) or 0..K-1. Anything else,
    a missing column, a non-numeric or non-finite value, or a file without
    data rows raises :class:`InputError` naming the file and line.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read data file {path}: {getattr(error, 'strerror', None) or error}") from None
    rows: list[tuple[float, float, float]] = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        where = f"{path.name} line {number}"
        if number == 1 and [c.strip().lower() for c in row] == ["x1", "x2", "label"]:
            continue
        if len(row) != 3:
            raise InputError(f"{where}: expected 3 columns x1,x2,label, got {len(row)}")
        x1 = _csv_number(row[0], where, "x1")
        x2 = _csv_number(row[1], where, "x2")
        label = _csv_number(row[2], where, "label")
        if not label.is_integer() or label < -1 or label > 9:
            raise InputError(f"{where}: label must be -1/+1 or a class index 0..9, got {row[2].strip()!r}")
        rows.append((x1, x2, label))
    if not rows:
        raise InputError(f"{path.name}: no data rows (expected x1,x2,label lines)")
    labels = [int(r[2]) for r in rows]
    if -1 in labels:
        if any(label not in (-1, 1) for label in labels):
            raise InputError(f"{path.name}: labels mix -1 with {sorted(set(labels) - {-1, 1})}: use -1/+1 or 0..K-1")
        labels = [1 if label == 1 else 0 for label in labels]
    elif max(labels) >= 2 and set(labels) != set(range(max(labels) + 1)):
        missing = sorted(set(range(max(labels) + 1)) - set(labels))
        raise InputError(f"{path.name}: class labels must run 0..K-1 without gaps; none has label {missing[0]}")
    X = torch.tensor([[r[0], r[1]] for r in rows], dtype=torch.float64)
    return Dataset(X, torch.tensor(labels, dtype=torch.int64), max(2, max(labels) + 1), path.stem)
