"""Manual grading in the real formgrader (JupyterLab with nbgrader's extensions, in Chromium), as
docs/instructors/term.md describes it: an instructor opens a flagged submission, overrides one
test cell's score and comments on the answer; ``nbgrader export`` shows the override, and it and
the comment survive a regrade (``nbgrader autograde --force``)."""

import csv
import time

import nbformat
import pytest
from browser_session import chromium, jupyter_lab, needs_chromium

from autograder.authoring.release import build_course_dir
from autograder.batch import sequential
from autograder.demo.samples import make_submission, planted_bugs
from autograder.judging.reports import read_report

pytestmark = [pytest.mark.slow, needs_chromium]

ASSIGNMENT, STUDENT = "05_update", "ida"
COMMENT = "The step is right; the gradients are not cleared afterwards: zero_grad() at the end."


def _grade(course, name):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, STUDENT)
        grade = next(g for g in notebook.grades if g.name == name)
        answer = name.removeprefix("test_")  # the comment is on the solution cell
        comment = next((c.manual_comment for c in notebook.comments if c.name == answer), None)
        return notebook.id, grade.auto_score, grade.manual_score, grade.max_score, comment


def _exported_score(course):
    path = sequential.export_grades(course)
    with open(path, newline="") as handle:
        row = next(r for r in csv.DictReader(handle)
                   if r["student_id"] == STUDENT and r["assignment"] == ASSIGNMENT)
    return float(row["score"]), float(row["max_score"])


def _wait_until_the_formgrader_listens(page):
    """Wait until the formgrader has fetched the grades and comments and bound their inputs.

    The inputs are in the page's HTML at once, but formgrade.js attaches the views that save a
    change only when its fetch of the grades (and, separately, of the comments) returns. A score
    typed before then is saved nowhere, and the fetched value is drawn over it."""
    page.wait_for_function(
        "() => window.formgrader && formgrader.grades && formgrader.grades.loaded"
        " && formgrader.comments && formgrader.comments.loaded",
        timeout=90_000)


def test_an_override_in_the_formgrader_is_exported_and_survives_a_regrade(tmp_path):
    course = tmp_path / "course"
    release = build_course_dir(course, [ASSIGNMENT])
    bug = next(k for k, b in enumerate(planted_bugs(ASSIGNMENT)) if b.fails == ("test_linear_update",))
    notebook = make_submission(ASSIGNMENT, f"bug:{bug}", release)
    for cell in notebook.cells:  # an edited test cell: restored by nbgrader, and flagged
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_linear_parameters":
            cell.source += "\n# I checked this myself"
    folder = course / "submitted" / STUDENT / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    sequential.autograde(course, ASSIGNMENT)
    flags = read_report(course, STUDENT, ASSIGNMENT)["flags"]
    assert any("test_linear_parameters was edited" in flag for flag in flags), flags
    submission, auto, manual, maximum, _ = _grade(course, "test_linear_update")
    assert (auto, manual) == (0, None) and maximum >= 2
    before, total = _exported_score(course)

    token = "course-override-test-token"
    with jupyter_lab(course, tmp_path / "jupyterlab.log", token=token) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(f"{base}/formgrader?token={token}")
        page.goto(f"{base}/formgrader/submissions/{submission}/")
        score = page.locator("input.score#test_linear_update")
        score.wait_for(timeout=90_000)
        _wait_until_the_formgrader_listens(page)
        score.fill("1")
        score.press("Tab")  # the formgrader saves on change
        comment = page.locator("textarea#linear_update-comment")
        comment.fill(COMMENT)
        comment.press("Tab")
        deadline = time.monotonic() + 60
        while _grade(course, "test_linear_update")[2:5:2] != (1, COMMENT) and time.monotonic() < deadline:
            time.sleep(0.5)
        page.screenshot(path=str(tmp_path / "formgrader-override.png"), full_page=True)
    assert _grade(course, "test_linear_update")[1:] == (0, 1, maximum, COMMENT)
    assert _exported_score(course) == (before + 1, total)

    sequential.autograde(course, ASSIGNMENT)  # nbgrader autograde --force
    assert _grade(course, "test_linear_update")[1:] == (0, 1, maximum, COMMENT)
    assert _exported_score(course) == (before + 1, total)
