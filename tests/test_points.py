"""The points a notebook states are the points nbgrader grades: the "**Points.** N in all" line
and every "**Exercise k (m points)**" heading of a source notebook agree with the ``points`` of
its graded test cells (the nbgrader metadata, which is what the gradebook records)."""

import re

import nbformat
import pytest

from autograder.authoring.sync import SOURCE
from course.registry import ASSIGNMENTS

EXERCISE = re.compile(r"\*\*Exercise \d+ \((\d+) points?\)\.?\*\*")
TOTAL = re.compile(r"\*\*Points\.\*\* (\d+) in all:(.*?)\.(?:\s|$)", re.S)


def _notebook(assignment):
    return nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)


def _test_cells(notebook):
    """[(index, grade_id, points)] of the graded test cells, in order."""
    cells = []
    for i, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            cells.append((i, meta["grade_id"], meta["points"]))
    return cells


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_points_line_lists_every_test_cell_and_the_total(assignment):
    notebook = _notebook(assignment)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    found = TOTAL.search(markdown)
    assert found, f"{assignment}: no '**Points.** N in all: ...' line"
    points = [p for _, _, p in _test_cells(notebook)]
    assert int(found.group(1)) == sum(points), (
        f"{assignment}: the notebook says {found.group(1)} points in all, "
        f"its test cells carry {sum(points):g}")
    items = re.sub(r"\([^)]*\)", "", found.group(2)).split(",")
    stated = [int(re.findall(r"\d+", item)[-1]) for item in items]
    assert stated == points, f"{assignment}: the points line lists {stated}, the test cells carry {points}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_exercise_heading_states_the_points_of_its_test_cell(assignment):
    notebook = _notebook(assignment)
    headings = [(i, int(m)) for i, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"
                for m in EXERCISE.findall(cell.source)]
    assert headings, f"{assignment}: no '**Exercise k (m points).**' heading"
    cells = _test_cells(notebook)
    for index, stated in headings:
        following = [(grade_id, points) for i, grade_id, points in cells if i > index]
        assert following, f"{assignment}: an exercise heading (cell {index}) with no test cell after it"
        grade_id, points = following[0]
        assert points == stated, (f"{assignment}: the heading of cell {index} says {stated} points, its "
                                  f"test cell {grade_id} carries {points:g}")
