"""nbgrader's gradebook revision read in-process gives what nbgrader's subprocess gives."""

import sqlite3

import nbgrader.api
import pytest
from nbgrader.api import Gradebook

from autograder.nbgrader_cli import environment
from autograder.nbgrader_revision import alembic_head, read_in_process


def test_the_in_process_revision_is_the_one_alembic_heads_prints(monkeypatch):
    original = nbgrader.api.get_alembic_version
    if original is alembic_head:
        pytest.skip("this process already reads the revision in-process")
    monkeypatch.setenv("PATH", environment()["PATH"])  # nbgrader starts `alembic` by name
    assert alembic_head() == original()


def test_a_new_gradebook_is_stamped_without_a_subprocess(tmp_path, monkeypatch):
    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(nbgrader.api, "get_alembic_version", nbgrader.api.get_alembic_version)
    monkeypatch.setattr(nbgrader.api.sp, "check_output", no_subprocess)
    read_in_process()
    path = tmp_path / "gradebook.db"
    with Gradebook(f"sqlite:///{path}"):
        pass
    with sqlite3.connect(path) as database:
        assert database.execute("SELECT version_num FROM alembic_version").fetchall() == [(alembic_head(),)]
