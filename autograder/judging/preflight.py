"""Preflight: never a silent zero. Before an assignment is graded, its reference solution is.

A grading set-up can be broken in ways that no submission can show: the sandboxed kernel
cannot import ``course``, a course file (``previous_steps.py``) is missing, the trusted
verdict disagrees with the reference. Then every correct submission scores 0, and nothing
says why. So before the first submission of an assignment is graded, ``check`` grades the
assignment's source notebook (solutions and hidden tests in place) as a submission, with the
same ``nbgrader_config.py``, the same sandbox and the same environment, in a scratch copy of
the course directory with a gradebook of its own. Unless it gets full marks, grading stops
before any submission of that assignment is graded, with one message naming the cause.

- ``python -m autograder grade`` runs it for every assignment it is about to grade, on its own
  worker processes and with their warm kernels (``warm=True``: the kernels that then grade the
  submissions), and hands out an assignment's submissions once its preflight passed
  (``--no-preflight`` skips it);
- plain ``nbgrader autograde`` runs it from ``Autograde.pre_convert_hook`` (set in
  ``nbgrader_config.py`` with ``before_autograde(c)``), before each assignment's first
  submission.

Either way once per assignment per process; ``c.SandboxedExecute.preflight = False`` in
``nbgrader_config.py`` skips it.
"""

import os
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

STUDENT = "preflight-reference"  # the scratch gradebook's only student
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
SKIP = ("skip this check with --no-preflight (python -m autograder grade) or "
        "c.SandboxedExecute.preflight = False (nbgrader_config.py)")


class PreflightFailed(RuntimeError):
    """The reference solution of an assignment did not get full marks in the grading set-up."""


@dataclass(frozen=True)
class Result:
    """What grading the reference solution of ``assignment`` gave, and how long it took."""

    assignment: str
    score: float
    max_score: float
    seconds: float
    cause: str = ""  # why it lost points (empty when it got them all)

    @property
    def ok(self):
        return not self.cause and self.max_score > 0 and self.score >= self.max_score

    def message(self):
        return (f"preflight: the reference solution of {self.assignment} scored {self.score:g}/"
                f"{self.max_score:g} in the grading sandbox, so correct submissions would lose points "
                f"too; nothing of {self.assignment} was graded. Cause: {self.cause or 'unknown'}. Fix the "
                f"set-up, or {SKIP}.")


_RESULTS = {}  # {(course directory, assignment): Result}, once per process


def enabled(config):
    """Whether ``config`` (an nbgrader configuration) asks for the preflight."""
    from autograder.preprocessors.sandboxed_execute import SandboxedExecute

    section = config.SandboxedExecute if "SandboxedExecute" in config else {}
    return bool(section.get("preflight", SandboxedExecute.class_traits()["preflight"].default()))


def check(course_dir, assignment, warm=False):
    """Grade the reference solution of ``assignment`` (its notebooks in ``source/``) as a
    submission, in a scratch copy of ``course_dir``. Returns a Result (cached per process).

    warm: in the kernels the batch grader takes from its pool for ``course_dir``
    (``autograder.kernels.warm_pool``), else in kernels started for it, as plain nbgrader does."""
    key = (str(Path(course_dir).resolve()), assignment, warm)
    if key not in _RESULTS:
        _RESULTS[key] = _grade_reference(Path(course_dir).resolve(), assignment, warm)
    return _RESULTS[key]


def require(course_dir, assignment):
    """``check``, raising PreflightFailed with the message when the reference loses points."""
    result = check(course_dir, assignment)
    if not result.ok:
        raise PreflightFailed(result.message())
    return result


def before_autograde(config):
    """nbgrader's ``Autograde.pre_convert_hook`` for ``nbgrader_config.py``
    (``c.Autograde.pre_convert_hook = before_autograde(c)``): before each submission, the
    assignment's prerequisites (``autograder.judging.prerequisites``: a release, the gradebook
    knowing it) and the term's due dates (``autograder.plugins.term_calendar``), then the
    preflight of each assignment before its first submission is graded. A failure ends nbgrader
    with the message (nbgrader ignores a hook's ordinary exceptions)."""
    calendar_applied = set()

    def hook(assignment, student, notebooks):
        from nbgrader.coursedir import CourseDirectory

        from autograder.judging import prerequisites
        from autograder.plugins import term_calendar

        name = Path(notebooks[0]).parent.name if notebooks else assignment  # the CLI's may be a glob
        root = config.CourseDirectory.root or os.getcwd()
        db_url = CourseDirectory(config=config).db_url
        try:
            prerequisites.require(root, name, db_url, submissions=False)
            if (root, name) not in calendar_applied:  # the due dates, before lateness is computed
                term_calendar.apply(config, db_url, prerequisites.course_assignments(root))
                calendar_applied.add((root, name))
            if enabled(config):
                require(root, name)
        except (PreflightFailed, prerequisites.MissingPrerequisite, term_calendar.CalendarError) as failed:
            raise SystemExit(str(failed)) from None
    return hook


def as_submission(source, target, config):
    """Write the source notebook ``source`` to ``target`` as a student who solved everything
    would hand it in: the solution cells' code without the solution markers, the hidden-test
    regions gone (nbgrader restores every test cell at grading), so that the grader's refusal of
    a copy of the source notebook (``intake.marker_problem``) does not apply."""
    import nbformat

    from autograder.nbgrader_markers import markers

    configured = markers(config)
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        cell.source = "\n".join(line for _, line, where in configured.hidden_test_lines(cell.source)
                                if where == "visible" and not configured.is_solution_marker(line))
    nbformat.write(notebook, target)


def _grade_reference(course_dir, assignment, warm):
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.apps import NbGraderAPI

    from autograder.course_folders import CourseFolders, course_config
    from autograder.nbgrader_cli import environment
    from autograder.nbgrader_revision import read_in_process

    read_in_process()  # the scratch gradebook is new: no `alembic heads` subprocess for it
    start = time.perf_counter()
    folders = CourseFolders.of_course(course_dir)
    source = folders.assignment_path("source", assignment)
    if not source.is_dir():
        return Result(assignment, 0, 0, 0.0,
                      f"there is no {folders.relative(source)} in the course directory")
    os.environ.update(environment())  # nbgrader starts alembic and jupyter by name
    warnings.filterwarnings("ignore", module="nbgrader.api")  # SQLAlchemy's notes on grading
    with tempfile.TemporaryDirectory(prefix="preflight-") as scratch:
        root = Path(scratch)
        shutil.copy(course_dir / "nbgrader_config.py", root / "nbgrader_config.py")
        config = course_config(root)  # the course's own folder settings, rooted in the scratch copy
        scratch = CourseFolders.of_config(config)
        shutil.copytree(source, scratch.assignment_path("source", assignment), ignore=IGNORED)
        submitted = scratch.path("submitted", STUDENT, assignment)
        submitted.mkdir(parents=True)
        for notebook in sorted(source.glob("*.ipynb")):
            as_submission(notebook, submitted / notebook.name, config)
        config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
        config.Autograde.pre_convert_hook = None  # this is the preflight
        if warm:
            from autograder.batch import nbgrader_repeats
            from autograder.kernels.warm_pool import warm_preprocessors

            nbgrader_repeats.install()  # the batch grader's workers grade many notebooks
            config.Autograde.autograde_preprocessors = warm_preprocessors(config)
            config.WarmExecute.kernels_of = str(course_dir)  # the course's own kernels and files
        api = NbGraderAPI(config=config)
        for step in (lambda: api.generate_assignment(assignment, force=True),
                     lambda: api.autograde(assignment, STUDENT, force=True, create=True)):
            outcome = step()
            if not outcome["success"]:
                last = (outcome.get("error") or outcome.get("log") or "").strip().splitlines() or ["?"]
                return Result(assignment, 0, 0, time.perf_counter() - start,
                              _known(last[-1][:500]) or f"nbgrader failed: {last[-1][:500]}")
        with Gradebook(config.CourseDirectory.db_url) as gradebook:
            try:
                submission = gradebook.find_submission(assignment, STUDENT)
                score, max_score = submission.score, submission.max_score
            except MissingEntry:
                score, max_score = 0, 0
        cause = "" if max_score and score >= max_score else _cause(scratch, assignment)
        return Result(assignment, score, max_score, time.perf_counter() - start, cause)


def _known(error):
    """A sentence for the set-up mistakes that are known by their error, else None."""
    if "No module named 'course'" in error or "import the `course` package" in error:
        return f"the sandboxed kernel cannot import `course`: {error}"
    if "previous_steps" in error and ("No such file" in error or "not found" in error or "missing" in error):
        return f"a course file of the assignment is missing (source/<assignment>/previous_steps.py): {error}"
    return None


def _cause(folders, assignment):
    """Why the reference lost points (``folders``: the CourseFolders of the scratch course): the
    first failing cell's error, else the verdict's flags."""
    from autograder.judging.reports import read_report

    for path in sorted(folders.path("autograded", STUDENT, assignment).glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            for output in cell.get("outputs", []):
                where = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"
                if output.get("output_type") == "error":
                    error = f"{output.get('ename')}: {output.get('evalue')}"[:500]
                    return _known(error) or f"{path.name}, {where} failed with {error}"
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    text = " ".join(output.get("text", "").split())[:300]
                    return f"{path.name}, {where} wrote to stderr (a test cell then scores 0): {text}"
    flags = read_report(folders.root, STUDENT, assignment).get("flags", [])
    return "the grader's verdict: " + "; ".join(flags)[:500] if flags else ""
