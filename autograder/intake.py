"""Look at a collected submission before grading it, and give zero to one that cannot be graded.

``inspect`` reads ``submitted/<student>/<assignment>/`` without running anything and says
what is wrong with it: the expected notebook missing (or renamed), a file that is not a
notebook (invalid JSON, empty, another nbformat version), too large, a notebook of another
assignment, extra notebooks. ``zero`` records a score of 0 for every graded cell of such a
submission in nbgrader's gradebook, as nbgrader itself does for a missing notebook, so the
grade exists, exports and shows in the formgrader. Nothing in ``submitted/`` is changed.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from course.exercises import assignment_of

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


@dataclass
class Intake:
    """What ``inspect`` found: ``gradable`` is False when nbgrader must not run it."""

    gradable: bool = True
    flags: list = field(default_factory=list)


def expected_notebooks(course_dir, assignment):
    """The notebook names (no suffix) of an assignment, from its release folder."""
    return sorted(p.stem for p in Path(course_dir, "release", assignment).glob("*.ipynb"))


def _problem(path, assignment):
    """Why the notebook file at ``path`` cannot be graded, or None."""
    if path.is_symlink() or not path.is_file():
        return f"{path.name} is not a regular file"
    size = path.stat().st_size
    if size == 0:
        return f"{path.name} is empty"
    if size > MAX_NOTEBOOK_BYTES:
        return f"{path.name} is {size / 2**20:.0f} MiB, over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit"
    try:
        notebook = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        return f"{path.name} is not valid notebook JSON ({str(error)[:80]})"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return f"{path.name} has no list of cells: not a Jupyter notebook"
    if notebook.get("nbformat") != 4:
        return f"{path.name} has nbformat version {notebook.get('nbformat')!r}; version 4 is expected"
    ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in notebook["cells"]
           if isinstance(c, dict) and isinstance(c.get("metadata"), dict)]
    other = assignment_of([i for i in ids if i])
    if other is not None and other != assignment:
        return f"{path.name} is the notebook of {other}, not of {assignment}"
    return None


def inspect(course_dir, student, assignment):
    """An Intake for ``submitted/<student>/<assignment>/``."""
    folder = Path(course_dir, "submitted", student, assignment)
    intake = Intake()
    expected = expected_notebooks(course_dir, assignment)
    present = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    for name in expected:
        path = folder / f"{name}.ipynb"
        if not path.exists() and not path.is_symlink():
            others = [p for p in present if p != f"{name}.ipynb"]
            hint = f" (found {', '.join(others)}: renamed?)" if others else ""
            intake.flags.append(f"{name}.ipynb is missing{hint}: graded 0")
            intake.gradable = False
            continue
        problem = _problem(path, assignment)
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

