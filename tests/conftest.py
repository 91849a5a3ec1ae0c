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


#: The test modules that take longest, longest first (worker seconds of one full run on 2 cores
#: under a load of 8 or more from other work, 2026-12-02). ``make test`` runs pytest-xdist with
#: ``--dist loadscope --no-loadscope-reorder``: each module goes whole to one worker (so a
#: module-scoped fixture, a graded class or a built venv, is built once per run, not once per
#: worker), in the order of the collection, which these modules lead: the long ones start first
#: and the short ones fill in beside them.
LONGEST_FIRST = (
    "tests/test_hostile.py",  # 1338 s, of which 344 s built its graded class a second time
    "tests/test_batch.py",  # 638 s
    "tests/test_install_layouts.py",  # 574 s
    "tests/test_exchange.py",  # 492 s
    "tests/test_own_code_routes.py",  # 397 s
    "tests/test_parity.py",  # 310 s
    "tests/test_class_report.py",  # 248 s
    "tests/test_formgrader_overrides.py",  # 222 s
    "tests/test_bundle.py",  # 193 s
    "tests/test_browser.py",  # 179 s
)


def pytest_collection_modifyitems(items):
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable
