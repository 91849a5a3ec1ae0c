"""Shared fixtures: a seeded random generator and a headless matplotlib backend."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
