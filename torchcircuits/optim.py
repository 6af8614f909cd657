"""Optimizers over a name → tensor dict: SGD (with momentum, Nesterov), RMSprop, Adam and L-BFGS.

Each optimizer is torch.optim's algorithm written out plainly, one line per
quantity, and tested step for step against torch.optim (float64, 1e-12):

* ``sgd``:     ``v = μ·v + g`` (v = g on the first step), ``p -= lr·v``; Nesterov steps by ``g + μ·v``;
* ``rmsprop``: ``s = α·s + (1-α)·g²``, ``p -= lr·g / (√s + ε)``;
* ``adam``:    ``m = β1·m + (1-β1)·g``, ``v = β2·v + (1-β2)·g²``, bias-corrected ``m̂ = m/(1-β1^t)``,
  ``v̂ = v/(1-β2^t)``, ``p -= lr·m̂ / (√v̂ + ε)``;
* ``lbfgs``:   torch.optim.LBFGS itself, driven by a closure that returns (loss, gradients by name).

The guide's update ``p += step_size · pull`` is SGD with μ = 0 and pull = -g.
:meth:`Optimizer.propose` computes new values without touching anything, so
the trainer can check them (finite?) before :meth:`Optimizer.commit` writes
them; ``state_dict()`` is JSON-ready and ``load_state_dict`` refuses anything
that does not fit the parameters with one :class:`InputError` line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from .errors import InputError, SettingError, unknown_name
from .schedules import number_text
from .tensors import from_json_list

__all__ = [
    "Proposal",
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adam",
    "LBFGS",
    "OPTIMIZERS",
    "make_optimizer",
    "sgd_state_from_velocity",
]

#: a closure for L-BFGS: (loss as a float, gradients by parameter name) at the current parameter values
Closure = Callable[[], "tuple[float, Mapping[str, Tensor]]"]


@dataclass(frozen=True)
class Proposal:
    """New values not yet applied: the caller checks them (finite?) before :meth:`Optimizer.commit`."""

    params: dict[str, Tensor]  # new parameter values, same names and shapes
    state: dict  # the optimizer's state after the step (opaque to the caller)


# --- checking settings -------------------------------------------------------------------
def _show(value: object) -> str:
    """A number as a user would type it (``0``, ``1.5``); anything else as its repr."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return number_text(value)
    return repr(value)


def _checked(value: object, setting: str, rule: str, ok: Callable[[float], bool]) -> float:
    """``value`` as a float when it is a finite number with ``ok(value)``, else SettingError ``{setting} {rule}``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not ok(value):
        raise SettingError(setting, f"{rule}, got {_show(value)}")
    return float(value)


def _check_lr(lr: object) -> float:
    return _checked(lr, "lr", "must be a positive step size", lambda x: x > 0)


def _check_eps(eps: object) -> float:
    return _checked(eps, "eps", "must be > 0", lambda x: x > 0)


def _check_betas(betas: object) -> tuple[float, float]:
    rule = "must be two numbers in [0, 1)"
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise SettingError("betas", f"{rule}, got {_show(betas)}")
    try:
        return tuple(_checked(b, "betas", rule, lambda x: 0 <= x < 1) for b in betas)  # type: ignore[return-value]
    except SettingError:
        raise SettingError("betas", f"{rule}, got {_show(tuple(betas))}") from None


# --- the base class --------------------------------------------------------------------------
class Optimizer:
    """An update rule over a name → tensor dict, its state kept between steps.

    Subclasses name their per-parameter buffers (``buffers``) and write the
    update of one parameter in :meth:`_update`; the state is ``{"step": t,
    buffer: {name: tensor}}`` with t the number of committed steps.
    """

    name: ClassVar[str]
    needs_closure: ClassVar[bool] = False
    #: the per-parameter tensors the state keeps, by key (torch's names)
    buffers: ClassVar[tuple[str, ...]] = ()
    #: step with :meth:`_update_foreach` (False: the plain per-tensor :meth:`_update`; tested equal bit for bit)
    foreach: bool = True
    lr: float

    def __init__(self) -> None:
        self.state: dict = {}

    def _update(self, p: Tensor, g: Tensor, buffers: Mapping[str, Tensor], t: int) -> tuple[Tensor, dict[str, Tensor]]:
        """(new value of one parameter, its new buffers) for step t (1 on the first step); pure."""
        raise NotImplementedError

    def _required(self) -> tuple[str, ...]:
        """The buffers a state past step 0 must hold (all of them unless a setting leaves one unused)."""
        return self.buffers

    def _update_foreach(
        self, p: list[Tensor], g: list[Tensor], buffers: Mapping[str, list[Tensor]], t: int
    ) -> tuple[list[Tensor], dict[str, list[Tensor]]]:
        """:meth:`_update` for all parameters at once, with the same ops in the same order (so equal bit for bit).

        torch._foreach ops: one call per line instead of one per line and tensor (measured 1.3-1.5x faster
        per propose + commit for the guide's 4-tensor nets, see docs/optimizers.md).
        """
        raise NotImplementedError

    def propose(self, params: Mapping[str, Tensor], grads: Mapping[str, Tensor]) -> Proposal:
        """The step's new parameters and state, computed out of place: mutates nothing."""
        if set(grads) != set(params):
            raise ValueError(f"gradients for {sorted(grads)} do not match the parameters {sorted(params)}")
        t = self.state.get("step", 0) + 1
        names = list(params)
        p, g = [params[n] for n in names], [grads[n] for n in names]
        previous = {key: [self.state[key][n] for n in names] for key in self.buffers if key in self.state}
        with torch.no_grad():  # the parameters may be nn.Parameters: the update is no part of their graph
            if self.foreach:
                new_p, new_buffers = self._update_foreach(p, g, previous, t)
            else:
                new_p, new_buffers = [], {}
                for i in range(len(names)):
                    p_new, updated = self._update(p[i], g[i], {key: b[i] for key, b in previous.items()}, t)
                    new_p.append(p_new)
                    for key, value in updated.items():
                        new_buffers.setdefault(key, []).append(value)
        state = {key: dict(zip(names, values, strict=True)) for key, values in new_buffers.items()}
        return Proposal(dict(zip(names, new_p, strict=True)), {"step": t, **state})

    def commit(self, params: MutableMapping[str, Tensor], proposal: Proposal) -> None:
        """Write the proposal's values into ``params`` in place (they may be nn.Parameters) and keep its state."""
        with torch.no_grad():
            torch._foreach_copy_(list(params.values()), [proposal.params[n] for n in params])
        self.state = proposal.state

    def step(self, params: MutableMapping[str, Tensor], grads: Mapping[str, Tensor]) -> None:
        """Update ``params`` in place: ``commit(params, propose(params, grads))``."""
        self.commit(params, self.propose(params, grads))

    def reset(self) -> None:
        """Forget the state (momentum, moments, step count)."""
        self.state = {}

    # --- saving and restoring ---------------------------------------------------------------
    def state_dict(self) -> dict:
        """The state as JSON-ready data: ``{"kind", "step", buffer: {name: nested list}}``."""
        saved: dict = {"kind": self.name, "step": self.state.get("step", 0)}
        for key in self.buffers:
            if key in self.state:
                saved[key] = {name: value.tolist() for name, value in self.state[key].items()}
        return saved

    def load_state_dict(self, state: dict, params: Mapping[str, Tensor]) -> None:
        """Restore :meth:`state_dict`'s output for these ``params``; InputError on anything that does not fit."""
        what = f"the saved {self.name} state"
        _check_header(state, self.name, {"step", *self.buffers})
        step = state.get("step", 0)
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise InputError(f"{what}: step must be a whole number >= 0, got {step!r}")
        missing = [key for key in self._required() if key not in state]
        if step > 0 and missing:
            raise InputError(f"{what} at step {step} lacks {', '.join(missing)}")
        loaded: dict = {"step": step}
        for key in self.buffers:
            if key in state:
                loaded[key] = _tensors_by_name(state[key], params, f"{what}'s {key}")
        self.state = loaded


def _check_header(state: object, kind: str, allowed: set[str]) -> None:
    """InputError unless ``state`` is a dict saved by a ``kind`` optimizer with only ``allowed`` keys."""
    if not isinstance(state, dict):
        raise InputError(f"the saved optimizer state must be a dict, got {type(state).__name__}")
    if state.get("kind") != kind:
        raise InputError(f"the saved optimizer state is for {state.get('kind')!r}, not {kind}")
    unknown = sorted(str(key) for key in state if key != "kind" and key not in allowed)
    if unknown:
        raise InputError(f"the saved {kind} state has unknown keys: {', '.join(unknown)}")


def _tensors_by_name(saved: object, params: Mapping[str, Tensor], what: str) -> dict[str, Tensor]:
    """``{name: nested list}`` for exactly the parameters' names, each of its parameter's shape."""
    if not isinstance(saved, dict):
        raise InputError(f"{what} must map parameter names to nested lists")
    if set(saved) != set(params):
        missing, unknown = sorted(set(params) - set(saved)), sorted(map(str, set(saved) - set(params)))
        raise InputError(f"{what} does not fit the parameters (missing: {missing}, unknown: {unknown})")
    tensors = {}
    for name, p in params.items():
        tensors[name] = from_json_list(saved[name], tuple(p.shape), f"{what}[{name}]", p.dtype).to(p.device)
    return tensors


# --- the elementwise optimizers -------------------------------------------------------------
class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum, as torch.optim.SGD (dampening 0).

    torch's documented form: ``v = μ·v + g`` (v = g on the first step: the buffer starts at 0),
    ``p = p - lr·v``; with Nesterov the step is ``g + μ·v`` instead of v. μ = 0 is plain SGD.
    """

    name = "sgd"
    buffers = ("momentum_buffer",)

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False) -> None:
        super().__init__()
        self.lr = _check_lr(lr)
        self.momentum = _checked(momentum, "momentum", "must be at least 0 and below 1", lambda x: 0 <= x < 1)
        if nesterov and self.momentum == 0:
            raise SettingError("nesterov", "needs momentum > 0")
        self.nesterov = bool(nesterov)

    def _required(self) -> tuple[str, ...]:
        # no momentum buffer is a fresh one (v = g on the next step), as torch does when momentum is switched on
        return ()

    def _update(self, p: Tensor, g: Tensor, buffers: Mapping[str, Tensor], t: int) -> tuple[Tensor, dict[str, Tensor]]:
        lr, momentum = self.lr, self.momentum
        if momentum == 0:
            return p - lr * g, {}
        v = buffers.get("momentum_buffer", torch.zeros_like(p))
        v = momentum * v + g
        step = g + momentum * v if self.nesterov else v
        p_new = p - lr * step
        return p_new, {"momentum_buffer": v}

    def _update_foreach(self, p, g, buffers, t):
        lr, momentum = self.lr, self.momentum
        if momentum == 0:
            return torch._foreach_sub(p, torch._foreach_mul(g, lr)), {}
        v = buffers.get("momentum_buffer") or [torch.zeros_like(x) for x in p]
        v = torch._foreach_add(torch._foreach_mul(v, momentum), g)
        step = torch._foreach_add(g, torch._foreach_mul(v, momentum)) if self.nesterov else v
        p_new = torch._foreach_sub(p, torch._foreach_mul(step, lr))
        return p_new, {"momentum_buffer": v}


def sgd_state_from_velocity(velocity: Mapping[str, object]) -> dict:
    """The SGD ``state_dict`` that holds these momentum buffers ({name: nested list}), e.g. from an old session."""
    return {"kind": SGD.name, "step": 0, "momentum_buffer": dict(velocity)} if velocity else {"kind": SGD.name}


class RMSprop(Optimizer):
    """RMSprop as torch.optim.RMSprop (centered=False, momentum 0).

    torch's documented form: ``s = α·s + (1-α)·g²`` (s starts at 0), ``p = p - lr·g / (√s + ε)``.
    """

    name = "rmsprop"
    buffers = ("square_avg",)

    def __init__(self, lr: float, alpha: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__()
        self.lr = _check_lr(lr)
        self.alpha = _checked(alpha, "alpha", "must be in [0, 1)", lambda x: 0 <= x < 1)
        self.eps = _check_eps(eps)

    def _update(self, p: Tensor, g: Tensor, buffers: Mapping[str, Tensor], t: int) -> tuple[Tensor, dict[str, Tensor]]:
        lr, alpha, eps = self.lr, self.alpha, self.eps
        s = buffers.get("square_avg", torch.zeros_like(p))
        s = alpha * s + (1 - alpha) * g * g
        p_new = p - lr * g / (s.sqrt() + eps)
        return p_new, {"square_avg": s}

    def _update_foreach(self, p, g, buffers, t):
        lr, alpha, eps = self.lr, self.alpha, self.eps
        s = buffers.get("square_avg") or [torch.zeros_like(x) for x in p]
        s = torch._foreach_add(torch._foreach_mul(s, alpha), torch._foreach_mul(torch._foreach_mul(g, 1 - alpha), g))
        denominator = torch._foreach_add(torch._foreach_sqrt(s), eps)
        p_new = torch._foreach_sub(p, torch._foreach_div(torch._foreach_mul(g, lr), denominator))
        return p_new, {"square_avg": s}


class Adam(Optimizer):
    """Adam as torch.optim.Adam (amsgrad=False, no weight decay: our L2 is in the loss).

    torch's documented form: ``m = β1·m + (1-β1)·g``, ``v = β2·v + (1-β2)·g²`` (both start at 0),
    ``m̂ = m / (1-β1^t)``, ``v̂ = v / (1-β2^t)``, ``p = p - lr·m̂ / (√v̂ + ε)``: ε is added after the
    square root of the bias-corrected v, as torch does.
    """

    name = "adam"
    buffers = ("exp_avg", "exp_avg_sq")

    def __init__(self, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__()
        self.lr = _check_lr(lr)
        self.betas = _check_betas(betas)
        self.eps = _check_eps(eps)

    def _update(self, p: Tensor, g: Tensor, buffers: Mapping[str, Tensor], t: int) -> tuple[Tensor, dict[str, Tensor]]:
        lr, (beta1, beta2), eps = self.lr, self.betas, self.eps
        m = buffers.get("exp_avg", torch.zeros_like(p))
        v = buffers.get("exp_avg_sq", torch.zeros_like(p))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p_new = p - lr * m_hat / (v_hat.sqrt() + eps)
        return p_new, {"exp_avg": m, "exp_avg_sq": v}

    def _update_foreach(self, p, g, buffers, t):
        lr, (beta1, beta2), eps = self.lr, self.betas, self.eps
        m = buffers.get("exp_avg") or [torch.zeros_like(x) for x in p]
        v = buffers.get("exp_avg_sq") or [torch.zeros_like(x) for x in p]
        m = torch._foreach_add(torch._foreach_mul(m, beta1), torch._foreach_mul(g, 1 - beta1))
        v = torch._foreach_add(torch._foreach_mul(v, beta2), torch._foreach_mul(torch._foreach_mul(g, 1 - beta2), g))
        m_hat = torch._foreach_div(m, 1 - beta1**t)
        v_hat = torch._foreach_div(v, 1 - beta2**t)
        denominator = torch._foreach_add(torch._foreach_sqrt(v_hat), eps)
        p_new = torch._foreach_sub(p, torch._foreach_div(torch._foreach_mul(m_hat, lr), denominator))
        return p_new, {"exp_avg": m, "exp_avg_sq": v}


# --- L-BFGS: torch's own, driven by a closure -------------------------------------------------
LINE_SEARCHES = (None, "strong_wolfe")

#: torch.optim.LBFGS's state keys (kept on its first parameter)
_LBFGS_KEYS = {
    "func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "al"
}


class LBFGS(Optimizer):
    """L-BFGS: torch.optim.LBFGS itself (its defaults: 20 iterations a step, history 100), over named parameters.

    Each step may evaluate the loss several times, so it needs a closure:
    :meth:`step_closure` takes one that returns ``(loss, grads by name)`` at the
    parameters' current values and sets each ``p.grad`` from those grads for
    torch. The parameters must be the same leaf tensors (nn.Parameters) on
    every step, since torch's optimizer holds them.
    """

    name = "lbfgs"
    needs_closure = True

    def __init__(self, lr: float = 1.0, line_search: str | None = None) -> None:
        super().__init__()
        self.lr = _check_lr(lr)
        if line_search not in LINE_SEARCHES:
            raise SettingError("line_search", f"must be none or strong_wolfe, got {_show(line_search)}")
        self.line_search = line_search
        self._torch: torch.optim.LBFGS | None = None
        self._params: dict[str, Tensor] = {}

    def _bind(self, params: Mapping[str, Tensor], fresh: bool = False) -> torch.optim.LBFGS:
        """torch's LBFGS over these parameter tensors (made on first use; the same tensors every step)."""
        if self._torch is None or fresh:
            self._params = dict(params)
            self._torch = torch.optim.LBFGS(list(params.values()), lr=self.lr, line_search_fn=self.line_search)
        elif list(params) != list(self._params) or any(p is not params[n] for n, p in self._params.items()):
            raise ValueError("L-BFGS steps the same parameter tensors every time: pass the ones of its first step")
        return self._torch

    def step_closure(self, params: Mapping[str, Tensor], closure: Closure) -> float:
        """One L-BFGS step (up to 20 evaluations of ``closure``); returns the loss at the start of the step."""
        lbfgs = self._bind(params)
        lbfgs.param_groups[0]["lr"] = self.lr  # a schedule may have changed it

        def torch_closure() -> float:
            loss, grads = closure()
            for name, p in params.items():
                p.grad = grads[name].detach().contiguous()  # torch reads p.grad.view(-1)
            return float(loss)

        return float(lbfgs.step(torch_closure))

    def propose(self, params: Mapping[str, Tensor], grads: Mapping[str, Tensor]) -> Proposal:
        raise TypeError("L-BFGS steps only with a closure (it evaluates the loss several times): use step_closure")

    def commit(self, params: MutableMapping[str, Tensor], proposal: Proposal) -> None:
        raise TypeError("L-BFGS steps only with a closure (it evaluates the loss several times): use step_closure")

    def reset(self) -> None:
        self._torch = None
        self._params = {}

    def _torch_state(self) -> dict:
        if self._torch is None:
            return {}
        return self._torch.state[self._torch.param_groups[0]["params"][0]]

    def state_dict(self) -> dict:
        """torch's L-BFGS state with each tensor as ``{"tensor": nested list}`` (so it comes back a tensor)."""
        return {"kind": self.name, "names": list(self._params), "state": _encode(self._torch_state())}

    def load_state_dict(self, state: dict, params: Mapping[str, Tensor]) -> None:
        """Restore :meth:`state_dict`'s output and bind to ``params``; InputError on anything that does not fit."""
        what = "the saved lbfgs state"
        _check_header(state, self.name, {"names", "state"})
        saved = state.get("state", {})
        if not isinstance(saved, dict):
            raise InputError(f"{what} must hold a dict of torch's L-BFGS state")
        unknown = sorted(str(key) for key in saved if key not in _LBFGS_KEYS)
        if unknown:
            raise InputError(f"{what} has unknown keys: {', '.join(unknown)}")
        if saved and state.get("names") != list(params):
            raise InputError(f"{what} is for parameters {state.get('names')}, not {list(params)}")
        size = sum(p.numel() for p in params.values())
        dtype = next(iter(params.values())).dtype if params else torch.float64
        decoded = {key: _decode(value, dtype, f"{what}'s {key}") for key, value in saved.items()}
        _check_lbfgs_state(decoded, size, what)
        self._bind(params, fresh=True)
        self._torch.state[self._torch.param_groups[0]["params"][0]] = decoded  # type: ignore[union-attr]


def _encode(value: object) -> object:
    """torch's L-BFGS state as JSON-ready data: tensors tagged ``{"tensor": ...}``, lists and numbers as they are."""
    if isinstance(value, Tensor):
        return {"tensor": value.tolist()}
    if isinstance(value, dict):
        return {key: _encode(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: object, dtype: torch.dtype, what: str) -> object:
    """The inverse of :func:`_encode`; InputError naming ``what`` on anything else."""
    if isinstance(value, dict):
        if set(value) != {"tensor"}:
            raise InputError(f"{what} has a dict that is not a saved tensor")
        return from_json_list(value["tensor"], None, what, dtype)
    if isinstance(value, list):
        return [_decode(v, dtype, what) for v in value]
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)):
        return value
    raise InputError(f"{what} has {value!r} where a number or a tensor belongs")


def _check_lbfgs_state(state: dict, size: int, what: str) -> None:
    """InputError unless the decoded L-BFGS state has the types and sizes torch's LBFGS works with."""

    def fail(key: str, expected: str) -> None:
        raise InputError(f"{what}'s {key} must be {expected}")

    def is_vector(x: object) -> bool:
        return isinstance(x, Tensor) and x.shape == (size,)

    def is_scalar(x: object) -> bool:
        return isinstance(x, Tensor) and x.dim() == 0

    def is_number(x: object) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    for key in ("func_evals", "n_iter"):
        if key in state and not (isinstance(state[key], int) and state[key] >= 0):
            fail(key, "a whole number >= 0")
    for key in ("d", "prev_flat_grad"):
        if key in state and not is_vector(state[key]):
            fail(key, f"a tensor of {size} numbers (one per parameter entry)")
    for key in ("old_dirs", "old_stps"):
        if key in state and not (isinstance(state[key], list) and all(is_vector(x) for x in state[key])):
            fail(key, f"a list of tensors of {size} numbers")
    if "ro" in state and not (isinstance(state["ro"], list) and all(is_scalar(x) for x in state["ro"])):
        fail("ro", "a list of single-number tensors")
    if not len(state.get("old_dirs", [])) == len(state.get("old_stps", [])) == len(state.get("ro", [])):
        fail("old_dirs, old_stps and ro", "lists of one length")
    if "al" in state and not (isinstance(state["al"], list) and all(x is None or is_scalar(x) for x in state["al"])):
        fail("al", "a list of single-number tensors or nulls")
    for key in ("t", "H_diag", "prev_loss"):
        if key in state and not (is_number(state[key]) or is_scalar(state[key])):
            fail(key, "a number")


# --- the registry -----------------------------------------------------------------------------
OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "lbfgs": LBFGS}


def make_optimizer(
    kind: str,
    lr: float,
    *,
    momentum: float = 0.0,
    nesterov: bool = False,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    alpha: float = 0.99,
    line_search: str | None = None,
) -> Optimizer:
    """The optimizer ``kind`` with its settings checked once.

    A setting that belongs to another kind is refused only when given a
    non-default value (``momentum`` with adam), so callers may pass every
    setting they hold.
    """
    if kind not in OPTIMIZERS:
        raise unknown_name("optimizer", kind, OPTIMIZERS)
    foreign = {
        "momentum": ("sgd", momentum != 0.0),
        "nesterov": ("sgd", bool(nesterov)),
        "betas": ("adam", tuple(betas) != (0.9, 0.999) if isinstance(betas, (tuple, list)) else True),
        "alpha": ("rmsprop", alpha != 0.99),
        "eps": ("rmsprop and adam", eps != 1e-8),
        "line_search": ("lbfgs", line_search is not None),
    }
    for setting, (kinds, given) in foreign.items():
        if given and kind not in kinds.split(" and "):
            raise SettingError(setting, f"applies to {kinds} only, not {kind}")
    if kind == "sgd":
        return SGD(lr, momentum, nesterov=nesterov)
    if kind == "rmsprop":
        return RMSprop(lr, alpha=alpha, eps=eps)
    if kind == "adam":
        return Adam(lr, betas=betas, eps=eps)
    return LBFGS(lr, line_search=line_search)
