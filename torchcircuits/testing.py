"""``assert_gradients``: the checker as one assertion in a user's own pytest suite.

    import torchcircuits
    from torchcircuits.testing import assert_gradients

    def test_my_batchnorm():
        assert_gradients(torchcircuits.layer(bn_forward, bn_backward, shapes={"x": (8, 3), ...}, torch=bn_torch))

A wrong gradient raises ``AssertionError`` whose message is the diagnosis of
every wrong one (which input, where, analytic vs torch vs numeric, the worst
entry of a tensor); a broken declaration raises the checker's one-line
:class:`~torchcircuits.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .check import CheckRun
from .circuits import Circuit
from .diagnosis import summarize
from .usercheck import Layer
from .userfile import check_declarations

__all__ = ["assert_gradients"]


def assert_gradients(
    declared: Circuit | Layer | Iterable[Circuit | Layer],
    trials: int = 3,
    seed: int = 0,
    device: str = "cpu",
) -> list[CheckRun]:
    """Check one or several circuits or layers as ``torchcircuits check --file`` would; return the runs.

    A circuit is checked at its seed and ``trials`` random points, a layer at
    ``max(trials, 1)`` random draws; both with the checker's tolerances.
    """
    things = [declared] if isinstance(declared, Circuit | Layer) else list(declared)
    runs = check_declarations({t.name: t for t in things}, (), trials, seed, device)
    wrong = [v for v in summarize(runs) if v.verdict == "wrong"]
    if wrong:
        raise AssertionError("wrong gradient:\n" + "\n".join(v.describe() for v in wrong))
    return runs
