"""The self-check: ``python -m course check PATH.ipynb [--json]`` gives the grader's verdict.

1. It runs the notebook top to bottom in a real Jupyter kernel, in the notebook's folder
   (errors allowed, a time limit per cell), as nbgrader would, and reads the outcome of every
   graded test cell with nbgrader's own rule (an error, anything on stderr, or a displayed
   number: not full points): the *visible checks*;
2. then, in the same kernel, runs the grader's own probe cell (``course.probes``): the same
   probes on the same API, with inputs drawn from the published seed
   ``course.probes.published.SEED`` instead of the grader's secret ones;
3. judges the probe values with the grader's own judges (``course.judges``) against the
   reference's values for that seed (``course/probe_values/``, data, no code); where a judge
   needs a trusted implementation (notebook 08 rebuilds and retrains models), it uses the
   course's versions of the earlier steps, ``previous_steps.py`` beside the notebook;
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

from . import hints, i18n, judges, probes
from .execution import graded_outcomes, run, stdout
from .i18n import message
from .judges.tools import Tools
from .previous import load_previous_steps
from .probes import compare, published
from .registry import ASSIGNMENTS, EXERCISES, assignment_of

__all__ = ["Row", "identify", "exercise_ids", "check_notebook", "hint_for", "format_report", "as_json"]



def general_hints():
    """Advice for failures that are not a wrong result: [(text in the message, hint)], the hints
    in the notebook's language."""
    return [
        ("USE_MY_OWN_CODE", message("selfcheck.own_code", "the first cell could not load your earlier "
                                    "notebooks: do what the message says, or set USE_MY_OWN_CODE = False to "
                                    "run on the course's versions.")),
        ("NotImplementedError", message("selfcheck.not_written", "not written yet: replace the `raise "
                                        "NotImplementedError` line of the exercise cell with your code.")),
        ("NameError", message("selfcheck.name_error", "a name is not defined: an exercise cell above failed "
                              "or is not written yet; fix the first failure of the notebook first.")),
        ("CellTimeoutError", message("selfcheck.timeout", "the cell ran out of time: an endless loop, or far "
                                     "too much work?")),
        ("not run", message("selfcheck.not_run", "the kernel stopped before this cell: look at the first "
                            "error above it.")),
        ("stderr:", message("selfcheck.stderr", "the cell wrote to stderr (a warning?): the grader gives "
                            "such a cell 0 points; fix what the warning says.")),
        ("partial score", message("selfcheck.partial_score", "the cell displays a number, which nbgrader "
                                  "reads as a partial score: end the cell with a statement.")),
    ]


def on_selfcheck():
    """How the probes' messages name their inputs in the self-check (they say "the grader's own")."""
    return message("selfcheck.on_inputs", " on the self-check's inputs")


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


def hint_for(assignment, grade_id, text):
    """The hint for a failure: a known mistake the message names, else general advice."""
    known = hints.find(text)
    if known:
        return message("selfcheck.known_hint", "{name}: {sentence}", name=hints.name(known[0]),
                       sentence=hints.sentence(known[0]))
    for found, advice in general_hints():
        if found in text:
            return advice
    if grade_id in EXERCISES.get(assignment, {}):
        return message(f"exercise.{grade_id}.hint", EXERCISES[assignment][grade_id][1])
    return message("selfcheck.reread", "re-read the equations above the exercise.")


def _first_line(text):
    """The message's first line, without the known-mistake sentence (shown as the hint)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    for prefix in hints.explain_prefixes():
        line = line.split(prefix)[0]
    return line.strip()


def _probe_cell(assignment, nonce):
    return nbformat.v4.new_code_cell(probes.probe_cell_source(assignment, published.SEED, nonce),
                                     metadata={"course_selfcheck": "probes"})


def _row(assignment, ids, outcome, verdict):
    label = EXERCISES.get(assignment, {}).get(outcome.grade_id, (outcome.grade_id,))[0]
    agrees, probe_message = verdict
    passed = outcome.passed and agrees
    text = outcome.message if not outcome.passed else probe_message.replace(compare.on_ours(), on_selfcheck())
    return Row(ids.get(outcome.grade_id, outcome.grade_id), outcome.grade_id, label, passed,
               outcome.points if passed else 0.0, outcome.points,
               "" if passed else _first_line(text),
               "" if passed else hint_for(assignment, outcome.grade_id, text),
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
    with i18n.using(i18n.language(notebook)):   # the kernel's, the judges' and the hints' language
        return _check(path, notebook, assignment, timeout)


def _check(path, notebook, assignment, timeout):
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
    verdicts = judges.verdicts(assignment, payload, published.load(assignment), trusted)
    rows = [_row(assignment, ids, outcome, verdicts.get(outcome.grade_id, (False, message(
        "selfcheck.no_probe", "no probe for this cell"))))
            for outcome in graded_outcomes(notebook)]
    return assignment, rows, seconds


def format_report(path, assignment, rows, seconds):
    """The report as text: one row per exercise, the message and hint under each failure."""
    width = max([len(row.exercise) for row in rows] + [8])
    lines = [message("selfcheck.title", "course self-check of {path} ({assignment}): ran in {seconds:.1f} s",
                     path=path, assignment=assignment, seconds=seconds), "",
             f"{message('selfcheck.exercise', 'exercise'):<{width}}  "
             f"{message('selfcheck.grader', 'grader'):<6}  {message('selfcheck.points', 'points'):>6}  "
             f"{message('selfcheck.visible', 'visible checks')}"]
    for row in rows:
        result = message("selfcheck.passed", "passed") if row.passed \
            else message("selfcheck.FAILED", "FAILED")
        visible = message("selfcheck.passed", "passed") if row.visible_passed \
            else message("selfcheck.failed", "failed")
        points = f"{row.points:g}/{row.max_points:g}"
        lines.append(f"{row.exercise:<{width}}  {result:<6}  {points:>6}  {visible}")
        if not row.passed:
            lines.append(f"{'':<{width}}    "
                         + message("selfcheck.message", "message: {text}", text=row.message))
            lines.append(f"{'':<{width}}    " + message("selfcheck.hint", "hint:    {text}", text=row.hint))
    got, possible = sum(row.points for row in rows), sum(row.max_points for row in rows)
    failed = sum(not row.passed for row in rows)
    lines.append("")
    if failed:
        lines.append(message("selfcheck.verdict_failed", "grader's verdict: {got:g}/{possible:g} points; "
                             "{failed} of {count} exercises failed. Fix the first failure first: later cells "
                             "often fail because of it.", got=got, possible=possible, failed=failed,
                             count=len(rows)))
    else:
        lines.append(message("selfcheck.verdict_passed", "grader's verdict: {got:g}/{possible:g} points; "
                             "every exercise passed (the grader runs the same checks on inputs of its own).",
                             got=got, possible=possible))
    return "\n".join(lines)


def as_json(path, assignment, rows):
    """The report as one JSON object (text): notebook, assignment, passed, exercises."""
    keys = ("grade_id", "passed", "points", "max_points", "message", "hint")
    return json.dumps({"notebook": str(path), "assignment": assignment,
                       "passed": all(row.passed for row in rows),
                       "exercises": [{key: asdict(row)[key] for key in keys} for row in rows]})
