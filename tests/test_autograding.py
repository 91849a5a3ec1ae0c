"""The real grader (nbgrader's Autograde through the batch grader, hidden tests and probes, every
kernel in the sandbox) on the sample data: untouched submissions get nothing, the reference and
every differently written correct solution get everything, and each planted bug loses the points
of exactly the test cells it names (and no others).

Exercises are independent, so one notebook carries several bugs on different exercises and test
cells (``samples.bug_groups``) and every alternative of one round (``alt:R``): about sixty
notebooks for the whole catalogue instead of one per case. A bug that makes another exercise's
test fail shows as points lost in that cell, unless a bug of the same group names that cell too:
``tests/test_probes.py`` runs every bug alone against the probes.
"""

import nbformat
import pytest

from autograder.authoring.release import build_course_dir
from autograder.authoring.sync import all_blocks
from autograder.batch import grade, sequential
from autograder.demo.samples import (
    alternative_rounds,
    alternative_solutions,
    alternatives,
    bug_groups,
    make_submission,
    planted_bugs,
)
from course.registry import ASSIGNMENTS

# Two halves of similar grading time, so that two pytest workers share the work.
GROUPS = {"01-05": ASSIGNMENTS[:5], "06-08": ASSIGNMENTS[5:]}


def _submit(course_dir, student, assignment, kind, release_dir):
    folder = course_dir / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(make_submission(assignment, kind, release_dir), folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text("2026-01-15 12:00:00.000000 UTC")


def _cases(assignment):
    """{student id: (kind of submission, the test cells that must lose points or None for all)}."""
    bugs = planted_bugs(assignment)
    cases = {"untouched": ("untouched", None), "complete": ("complete", set())}
    for round_ in range(alternative_rounds(assignment)):
        cases[f"alt{round_}"] = (f"alt:{round_}", set())
    for g, group in enumerate(bug_groups(assignment)):
        cases[f"bugs{g}"] = (f"bugs:{g}", set().union(*(bugs[k].fails for k in group)))
    return cases


def _named(assignment, student, cells):
    """The planted bugs of ``student``'s group whose test cells are among ``cells``."""
    if not student.startswith("bugs"):
        return ""
    bugs = planted_bugs(assignment)
    group = bug_groups(assignment)[int(student[4:])]
    return "; ".join(bugs[k].description for k in group if set(bugs[k].fails) & cells)


def _figures(assignment, scores):
    """'bugs caught a/b, alternatives passed c/d' of one assignment from the graded cells."""
    bugs, caught = planted_bugs(assignment), 0
    for g, group in enumerate(bug_groups(assignment)):
        cells = scores.get((f"bugs{g}", assignment), {})
        failed = {cell for cell, (score, maximum) in cells.items() if score < maximum}
        caught += sum(set(bugs[k].fails) <= failed for k in group)
    passed, total = 0, 0
    for round_ in range(alternative_rounds(assignment)):
        cells = scores.get((f"alt{round_}", assignment), {})
        failed = {cell for cell, (score, maximum) in cells.items() if score < maximum}
        for grade_id in alternative_solutions(assignment, round_):
            total += 1
            passed += bool(cells) and f"test_{grade_id}" not in failed
    return f"{assignment}: bugs caught {caught}/{len(bugs)}, alternatives passed {passed}/{total}"


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(GROUPS))
def test_grader_fails_exactly_the_cells_each_planted_bug_names(group, tmp_path, capsys):
    assignments = GROUPS[group]
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, assignments)
    expected = {}
    for assignment in assignments:
        for student, (kind, must_fail) in _cases(assignment).items():
            _submit(course_dir, student, assignment, kind, release_dir)
            expected[(student, assignment)] = must_fail

    outcomes = grade.grade(course_dir, assignments, workers=2, progress=False)
    assert [o for o in outcomes if not o.ok] == [], "some submissions could not be graded"
    scores = sequential.cell_scores(course_dir)

    with capsys.disabled():
        print("\n" + "\n".join(_figures(assignment, scores) for assignment in assignments))
    problems = []
    for (student, assignment), must_fail in sorted(expected.items()):
        cells = scores.get((student, assignment))
        if not cells:
            problems.append(f"{student}/{assignment}: not graded")
            continue
        failed = {cell for cell, (score, maximum) in cells.items() if score < maximum}
        if must_fail is None:
            wrong = {cell for cell, (score, _) in cells.items() if score != 0}
        else:
            wrong = failed ^ must_fail
        if wrong:
            missed, extra = sorted(wrong & (must_fail or set())), sorted(wrong - (must_fail or set()))
            problems.append(f"{student}/{assignment}: bugs not caught in {missed}, points lost in {extra}"
                            + (f" ({_named(assignment, student, wrong)})" if missed else ""))
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
