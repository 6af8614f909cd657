"""The layer stack: a model of any depth on three faces, sharing one parameter layout.

A model is a list of (affine, activation) layers ending in an affine layer, as
cs231n's ``FullyConnectedNet``. D inputs (the features), hidden widths
H1..HL, M scores (1 for a one-score loss, K for a K-class one):

* no hidden layer (linear models): ``W`` (D, M), ``b`` (M,);  scores = X W + b
* L hidden layers: ``W1`` (D, H1), ``b1`` (H1,), ..., ``W{L+1}`` (HL, M), ``b{L+1}`` (M,);
  h_1 = act(X W1 + b1), ..., scores = h_L W{L+1} + b{L+1}

The guide's names map onto them: the SVM's a, b, c are W[0,0], W[1,0], b[0];
the 2-layer net's a_i, b_i, c_i are W1[0,i], W1[1,i], b1[i] and a4, b4, c4, d4
are W2[:,0], b2[0].

Faces, each returning ``(data_loss, reg_loss, grads)`` with grads by name:

* :func:`scalar_loss_and_grads`: every parameter a Unit, one expression per
  example, ``Unit.backward()`` (the guide's style; slow, for small checks);
* :func:`hand_loss_and_grads`: :func:`forward_hand` and :func:`backward_hand`,
  one loop over the layers each way, with the pairs of :mod:`torchcircuits.layers`;
* :class:`LayerStack` with :func:`torch_loss_and_grads`: a ``torch.nn.Module``
  and autograd.

The loss is the mean data loss (or the weighted mean, given per-example
``weights``) plus the regularization of :mod:`torchcircuits.regularizers` over
the weight matrices (never the biases).

Dropout: every face takes optional ``masks``, one (N, H_l) tensor per hidden
layer, multiplied into that layer's activation (inverted dropout: a mask holds
0 or 1/(1-p), so evaluation needs no rescaling). The trainer draws them once per
step and passes the same masks to every face; without masks nothing is dropped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .activations import get_activation
from .errors import SettingError, unknown_name
from .layers import affine_backward, affine_forward
from .losses import Loss
from .regularizers import DEFAULT_L1_RATIO, regularization, regularization_torch, regularization_units
from .units import Unit

__all__ = [
    "ModelSpec",
    "INITS",
    "BIAS_INITS",
    "MAX_WIDTH",
    "MAX_DEPTH",
    "init_params",
    "weight_names",
    "forward_hand",
    "dropout_masks",
    "backward_hand",
    "scores_hand",
    "evaluate_scores",
    "layer_outputs",
    "forward_hidden",
    "hidden_activations",
    "hand_loss_and_grads",
    "loss_value",
    "scalar_loss_and_grads",
    "LayerStack",
    "build_module",
    "forward_torch",
    "autograd_loss_and_grads",
    "torch_loss_and_grads",
]

INITS = ("guide", "uniform", "small", "he", "xavier", "zero", "large")
#: how the output bias starts: as the init draws it, or from the data (Karpathy's "init the final bias well")
BIAS_INITS = ("init", "zero", "target-mean", "prior")
#: widths and depths beyond these are refused before anything is allocated
MAX_WIDTH = 4096
MAX_DEPTH = 8

Params = dict[str, Tensor]


@dataclass(frozen=True)
class ModelSpec:
    """The shape of a layer stack: inputs D, hidden widths, scores M, the hidden activation."""

    inputs: int = 2
    hidden: tuple[int, ...] = ()
    outputs: int = 1
    activation: str = "relu"

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(self.hidden))
        if self.inputs < 1 or self.outputs < 1:
            raise SettingError("model", f"needs at least one input and one score, got {self.inputs} and {self.outputs}")
        check_hidden(self.hidden)
        get_activation(self.activation)

    @property
    def depth(self) -> int:
        """The number of hidden layers (0 for a linear model)."""
        return len(self.hidden)

    def layer_names(self) -> list[tuple[str, str]]:
        """(weight name, bias name) of each affine layer, input to output."""
        if not self.hidden:
            return [("W", "b")]
        return [(f"W{i}", f"b{i}") for i in range(1, len(self.hidden) + 2)]

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's shape by name, in layer order (W1, b1, W2, b2, ...)."""
        widths = [self.inputs, *self.hidden, self.outputs]
        shapes: dict[str, tuple[int, ...]] = {}
        for (w, b), fan_in, fan_out in zip(self.layer_names(), widths[:-1], widths[1:], strict=True):
            shapes[w] = (fan_in, fan_out)
            shapes[b] = (fan_out,)
        return shapes


def check_hidden(hidden: Sequence[int]) -> None:
    """SettingError unless every width is a whole number in 1..MAX_WIDTH and there are at most MAX_DEPTH."""
    if len(hidden) > MAX_DEPTH:
        raise SettingError("hidden", f"allows at most {MAX_DEPTH} hidden layers, got {len(hidden)}")
    for width in hidden:
        if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_WIDTH:
            raise SettingError("hidden", f"widths must be whole numbers from 1 to {MAX_WIDTH}, got {width!r}")


def weight_names(spec: ModelSpec) -> tuple[str, ...]:
    """The regularized parameters: the weight matrices, not the biases."""
    return tuple(w for w, _ in spec.layer_names())


def init_params(spec: ModelSpec, init: str, generator: torch.Generator) -> Params:
    """Fresh float64 parameters, drawn in layer order from ``generator``.

    * ``guide``: the guide's starting points: for the one-score linear model on
      two inputs a=1, b=-2, c=-1; otherwise uniform in [-0.5, 0.5] like its 2-layer net;
    * ``uniform``: every parameter uniform in [-0.5, 0.5];
    * ``small``: weights 0.01·N(0, 1), biases 0 (cs231n's);
    * ``he``: weights N(0, 2/fan_in), biases 0 (for ReLUs);
    * ``xavier``: weights N(0, 2/(fan_in + fan_out)), biases 0 (Glorot's, for tanh and sigmoid);
    * ``zero``: every parameter 0: every hidden unit computes the same and gets the same
      gradient, so they stay identical (the symmetry failure);
    * ``large``: weights N(0, 1), biases 0: 100 times ``small``, large enough to saturate
      tanh and sigmoid units and blow up the scores (cs231n's warning).
    """
    if init not in INITS:
        raise unknown_name("init", init, INITS)
    if init == "guide" and spec.depth == 0 and spec.outputs == 1 and spec.inputs == 2:
        return {
            "W": torch.tensor([[1.0], [-2.0]], dtype=torch.float64),
            "b": torch.tensor([-1.0], dtype=torch.float64),
        }
    params = {}
    for name, shape in spec.shapes().items():
        is_bias = len(shape) == 1
        if init == "zero":
            params[name] = torch.zeros(shape, dtype=torch.float64)
        elif init in ("guide", "uniform"):
            params[name] = torch.rand(shape, generator=generator, dtype=torch.float64) - 0.5
        elif is_bias:
            params[name] = torch.zeros(shape, dtype=torch.float64)
        else:
            fan_in, fan_out = shape
            scale = {"small": 0.01, "he": math.sqrt(2.0 / fan_in), "xavier": math.sqrt(2.0 / (fan_in + fan_out)),
                     "large": 1.0}[init]  # fmt: skip
            params[name] = scale * torch.randn(shape, generator=generator, dtype=torch.float64)
    return params


def dropout_masks(n: int, widths: Sequence[int], p: float, generator: torch.Generator) -> list[Tensor]:
    """Inverted-dropout masks (n, H_l) float64, one per hidden width: 0 with probability p, else 1/(1-p)."""
    keep = 1.0 - p
    return [(torch.rand(n, width, generator=generator, dtype=torch.float64) < keep).to(torch.float64) / keep
            for width in widths]  # fmt: skip


# --- face (b): vectorized, hand-written backward ------------------------------------
def forward_hand(
    params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor, masks: Sequence[Tensor] | None = None
) -> tuple[Tensor, list]:
    """Scores (N, M) of inputs X (N, D), and the caches of every layer in forward order.

    ``masks``: dropout masks (N, H_l) per hidden layer, applied after its activation.
    """
    act = get_activation(spec.activation)
    layers = spec.layer_names()
    caches = []
    h = X
    for i, (w, b) in enumerate(layers):
        h, affine_cache = affine_forward(h, params[w], params[b])  # (N, width)
        caches.append(affine_cache)
        if i < len(layers) - 1:
            h, act_cache = act.forward(h)
            caches.append(act_cache)
            if masks is not None:
                h = h * masks[i]  # (N, H_i): dropped units output 0, kept ones 1/(1-p) times more
    return h, caches


def backward_hand(dscores: Tensor, caches: list, spec: ModelSpec, masks: Sequence[Tensor] | None = None) -> Params:
    """The gradient of every parameter from dscores (N, M), unpacking the caches in reverse.

    ``masks``: the dropout masks the forward pass used (a dropped unit passes no gradient).
    """
    act = get_activation(spec.activation)
    layers = spec.layer_names()
    caches = list(caches)
    grads: Params = {}
    dh = dscores
    for i in reversed(range(len(layers))):
        if i < len(layers) - 1:
            if masks is not None:
                dh = dh * masks[i]
            dh = act.backward(dh, caches.pop())
        w, b = layers[i]
        dh, grads[w], grads[b] = affine_backward(dh, caches.pop(), need_dx=i > 0)  # the data needs no gradient
    return {name: grads[name] for name in spec.shapes()}


def scores_hand(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor) -> Tensor:
    """Scores (N, M) of inputs X (N, D), without autograd."""
    with torch.no_grad():
        return forward_hand(params, spec, X)[0]


def forward_hidden(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor) -> tuple[Tensor, list[Tensor]]:
    """Scores (N, M) of inputs X (N, D) and each hidden layer's output (N, H_l), first layer first; no autograd.

    The same arithmetic as :func:`forward_hand`; an evaluation reads its loss,
    its metrics and the dead units off this one pass.
    """
    act = get_activation(spec.activation)
    layers = spec.layer_names()
    outputs = []
    with torch.no_grad():
        h = X
        for i, (w, b) in enumerate(layers):
            h = h @ params[w] + params[b]
            if i < len(layers) - 1:
                h = act.torch(h)
                outputs.append(h)
    return h, outputs


def hidden_activations(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor) -> list[Tensor]:
    """Each hidden layer's output (N, H_l) for inputs X (N, D), first layer first."""
    return forward_hidden(params, spec, X)[1]


def layer_outputs(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor) -> list[Tensor]:
    """[h_1 (N, H_1), ..., h_L (N, H_L), scores (N, M)] for many points X (N, D) at once (a plot's grid).

    No cache, no autograd, fused bias adds, in-place activation; computes in
    ``X``'s dtype, so a float32 grid costs half the memory traffic of float64.
    """
    act = get_activation(spec.activation)
    layers = spec.layer_names()
    outputs = []
    with torch.no_grad():
        h = X
        for i, (w, b) in enumerate(layers):
            W, bias = params[w].to(X.dtype), params[b].to(X.dtype)
            if i == len(layers) - 1:
                outputs.append(torch.nn.functional.linear(h, W.T.contiguous(), bias))
            else:
                # measured here: mm + in-place bias and activation beats addmm's broadcast for (N, 2) @ (2, H);
                # a fresh tensor each layer, so in place is safe
                h = act.in_place(torch.mm(h, W).add_(bias))
                outputs.append(h)
    return outputs


def evaluate_scores(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor) -> Tensor:
    """Scores (N, M) for many points at once: :func:`layer_outputs`' last. Equal to :func:`scores_hand` up to
    X's dtype (tested)."""
    return layer_outputs(params, spec, X)[-1]


def loss_value(
    params: Mapping[str, Tensor],
    spec: ModelSpec,
    loss: Loss,
    X: Tensor,
    targets: Tensor,
    reg: float,
    reg_kind: str,
    *,
    l1_ratio: float = DEFAULT_L1_RATIO,
    weights: Tensor | None = None,
    scores: Tensor | None = None,
) -> tuple[Tensor, float]:
    """(mean data loss, regularization loss) without the backward pass; targets as ``loss.targets`` makes them.

    ``scores``: the model's scores of X when already computed (an evaluation's one forward pass).
    """
    if scores is None:
        scores = scores_hand(params, spec, X)
    with torch.no_grad():
        data_loss = loss.hand(scores, targets, weights)[0]
    return data_loss, regularization(params, weight_names(spec), reg, reg_kind, l1_ratio)[0]


def hand_loss_and_grads(
    params: Mapping[str, Tensor],
    spec: ModelSpec,
    loss: Loss,
    X: Tensor,
    targets: Tensor,
    reg: float,
    reg_kind: str,
    *,
    l1_ratio: float = DEFAULT_L1_RATIO,
    weights: Tensor | None = None,
    masks: Sequence[Tensor] | None = None,
) -> tuple[Tensor, float, Params]:
    """Mean data loss, regularization loss, and the hand-derived gradient of their sum.

    ``weights`` (N,): per-example weights of the data loss; ``masks``: dropout masks (see the module's docstring).
    """
    with torch.no_grad():
        scores, caches = forward_hand(params, spec, X, masks)
        data_loss, dscores = loss.hand(scores, targets, weights)
        grads = backward_hand(dscores, caches, spec, masks)
        reg_loss, reg_grads = regularization(params, weight_names(spec), reg, reg_kind, l1_ratio)
        for name, dreg in reg_grads.items():
            grads[name] = grads[name] + dreg
    return data_loss, reg_loss, grads


# --- face (a): scalar Units, the guide's style ----------------------------------------
def _unit_affine(inputs: Sequence[Unit | float], W: list[list[Unit]], b: list[Unit]) -> list[Unit]:
    outs = []
    for j in range(len(b)):
        total = b[j]
        for i, value in enumerate(inputs):
            total = total + W[i][j] * value
        outs.append(total)
    return outs


def scalar_loss_and_grads(
    params: Mapping[str, Tensor],
    spec: ModelSpec,
    loss: Loss,
    X: Tensor,
    targets: Tensor,
    reg: float,
    reg_kind: str,
    *,
    l1_ratio: float = DEFAULT_L1_RATIO,
    weights: Tensor | None = None,
    masks: Sequence[Tensor] | None = None,
) -> tuple[float, float, Params]:
    """The same loss and gradient, one Unit per parameter, one expression per example."""
    act = get_activation(spec.activation)
    grid: dict[str, list] = {}
    flat: dict[str, list[Unit]] = {}
    for name, tensor in params.items():
        positions = itertools.product(*(range(size) for size in tensor.shape))
        cells = [Unit(v, label=f"{name}{list(i)}") for i, v in zip(positions, tensor.flatten().tolist(), strict=True)]
        flat[name] = cells
        if tensor.dim() == 1:
            grid[name] = cells
        else:
            width = tensor.shape[1]
            grid[name] = [cells[r * width : (r + 1) * width] for r in range(tensor.shape[0])]
    layers = spec.layer_names()
    n = X.shape[0]
    shares = [1.0 / n] * n if weights is None else (weights / weights.sum()).tolist()
    data_total = None
    for row, (x, target) in enumerate(zip(X.tolist(), targets.tolist(), strict=True)):
        h: list = x
        for i, (w, b) in enumerate(layers):
            h = _unit_affine(h, grid[w], grid[b])
            if i < len(layers) - 1:
                h = [act.unit(u) for u in h]
                if masks is not None:
                    h = [u * m for u, m in zip(h, masks[i][row].tolist(), strict=True)]
        term = loss.units(h, target) if weights is None else loss.units(h, target) * shares[row]
        data_total = term if data_total is None else data_total + term
    data = data_total * (1.0 / n) if weights is None else data_total
    reg_total = regularization_units([grid[w] for w in weight_names(spec)], reg, reg_kind, l1_ratio)
    total = data + reg_total
    total.backward()
    grads = {
        name: torch.tensor([u.grad for u in cells], dtype=torch.float64).reshape(params[name].shape)
        for name, cells in flat.items()
    }
    return data.value, reg_total.value, grads


# --- face (c): torch.nn.Module and autograd -----------------------------------------------
class LayerStack(nn.Module):
    """The layer stack as a ``torch.nn.Module``: parameters named as :meth:`ModelSpec.shapes`."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.spec = spec
        self.act = get_activation(spec.activation).torch
        for name, shape in spec.shapes().items():
            self.register_parameter(name, nn.Parameter(torch.zeros(shape, dtype=torch.float64)))

    def forward(self, X: Tensor, masks: Sequence[Tensor] | None = None) -> Tensor:
        """Scores (N, M) of X (N, D); ``masks`` (N, H_l) per hidden layer apply dropout after each activation."""
        return forward_torch(dict(self.named_parameters()), self.spec, X, masks)


def forward_torch(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor, masks: Sequence[Tensor] | None = None
                  ) -> Tensor:  # fmt: skip
    """Scores (N, M) of X (N, D) straight from the parameter tensors; autograd records it when they require grad.

    The module's forward, without ``nn.Module.__call__`` (its hooks cost about 10 µs a call, measured here).
    """
    act = get_activation(spec.activation).torch
    layers = spec.layer_names()
    h = X
    for i, (w, b) in enumerate(layers):
        h = h @ params[w] + params[b]  # (N, width)
        if i < len(layers) - 1:
            h = act(h)
            if masks is not None:
                h = h * masks[i]
    return h


def build_module(spec: ModelSpec, params: Mapping[str, Tensor] | None = None) -> LayerStack:
    """The nn.Module of a spec, its parameters copied from ``params`` when given."""
    module = LayerStack(spec)
    if params is not None:
        with torch.no_grad():
            for name, parameter in module.named_parameters():
                parameter.copy_(params[name])
    return module


def torch_loss_and_grads(
    module: nn.Module,
    spec: ModelSpec,
    loss: Loss,
    X: Tensor,
    targets: Tensor,
    reg: float,
    reg_kind: str,
    *,
    l1_ratio: float = DEFAULT_L1_RATIO,
    weights: Tensor | None = None,
    masks: Sequence[Tensor] | None = None,
) -> tuple[Tensor, float, Params]:
    """Mean data loss, regularization loss and their autograd gradient (the module's grads are set)."""
    params = dict(module.named_parameters())
    data_loss, reg_loss, grads = autograd_loss_and_grads(params, spec, loss, X, targets, reg, reg_kind,
                                                         l1_ratio=l1_ratio, weights=weights, masks=masks)  # fmt: skip
    for name, p in params.items():
        p.grad = grads[name]
    return data_loss, reg_loss, grads


def autograd_loss_and_grads(
    params: Mapping[str, Tensor],
    spec: ModelSpec,
    loss: Loss,
    X: Tensor,
    targets: Tensor,
    reg: float,
    reg_kind: str,
    *,
    l1_ratio: float = DEFAULT_L1_RATIO,
    weights: Tensor | None = None,
    masks: Sequence[Tensor] | None = None,
) -> tuple[Tensor, float, Params]:
    """Mean data loss, regularization loss and their autograd gradient, from leaf tensors that require grad.

    ``torch.autograd.grad`` hands the gradients back instead of accumulating them
    into each ``.grad``, so nothing needs zeroing between steps.
    """
    data_loss = loss.torch(forward_torch(params, spec, X, masks), targets, weights)
    reg_loss = regularization_torch([params[w] for w in weight_names(spec)], reg, reg_kind, l1_ratio)
    grads = torch.autograd.grad(data_loss + reg_loss, list(params.values()))
    return data_loss.detach(), reg_loss.item(), dict(zip(params, grads, strict=True))
