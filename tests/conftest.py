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


#: Work units that run longest, longest first (figures of a full run on 2 cores): under
#: ``--dist loadgroup`` the scheduler hands out units in collection order, so these start first
#: and the short tests fill in beside them. A unit is a test's node id or the group of the tests
#: that share a module fixture (``shared_fixture_group``).
LONGEST_FIRST = (
    "tests/test_parity.py::test_the_three_verdicts_on_every_sample_case_hold_the_bars",  # 334 s
)


def shared_fixture_group(item):
    """The name of the group of tests that share a module- or class-scoped fixture with ``item``
    (``tests/test_hostile.py::graded``, with the parameter when the fixture is parametrized),
    or None. Such a fixture is built once per worker that runs one of its tests; in one group,
    its tests all run on one worker and it is built once."""
    names = []
    for name in item.fixturenames:
        definitions = item._fixtureinfo.name2fixturedefs.get(name) or ()
        if definitions and definitions[-1].scope in ("module", "class", "package"):
            param = getattr(item, "callspec", None) and item.callspec.params.get(name)
            names.append(f"{item.path.name}::{name}" + (f"[{param}]" if param is not None else ""))
    return "+".join(sorted(names)) or None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's worker reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = shared_fixture_group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))

    def unit(item):
        group = shared_fixture_group(item)
        return group or item.nodeid

    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(unit(item), len(rank)))  # stable: the rest keep their order
