"""``python -m autograder exercise``: an exercise added with the command, filled in as
docs/instructors/exercises.md says, is released and graded right by real ``nbgrader autograde``;
until it is filled in, the release refuses with the list of what is missing. On a copy of the
repository (tests/fresh_clone.py), never on the checkout."""

import os
import re
import subprocess
import sys

import nbformat
import pytest
from fresh_clone import VENV, source_repository

from autograder.authoring.sync import REFERENCE

pytestmark = pytest.mark.slow

SOLUTION = '''# %% [log_softmax]
def log_softmax(Z):
    """Row-wise log of softmax, stable for any size of Z.

    Z: (N, C) scores. Returns: (N, C), log P for P = softmax(Z).
    """
    # log P = (Z - m) - log(sum(exp(Z - m))), m the row maximum
    ### BEGIN SOLUTION
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    ### END SOLUTION
'''
TEST_CELL = '''Z_small = np.log(np.array([[1.0, 2.0, 3.0, 4.0]]))
checks.check_close("log_softmax(log [[1, 2, 3, 4]])", log_softmax(Z_small), np.log([[0.1, 0.2, 0.3, 0.4]]))
print("log_softmax: visible checks passed")
### BEGIN HIDDEN TESTS
Z_big = np.array([[1000.0, 0.0, -1000.0]])
checks.check_close("log_softmax of scores of +-1000", log_softmax(Z_big), [[0.0, -1000.0, -2000.0]])
### END HIDDEN TESTS'''
PROBE = '''def probe_log_softmax(ns, rng):
    """log_softmax(Z) for Z: (5, 3), (1, 4), and scores of +-1000."""
    values = {}
    for n, c in [(5, 3), (1, 4)]:
        values[f"log_softmax of a ({n}, {c}) array"] = ns["log_softmax"](4 * rng.standard_normal((n, c)))
    with np.errstate(all="ignore"):
        values["log_softmax of scores of +-1000"] = ns["log_softmax"](np.array([[1000.0, 0.0, -1000.0]]))
    return values
'''
HEADING_TEXT = "Its log, stable: $\\log P = (Z - m) - \\log\\sum e^{Z - m}$, (N, C) in and out."
WRONG = "def log_softmax(Z):\n    return np.log(softmax(Z))\n"  # right on small scores, -inf on large ones


def _run(*args, cwd, check=True):
    env = dict(os.environ, PATH=f"{VENV / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=1800)
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return result


def _fill_in(course):
    """The four pieces, as docs/instructors/exercises.md says."""
    reference = course / "autograder" / "reference" / "loss.py"
    text = reference.read_text()
    reference.write_text(text[:text.index("# %% [log_softmax]")] + SOLUTION)
    path = course / "source" / "06_loss" / "06_loss.ipynb"
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_log_softmax":
            cell.source = TEST_CELL
        elif cell.cell_type == "markdown" and "Write `log_softmax`" in cell.source:
            cell.source = re.sub(r"TODO\(instructor\).*", lambda _: HEADING_TEXT, cell.source)
    nbformat.write(notebook, path)
    probes = course / "course" / "probes" / "loss.py"
    text = probes.read_text()
    start, end = text.index("def probe_log_softmax"), text.index("\n\nPROBES = {")
    text = text[:start] + PROBE + text[end:]
    probes.write_text(text)
    (course / "course" / "judges" / "loss.py").unlink()  # one answer is right: no judge (06 had none)
    registry = course / "course" / "exercises.py"
    registry.write_text(registry.read_text().replace(
        "TODO(instructor): a general hint for a failure of log_softmax.",
        "(Z - row max) - log of the row sum of exp(Z - row max); never log(softmax(Z))."))


def _submit(course, student, wrong):
    code = ("import sys; from autograder.demo.samples import make_submission, submit\n"
            "notebook = make_submission('06_loss', 'complete')\n"
            f"wrong = {WRONG!r} if {wrong} else None\n"
            "for cell in notebook.cells:\n"
            "    if wrong and cell.metadata.get('nbgrader', {}).get('grade_id') == 'log_softmax':\n"
            "        cell.source = wrong\n"
            f"submit('.', {student!r}, '06_loss', notebook)\n")
    _run("-c", code, cwd=course)


def test_an_added_exercise_is_refused_until_filled_in_then_graded_right(tmp_path):
    from nbgrader.api import Gradebook

    course = source_repository(tmp_path / "course")
    _run("-m", "autograder", "exercise", "add", "06_loss", "log_softmax", "--points", "1", cwd=course)
    assert "def judge_log_softmax" in (course / "course" / "judges" / "loss.py").read_text()
    assert "judge_log_softmax" not in (course / "course" / "probes" / "loss.py").read_text()
    refused = _run("-m", "autograder", "release", cwd=course, check=False)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    listed = refused.stderr
    for piece in ("autograder/reference/loss.py: the block [log_softmax]", "the probe of test_log_softmax",
                  "the judge of test_log_softmax", "course/exercises.py: the entry of test_log_softmax",
                  "test_log_softmax is still a skeleton"):
        assert piece in listed, listed
    assert _run("-m", "autograder", "sync", "--check", cwd=course, check=False).returncode == 1

    _fill_in(course)
    _run("-m", "autograder", "release", cwd=course)
    _run("-m", "autograder", "probe-values", cwd=course)
    assert "refused" not in _run("-m", "autograder", "sync", "--check", cwd=course).stdout
    release = nbformat.read(course / "release" / "06_loss" / "06_loss.ipynb", as_version=4)
    assert "**Points.** 12 in all" in release.cells[0].source and "`log_softmax` 1" in release.cells[0].source
    assert "np.log(np.exp(shifted)" not in nbformat.writes(release)  # the solution stays in source/

    _submit(course, "right", wrong=False)
    _submit(course, "wrong", wrong=True)
    _run("-m", "nbgrader", "autograde", "06_loss", "--force", cwd=course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        right, wrong = ({grade.name: grade.score for grade in gradebook.find_submission_notebook(
            "06_loss", "06_loss", student).grades if grade.cell_type == "code"}
            for student in ("right", "wrong"))
    assert right["test_log_softmax"] == 1 and sum(right.values()) == 12, right
    assert wrong["test_log_softmax"] == 0 and sum(wrong.values()) == 11, wrong


def test_rename_changes_every_piece_and_remove_takes_every_piece_out(tmp_path):
    from autograder.authoring.exercise import SKELETON

    course = source_repository(tmp_path / "course")
    _run("-m", "autograder", "exercise", "add", "06_loss", "log_softmax", "--points", "2", cwd=course)
    _run("-m", "autograder", "exercise", "rename", "06_loss", "log_softmax", "stable_log_softmax", cwd=course)
    listed = _run("-m", "autograder", "release", cwd=course, check=False).stderr
    assert "stable_log_softmax" in listed and not re.search(r"\blog_softmax\b", listed), listed
    assert listed.count(SKELETON) == 6, listed
    source = (course / "source" / "06_loss" / "06_loss.ipynb").read_text()
    assert "**Points.** 13 in all" in source and "`stable_log_softmax` 2" in source
    assert '"grade_id": "test_stable_log_softmax"' in source
    _run("-m", "autograder", "exercise", "remove", "06_loss", "stable_log_softmax", cwd=course)
    left = subprocess.run(["git", "status", "--porcelain"], cwd=course, capture_output=True, text=True).stdout
    assert left == "", left  # every file exactly as before the add
    refused = _run("-m", "autograder", "exercise", "remove", "06_loss", "stable_log_softmax", cwd=course,
                   check=False)
    assert refused.returncode == 2 and refused.stderr.startswith("exercise remove: 06_loss has no exercise")


def test_a_judge_added_beside_others_is_defined_before_its_module_lists_it(tmp_path):
    course = source_repository(tmp_path / "course")
    _run("-m", "autograder", "exercise", "add", "07_modularization", "clip_scores", cwd=course)
    listed = _run("-c", "from course.judges.modularization import JUDGES; print(sorted(JUDGES))", cwd=course)
    assert listed.stdout.split() == ["['test_build_model',", "'test_clip_scores',", "'test_train']"]
    _run("-m", "autograder", "exercise", "remove", "07_modularization", "clip_scores", cwd=course)
    left = subprocess.run(["git", "status", "--porcelain"], cwd=course, capture_output=True, text=True).stdout
    assert left == "", left  # every file exactly as before the add


@pytest.mark.parametrize("module", sorted(REFERENCE.glob("*.py")), ids=lambda path: path.stem)
def test_a_name_added_to_all_and_removed_again_leaves_the_module_as_it_was(module):
    from autograder.authoring.exercise import _add_to_all, _remove_from_all, _rename_in_all
    from autograder.authoring.sync import exported_names

    text = module.read_text()
    names = exported_names(text)
    added = _add_to_all(text, "a_rather_long_exercise_name_for_the_test")
    assert exported_names(added) == [*names, "a_rather_long_exercise_name_for_the_test"]
    assert max(len(line) for line in added.splitlines()) <= 110
    assert _remove_from_all(added, "a_rather_long_exercise_name_for_the_test") == text
    renamed = _rename_in_all(added, "a_rather_long_exercise_name_for_the_test", "shorter")
    assert exported_names(renamed) == [*names, "shorter"]
    assert _remove_from_all(renamed, "shorter") == text
    if names:  # the first entry out and back: the list keeps its other entries in order
        assert exported_names(_remove_from_all(text, names[0])) == names[1:]
