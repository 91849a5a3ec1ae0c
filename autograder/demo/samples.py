"""Sample submissions, made from the release and the reference by code (never by hand).

Kinds of submission, per assignment:

- ``complete``: every solution cell holds the reference solution;
- ``alternative``: differently written correct solutions (loops, einsum, caching the output,
  in-place updates...) from ``sample_data/alternative_solutions.json``, the first one of each
  solution cell, the reference elsewhere;
- ``alt:R``: the R-th alternative of every solution cell that has one (``alternative_rounds``),
  the reference elsewhere;
- ``partial``: the first half of the solution cells solved, the rest left as stubs;
- ``buggy``: the reference with the planted bugs of ``sample_data/planted_bugs.json`` marked
  ``"sample_class"`` applied (one per solution cell: the sample class's student with common bugs);
- ``bug:K``: the reference with only the K-th planted bug of that assignment;
- ``bugs:G``: the reference with the planted bugs of group G of ``bug_groups`` (bugs of
  different solution cells, so that one notebook grades several bugs at once);
- ``stub:GRADE_ID``: the reference with the one solution cell ``GRADE_ID`` left as its stub
  (an exercise a student skipped);
- ``untouched``: the release notebook as students receive it.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.authoring.sync import ROOT, all_blocks, without_markers

DATA = Path(__file__).resolve().parents[1] / "sample_data"
KINDS = ("complete", "alternative", "partial", "buggy", "untouched")


@dataclass(frozen=True)
class PlantedBug:
    """A common mistake: ``old`` replaced by ``new`` in the reference block ``grade_id``.

    ``fails``: the grade_ids of exactly the test cells that must lose their points.
    ``sample_class``: one of the bugs of the sample class's ``buggy`` student.
    """

    assignment: str
    grade_id: str
    description: str
    old: str
    new: str
    fails: tuple
    sample_class: bool = False

    def apply(self, source):
        if source.count(self.old) != 1:
            raise ValueError(f"planted bug '{self.description}': its text must occur once in "
                             f"block [{self.grade_id}]")
        return source.replace(self.old, self.new)


def planted_bugs(assignment=None):
    """The planted bugs of one assignment (or of all), in catalogue order."""
    catalogue = json.loads((DATA / "planted_bugs.json").read_text())
    return [PlantedBug(a, b["grade_id"], b["description"], b["old"], b["new"], tuple(b["fails"]),
                       b.get("sample_class", False))
            for a, bugs in catalogue.items() if assignment in (None, a) for b in bugs]


@dataclass(frozen=True)
class Alternative:
    """A correct solution of the solution cell ``grade_id`` written differently from the
    reference (``description`` says how); ``source`` is the cell's whole text."""

    assignment: str
    grade_id: str
    description: str
    source: str


def alternatives(assignment=None):
    """The differently written correct solutions of one assignment (or of all), in catalogue order."""
    catalogue = json.loads((DATA / "alternative_solutions.json").read_text())
    return [Alternative(a, entry["grade_id"], entry["description"], entry["source"])
            for a, entries in catalogue.items() if assignment in (None, a) for entry in entries]


def alternative_rounds(assignment):
    """How many ``alt:R`` submissions cover every alternative of ``assignment`` (the most
    alternatives any one solution cell has)."""
    counts = {}
    for alternative in alternatives(assignment):
        counts[alternative.grade_id] = counts.get(alternative.grade_id, 0) + 1
    return max(counts.values(), default=0)


def alternative_solutions(assignment, round=0):
    """{grade_id: cell source}: the ``round``-th alternative of every solution cell of
    ``assignment`` that has that many (round 0: the first of each)."""
    seen, chosen = {}, {}
    for alternative in alternatives(assignment):
        if seen.get(alternative.grade_id, 0) == round:
            chosen[alternative.grade_id] = alternative.source
        seen[alternative.grade_id] = seen.get(alternative.grade_id, 0) + 1
    return chosen


def bug_groups(assignment):
    """The planted bugs of ``assignment`` in groups that one submission can carry together:
    [[K, ...], ...], indices into ``planted_bugs(assignment)``, at most one bug per solution
    cell and no two bugs whose test cells overlap. Exercises are independent, so a group's
    submission must fail exactly the union of its bugs' ``fails``."""
    bugs, groups = planted_bugs(assignment), []
    for k, bug in enumerate(bugs):
        for group in groups:
            others = [bugs[j] for j in group]
            if all(bug.grade_id != o.grade_id and not set(bug.fails) & set(o.fails) for o in others):
                group.append(k)
                break
        else:
            groups.append([k])
    return groups


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
    if kind.startswith("alt:"):
        return {**solved, **alternative_solutions(assignment, int(kind[4:]))}
    if kind.startswith("stub:"):
        return {gid: source for gid, source in solved.items() if gid != kind[5:]}
    if kind == "partial":
        return {gid: solved[gid] for gid in ids[: len(ids) // 2]}
    if kind == "buggy" or kind.startswith(("bug:", "bugs:")):
        bugs = planted_bugs(assignment)
        if kind.startswith("bug:"):
            bugs = [bugs[int(kind[4:])]]
        elif kind.startswith("bugs:"):
            bugs = [bugs[k] for k in bug_groups(assignment)[int(kind[5:])]]
        else:
            bugs = [bug for bug in bugs if bug.sample_class]
        bugged = set()
        for bug in bugs:  # at most one bug per cell: two bugs in one cell may overlap
            if bug.grade_id not in bugged:
                solved[bug.grade_id] = without_markers(bug.apply(reference[bug.grade_id]))
                bugged.add(bug.grade_id)
        return solved
    raise ValueError(f"unknown kind of submission {kind!r}: one of {KINDS}, alt:R, bug:K, bugs:G or "
                     "stub:GRADE_ID")


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


def submit(course_dir, student, assignment, notebook, timestamp="2026-01-15 12:00:00.000000 UTC"):
    """Write one collected submission, in the submitted folder nbgrader's configuration of
    ``course_dir`` names: the notebook and nbgrader's timestamp.txt (``timestamp``, in the form
    ``nbgrader collect`` writes)."""
    from autograder.course_folders import CourseFolders

    folder = CourseFolders.of_course(course_dir).path("submitted", student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text(timestamp)
