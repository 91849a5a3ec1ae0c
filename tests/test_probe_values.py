"""The reference's probe values shipped for the self-check (course/probe_values/) are current:
regenerated, they give the same verdicts; a changed value or a missing file is reported."""

import base64
import shutil

import numpy as np
import pytest

from autograder import cli
from autograder.authoring import probe_values
from course.probes import compare, kernel, published
from course.registry import ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_shipped_probe_values_are_current(assignment):
    _, reason = probe_values.stale(assignment)
    assert reason is None, f"{assignment}: {reason}: run python -m autograder probe-values"


def _rewrite(path, change):
    """Write the values of ``path`` back with ``change(values)`` applied."""
    values = compare.decode(path.read_bytes())
    change(values)
    path.write_bytes(base64.b64decode(kernel.encode(values)))


def test_a_changed_or_missing_value_file_is_stale(tmp_path, monkeypatch):
    shutil.copytree(published.FOLDER, tmp_path / "probe_values")
    monkeypatch.setattr(published, "FOLDER", tmp_path / "probe_values")
    assert probe_values.stale("05_update")[1] is None

    def shift(values):
        key = next(k for k, v in values["test_linear_update"].items() if v.dtype == np.float64)
        values["test_linear_update"][key] = values["test_linear_update"][key] + 1.0

    _rewrite(published.path("05_update"), shift)
    assert probe_values.stale("05_update")[1].startswith("Linear.update: ")
    _rewrite(published.path("05_update"), lambda values: values["test_linear_parameters"].popitem())
    assert "other probes or keys" in probe_values.stale("05_update")[1]
    published.path("05_update").unlink()
    assert "is missing" in probe_values.stale("05_update")[1]
    assert cli.main(["probe-values", "--check"]) == 1
    assert cli.main(["probe-values"]) == 0 and cli.main(["probe-values", "--check"]) == 0
