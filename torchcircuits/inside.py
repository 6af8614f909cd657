"""Inside the net: every layer's outputs, each neuron's pull, and the hidden space, for the app's views.

* :func:`layer_outputs` (from :mod:`torchcircuits.models`, where the scores'
  evaluation uses it too): every layer's output for many points in ONE pass (the
  grid of a plot). The app's network view and its boundary plot share this one
  evaluation per frame.
* :func:`neuron_pulls`: the guide's force on every neuron, -dL/dh, for the
  examples just learned, by a hand backward through the layer stack (the
  pairs of :mod:`torchcircuits.layers`, caches unpacked in reverse).
* :func:`network_state`: what the network view draws besides the pictures:
  weights, their gradient, the pulls and the dead or saturated units.
* :func:`hidden_map`: ConvNetJS's picture: the input plane's grid lines and
  the data mapped into two coordinates of a hidden layer: two of its neurons,
  or its first two principal components computed on the training points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .activations import get_activation
from .features import featurize
from .layers import affine_backward
from .losses import Loss
from .models import ModelSpec, forward_hand, hand_loss_and_grads, layer_outputs
from .monitors import inactive_units

__all__ = [
    "layer_outputs",
    "grid_outputs",
    "subsample_grid",
    "neuron_pulls",
    "NetworkState",
    "network_state",
    "Projection",
    "neuron_projection",
    "pca_projection",
    "grid_lines",
    "HiddenMap",
    "hidden_map",
]


def grid_outputs(params: Mapping[str, Tensor], spec: ModelSpec, features: Sequence[str], grid: Tensor) -> list[Tensor]:
    """[features (G², D), h_1, ..., h_L, scores (G², M)] of raw points ``grid`` (G², 2), in the grid's dtype."""
    inputs = featurize(grid if grid.is_floating_point() else grid.to(torch.float64), features)
    return [inputs, *layer_outputs(params, spec, inputs)]


def subsample_grid(values: Tensor, size: int) -> Tensor:
    """(H, size, size) pictures from values (G², H) on a G×G row-major grid: every (G/size)-th pixel, nearest.

    Thumbnails show the same grid as the large plot, sampled, so a thumbnail
    pixel is exactly a pixel of the large plot (no second evaluation).
    """
    g = int(round(values.shape[0] ** 0.5))
    if g * g != values.shape[0]:
        raise ValueError(f"values must lie on a square grid, got {values.shape[0]} rows")
    size = min(size, g)
    pick = ((torch.arange(size, dtype=torch.float64) + 0.5) * g / size).floor().to(torch.int64)
    square = values.reshape(g, g, -1)
    return square[pick][:, pick].permute(2, 0, 1).contiguous()


def neuron_pulls(params: Mapping[str, Tensor], spec: ModelSpec, loss: Loss, X: Tensor, targets: Tensor) -> list[Tensor]:
    """The pull -dL/dh on every neuron: [(H_1,), ..., (H_L,), (M,)] for the examples X (N, D) just learned.

    L is the data loss averaged over the N examples (the regularization does not
    depend on an activation); each entry sums the pull over the examples, so
    for one example it is that example's pull (the guide's force on the wire).
    The hand backward of :func:`~torchcircuits.models.backward_hand`, keeping dL/dh.
    """
    act = get_activation(spec.activation)
    with torch.no_grad():
        scores, caches = forward_hand(params, spec, X)
        _, dscores = loss.hand(scores, targets)  # (N, M)
        pulls = [-dscores.sum(dim=0)]
        dh = dscores
        # caches: affine 1, activation 1, affine 2, ..., affine L+1 (indices 0, 1, ..., 2L)
        for k in range(spec.depth, 0, -1):
            dx = affine_backward(dh, caches[2 * k])[0]  # (N, H_k): dL/dh_k, the output of hidden layer k
            assert dx is not None  # need_dx defaults to True
            dh = dx
            pulls.append(-dh.sum(dim=0))
            dh = act.backward(dh, caches[2 * k - 1])  # dL/d(pre-activation of layer k)
    return pulls[::-1]


@dataclass(frozen=True)
class NetworkState:
    """The numbers the network view draws on its links and neurons (float64, on the CPU).

    ``weights``, ``grads``: by parameter name (W1, b1, ...), the gradient of the
    loss on the examples just learned at the current weights (data loss plus
    regularization); ``pulls``: -dL/dh per layer as :func:`neuron_pulls`;
    ``inactive``: per hidden layer, bool (H_l,), dead (ReLU) or saturated (tanh,
    sigmoid) on every training point, as :func:`~torchcircuits.monitors.inactive_units`.
    """

    spec: ModelSpec
    features: tuple[str, ...]
    weights: dict[str, Tensor]
    grads: dict[str, Tensor]
    pulls: list[Tensor]
    inactive: list[Tensor]


def network_state(
    params: Mapping[str, Tensor],
    spec: ModelSpec,
    features: Sequence[str],
    loss: Loss,
    train_inputs: Tensor,
    batch_inputs: Tensor,
    batch_targets: Tensor,
    reg: float,
    reg_kind: str,
) -> NetworkState:
    """The weights, their gradient and the pulls on the batch (features (B, D)), the inactive units on the train set.

    ``train_inputs`` (N, D) are the featurized training points the dead-unit test runs on.
    """
    # in the inputs' dtype (a float32 run's parameters are shown against float64 features)
    weights = {name: p.detach().to(batch_inputs.dtype, copy=True) for name, p in params.items()}
    _, _, grads = hand_loss_and_grads(weights, spec, loss, batch_inputs, batch_targets, reg, reg_kind)
    pulls = neuron_pulls(weights, spec, loss, batch_inputs, batch_targets)
    hidden = layer_outputs(weights, spec, train_inputs)[:-1]
    inactive = [inactive_units(h, spec.activation) for h in hidden]
    return NetworkState(spec, tuple(features), weights, grads, pulls, inactive)


# --- the hidden space ----------------------------------------------------------------------
@dataclass(frozen=True)
class Projection:
    """A map from one hidden layer's outputs (N, H) to two coordinates: ``(h - centre) @ axes``."""

    centre: Tensor  # (H,)
    axes: Tensor  # (H, 2)
    labels: tuple[str, str]

    def apply(self, hidden: Tensor) -> Tensor:
        """(N, 2) coordinates of hidden outputs (N, H)."""
        return (hidden.to(self.axes.dtype) - self.centre) @ self.axes


def neuron_projection(width: int, first: int, second: int, layer: int) -> Projection:
    """Two neurons' outputs as the coordinates (0-based indices into a layer of ``width`` units)."""
    for index in (first, second):
        if not 0 <= index < width:
            raise ValueError(f"layer {layer} has neurons 0 to {width - 1}, got {index}")
    axes = torch.zeros(width, 2, dtype=torch.float64)
    axes[first, 0] = axes[second, 1] = 1.0
    return Projection(torch.zeros(width, dtype=torch.float64), axes,
                      (f"layer {layer}, neuron {first}", f"layer {layer}, neuron {second}"))  # fmt: skip


def pca_projection(hidden: Tensor, layer: int) -> Projection:
    """The first two principal components of hidden outputs (N, H) (the training points), centred on their mean.

    Each component's sign is fixed so its largest entry is positive, so the
    picture does not flip between frames. A layer of one unit, or points that
    vary along one direction only, get a zero second axis. The labels state the
    share of the variance each component explains.
    """
    data = hidden.to(torch.float64)
    centre = data.mean(dim=0)
    width = data.shape[1]
    axes = torch.zeros(width, 2, dtype=torch.float64)
    shares = [0.0, 0.0]
    if data.shape[0] > 1:
        _, singular, vt = torch.linalg.svd(data - centre, full_matrices=False)
        total = float((singular**2).sum())
        for k in range(min(2, vt.shape[0])):
            if singular[k] > 0:
                component = vt[k]
                axes[:, k] = component * torch.sign(component[component.abs().argmax()])
                shares[k] = float(singular[k] ** 2) / total
    labels = tuple(f"layer {layer}, PC{k + 1} ({shares[k]:.0%} of the variance)" for k in range(2))
    return Projection(centre, axes, labels)  # type: ignore[arg-type]


def grid_lines(bounds: tuple[float, float, float, float], lines: int = 11, samples: int = 41) -> Tensor:
    """The input plane's grid: (2·lines, samples, 2) points along ``lines`` vertical, then horizontal lines."""
    x0, x1, y0, y1 = bounds
    xs = torch.linspace(x0, x1, lines, dtype=torch.float64)
    ys = torch.linspace(y0, y1, lines, dtype=torch.float64)
    along_x = torch.linspace(x0, x1, samples, dtype=torch.float64)
    along_y = torch.linspace(y0, y1, samples, dtype=torch.float64)
    vertical = torch.stack([xs[:, None].expand(lines, samples), along_y[None, :].expand(lines, samples)], dim=2)
    horizontal = torch.stack([along_x[None, :].expand(lines, samples), ys[:, None].expand(lines, samples)], dim=2)
    return torch.cat([vertical, horizontal])


@dataclass(frozen=True)
class HiddenMap:
    """The data and the input grid in two coordinates of one hidden layer."""

    layer: int  # 1-based
    points: Tensor  # (N, 2) the points given, mapped
    lines: Tensor  # (lines, samples, 2) the grid lines, mapped
    labels: tuple[str, str]


def hidden_map(
    params: Mapping[str, Tensor],
    spec: ModelSpec,
    features: Sequence[str],
    layer: int,
    points: Tensor,
    lines: Tensor,
    neurons: tuple[int, int] | None = None,
) -> HiddenMap:
    """Map raw ``points`` (N, 2) and grid ``lines`` (L, S, 2) into hidden layer ``layer`` (1-based).

    ``neurons``: two 0-based unit indices as the axes; None: the first two
    principal components of the layer's outputs on ``points`` (the training set).
    One forward pass over points and lines together.
    """
    if not 1 <= layer <= spec.depth:
        raise ValueError(f"the model has hidden layers 1 to {spec.depth}, got {layer}")
    n = points.shape[0]
    raw = torch.cat([points.to(torch.float64), lines.reshape(-1, 2).to(torch.float64)])
    hidden = layer_outputs(params, spec, featurize(raw, features))[layer - 1]  # (N + L·S, H)
    width = spec.hidden[layer - 1]
    if neurons is None:
        projection = pca_projection(hidden[:n], layer)
    else:
        projection = neuron_projection(width, neurons[0], neurons[1], layer)
    mapped = projection.apply(hidden)
    return HiddenMap(layer, mapped[:n], mapped[n:].reshape(lines.shape[0], lines.shape[1], 2), projection.labels)
