"""Sample submissions, made from the release and the reference by code (never by hand).

Kinds of submission, per assignment:

- ``complete``: every solution cell holds the reference solution;
- ``alternative``: differently written correct solutions (loops, einsum, caching the output,
  in-place updates...) from ``sample_data/alternative_solutions.json``, the reference elsewhere;
- ``partial``: the first half of the solution cells solved, the rest left as stubs;
- ``buggy``: the reference with planted bugs of ``sample_data/planted_bugs.json`` applied,
  the first one of each solution cell;
- ``bug:K``: the reference with only the K-th planted bug of that assignment;
- ``untouched``: the release notebook as students receive it.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .solutions import ROOT, all_blocks, without_markers

DATA = Path(__file__).resolve().parent / "sample_data"
KINDS = ("complete", "alternative", "partial", "buggy", "untouched")


@dataclass(frozen=True)
class PlantedBug:
    """A common mistake: ``old`` replaced by ``new`` in the reference block ``grade_id``.

    ``fails``: the grade_ids of exactly the test cells that must lose their points.
    """

    assignment: str
    grade_id: str
    description: str
    old: str
    new: str
    fails: tuple

    def apply(self, source):
        if source.count(self.old) != 1:
            raise ValueError(f"planted bug '{self.description}': its text must occur once in "
                             f"block [{self.grade_id}]")
        return source.replace(self.old, self.new)


def planted_bugs(assignment=None):
    """The planted bugs of one assignment (or of all), in catalogue order."""
    catalogue = json.loads((DATA / "planted_bugs.json").read_text())
    return [PlantedBug(a, b["grade_id"], b["description"], b["old"], b["new"], tuple(b["fails"]))
            for a, bugs in catalogue.items() if assignment in (None, a) for b in bugs]


def alternative_solutions(assignment):
    """{grade_id: cell source} of the differently written correct solutions of an assignment."""
    return json.loads((DATA / "alternative_solutions.json").read_text()).get(assignment, {})


def solution_ids(notebook):
    """The grade_ids of a notebook's solution cells, in order."""
    return [cell.metadata["nbgrader"]["grade_id"] for cell in notebook.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")]


def answers(assignment, kind, notebook):
    """{grade_id: source} to write into the solution cells for a submission of ``kind``."""
    reference = all_blocks()
    ids = solution_ids(notebook)
    solved = {gid: without_markers(reference[gid]) for gid in ids}
    if kind == "untouched":
        return {}
    if kind == "complete":
        return solved
    if kind == "alternative":
        return {**solved, **alternative_solutions(assignment)}
    if kind == "partial":
        return {gid: solved[gid] for gid in ids[: len(ids) // 2]}
    if kind == "buggy" or kind.startswith("bug:"):
        bugs = planted_bugs(assignment)
        if kind.startswith("bug:"):
            bugs = [bugs[int(kind[4:])]]
        bugged = set()
        for bug in bugs:  # at most one bug per cell: two bugs in one cell may overlap
            if bug.grade_id not in bugged:
                solved[bug.grade_id] = bug.apply(solved[bug.grade_id])
                bugged.add(bug.grade_id)
        return solved
    raise ValueError(f"unknown kind of submission {kind!r}: one of {KINDS} or bug:K")


def make_submission(assignment, kind, release_dir=ROOT / "release"):
    """The release notebook of ``assignment`` answered as a student of ``kind`` would."""
    path = Path(release_dir) / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    replacements = answers(assignment, kind, notebook)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements and cell.metadata["nbgrader"].get("solution"):
            cell.source = replacements[grade_id]
    return notebook


def write_submissions(course_dir, students, assignments, release_dir=ROOT / "release"):
    """Write ``submitted/<student>/<assignment>/<assignment>.ipynb`` for every pair.

    students: {student_id: kind}. Each submission also gets nbgrader's timestamp.txt.
    """
    for student, kind in students.items():
        for assignment in assignments:
            submit(course_dir, student, assignment, make_submission(assignment, kind, release_dir))


def submit(course_dir, student, assignment, notebook):
    """Write one collected submission: the notebook and nbgrader's timestamp.txt."""
    folder = Path(course_dir) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text("2026-01-15 12:00:00.000000 UTC")
