"""The health panel's one line: a dead layer named with the step since which it is dead, else the update sizes."""

import math

from torchcircuits.health_reading import read_health


def test_a_dead_layer_is_named_with_its_step_and_the_cure():
    steps = [0, 70, 140, 210]
    line = read_health(steps, [[0.0, 0.1, 0.62, 0.62], [0.0, 0.0, 0.0, 0.0]], {"W1": [math.nan, 1e-3, 1e-3, 1e-3]},
                       "relu")  # fmt: skip
    assert line == "layer 1: 62% of units dead since step 140: lower the step size or use leaky ReLU"


def test_saturated_tanh_has_its_own_words():
    line = read_health([5, 9], [[0.5, 0.5]], {}, "tanh")
    assert line.startswith("layer 1: 50% of units saturated since step 5: scale the inputs down")


def test_large_and_small_updates():
    assert read_health([1], [[0.0]], {"W1": [0.05], "W2": [2e-3]}, "relu").startswith(
        "W1: each step changes it by 5.0e-02 of its size, 50× the healthy 1e-3: lower the step size")
    assert "raise the step size" in read_health([1], [], {"W": [1e-7]}, "relu")
    assert read_health([1], [[0.0]], {"W1": [1e-3]}, "relu").startswith("healthy: no layer over 25% dead")
    assert read_health([], [], {}, "relu") == "no records yet: take a step"
    assert read_health([0], [[0.0]], {"W1": [math.nan]}, "relu") == "no step taken yet: no layer over 25% dead"
