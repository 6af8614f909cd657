"""Shared test settings: float64 everywhere, a fixed torch seed per test."""

import pytest
import torch
from hypothesis import settings

# CI runs the same examples every time (a failure is reproducible); explore with --hypothesis-seed
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _deterministic_torch():
    torch.manual_seed(0)
    yield
