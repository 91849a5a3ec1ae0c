"""The self-check: ``python -m course check PATH.ipynb [--json]`` gives the grader's verdict.

1. It runs the notebook top to bottom in a real Jupyter kernel, in the notebook's folder
   (errors allowed, a time limit per cell), as nbgrader would, and reads the outcome of every
   graded test cell with nbgrader's own rule (an error, anything on stderr, or a displayed
   number: not full points): the *visible checks*;
2. then, in the same kernel, runs the grader's own probe cell (``course.probes``): the same
   probes on the same API, with inputs drawn from the published seed
   ``course.probes.published.SEED`` instead of the grader's secret ones;
3. judges the probe values with the grader's own judges against the reference's values for
   that seed (``course/probe_values/``, data, no code); where a judge needs a trusted
   implementation (notebook 08 rebuilds and retrains models), it uses the course's versions
   of the earlier steps, ``previous_steps.py`` beside the notebook;
4. prints one row per exercise: the grader's verdict (the test cell passed AND the probes
   agree, as ``autograder``'s grader decides), the points, the outcome of the visible checks,
   and under a failure the message and a hint. ``--json`` prints one JSON object instead.
   The exit status is 0 only when every exercise passed.

It needs only the ``course`` package and the notebook's folder.
"""

import functools
import json
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from nbclient.exceptions import DeadKernelError

from . import hints, probes
from .execution import graded_outcomes, run, stdout
from .exercises import EXERCISES, assignment_of
from .previous import ASSIGNMENTS, load_previous_steps
from .probes import compare, published
from .probes.tools import Tools

__all__ = ["Row", "identify", "exercise_ids", "check_notebook", "hint_for", "format_report", "as_json"]

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
#: How the probes' messages name their inputs in the self-check (they say "the grader's own").
ON_SELFCHECK = " on the self-check's inputs"


@dataclass
class Row:
    """The verdict on one exercise, as the grader would give it."""

    grade_id: str          # the exercise's solution cell grade_id, e.g. "linear_backward"
    test: str              # its test cell's grade_id, e.g. "test_linear_backward"
    exercise: str          # what the student writes, e.g. "Linear.backward"
    passed: bool           # the visible checks passed and the probes agree with the reference
    points: float          # points the grader would give: max_points when passed, else 0
    max_points: float      # the test cell's points (nbgrader metadata)
    message: str           # first line of the failure message ('' when passed)
    hint: str              # '' when passed
    visible_passed: bool   # the test cell as it ran in the notebook
    visible_message: str   # its failure message ('' when it passed)


def identify(path, notebook):
    """The assignment of a notebook: from its file name, else from its test cells' grade_ids."""
    for assignment in ASSIGNMENTS:
        if assignment in Path(path).name:
            return assignment
    grade_ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
    return assignment_of([g for g in grade_ids if g])


def exercise_ids(notebook):
    """{test cell grade_id: exercise grade_id}: the solution cell right before each graded test
    cell (since the previous one), else the test's grade_id without ``test_`` (08's results,
    which the notebook's training cells make)."""
    ids, last = {}, None
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or "grade_id" not in meta:
            continue
        if meta.get("solution"):
            last = meta["grade_id"]
        elif meta.get("grade"):
            test = meta["grade_id"]
            ids[test] = last or test.removeprefix("test_")
            last = None
    return ids


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


def _probe_cell(assignment, nonce):
    return nbformat.v4.new_code_cell(probes.probe_cell_source(assignment, published.SEED, nonce),
                                     metadata={"course_selfcheck": "probes"})


def _row(assignment, ids, outcome, verdict):
    label = EXERCISES.get(assignment, {}).get(outcome.grade_id, (outcome.grade_id,))[0]
    agrees, probe_message = verdict
    passed = outcome.passed and agrees
    message = outcome.message if not outcome.passed else probe_message.replace(compare.ON_OURS, ON_SELFCHECK)
    return Row(ids.get(outcome.grade_id, outcome.grade_id), outcome.grade_id, label, passed,
               outcome.points if passed else 0.0, outcome.points,
               "" if passed else _first_line(message),
               "" if passed else hint_for(assignment, outcome.grade_id, message),
               outcome.passed, "" if outcome.passed else _first_line(outcome.message))


def check_notebook(path, *, timeout=120):
    """Run the notebook at ``path``, then the probes, and judge them as the grader does.

    Returns (assignment, rows, seconds): one Row per graded test cell, in the notebook's
    order. The file is not changed. Raises ValueError when the file is not a notebook of the
    course.
    """
    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as error:   # not JSON, not a notebook
        raise ValueError(f"{path} cannot be read as a notebook ({error})") from None
    assignment = identify(path, notebook)
    if assignment is None:
        raise ValueError(f"{path} is not one of the course's notebooks ({', '.join(ASSIGNMENTS)})")
    folder = path.parent.resolve()
    ids = exercise_ids(notebook)
    nonce = f"course-selfcheck-{secrets.token_hex(8)}:"
    notebook.cells.append(_probe_cell(assignment, nonce))
    start = time.perf_counter()
    try:
        run(notebook, folder, timeout=timeout, interrupt_on_timeout=True)
    except DeadKernelError:   # the kernel died (out of memory?): the cells after it did not run
        pass
    seconds = time.perf_counter() - start
    payload = probes.parse_probe_output(stdout(notebook.cells[-1]), nonce)
    trusted = Tools(functools.cache(lambda: load_previous_steps(assignment, folder=folder)))
    verdicts = probes.verdicts(assignment, payload, published.load(assignment), trusted)
    rows = [_row(assignment, ids, outcome, verdicts.get(outcome.grade_id, (False, "no probe for this cell")))
            for outcome in graded_outcomes(notebook)]
    return assignment, rows, seconds


def format_report(path, assignment, rows, seconds):
    """The report as text: one row per exercise, the message and hint under each failure."""
    width = max([len(row.exercise) for row in rows] + [8])
    lines = [f"course self-check of {path} ({assignment}): ran in {seconds:.1f} s", "",
             f"{'exercise':<{width}}  {'grader':<6}  {'points':>6}  visible checks"]
    for row in rows:
        result = "passed" if row.passed else "FAILED"
        visible = "passed" if row.visible_passed else "failed"
        points = f"{row.points:g}/{row.max_points:g}"
        lines.append(f"{row.exercise:<{width}}  {result:<6}  {points:>6}  {visible}")
        if not row.passed:
            lines.append(f"{'':<{width}}    message: {row.message}")
            lines.append(f"{'':<{width}}    hint:    {row.hint}")
    got, possible = sum(row.points for row in rows), sum(row.max_points for row in rows)
    failed = sum(not row.passed for row in rows)
    lines.append("")
    if failed:
        lines.append(f"grader's verdict: {got:g}/{possible:g} points; {failed} of {len(rows)} exercises "
                     "failed. Fix the first failure first: later cells often fail because of it.")
    else:
        lines.append(f"grader's verdict: {got:g}/{possible:g} points; every exercise passed (the grader "
                     "runs the same checks on inputs of its own).")
    return "\n".join(lines)


def as_json(path, assignment, rows):
    """The report as one JSON object (text): notebook, assignment, passed, exercises."""
    keys = ("grade_id", "passed", "points", "max_points", "message", "hint")
    return json.dumps({"notebook": str(path), "assignment": assignment,
                       "passed": all(row.passed for row in rows),
                       "exercises": [{key: asdict(row)[key] for key in keys} for row in rows]})

