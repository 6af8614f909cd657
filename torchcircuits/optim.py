"""Parameter updates: plain SGD as in the guide, and SGD with momentum.

The update follows torch.optim.SGD (dampening 0, no Nesterov): with momentum
μ the velocity is ``v = μ·v + g`` (``v = g`` on the first step) and the step
``p -= lr·v``; μ = 0 is the guide's ``p += step_size · pull`` with pull = -g.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from torch import Tensor

__all__ = ["SGD"]


@dataclass
class SGD:
    """Hand-written SGD with optional momentum over a name → tensor dict."""

    lr: float
    momentum: float = 0.0
    velocity: dict[str, Tensor] = field(default_factory=dict)

    def step(self, params: Mapping[str, Tensor], grads: Mapping[str, Tensor]) -> None:
        """Update ``params`` in place."""
        for name, param in params.items():
            grad = grads[name]
            if self.momentum != 0.0:
                if name in self.velocity:
                    grad = self.velocity[name].mul_(self.momentum).add_(grad)
                else:
                    grad = self.velocity[name] = grad.clone()
            param.sub_(self.lr * grad)

    def reset(self) -> None:
        self.velocity.clear()
