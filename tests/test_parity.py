"""Measured parity on the sample data (``python -m autograder parity``): the grader catches every
planted bug on its own exercise and passes every alternative solution, the self-check agrees
with the grader on every test cell of every case, and the visible checks catch at least 80%
of the bugs. One run of every case, real kernels and the real batch grader."""

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
