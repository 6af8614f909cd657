"""The guide's trainable models on three faces, sharing one parameter layout.

Layouts (D = 2 inputs, M scores: 1 for a binary loss, K for a K-class one):

* linear:  ``W`` (2, M), ``b`` (M,);        scores = X W + b
* net:     ``W1`` (2, H), ``b1`` (H,), ``W2`` (H, M), ``b2`` (M,);
           scores = act(X W1 + b1) W2 + b2

The guide's names map onto them: the SVM's a, b, c are W[0,0], W[1,0], b[0];
the 2-layer net's a_i, b_i, c_i are W1[0,i], W1[1,i], b1[i] and a4, b4, c4, d4
are W2[:,0], b2[0].

Faces, all returning ``(data_loss, reg_loss, grads)`` with grads by name (the
regularization loss as a float):

* :func:`scalar_loss_and_grads`: every parameter a Unit, one expression per
  example, ``Unit.backward()`` (the guide's style; slow, for small checks);
* :func:`hand_loss_and_grads`: vectorized forward and hand-written backward
  from :mod:`torchcircuits.layers` and :mod:`torchcircuits.losses`;
* :class:`LinearClassifier` / :class:`TwoLayerNet` with
  :func:`torch_loss_and_grads`: ``torch.nn.Module`` s and autograd.

The loss is mean data loss + regularization, where regularization is
``reg · Σ w²`` (L2) or ``reg · Σ |w|`` (L1) over the weight matrices only,
never the biases. The guide's spring (pull -w on each weight) is L2 with
reg = 0.5.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .errors import InputError, unknown_name
from .layers import activation_pair, affine_backward, affine_forward
from .losses import Loss
from .units import Unit

__all__ = [
    "ModelSpec",
    "ARCHITECTURES",
    "REGULARIZERS",
    "INITS",
    "init_params",
    "weight_names",
    "regularization",
    "scores_hand",
    "evaluate_scores",
    "hand_loss_and_grads",
    "loss_value",
    "scalar_loss_and_grads",
    "LinearClassifier",
    "TwoLayerNet",
    "build_module",
    "torch_loss_and_grads",
]

ARCHITECTURES = ("linear", "net")
REGULARIZERS = ("l2", "l1")
INITS = ("guide", "uniform", "small", "he")

Params = dict[str, Tensor]


@dataclass(frozen=True)
class ModelSpec:
    """Architecture, number of scores, and for the net its width and activation."""

    architecture: str = "linear"
    outputs: int = 1
    hidden: int = 3
    activation: str = "relu"

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise unknown_name("architecture", self.architecture, ARCHITECTURES)
        if self.outputs < 1:
            raise InputError(f"a model needs at least one score, got {self.outputs}")
        if self.architecture == "net":
            if self.hidden < 1:
                raise InputError(f"--hidden must be a positive number of neurons, got {self.hidden}")
            activation_pair(self.activation)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        if self.architecture == "linear":
            return {"W": (2, self.outputs), "b": (self.outputs,)}
        return {"W1": (2, self.hidden), "b1": (self.hidden,), "W2": (self.hidden, self.outputs), "b2": (self.outputs,)}


def weight_names(spec: ModelSpec) -> tuple[str, ...]:
    """The regularized parameters: the weight matrices, not the biases."""
    return ("W",) if spec.architecture == "linear" else ("W1", "W2")


def init_params(spec: ModelSpec, init: str, generator: torch.Generator) -> Params:
    """Fresh float64 parameters.

    * ``guide``: the guide's starting points: for a linear model with one score
      a=1, b=-2, c=-1; otherwise uniform in [-0.5, 0.5] like its 2-layer net;
    * ``uniform``: every parameter uniform in [-0.5, 0.5];
    * ``small``: weights 0.01·N(0, 1), biases 0 (cs231n's);
    * ``he``: weights N(0, 2/fan_in), biases 0.
    """
    if init not in INITS:
        raise unknown_name("init", init, INITS)
    if init == "guide" and spec.architecture == "linear" and spec.outputs == 1:
        return {
            "W": torch.tensor([[1.0], [-2.0]], dtype=torch.float64),
            "b": torch.tensor([-1.0], dtype=torch.float64),
        }
    params = {}
    for name, shape in spec.shapes().items():
        is_bias = len(shape) == 1
        if init in ("guide", "uniform"):
            params[name] = torch.rand(shape, generator=generator, dtype=torch.float64) - 0.5
        elif is_bias:
            params[name] = torch.zeros(shape, dtype=torch.float64)
        else:
            scale = 0.01 if init == "small" else math.sqrt(2.0 / shape[0])
            params[name] = scale * torch.randn(shape, generator=generator, dtype=torch.float64)
    return params


def regularization(params: Mapping[str, Tensor], spec: ModelSpec, reg: float, kind: str) -> tuple[float, Params]:
    """(reg loss as a float, its gradient for each weight matrix)."""
    if kind not in REGULARIZERS:
        raise unknown_name("regularization", kind, REGULARIZERS)
    names = weight_names(spec)
    weights = [params[name] for name in names]
    # a handful of scalars: reading them as floats costs less than more tensor ops on CPU
    if kind == "l2":
        loss = reg * sum(norm.item() ** 2 for norm in torch._foreach_norm(weights))
        grads = torch._foreach_mul(weights, 2.0 * reg)
    else:
        loss = reg * sum(norm.item() for norm in torch._foreach_norm(weights, 1))
        grads = torch._foreach_mul(torch._foreach_sign(weights), reg)  # sign is 0 at exactly 0, as torch's abs
    return loss, dict(zip(names, grads, strict=True))


def _targets(loss: Loss, labels: Tensor) -> Tensor:
    """Binary losses take ±1 labels (class 1 is +1); K-class losses the indices."""
    return labels.to(torch.float64) * 2.0 - 1.0 if loss.binary else labels


# --- face (b): vectorized, hand-written backward ------------------------------------
def _forward_cache(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor) -> tuple[Tensor, tuple]:
    if spec.architecture == "linear":
        scores, cache = affine_forward(X, params["W"], params["b"])
        return scores, (cache,)
    act_forward, _ = activation_pair(spec.activation)
    pre, cache1 = affine_forward(X, params["W1"], params["b1"])
    hidden, act_cache = act_forward(pre)
    scores, cache2 = affine_forward(hidden, params["W2"], params["b2"])
    return scores, (cache1, act_cache, cache2)


def scores_hand(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor) -> Tensor:
    """Scores (N, M) of points X (N, 2), without autograd."""
    with torch.no_grad():
        return _forward_cache(params, spec, X)[0]


_IN_PLACE = {"relu": torch.relu_, "tanh": torch.tanh_, "sigmoid": torch.sigmoid_}


def evaluate_scores(params: Mapping[str, Tensor], spec: ModelSpec, X: Tensor) -> Tensor:
    """Scores (N, M) for many points at once (a plot's grid): no cache, fused bias adds, in-place activation.

    Computes in ``X``'s dtype, so a float32 grid costs half the memory traffic of float64.
    """
    with torch.no_grad():
        p = {name: t.to(X.dtype) for name, t in params.items()}
        if spec.architecture == "linear":
            return torch.nn.functional.linear(X, p["W"].T.contiguous(), p["b"])
        # measured here: mm + in-place bias and activation beats addmm's broadcast for (N, 2) @ (2, H)
        hidden = _IN_PLACE[spec.activation](torch.mm(X, p["W1"]).add_(p["b1"]))
        return torch.nn.functional.linear(hidden, p["W2"].T.contiguous(), p["b2"])


def loss_value(
    params: Mapping[str, Tensor], spec: ModelSpec, loss: Loss, X: Tensor, labels: Tensor, reg: float, reg_kind: str
) -> tuple[Tensor, float]:
    """(mean data loss, regularization loss) without the backward pass."""
    scores = scores_hand(params, spec, X)
    targets = _targets(loss, labels)
    data_loss = loss.hand(scores[:, 0] if loss.binary else scores, targets)[0]
    return data_loss, regularization(params, spec, reg, reg_kind)[0]


def hand_loss_and_grads(
    params: Mapping[str, Tensor], spec: ModelSpec, loss: Loss, X: Tensor, labels: Tensor, reg: float, reg_kind: str
) -> tuple[Tensor, float, Params]:
    """Mean data loss, regularization loss, and the hand-derived gradient of their sum."""
    scores, caches = _forward_cache(params, spec, X)
    targets = _targets(loss, labels)
    if loss.binary:
        data_loss, dscores = loss.hand(scores[:, 0], targets)
        dscores = dscores.unsqueeze(1)
    else:
        data_loss, dscores = loss.hand(scores, targets)
    if spec.architecture == "linear":
        _, dW, db = affine_backward(dscores, caches[0], need_dx=False)
        grads = {"W": dW, "b": db}
    else:
        _, act_backward = activation_pair(spec.activation)
        cache1, act_cache, cache2 = caches
        dhidden, dW2, db2 = affine_backward(dscores, cache2)
        _, dW1, db1 = affine_backward(act_backward(dhidden, act_cache), cache1, need_dx=False)
        grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    reg_loss, reg_grads = regularization(params, spec, reg, reg_kind)
    torch._foreach_add_([grads[name] for name in reg_grads], list(reg_grads.values()))
    return data_loss, reg_loss, grads


# --- face (a): scalar Units, the guide's style ----------------------------------------
def _unit_scores(units: Mapping[str, list], spec: ModelSpec, x: tuple[float, float]) -> list[Unit]:
    def affine(inputs, W, b):
        outs = []
        for j in range(len(b)):
            total = b[j]
            for i, value in enumerate(inputs):
                total = total + W[i][j] * value
            outs.append(total)
        return outs

    if spec.architecture == "linear":
        return affine(x, units["W"], units["b"])
    pre = affine(x, units["W1"], units["b1"])
    hidden = [getattr(p, spec.activation)() for p in pre]
    return affine(hidden, units["W2"], units["b2"])


def scalar_loss_and_grads(
    params: Mapping[str, Tensor], spec: ModelSpec, loss: Loss, X: Tensor, labels: Tensor, reg: float, reg_kind: str
) -> tuple[float, float, Params]:
    """The same loss and gradient, one Unit per parameter, one expression per example."""
    units: dict[str, list] = {}
    flat: dict[str, list[Unit]] = {}
    for name, tensor in params.items():
        positions = itertools.product(*(range(size) for size in tensor.shape))
        cells = [Unit(v, label=f"{name}{list(i)}") for i, v in zip(positions, tensor.flatten().tolist(), strict=True)]
        flat[name] = cells
        units[name] = cells if tensor.dim() == 1 else [cells[r * tensor.shape[1] : (r + 1) * tensor.shape[1]]
                                                      for r in range(tensor.shape[0])]  # fmt: skip
    n = X.shape[0]
    data_total = None
    for x, c in zip(X.tolist(), labels.tolist(), strict=True):
        scores = _unit_scores(units, spec, (x[0], x[1]))
        term = loss.units(scores, (2 * c - 1) if loss.binary else c)
        data_total = term if data_total is None else data_total + term
    data = data_total * (1.0 / n)
    reg_total = Unit(0.0)
    for name in weight_names(spec):
        for w in flat[name]:
            reg_total = reg_total + reg * (w * w if reg_kind == "l2" else _abs_unit(w))
    total = data + reg_total
    total.backward()
    grads = {
        name: torch.tensor([u.grad for u in cells], dtype=torch.float64).reshape(params[name].shape)
        for name, cells in flat.items()
    }
    return data.value, reg_total.value, grads


def _abs_unit(w: Unit) -> Unit:
    # relu(w) + relu(-w) has gradient sign(w), and 0 at w = 0 exactly as torch's abs
    return w.relu() + (-w).relu()


# --- face (c): torch.nn.Module and autograd -----------------------------------------------
class LinearClassifier(nn.Module):
    """scores = X @ W + b; parameters ``W`` (2, M) and ``b`` (M,)."""

    def __init__(self, outputs: int) -> None:
        super().__init__()
        self.W = nn.Parameter(torch.zeros(2, outputs, dtype=torch.float64))
        self.b = nn.Parameter(torch.zeros(outputs, dtype=torch.float64))

    def forward(self, X: Tensor) -> Tensor:
        return X @ self.W + self.b


class TwoLayerNet(nn.Module):
    """scores = act(X @ W1 + b1) @ W2 + b2, with the layout of :class:`ModelSpec`."""

    def __init__(self, hidden: int, outputs: int, activation: str = "relu") -> None:
        super().__init__()
        activation_pair(activation)
        self.activation = activation
        self.W1 = nn.Parameter(torch.zeros(2, hidden, dtype=torch.float64))
        self.b1 = nn.Parameter(torch.zeros(hidden, dtype=torch.float64))
        self.W2 = nn.Parameter(torch.zeros(hidden, outputs, dtype=torch.float64))
        self.b2 = nn.Parameter(torch.zeros(outputs, dtype=torch.float64))

    def forward(self, X: Tensor) -> Tensor:
        act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[self.activation]
        return act(X @ self.W1 + self.b1) @ self.W2 + self.b2


def build_module(spec: ModelSpec, params: Mapping[str, Tensor] | None = None) -> nn.Module:
    """The nn.Module of a spec, its parameters copied from ``params`` when given."""
    if spec.architecture == "linear":
        module: nn.Module = LinearClassifier(spec.outputs)
    else:
        module = TwoLayerNet(spec.hidden, spec.outputs, spec.activation)
    if params is not None:
        with torch.no_grad():
            for name, parameter in module.named_parameters():
                parameter.copy_(params[name])
    return module


def torch_loss_and_grads(
    module: nn.Module, spec: ModelSpec, loss: Loss, X: Tensor, labels: Tensor, reg: float, reg_kind: str
) -> tuple[Tensor, float, Params]:
    """Mean data loss, regularization loss and their autograd gradient (module grads are set)."""
    params = dict(module.named_parameters())
    for p in params.values():
        p.grad = None
    scores = module(X)
    targets = _targets(loss, labels)
    data_loss = loss.torch(scores[:, 0], targets) if loss.binary else loss.torch(scores, targets)
    weights = [params[name] for name in weight_names(spec)]
    terms = [(w * w).sum() if reg_kind == "l2" else w.abs().sum() for w in weights]
    reg_loss = reg * (terms[0] if len(terms) == 1 else torch.stack(terms).sum())
    (data_loss + reg_loss).backward()
    # the .grad tensors themselves: the next call sets them to None before writing new ones
    grads = {name: p.grad for name, p in params.items()}
    return data_loss.detach(), float(reg_loss.detach()), grads
