"""The notebooks: source in step with the reference, release in step with source, every
source notebook clean, every untouched release notebook failing gracefully."""

import filecmp
import re
import shutil

import nbformat
import pytest

from autograder.authoring.notebooks import execute, graded_outcomes, problems
from autograder.authoring.release import RELEASE, generate_release
from autograder.authoring.sync import ROOT, SOURCE, read_module, sync
from course.registry import ASSIGNMENTS, STEP_MODULES

REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(?P<body>.*?)### END \1", re.S)


def test_every_assignment_has_a_source_and_a_release_notebook():
    for assignment in ASSIGNMENTS:
        assert (SOURCE / assignment / f"{assignment}.ipynb").exists(), assignment
        assert (RELEASE / assignment / f"{assignment}.ipynb").exists(), assignment


def test_source_solutions_are_the_reference_blocks():
    stale = sync(check=True)
    assert not stale, f"out of date, run `python -m autograder sync`: {[str(p) for p in stale]}"


def test_notebooks_are_committed_without_outputs():
    for folder in (SOURCE, RELEASE):
        for path in folder.glob("*/*.ipynb"):
            notebook = nbformat.read(path, as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    assert not cell.outputs and cell.execution_count is None, f"{path}: outputs kept"


@pytest.mark.slow
def test_release_is_exactly_what_nbgrader_generates(tmp_path):
    fresh = generate_release(tmp_path / "release")
    comparison = filecmp.dircmp(RELEASE, fresh, ignore=["__pycache__"])
    differences = []

    def collect(cmp, prefix=""):
        differences.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            collect(sub, f"{prefix}{name}/")

    collect(comparison)
    # dircmp compares shallowly; compare every file's bytes too
    for path in fresh.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            committed = RELEASE / path.relative_to(fresh)
            if committed.exists() and committed.read_bytes() != path.read_bytes():
                differences.append(str(path.relative_to(fresh)))
    assert not differences, (
        f"release/ differs from `python -m autograder release`: {sorted(set(differences))}"
    )


def _meaningful_lines(text):
    return {line.strip() for line in text.splitlines() if len(line.strip()) > 20}


def _given_text(assignment):
    """What students are meant to see in ``assignment``: its source notebook outside the
    solution and hidden-test regions (text, given code, visible checks), and the earlier
    steps' code shipped beside it. A line found in it is not a leak, wherever it came from."""
    folder = SOURCE / assignment
    notebook = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
    given = [REGION.sub("", cell.source + "\n") for cell in notebook.cells]
    if (folder / "previous_steps.py").exists():
        given.append((folder / "previous_steps.py").read_text())
    return "\n".join(given)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_reaches_the_release_of_its_notebook_or_earlier(assignment):
    _, blocks = read_module(STEP_MODULES[assignment])
    solution_lines = set()
    for block in blocks.values():
        for region in REGION.finditer(block + "\n"):
            solution_lines |= _meaningful_lines(region["body"])
    for earlier in ASSIGNMENTS[: ASSIGNMENTS.index(assignment) + 1]:
        given = _given_text(earlier)
        secret = {line for line in solution_lines if line not in given}
        for path in (RELEASE / earlier).glob("*"):
            if path.suffix in (".ipynb", ".py"):
                leaked = sorted(line for line in secret if line in path.read_text())
                assert not leaked, f"{path.relative_to(ROOT)} leaks solution lines of {assignment}: {leaked}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_hidden_test_reaches_the_release(assignment):
    source = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    release_text = (RELEASE / assignment / f"{assignment}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" not in release_text and "BEGIN SOLUTION" not in release_text
    given = _given_text(assignment)
    for cell in source.cells:
        for region in REGION.finditer(cell.source + "\n"):
            if region[1] == "HIDDEN TESTS":
                hidden = {line for line in _meaningful_lines(region["body"]) if line not in given}
                leaked = sorted(line for line in hidden if line in release_text)
                assert not leaked, f"hidden test lines in the release of {assignment}: {leaked}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_runs_clean_with_every_test_passing(assignment):
    notebook, _ = execute(SOURCE / assignment / f"{assignment}.ipynb")
    outcomes = graded_outcomes(notebook)
    assert outcomes, "a notebook without graded cells"
    failing = [(o.grade_id, o.message) for o in outcomes if not o.passed]
    assert not failing, failing
    assert not problems(notebook), problems(notebook)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_runs_to_the_end_and_fails_every_check(assignment, tmp_path):
    folder = tmp_path / assignment
    shutil.copytree(RELEASE / assignment, folder)
    notebook, _ = execute(folder / f"{assignment}.ipynb")
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code_cells), "the kernel stopped early"
    for outcome in graded_outcomes(notebook):
        assert not outcome.passed, f"{outcome.grade_id} passes on an untouched notebook"
        assert outcome.message, f"{outcome.grade_id} fails without a message"
