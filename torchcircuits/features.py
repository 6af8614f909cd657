"""Feature inputs: the columns a model sees, computed from the raw points in one place.

TensorFlow Playground's seven for 2-D points (x1, x2, x1², x2², x1·x2, sin x1,
sin x2); a 1-D data set has x1 only, so only the features of x1 apply. The
trainer, the plot's grid and the test set all go through :func:`featurize`, so
every face sees the same inputs; gradients are with respect to the parameters,
never the features.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from .errors import SettingError

__all__ = ["FEATURES", "featurize", "default_features", "check_features", "parse_features"]

#: name -> (raw inputs it needs, the column from raw points X (N, D))
FEATURES: dict[str, tuple[int, Callable[[Tensor], Tensor]]] = {
    "x1": (1, lambda X: X[:, 0]),
    "x2": (2, lambda X: X[:, 1]),
    "x1sq": (1, lambda X: X[:, 0] * X[:, 0]),
    "x2sq": (2, lambda X: X[:, 1] * X[:, 1]),
    "x1x2": (2, lambda X: X[:, 0] * X[:, 1]),
    "sinx1": (1, lambda X: torch.sin(X[:, 0])),
    "sinx2": (2, lambda X: torch.sin(X[:, 1])),
}


def default_features(raw_dims: int) -> tuple[str, ...]:
    """The raw inputs themselves: (x1,) for 1-D points, (x1, x2) for 2-D ones."""
    return ("x1", "x2")[:raw_dims]


def parse_features(text: object) -> tuple[str, ...]:
    """``x1,x2,x1sq`` -> ('x1', 'x2', 'x1sq'); SettingError on an unknown, repeated or empty name."""
    if isinstance(text, (list, tuple)):
        names = [str(n).strip() for n in text]
    elif isinstance(text, str):
        names = [n.strip() for n in text.split(",")]
    else:
        raise SettingError("features", f"must be a comma-separated list of {', '.join(FEATURES)}, got {text!r}")
    if not names or any(not n for n in names):
        raise SettingError("features", f"must be a comma-separated list of {', '.join(FEATURES)}, got {text!r}")
    for name in names:
        if name not in FEATURES:
            raise SettingError("features", f"has unknown feature {name!r}: choose from {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise SettingError("features", f"names a feature twice: {', '.join(names)}")
    return tuple(names)


def check_features(names: Sequence[str], raw_dims: int) -> None:
    """SettingError when a feature needs an input the data does not have (x2 of 1-D data)."""
    for name in names:
        if FEATURES[name][0] > raw_dims:
            usable = ", ".join(n for n, (need, _) in FEATURES.items() if need <= raw_dims)
            raise SettingError("features", f"{name} needs x2, and the data has one input: choose from {usable}")


def featurize(X: Tensor, names: Sequence[str]) -> Tensor:
    """The feature matrix (N, len(names)) of raw points X (N, D), in X's dtype."""
    if tuple(names) == default_features(X.shape[1]):
        return X  # the raw inputs: no copy
    return torch.stack([FEATURES[name][1](X) for name in names], dim=1)
