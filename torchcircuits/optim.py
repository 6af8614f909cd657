"""INTERIM (replaced by the optim branch): SGD with the optimizer interface the trainer uses."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from .errors import SettingError, unknown_name

__all__ = ["Proposal", "Optimizer", "SGD", "OPTIMIZERS", "make_optimizer"]


@dataclass(frozen=True)
class Proposal:
    params: dict[str, Tensor]
    state: dict


class Optimizer:
    name: ClassVar[str] = ""
    needs_closure: ClassVar[bool] = False
    lr: float

    def step(self, params, grads) -> None:
        self.commit(params, self.propose(params, grads))


class SGD(Optimizer):
    name = "sgd"

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False) -> None:
        self.lr, self.momentum, self.nesterov = lr, momentum, nesterov
        self.state: dict[str, Tensor] = {}

    def propose(self, params: Mapping[str, Tensor], grads: Mapping[str, Tensor]) -> Proposal:
        new, state = {}, {}
        for name, p in params.items():
            g = grads[name]
            if self.momentum:
                v = g.clone() if name not in self.state else self.momentum * self.state[name] + g
                state[name] = v
                g = g + self.momentum * v if self.nesterov else v
            new[name] = p.detach() - self.lr * g
        return Proposal(new, state)

    def commit(self, params: MutableMapping[str, Tensor], proposal: Proposal) -> None:
        with torch.no_grad():
            for name, value in proposal.params.items():
                params[name].copy_(value)
        self.state = proposal.state

    def state_dict(self) -> dict:
        return {name: v.tolist() for name, v in self.state.items()}

    def load_state_dict(self, state: dict, params: Mapping[str, Tensor]) -> None:
        self.state = {name: torch.tensor(v, dtype=torch.float64) for name, v in state.items()}


OPTIMIZERS = {"sgd": SGD}


def make_optimizer(kind: str, lr: float, *, momentum=0.0, nesterov=False, betas=(0.9, 0.999), eps=1e-8, alpha=0.99,
                   line_search=None) -> Optimizer:
    if kind not in OPTIMIZERS:
        raise unknown_name("optimizer", kind, OPTIMIZERS)
    if nesterov and not momentum:
        raise SettingError("nesterov", "needs momentum > 0")
    return SGD(lr, momentum, nesterov)
