"""nbgrader's gradebook revision read in-process gives what nbgrader's subprocess gives."""

import sqlite3
import subprocess
import sys

import nbgrader.api
from nbgrader.api import Gradebook

from autograder.nbgrader_cli import environment
from autograder.nbgrader_revision import alembic_head, read_in_process


def test_the_in_process_revision_is_the_one_alembic_heads_prints():
    """nbgrader's own answer, from a fresh process (this one may already read it in-process)."""
    result = subprocess.run([sys.executable, "-c", "from nbgrader.api import get_alembic_version\n"
                             "print(get_alembic_version())"], env=environment(), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert alembic_head() == result.stdout.strip().splitlines()[-1]


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
