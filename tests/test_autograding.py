"""The real grader (nbgrader's Autograde through the batch grader, hidden tests and probes, every
kernel in the sandbox) on the two ends of every notebook: an untouched submission gets nothing
and the reference gets everything; and between them, an exercise left unwritten costs its own
test cell and those of the exercises that call it, nothing else.

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
from autograder.demo.samples import (
    alternative_rounds,
    alternatives,
    make_submission,
    planted_bugs,
    solution_ids,
)
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


#: Exercises that another exercise of their notebook calls, as the notebook asks: left as their
#: stubs, they cost the callers' test cells too (docs/instructors.md, "No double penalty").
CALLERS = {
    "linear_parameters": ("test_linear_update",),  # Linear.update ends with zero_grad()
    "labels_from_scores": ("test_train",),  # train reports the validation accuracy with it
    "predict": ("test_fixed_experiment", "test_results"),  # both report a test accuracy
    "accuracy": ("test_fixed_experiment", "test_results"),
}


@pytest.mark.slow
def test_an_unwritten_exercise_costs_its_own_cell_and_its_callers_only(tmp_path):
    """For every exercise, a complete notebook with only that exercise left as its stub (36
    notebooks, graded together): a test cell that calls another exercise's function would
    show here as a lost cell that CALLERS does not name."""
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, list(ASSIGNMENTS))
    expected = {}
    for assignment in ASSIGNMENTS:
        notebook = nbformat.read(release_dir / assignment / f"{assignment}.ipynb", as_version=4)
        for grade_id in solution_ids(notebook):
            student = f"stub-{grade_id}"
            _submit(course_dir, student, assignment, f"stub:{grade_id}", release_dir)
            expected[(student, assignment)] = sorted((f"test_{grade_id}", *CALLERS.get(grade_id, ())))
    assert set(CALLERS) <= {student[len("stub-"):] for student, _ in expected}, "CALLERS: unknown exercise"

    outcomes = grade.grade(course_dir, list(ASSIGNMENTS), workers=2, progress=False)
    assert [o for o in outcomes if not o.ok] == [], "some submissions could not be graded"
    scores = sequential.cell_scores(course_dir)
    lost = {key: sorted(cell for cell, (score, maximum) in scores[key].items() if score < maximum)
            for key in expected}
    assert lost == expected


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
