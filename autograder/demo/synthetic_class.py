"""The synthetic classes the grading benchmarks grade: correct, buggy and hostile submissions.

A class is a course directory (config, gradebook, release) with ``submitted/<student>/<assignment>/``
filled by code. Students take the kinds of ``autograder.demo.samples`` in turn, and every sixth
is hostile: the reference solutions plus cells of its own that print megabytes, raise
``SystemExit`` and, in its first assignment only, loop forever (nbgrader interrupts the cell
at ``Execute.timeout``, which the benchmark sets for both graders alike).
"""

from pathlib import Path

import nbformat

from autograder.authoring.release import build_course_dir
from autograder.demo.samples import make_submission, submit

KINDS = ("complete", "buggy", "partial", "untouched", "alternative", "hostile")

HUGE_PRINT = 'print("\\n".join(map(str, range(1_000_000))))   # 6.9 MB, a million lines'
SYSTEM_EXIT = 'raise SystemExit("I am done here")'
ENDLESS = "while True:\n    pass"


def hostile_submission(assignment, release_dir, endless):
    """The complete submission with hostile cells, ungraded ones of the student's own, right
    after the first solution cell: a huge print, a SystemExit and (``endless``) an endless loop."""
    notebook = make_submission(assignment, "complete", release_dir)
    first = next(i for i, cell in enumerate(notebook.cells)
                 if cell.metadata.get("nbgrader", {}).get("solution"))
    sources = [HUGE_PRINT, SYSTEM_EXIT] + ([ENDLESS] if endless else [])
    notebook.cells[first + 1:first + 1] = [nbformat.v4.new_code_cell(s) for s in sources]
    return notebook


def class_roll(students, kinds=KINDS):
    """{student_id: kind} for ``students`` students, taking ``kinds`` in turn."""
    return {f"student{i:04d}": kinds[i % len(kinds)] for i in range(students)}


def make_class(course_dir, roll, assignments, timeout):
    """Build a course directory for ``assignments`` and submit a notebook of every student of
    ``roll`` ({student: kind}) for each; nbgrader interrupts a cell after ``timeout`` seconds."""
    course_dir = Path(course_dir)
    release_dir = build_course_dir(course_dir, assignments)
    with open(course_dir / "nbgrader_config.py", "a") as config:
        config.write(f"\n# the grading benchmark's class\nc.SandboxedExecute.timeout = {int(timeout)}\n")
    for student, kind in roll.items():
        for number, assignment in enumerate(assignments):
            if kind == "hostile":
                notebook = hostile_submission(assignment, release_dir, endless=number == 0)
            else:
                notebook = make_submission(assignment, kind, release_dir)
            submit(course_dir, student, assignment, notebook)
    return course_dir
