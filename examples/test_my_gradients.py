"""The checker in your own test suite: one assertion per hand-written backward.

    python -m pytest examples/test_my_gradients.py

A wrong gradient fails with the diagnosis as the message, e.g.
``softmax trial 1: dz is wrong at z[1, 3] (the worst entry, ...): analytic ..., torch ..., numeric ...``.
"""

import pytest
from add_multiply import add_multiply
from batchnorm import batchnorm
from softmax import softmax, softmax_only

from torchcircuits.testing import assert_gradients


def test_add_multiply():
    assert_gradients(add_multiply, trials=5)


def test_softmax_and_cross_entropy():
    assert_gradients([softmax, softmax_only], trials=2)


def test_batchnorm():
    runs = assert_gradients(batchnorm, trials=2)
    assert all(run.ok for run in runs)


def test_the_wrong_softmax_is_caught():
    from softmax_wrong import softmax_only as wrong_softmax

    with pytest.raises(AssertionError, match=r"softmax trial 1: dz is wrong at z\["):
        assert_gradients(wrong_softmax, trials=1)
