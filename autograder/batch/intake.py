"""Look at a collected submission before grading it, and give zero to one that cannot be graded.

``inspect`` reads ``submitted/<student>/<assignment>/`` without running anything and says
what is wrong with it: a symbolic link at any level or a hard-linked file (refused), the
expected notebook missing (or renamed), a file that is not a notebook (invalid JSON, empty,
another nbformat version, nested too deep, cells without a type or text), too large or
unreadable, a notebook of another assignment, a copy of the instructor's source notebook (a
solution or hidden-test marker in a cell), extra notebooks. ``zero`` records a score of 0
for every graded cell of such a submission in nbgrader's gradebook, as nbgrader itself does
for a missing notebook, so the grade exists, exports and shows in the formgrader. Nothing in
``submitted/`` is changed. The folders are those nbgrader's configuration names
(``autograder.course_folders``; ``submitted/`` and ``release/`` by default).
"""

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from autograder.nbgrader_markers import markers
from course.registry import assignment_of

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


@dataclass
class Intake:
    """What ``inspect`` found: ``gradable`` is False when nbgrader must not run it."""

    gradable: bool = True
    flags: list = field(default_factory=list)


def expected_notebooks(folders, assignment):
    """The notebook names (no suffix) of an assignment, from its release folder (``folders``: the
    course's CourseFolders)."""
    return sorted(p.stem for p in folders.assignment_path("release", assignment).glob("*.ipynb"))


def nbgrader_metadata(cell):
    """The nbgrader metadata of a cell (a dict from a parsed notebook), {} when it has none or
    it is not a dictionary."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def marker_problem(cells, config=None):
    """Why ``cells`` (of a parsed notebook) are a copy of the instructor's source notebook, not a
    submission: the first cell that holds a solution or hidden-test marker; None when none does."""
    configured = markers(config)
    delimiters = [marker for marker in (configured.begin_solution, configured.begin_hidden_tests) if marker]
    for index, cell in enumerate(cells):
        source = cell.get("source") if isinstance(cell, dict) else None
        if isinstance(source, list):
            source = "".join(str(line) for line in source)
        if not isinstance(source, str):
            continue
        for marker in delimiters:
            if marker in source:
                return (f"cell {index} holds the marker {marker!r} of the instructor's source notebook "
                        "(a copy of the source with its solutions, not a submission)")
    return None


def folder_problems(folders, student, assignment):
    """Why the folder ``submitted/<student>/<assignment>`` (``folders``: the course's
    CourseFolders) must not be graded at all: a symbolic link at any level (the student's
    folder, the assignment's, anything inside), a file with more than one name (a hard link),
    something that is neither a file nor a folder, or a folder that cannot be read. [] when
    there is none. Nothing is followed or opened."""
    folder = folders.path("submitted", student, assignment)
    submitted = folders.top("submitted")
    base = submitted if folder.is_relative_to(submitted) else folders.root
    levels = folder.relative_to(base).parts
    problems = []
    for depth in range(1, len(levels) + 1):  # the student's folder, then the assignment's
        path = base.joinpath(*levels[:depth])
        if path.is_symlink():
            problems.append(f"{path.relative_to(base)} is a symbolic link")
    if problems:
        return problems

    def unreadable(error):
        where = Path(error.filename).relative_to(folder) if error.filename else Path()
        problems.append(f"{'the folder' if where == Path() else where} cannot be read ({error.strerror})")

    for root, folders, files in os.walk(folder, onerror=unreadable):
        for name in sorted(folders + files):
            path = Path(root, name)
            relative = path.relative_to(folder)
            try:
                info = path.lstat()
            except OSError as error:
                problems.append(f"{relative} cannot be read ({error.strerror})")
                continue
            if stat.S_ISLNK(info.st_mode):
                problems.append(f"the submission holds a symbolic link, {relative}")
            elif stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                problems.append(f"{relative} is a hard link (a file with {info.st_nlink} names)")
            elif not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
                problems.append(f"{relative} is not a regular file")
    return problems


def _read(path):
    """The bytes of the regular file ``path`` (never through a symbolic link), or a problem."""
    try:
        info = path.lstat()
    except OSError as error:
        return None, f"{path.name} cannot be read ({error.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return None, f"{path.name} is not a regular file"
    if info.st_size == 0:
        return None, f"{path.name} is empty"
    if info.st_size > MAX_NOTEBOOK_BYTES:
        return None, (f"{path.name} is {info.st_size / 2**20:.0f} MiB, over the "
                      f"{MAX_NOTEBOOK_BYTES // 2**20} MiB limit")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        return None, f"{path.name} cannot be read ({error.strerror})"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"{path.name} grew over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit while it was read"
    return data, None


#: The deepest nesting of lists and dictionaries a notebook may have (JupyterLab writes
#: fewer than 10 levels; Python's own recursion stops near 1000, deep inside nbgrader).
MAX_DEPTH = 100
CELL_TYPES = ("code", "markdown", "raw")


def _depth(value):
    """The nesting depth of a parsed JSON value, without recursion (1 for a scalar)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _invalid(notebook):
    """Why a parsed notebook cannot go through nbgrader's steps (its nesting, or a cell that is
    not a dictionary with a known cell_type, text source and dictionary metadata), or None.
    nbgrader metadata that is not a dictionary is left to ``RecordTampering``, which
    drops it in both graders."""
    if _depth(notebook) > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in CELL_TYPES:
            return f"cell {index} is not a code, markdown or raw cell"
        source = cell.get("source")
        if not isinstance(source, str) and not (isinstance(source, list)
                                                and all(isinstance(line, str) for line in source)):
            return f"cell {index} has no text as its source"
        if not isinstance(cell.get("metadata", {}), dict):
            return f"cell {index} has metadata that is not a dictionary"
        if cell["cell_type"] == "code" and not isinstance(cell.get("outputs", []), list):
            return f"the outputs of cell {index} are not a list"
    return None


def _problem(path, assignment, config=None):
    """Why the notebook file at ``path`` cannot be graded, or None."""
    data, problem = _read(path)
    if problem:
        return problem
    try:
        notebook = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        return f"{path.name} is not valid notebook JSON ({type(error).__name__}: {str(error)[:80]})"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return f"{path.name} has no list of cells: not a Jupyter notebook"
    if notebook.get("nbformat") != 4:
        version = repr(notebook.get("nbformat"))[:20]
        return f"{path.name} has nbformat version {version}; version 4 is expected"
    invalid = _invalid(notebook)
    if invalid:
        return f"{path.name} is not a valid notebook ({invalid})"
    ids = [nbgrader_metadata(c).get("grade_id") for c in notebook["cells"]]
    other = assignment_of([i for i in ids if isinstance(i, str) and i])
    if other is not None and other != assignment:
        return f"{path.name} is the notebook of {other}, not of {assignment}"
    return marker_problem(notebook["cells"], config)


def inspect(folders, student, assignment, config=None):
    """An Intake for ``submitted/<student>/<assignment>/`` (``folders``: the course's
    CourseFolders). config: nbgrader's configuration (the solution and hidden-test markers;
    nbgrader's defaults when None)."""
    folder = folders.path("submitted", student, assignment)
    intake = Intake()
    refused = folder_problems(folders, student, assignment)
    if refused:
        intake.gradable = False
        intake.flags += [f"refused: {problem}: graded 0" for problem in refused]
        return intake
    expected = expected_notebooks(folders, assignment)
    present = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    for name in expected:
        path = folder / f"{name}.ipynb"
        if not path.exists() and not path.is_symlink():
            others = [p for p in present if p != f"{name}.ipynb"]
            hint = f" (found {', '.join(others)}: renamed?)" if others else ""
            intake.flags.append(f"{name}.ipynb is missing{hint}: graded 0")
            intake.gradable = False
            continue
        problem = _problem(path, assignment, config)
        if problem:
            intake.flags.append(f"{problem}: graded 0")
            intake.gradable = False
    extra = [p for p in present if Path(p).stem not in expected]
    if extra and intake.gradable:
        intake.flags.append(f"extra notebooks ignored: {', '.join(extra)}")
    return intake


def zero(db_url, student, assignment):
    """Record 0 for every graded cell of the submission in nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gradebook.db.commit()

