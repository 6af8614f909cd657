"""Shared test settings: float64 everywhere, a fixed torch seed per test."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _deterministic_torch():
    torch.manual_seed(0)
    yield
