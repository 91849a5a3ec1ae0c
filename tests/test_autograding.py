"""Real `nbgrader autograde` on real kernels: untouched submissions get nothing, complete
and differently written correct ones get everything, and each planted bug loses the
points of exactly the cells that test it (and no others)."""

import nbformat
import pytest

from autograder import grading
from autograder.release import build_course_dir
from autograder.samples import make_submission, planted_bugs
from course.previous import ASSIGNMENTS

# Two halves of similar grading time, so that two pytest workers share the work.
GROUPS = {"01-06": ASSIGNMENTS[:6], "07-08": ASSIGNMENTS[6:]}


def _submit(course_dir, student, assignment, kind, release_dir):
    folder = course_dir / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(make_submission(assignment, kind, release_dir), folder / f"{assignment}.ipynb")


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(GROUPS))
def test_autograde_gives_the_expected_points(group, tmp_path):
    assignments = GROUPS[group]
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, assignments)
    expected_failures = {}
    for assignment in assignments:
        for kind in ("untouched", "complete", "alternative"):
            _submit(course_dir, kind, assignment, kind, release_dir)
        for k, bug in enumerate(planted_bugs(assignment)):
            _submit(course_dir, f"bug{k}", assignment, f"bug:{k}", release_dir)
            expected_failures[(f"bug{k}", assignment)] = set(bug.fails)

    grading.autograde(course_dir)
    scores = grading.cell_scores(course_dir)

    problems = []
    for (student, assignment), cells in sorted(scores.items()):
        assert cells, f"{student}/{assignment} has no graded cells"
        if student == "untouched":
            wrong = {cell for cell, (score, _) in cells.items() if score != 0}
        elif student in ("complete", "alternative"):
            wrong = {cell for cell, (score, maximum) in cells.items() if score != maximum}
        else:
            must_fail = expected_failures[(student, assignment)]
            failed = {cell for cell, (score, maximum) in cells.items() if score < maximum}
            wrong = failed ^ must_fail
        if wrong:
            problems.append(f"{student}/{assignment}: unexpected scores in {sorted(wrong)}")
    expected_count = len(assignments) * 3 + len(expected_failures)
    assert len(scores) == expected_count, f"graded {len(scores)} submissions, expected {expected_count}"
    assert not problems, "\n".join(problems)
