"""The self-check: ``python -m course check PATH.ipynb`` says what is right and what is wrong.

1. It runs the notebook top to bottom in a real Jupyter kernel, in the notebook's folder
   (errors allowed, a time limit per cell), as nbgrader would;
2. reads the outcome of every graded test cell with nbgrader's own rule (an error, anything
   on stderr, or a displayed number: not full points);
3. then, in the same kernel, runs extra checks on fresh random inputs on what the notebook
   defined (``course.extra_checks``: numerical gradient checks of the layers in 04, of the
   losses in 06);
4. prints one row per exercise and check: passed or failed, the failure message, a hint
   (the known mistake of ``course.hints`` the message names, else general advice), and the
   points of the visible checks. The exit status is 1 when anything fails.

It needs only the ``course`` package and the notebook's folder (``previous_steps.py``).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from . import extra_checks, hints
from .execution import graded_outcomes, run
from .exercises import EXERCISES, assignment_of
from .previous import ASSIGNMENTS

__all__ = ["Row", "identify", "check_notebook", "hint_for", "format_report", "main"]

#: Advice for failures that are not a wrong result: (text in the message, hint).
GENERAL_HINTS = (
    ("USE_MY_OWN_CODE", "the first cell could not load your earlier notebooks: do what the message says, "
                        "or set USE_MY_OWN_CODE = False to run on the course's versions."),
    ("NotImplementedError", "not written yet: replace the `raise NotImplementedError` line of the "
                            "exercise cell with your code."),
    ("NameError", "a name is not defined: an exercise cell above failed or is not written yet; fix "
                  "the first failure of the notebook first."),
    ("CellTimeoutError", "the cell ran out of time: an endless loop, or far too much work?"),
    ("not run", "the kernel stopped before this cell: look at the first error above it."),
    ("stderr:", "the cell wrote to stderr (a warning?): the grader gives such a cell 0 points; fix "
                "what the warning says."),
    ("partial score", "the cell displays a number, which nbgrader reads as a partial score: end the "
                      "cell with a statement."),
)


@dataclass
class Row:
    """One line of the report: the visible checks of an exercise, or one extra check of it."""

    grade_id: str          # the nbgrader grade_id of the exercise's test cell
    exercise: str          # what the student writes, e.g. "Linear.backward"
    check: str             # "visible checks" or what the extra check does
    passed: bool
    message: str           # first line of the failure message ('' when passed)
    hint: str              # '' when passed
    points: float | None   # the test cell's points (None for extra checks, which are not graded)


def identify(path, notebook):
    """The assignment of a notebook: from its file name, else from its test cells' grade_ids."""
    for assignment in ASSIGNMENTS:
        if assignment in Path(path).name:
            return assignment
    grade_ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
    return assignment_of([g for g in grade_ids if g])


def hint_for(assignment, grade_id, message):
    """The hint for a failure: a known mistake the message names, else general advice."""
    known = hints.find(message)
    if known:
        return f"{known[0].name}: {known[0].sentence}"
    for text, advice in GENERAL_HINTS:
        if text in message:
            return advice
    return EXERCISES.get(assignment, {}).get(grade_id, ("", "re-read the equations above the exercise."))[1]


def _first_line(message):
    """The message's first line, without the known-mistake sentence (shown as the hint)."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line.split(" Likely mistake:")[0].strip()


def _extra_cell(assignment, seed):
    code = (f"from course.extra_checks import report as _course_selfcheck_report\n"
            f"_course_selfcheck_report({assignment!r}, globals(), seed={seed})")
    return nbformat.v4.new_code_cell(code, metadata={"course_selfcheck": "extra checks"})


def _extra_results(cell):
    """The results that extra_checks.report printed in ``cell``, or None when it did not run."""
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            for line in output.text.splitlines():
                if line.startswith(extra_checks.MARKER):
                    return json.loads(line[len(extra_checks.MARKER):])
    return None


def _row(assignment, grade_id, check, passed, message, points):
    label = EXERCISES.get(assignment, {}).get(grade_id, (grade_id,))[0]
    return Row(grade_id, label, check, passed, "" if passed else _first_line(message),
               "" if passed else hint_for(assignment, grade_id, message), points)


def check_notebook(path, *, timeout=120, seed=None):
    """Run the notebook at ``path`` and its extra checks.

    Returns (assignment, rows, seconds, seed), rows in the notebook's order of exercises.
    seed: of the extra checks' random inputs (a fresh one when None). The file is not changed.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    assignment = identify(path, notebook)
    if assignment is None:
        raise ValueError(f"{path} is not one of the course's notebooks ({', '.join(ASSIGNMENTS)})")
    seed = int(np.random.SeedSequence().entropy % 1_000_000) if seed is None else seed
    notebook.cells.append(_extra_cell(assignment, seed))
    seconds = run(notebook, path.parent.resolve(), timeout=timeout, interrupt_on_timeout=True)
    rows = [_row(assignment, o.grade_id, "visible checks", o.passed, o.message, o.points)
            for o in graded_outcomes(notebook)]
    extras = _extra_results(notebook.cells[-1])
    expected = extra_checks.EXTRA_CHECKS.get(assignment, [])
    if extras is None and expected:
        reason = next((m for m in (r.message for r in rows) if "Timeout" in m), "") or "the kernel stopped"
        extras = [{"exercise": e, "check": what, "passed": False, "message": f"not run: {reason}"}
                  for e, what, _ in expected]
    rows += [_row(assignment, r["exercise"], "extra: " + r["check"], r["passed"], r["message"], None)
             for r in extras or []]
    order = list(EXERCISES.get(assignment, {}))
    rows.sort(key=lambda row: order.index(row.grade_id) if row.grade_id in order else len(order))
    return assignment, rows, seconds, seed


def format_report(path, assignment, rows, seconds, seed):
    """The report as text: one row per check, the message and hint under each failure."""
    width = max([len(row.exercise) for row in rows] + [8])
    seeded = f", extra checks with --seed {seed}" if extra_checks.EXTRA_CHECKS.get(assignment) else ""
    lines = [f"course self-check of {path} ({assignment}): ran in {seconds:.1f} s{seeded}", "",
             f"{'exercise':<{width}}  {'result':<6}  {'points':>6}  check"]
    for row in rows:
        points = "-" if row.points is None else f"{row.points if row.passed else 0:g}/{row.points:g}"
        result = "passed" if row.passed else "FAILED"
        lines.append(f"{row.exercise:<{width}}  {result:<6}  {points:>6}  {row.check}")
        if not row.passed:
            lines.append(f"{'':<{width}}    message: {row.message}")
            lines.append(f"{'':<{width}}    hint:    {row.hint}")
    graded = [row for row in rows if row.points is not None]
    got = sum(row.points for row in graded if row.passed)
    possible = sum(row.points for row in graded)
    failed = sum(not row.passed for row in rows)
    lines.append("")
    if failed:
        lines.append(f"visible checks: {got:g}/{possible:g} points; {failed} of {len(rows)} checks failed. "
                     "Fix the first failure first: later cells often fail because of it.")
    else:
        lines.append(f"visible checks: {got:g}/{possible:g} points; every check passed. The grader runs "
                     "more tests of the same kind on other inputs: pass them for the right reason.")
    return "\n".join(lines)


def main(argv):
    """``check PATH.ipynb [--timeout S] [--seed N]``: print the report; 0 when all passed."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run a notebook, its graded checks and extra checks")
    check.add_argument("notebook", type=Path)
    check.add_argument("--timeout", type=float, default=120, help="seconds per cell (default 120)")
    check.add_argument("--seed", type=int, default=None, help="seed of the extra checks' inputs")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no notebook at {args.notebook}")
    try:
        assignment, rows, seconds, seed = check_notebook(args.notebook, timeout=args.timeout, seed=args.seed)
    except ValueError as error:
        parser.error(str(error))
    print(format_report(args.notebook, assignment, rows, seconds, seed))
    return 0 if all(row.passed for row in rows) else 1
