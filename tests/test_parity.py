"""Measured parity on the sample data (``python -m autograder parity``): the grader catches every
planted bug on its own exercise and passes every alternative solution, each notebook loses the
points of exactly the test cells its bugs name (no other cell, and an alternative none), the
self-check agrees with the grader on every test cell of every case, and the visible checks catch
at least 80% of the bugs. One run of every case, real kernels and the real batch grader (nbgrader's
Autograde with the hidden tests and the probes, every kernel in the sandbox)."""

import pytest

from autograder.authoring import parity
from course.registry import ASSIGNMENTS

#: The share of the planted bugs the visible checks must catch on their own.
VISIBLE_BAR = 0.8


@pytest.mark.slow
def test_the_three_verdicts_on_every_sample_case_hold_the_bars():
    figures = parity.measure(ASSIGNMENTS, progress=lambda text: None)
    total = parity.totals(figures)
    table = parity.format_table(figures)
    assert total["bugs"] >= len(ASSIGNMENTS) and total["alternatives"] >= len(ASSIGNMENTS), table
    assert total["caught"]["grader"] == total["bugs"] and not total["missed"], table
    assert total["passed"]["grader"] == total["alternatives"] and not total["failed"], table
    assert total["agree"] == total["cells"] and not total["disagree"], table
    assert not total["elsewhere"], table
    assert total["caught"]["visible"] >= VISIBLE_BAR * total["bugs"], table


def test_bugs_of_one_exercise_or_with_overlapping_cells_get_notebooks_of_their_own():
    for assignment in ASSIGNMENTS:
        found = parity.cases(assignment)
        bugs = [bug for case in found for bug in case.bugs]
        assert len(bugs) == len(set(bugs)) and set(bugs) == set(parity.planted_bugs(assignment))
        for case in found:
            assert len({bug.grade_id for bug in case.bugs}) == len(case.bugs), case.name
            cells = [cell for bug in case.bugs for cell in bug.fails]
            assert len(cells) == len(set(cells)), case.name
            assert not (case.bugs and case.alternatives), case.name


def test_a_verdict_the_bugs_do_not_explain_is_reported():
    assignment = "05_update"
    case = next(case for case in parity.cases(assignment) if len(case.bugs) >= 2)
    named = [bug.fails[0] for bug in case.bugs]
    others = ["test_another_exercise"]
    assert parity.unexplained(case, {**{cell: False for cell in named}, others[0]: True}) == []
    extra = parity.unexplained(case, {**{cell: False for cell in named}, others[0]: False})
    assert extra == [f"{case.name}: {others[0]} loses points, though no bug of the case names it"]
    kept = parity.unexplained(case, {named[0]: True, **{cell: False for cell in named[1:]}})
    assert len(kept) == 1 and kept[0].startswith(f"{case.name}: {named[0]} keeps its points")
    alternative = next(case for case in parity.cases(assignment) if case.alternatives)
    assert parity.unexplained(alternative, {named[0]: False}) == [
        f"{alternative.name}: {named[0]} loses points, though no bug of the case names it"]
