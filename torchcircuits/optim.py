"""Parameter updates: plain SGD as in the guide, and SGD with momentum.

The update follows torch.optim.SGD (dampening 0, no Nesterov): with momentum
μ the velocity is ``v = μ·v + g`` (``v = g`` on the first step) and the step
``p -= lr·v``; μ = 0 is the guide's ``p += step_size · pull`` with pull = -g.

:meth:`SGD.propose` computes the new parameters without touching the old
ones, so a caller can check them (finite?) before :meth:`SGD.commit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import torch
from torch import Tensor

__all__ = ["SGD", "Proposal"]


@dataclass(frozen=True)
class Proposal:
    """New parameter values (and velocities) in the order of ``names``, not yet applied."""

    names: tuple[str, ...]
    params: list[Tensor]
    velocity: list[Tensor] | None


@dataclass
class SGD:
    """Hand-written SGD with optional momentum over a name → tensor dict."""

    lr: float
    momentum: float = 0.0
    velocity: dict[str, Tensor] = field(default_factory=dict)

    def propose(self, params: Mapping[str, Tensor], grads: Mapping[str, Tensor]) -> Proposal:
        """The step's result, computed out of place (a few fused ops for all tensors)."""
        names = tuple(params)
        current = [params[n] for n in names]
        steps = [grads[n] for n in names]
        velocity = None
        if self.momentum != 0.0:
            if self.velocity:
                velocity = torch._foreach_add(
                    torch._foreach_mul([self.velocity[n] for n in names], self.momentum), steps
                )
            else:
                velocity = [g.clone() for g in steps]
            steps = velocity
        return Proposal(names, torch._foreach_add(current, steps, alpha=-self.lr), velocity)

    def commit(self, params: Mapping[str, Tensor], proposal: Proposal) -> None:
        """Write a proposal into ``params`` (in place) and keep its velocity."""
        torch._foreach_copy_([params[n] for n in proposal.names], proposal.params)
        if proposal.velocity is not None:
            self.velocity = dict(zip(proposal.names, proposal.velocity, strict=True))

    def step(self, params: Mapping[str, Tensor], grads: Mapping[str, Tensor]) -> None:
        """Update ``params`` in place."""
        self.commit(params, self.propose(params, grads))

    def reset(self) -> None:
        self.velocity.clear()
