"""What every exercise needs, and the list of what is missing.

An exercise is a solution cell and the graded test cell after it in ``source/<assignment>/``,
and, outside the notebook: the solution's block in ``autograder/reference/<step>.py`` (``#
%% [grade_id]``, written into the cell by ``sync``), the test cell's entry in the registry of
exercises (``course/exercises.py``: what the student writes, a general hint), its probe in
``course/probes/<step>.py`` (``PROBES``) and, when several answers are right, its judge in
``course/judges/<step>.py`` (``JUDGES``), which decide whether the test cell keeps its points.
Without a probe a correct answer scores 0 ("the grader has no re-check for this cell"); without a
cell a reference block is never used.

``missing()`` lists every piece that is missing, or still holds the ``TODO(instructor)`` of a
skeleton that ``python -m autograder exercise add`` wrote; ``python -m autograder release`` and
``sync --check`` refuse while the list is not empty.
"""

import importlib
import inspect

import nbformat

from autograder.authoring.sync import ROOT, notebook_path, read_module
from course.registry import STEP_MODULES

SKELETON = "TODO(instructor)"


def graded_cells(notebook):
    """(solution cell grade_ids, graded test cell grade_ids) of a notebook, in order."""
    solutions, tests = [], []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            solutions.append(meta["grade_id"])
        elif meta.get("grade") and not meta.get("solution"):
            tests.append(meta["grade_id"])
    return solutions, tests


def _fresh(module_name):
    """The module, read again from its file (an exercise command may just have changed it)."""
    module = importlib.import_module(module_name)
    return importlib.reload(module)


def _judges(step):
    """The ``JUDGES`` of ``course/judges/<step>.py``, read again; {} when the step has no judge module."""
    if not (ROOT / "course" / "judges" / f"{step}.py").is_file():
        return {}
    importlib.invalidate_caches()   # the module may be new (``exercise add``)
    return getattr(_fresh(f"course.judges.{step}"), "JUDGES", {})


def _skeleton_in(obj):
    try:
        return SKELETON in inspect.getsource(obj)
    except (OSError, TypeError):
        return False


def missing(assignments=None):
    """[sentence] naming every missing or unfinished piece of every exercise of ``assignments``
    (default: every assignment with a source notebook), in course order."""
    registry = _fresh("course.exercises").EXERCISES
    problems = []
    for assignment, step in STEP_MODULES.items():
        path = notebook_path(assignment)
        if (assignments is not None and assignment not in assignments) or not path.exists():
            continue
        notebook = nbformat.read(path, as_version=4)
        solutions, tests = graded_cells(notebook)
        blocks = read_module(step)[1]
        probes, judges = _fresh(f"course.probes.{step}"), _judges(step)
        entries = registry.get(assignment, {})
        where, ref = f"source/{assignment}", f"autograder/reference/{step}.py"
        probe_file, judge_file = f"course/probes/{step}.py", f"course/judges/{step}.py"
        todo = f"is still a skeleton ({SKELETON})"
        for grade_id in blocks:
            if grade_id not in solutions:
                problems.append(f"{ref}: the block [{grade_id}] has no solution cell with grade_id "
                                f"{grade_id!r} in {where}")
            elif SKELETON in blocks[grade_id]:
                problems.append(f"{ref}: the block [{grade_id}] {todo}")
        for grade_id in tests:
            if grade_id not in probes.PROBES:
                problems.append(f"{where}: the test cell {grade_id} has no probe in {probe_file} (PROBES), "
                                f"so a correct answer would score 0")
            elif _skeleton_in(probes.PROBES[grade_id]):
                problems.append(f"{probe_file}: the probe of {grade_id} {todo}")
            judge = judges.get(grade_id)
            if judge is not None and _skeleton_in(judge):
                problems.append(f"{judge_file}: the judge of {grade_id} {todo}; fill it in, or delete it "
                                f"when one answer is right")
            if grade_id not in entries:
                problems.append(f"{where}: the test cell {grade_id} has no entry in course/exercises.py")
            elif any(SKELETON in text for text in entries[grade_id]):
                problems.append(f"course/exercises.py: the entry of {grade_id} {todo}")
        for grade_id in entries:
            if grade_id not in tests:
                problems.append(f"course/exercises.py: {assignment} lists {grade_id}, which is not a graded "
                                f"test cell of {where}")
        for index, cell in enumerate(notebook.cells):
            if SKELETON in cell.source and cell.metadata.get("nbgrader", {}).get("grade_id") not in blocks:
                name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index} ({cell.cell_type})"
                problems.append(f"{where}/{assignment}.ipynb: {name} {todo}")
    return problems


def refusal(problems, command):
    """The message with which ``command`` refuses, listing ``problems``."""
    lines = [f"{command} refused: {len(problems)} piece(s) of the course's exercises are missing or "
             f"unfinished (docs/instructors/exercises.md):"]
    return "\n".join(lines + [f"  - {problem}" for problem in problems])
