"""Shared fixtures: a seeded random generator, a headless matplotlib backend, and Unix accounts
with an environment they can run (tests/unix_accounts.py)."""

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def shared_env(tmp_path_factory):
    """A venv (its folder) that every Unix account can run, with this repository installed by
    ``pip install .`` and JupyterHub: built once per test run (tests/unix_accounts.py), or the
    one named by COURSE_TEST_SHARED_ENV (made by ``unix_accounts.build_shared_env``), as it is."""
    from unix_accounts import shared_env as build

    if os.environ.get("COURSE_TEST_SHARED_ENV"):
        yield Path(os.environ["COURSE_TEST_SHARED_ENV"])
        return
    base = tmp_path_factory.getbasetemp()
    with build(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) as env_dir:
        yield env_dir


@pytest.fixture
def unix_accounts():
    """Unix accounts for one test (``unix_accounts.create(role)``), removed afterwards."""
    from unix_accounts import Accounts

    with Accounts() as accounts:
        yield accounts


#: The longest single test (the parity of every sample case: 334 s of a 41-minute run on 2 cores,
#: where it ran alone at the end): run it first, so that under pytest-xdist the other worker takes
#: the short tests meanwhile.
LONGEST_FIRST = "tests/test_parity.py::test_the_three_verdicts_on_every_sample_case_hold_the_bars"


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.nodeid != LONGEST_FIRST)  # stable: the rest keep their order
