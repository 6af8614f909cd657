"""Feature inputs: the seven columns, their checks, and one place that computes them."""

import math

import pytest
import torch

from torchcircuits.errors import SettingError
from torchcircuits.features import FEATURES, check_features, default_features, featurize, parse_features


def test_the_seven_features_of_a_point():
    X = torch.tensor([[0.5, -2.0]], dtype=torch.float64)
    names = tuple(FEATURES)
    assert names == ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
    assert featurize(X, names)[0].tolist() == pytest.approx([0.5, -2.0, 0.25, 4.0, -1.0, math.sin(0.5), math.sin(-2)])


def test_raw_inputs_are_the_default_and_are_not_copied():
    X = torch.randn(4, 2, dtype=torch.float64)
    assert default_features(2) == ("x1", "x2") and default_features(1) == ("x1",)
    assert featurize(X, ("x1", "x2")) is X


@pytest.mark.parametrize(
    "text, message",
    [
        ("x3", "unknown feature 'x3'"),
        ("x1,,x2", "must be a comma-separated list"),
        ("x1,x1", "names a feature twice"),
        ("", "must be a comma-separated list"),
    ],
)
def test_bad_feature_lists_are_refused(text, message):
    with pytest.raises(SettingError, match=message):
        parse_features(text)


def test_a_one_input_set_has_only_the_features_of_x1():
    check_features(("x1", "x1sq", "sinx1"), 1)
    with pytest.raises(SettingError, match="x1x2 needs x2, and the data has one input: choose from x1, x1sq, sinx1"):
        check_features(("x1", "x1x2"), 1)
