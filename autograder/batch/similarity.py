"""Pairs of submissions whose solution cells are alike, found with copydetect.

copydetect (the winnowing fingerprints of MOSS: every k-gram of a program's tokens, names and
literals replaced by placeholders, so renamed variables change nothing) fingerprints each
solution cell of each submission of an assignment. The release's starter code of the cell and the
reference solution's cell are boilerplate: their fingerprints are removed first, so code that a
student received, and code equal to the course's own solution, counts for no one. Two
submissions are compared exercise by exercise (cell against the cell with the same grade_id);
for each of the two, the share of its own remaining code that the other has too is its
similarity.

A pair is listed under "look here" when both similarities reach ``THRESHOLD`` and the shared
code is at least ``MIN_TOKENS`` tokens: a reason for a person to read both notebooks, never a
verdict (common short idioms and a shared planted bug stay below it).
"""

import io
from dataclasses import dataclass
from itertools import combinations

import nbformat
import numpy as np

from autograder.authoring.sync import all_blocks
from autograder.course_folders import CourseFolders

#: copydetect's own defaults: k-grams of 25 filtered characters, every k-gram kept (window 1).
NOISE = 25
WINDOW = 1
THRESHOLD = 0.6
MIN_TOKENS = 150


@dataclass
class Pair:
    """Two submissions of one assignment, compared."""

    assignment: str
    first: str
    second: str
    similarity: tuple      # (share of first's own code also in second's, the same for second)
    shared_tokens: int     # tokens of first's own code also in second's
    exercises: list        # grade_ids of the solution cells that have code in common
    look_here: bool


def solution_cells(notebook):
    """{grade_id: source} of a notebook's solution code cells."""
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in notebook.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
            and "grade_id" in c.metadata["nbgrader"]}


def _fingerprint(source, boilerplate=None, window=WINDOW):
    from copydetect import CodeFingerprint

    return CodeFingerprint("cell.py", NOISE, window, boilerplate=boilerplate, fp=io.StringIO(source))


def boilerplate(release_notebook):
    """{grade_id: fingerprint hashes} of each solution cell's starter code and reference solution."""
    reference = all_blocks()
    hashes = {}
    for grade_id, starter in solution_cells(release_notebook).items():
        texts = [starter] + ([reference[grade_id]] if grade_id in reference else [])
        hashes[grade_id] = np.unique(np.array([h for t in texts for h in _fingerprint(t, window=1).hashes],
                                              dtype=np.int64))
    return hashes


def compare(cells_a, cells_b):
    """(similarity a, similarity b, shared tokens of a, [grade_ids in common]) of two submissions'
    {grade_id: CodeFingerprint}."""
    from copydetect import compare_files

    shared_a = shared_b = 0.0
    common = []
    for grade_id in sorted(set(cells_a) & set(cells_b)):
        a, b = cells_a[grade_id], cells_b[grade_id]
        if not a.token_coverage or not b.token_coverage:
            continue
        overlap, (share_a, share_b), _ = compare_files(a, b)
        if overlap:
            shared_a += share_a * a.token_coverage
            shared_b += share_b * b.token_coverage
            common.append(grade_id)
    total_a = sum(f.token_coverage for f in cells_a.values())
    total_b = sum(f.token_coverage for f in cells_b.values())
    return (float(shared_a / total_a) if total_a else 0.0, float(shared_b / total_b) if total_b else 0.0,
            int(round(shared_a)), common)


def submissions(course_dir, assignment):
    """{student: {grade_id: solution source}} of the graded notebooks of ``assignment`` (in
    autograded/, whose nbgrader metadata the grader restored), else of the submitted ones."""
    folders = CourseFolders.of_course(course_dir)
    found = {}
    for stage in ("autograded", "submitted"):
        for student, folder in folders.student_folders(stage, assignment):
            path = folder / f"{assignment}.ipynb"
            if student in found or not path.is_file():
                continue
            try:
                found[student] = solution_cells(nbformat.read(path, as_version=4))
            except (ValueError, KeyError, AttributeError, TypeError):
                continue  # not a notebook: intake flagged it
    return found


def candidates(prints):
    """The pairs of students (sorted) whose fingerprints share at least one hash in some
    exercise: the only pairs copydetect can find anything in."""
    holders = {}
    for student, cells in prints.items():
        for grade_id, fingerprint in cells.items():
            for value in fingerprint.hashes:
                holders.setdefault((grade_id, value), set()).add(student)
    found = set()
    for students in holders.values():
        if len(students) > 1:
            found.update(combinations(sorted(students), 2))
    return sorted(found)


def similar_pairs(course_dir, assignment, threshold=THRESHOLD, min_tokens=MIN_TOKENS):
    """[Pair] of the submissions of ``assignment`` that share any code beyond the boilerplate:
    the "look here" pairs first, then the most alike."""
    folders = CourseFolders.of_course(course_dir)
    release = folders.assignment_path("release", assignment, f"{assignment}.ipynb")
    if not release.is_file():
        return []
    common = boilerplate(nbformat.read(release, as_version=4))
    prints = {student: {g: _fingerprint(source, common.get(g)) for g, source in cells.items() if g in common}
              for student, cells in submissions(course_dir, assignment).items()}
    pairs = []
    for first, second in candidates(prints):
        share_a, share_b, tokens, exercises = compare(prints[first], prints[second])
        if tokens:
            look = bool(min(share_a, share_b) >= threshold and tokens >= min_tokens)
            pairs.append(Pair(assignment, first, second, (share_a, share_b), tokens, exercises, look))
    pairs.sort(key=lambda p: (-p.look_here, -min(p.similarity), -p.shared_tokens))
    return pairs
