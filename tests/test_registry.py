"""The registry (``course.registry``) is the one list of assignments, steps and exercises: every
other table of the course covers exactly its ids (or, where a table holds only some, names no
other id)."""

from pathlib import Path

import nbformat
import pytest

from autograder.demo import samples
from autograder.preprocessors import cells as notebook_cells
from course import judges, probes
from course.hints import HINTS
from course.probes import published
from course.registry import ASSIGNMENTS, EXERCISES, STEP_MODULES

ROOT = Path(__file__).resolve().parents[1]
ALL_EXERCISES = {grade_id for cells in EXERCISES.values() for grade_id in cells}


def _source_notebook(assignment):
    return nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def test_exercises_and_step_modules_are_keyed_by_the_assignments_in_course_order():
    assert tuple(EXERCISES) == ASSIGNMENTS
    assert tuple(STEP_MODULES) == ASSIGNMENTS
    assert len(set(STEP_MODULES.values())) == len(ASSIGNMENTS)


def test_every_assignment_has_a_source_folder_and_a_release_folder_and_nothing_else_does():
    for folder in ("source", "release"):
        assert {p.name for p in (ROOT / folder).iterdir() if p.is_dir()} == set(ASSIGNMENTS), folder


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_source_notebook_test_cells_with_points_are_exactly_the_exercises(assignment):
    cells = notebook_cells.test_cells(_source_notebook(assignment))
    assert [grade_id for grade_id, _ in cells] == list(EXERCISES[assignment])
    assert all(cell.metadata["nbgrader"].get("points", 0) > 0 for _, cell in cells)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_probes_cover_exactly_the_exercises_and_judges_name_no_other(assignment):
    module = probes.probe_module(assignment)
    assert set(module.PROBES) == set(EXERCISES[assignment])
    assert not hasattr(module, "JUDGES")  # judges live in course/judges/, outside the kernel
    assert set(judges.judges_of(assignment)) <= set(EXERCISES[assignment])


def test_each_step_has_a_reference_module_a_probe_module_and_published_probe_values():
    for assignment, step in STEP_MODULES.items():
        assert (ROOT / "autograder" / "reference" / f"{step}.py").is_file(), step
        assert (ROOT / "course" / "probes" / f"{step}.py").is_file(), step
        assert published.path(assignment).is_file(), assignment
    assert {p.stem for p in published.FOLDER.glob("*.npz")} == set(ASSIGNMENTS)
    judge_modules = {p.stem for p in (ROOT / "course" / "judges").glob("*.py")} - {"__init__", "tools"}
    assert judge_modules <= set(STEP_MODULES.values())  # a judge module is named as its step


def test_previous_steps_ship_beside_every_notebook_but_the_first():
    for folder in ("source", "release"):
        have = {p.parent.name for p in (ROOT / folder).glob("*/previous_steps.py")}
        assert have == set(ASSIGNMENTS[1:]), folder


def test_hints_name_only_exercises_of_the_registry():
    unknown = {key: sorted(set(hint.exercises) - ALL_EXERCISES) for key, hint in HINTS.items()
               if set(hint.exercises) - ALL_EXERCISES}
    assert not unknown
    assert all(isinstance(hint, str) and hint for cells in EXERCISES.values() for _, hint in cells.values())


def test_sample_data_is_keyed_by_the_assignments_and_names_only_their_cells():
    for catalogue in (samples.planted_bugs(), samples.alternatives()):
        assert {entry.assignment for entry in catalogue} == set(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        solutions = set(samples.solution_ids(_source_notebook(assignment)))
        for bug in samples.planted_bugs(assignment):
            assert bug.grade_id in solutions and set(bug.fails) <= set(EXERCISES[assignment]), bug.description
        for alternative in samples.alternatives(assignment):
            assert alternative.grade_id in solutions, alternative.description
