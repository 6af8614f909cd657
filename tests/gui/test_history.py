"""The bounded, decimating history behind the loss curve."""

import numpy as np
import pytest

from torchcircuits_gui.history import DecimatingHistory


def test_memory_stays_bounded_over_a_million_records():
    history = DecimatingHistory(("step", "loss"), capacity=1024)
    nbytes = history.nbytes
    for step in range(1, 1_000_001):
        history.append(step=step, loss=1.0 / step)
    assert history.nbytes == nbytes == 1024 * 2 * 8
    assert 512 <= len(history) <= 1024
    steps = history.column("step")
    assert steps[0] == 1 and np.all(np.diff(steps) == history.stride)  # evenly thinned
    assert steps[-1] > 999_000
    assert history.column("loss") == pytest.approx(1.0 / steps)


def test_missing_values_are_nan_and_clear_empties():
    history = DecimatingHistory(("step", "test_loss"), capacity=4)
    history.append(step=1, test_loss=None)
    assert np.isnan(history.column("test_loss")[0]) and history.last("test_loss") is None
    history.clear()
    assert len(history) == 0 and history.stride == 1
    with pytest.raises(ValueError):
        DecimatingHistory(("a",), capacity=3)
