"""The real grader (nbgrader's Autograde through the batch grader, hidden tests and probes, every
kernel in the sandbox) on the two ends of every notebook: an untouched submission gets nothing
and the reference gets everything.

The planted bugs and the differently written correct solutions are graded by the same grader in
``tests/test_parity.py`` (``python -m autograder parity``), which also checks that each notebook
loses the points of exactly the test cells its bugs name; ``tests/test_probes.py`` runs every bug
alone against the probes. This file checks the catalogue those tests read.
"""

import nbformat
import pytest

from autograder.authoring.release import build_course_dir
from autograder.authoring.sync import all_blocks
from autograder.batch import grade, sequential
from autograder.demo.samples import alternative_rounds, alternatives, make_submission, planted_bugs
from course.registry import ASSIGNMENTS


def _submit(course_dir, student, assignment, kind, release_dir):
    folder = course_dir / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(make_submission(assignment, kind, release_dir), folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text("2026-01-15 12:00:00.000000 UTC")


@pytest.mark.slow
def test_untouched_notebooks_get_nothing_and_the_reference_everything(tmp_path):
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, list(ASSIGNMENTS))
    for assignment in ASSIGNMENTS:
        for kind in ("untouched", "complete"):
            _submit(course_dir, kind, assignment, kind, release_dir)

    outcomes = grade.grade(course_dir, list(ASSIGNMENTS), workers=2, progress=False)
    assert [o for o in outcomes if not o.ok] == [], "some submissions could not be graded"
    scores = sequential.cell_scores(course_dir)

    problems = []
    for assignment in ASSIGNMENTS:
        untouched, complete = scores.get(("untouched", assignment)), scores.get(("complete", assignment))
        if not untouched or not complete:
            problems.append(f"{assignment}: not graded")
            continue
        problems += [f"{assignment}: the untouched notebook scores {score} in {cell}"
                     for cell, (score, _) in sorted(untouched.items()) if score != 0]
        problems += [f"{assignment}: the reference scores {score}/{maximum} in {cell}"
                     for cell, (score, maximum) in sorted(complete.items()) if score < maximum]
    assert not problems, "\n".join(problems)


def test_the_catalogue_covers_every_notebook_and_names_only_its_own_exercise():
    bugs = planted_bugs()
    assert len(bugs) >= 60 and len(alternatives()) >= 25
    assert len({(bug.assignment, bug.description) for bug in bugs}) == len(bugs), "descriptions repeat"
    for assignment in ASSIGNMENTS:
        assert len(planted_bugs(assignment)) >= 5, assignment
        assert alternative_rounds(assignment) >= 1, assignment
    reference = all_blocks()
    for bug in bugs:
        assert bug.fails == (f"test_{bug.grade_id}",), (bug.description, bug.fails)
        assert bug.apply(reference[bug.grade_id]) != reference[bug.grade_id], bug.description
    for alternative in alternatives():
        assert alternative.source.strip() != reference[alternative.grade_id].strip(), alternative.description
