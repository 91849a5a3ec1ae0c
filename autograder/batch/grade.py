"""Grade a whole class in parallel: ``python -m autograder grade ASSIGNMENT... [options]``.

Every collected submission (``submitted/<student>/<assignment>/``) of the named assignments
is autograded by nbgrader's own Autograde converter, in worker processes that import
nbgrader once and grade one notebook after another; the scores go to nbgrader's gradebook
(SQLite by default, or any database URL nbgrader accepts), so ``nbgrader export`` and the
formgrader see them. Then feedback is generated and the grades are exported to CSV.

The run is resumable: ``batch_journal.jsonl`` in the course directory records each graded
submission (with the time its files were last changed) once the gradebook has it. Run the
same command again after an interruption and only what is missing, or changed, is graded.

Workers are local processes (``--workers N``, default: one more than the cores) or the workers
of a Dask distributed cluster (``--scheduler tcp://HOST:8786``) that share the course
directory's file system and database.
"""

import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from autograder.course_folders import CourseFolders, course_config
from autograder.judging import prerequisites
from autograder.kernels import cgroups
from course.progress import progress_bar

# The preflight (nbformat) and the term calendar (nbgrader) take seconds to import: the
# functions that use them import them, after grade() has started its workers' own imports.

JOURNAL = "batch_journal.jsonl"
LOCKED_RETRIES = 4


@dataclass
class Outcome:
    """What grading one submission did."""

    student: str
    assignment: str
    ok: bool
    seconds: float
    changed: float  # newest modification time of the submission's files
    error: str = ""
    flags: list = field(default_factory=list)  # what the grading found suspicious or broken


def submissions(course_dir, assignments):
    """[(student, assignment)] for every submitted folder of the named assignments, sorted."""
    folders = CourseFolders.of_course(course_dir)
    return [(student, assignment) for assignment in assignments
            for student, _ in folders.student_folders("submitted", assignment)]


def last_change(course_dir, student, assignment):
    """The newest modification time of the submission's folder and everything in it, symbolic
    links themselves included (never followed); 0.0 when the folder cannot be read."""
    folder = CourseFolders.of_course(course_dir).path("submitted", student, assignment)
    newest = 0.0
    try:
        newest = folder.lstat().st_mtime
        for root, folders, files in os.walk(folder, onerror=lambda error: None):
            for name in folders + files:
                newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
    except OSError:
        pass
    return newest


def read_journal(course_dir):
    """{(student, assignment): Outcome} of the submissions graded successfully so far."""
    done = {}
    path = Path(course_dir, JOURNAL)
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                record = Outcome(**json.loads(line))
            except (ValueError, TypeError):
                continue  # a line cut short by an interruption
            if record.ok:
                done[(record.student, record.assignment)] = record
    return done


def _append(course_dir, outcome):
    with open(Path(course_dir, JOURNAL), "a") as journal:
        journal.write(json.dumps(asdict(outcome)) + "\n")
        journal.flush()
        os.fsync(journal.fileno())


_API = {}


def nbgrader_api(course_dir, db_url=None, warm=True):
    """An NbGraderAPI for ``course_dir`` with its nbgrader_config.py (one per process).

    warm: grade in kernels started ahead of need (else nbgrader's own Execute, cold kernels).
    """
    key = (str(course_dir), db_url, warm)
    if key not in _API:
        from nbgrader.apps import NbGraderAPI

        from autograder.batch import nbgrader_repeats
        from autograder.kernels.warm_pool import warm_preprocessors

        nbgrader_repeats.install()  # many notebooks in this process
        config = course_config(course_dir)
        if warm:
            config.Autograde.autograde_preprocessors = warm_preprocessors(config)
        config.Autograde.pre_convert_hook = None  # grade() hands the preflights to its workers
        if db_url:
            config.CourseDirectory.db_url = db_url
        _API[key] = NbGraderAPI(config=config)
    return _API[key]


def grade_one(course_dir, student, assignment, db_url=None):
    """Autograde one submission with nbgrader's Autograde converter. Returns an Outcome.

    A submission that cannot be graded (autograder.batch.intake) gets 0 for every cell; one whose
    grading fails, or raises anything at all, gets 0 too, flagged with the reason, and stays
    out of the journal, so the next run tries it again. Nothing raised here reaches the rest
    of the class.
    """
    start = time.perf_counter()
    try:
        return _grade_one(course_dir, student, assignment, db_url, start)
    except Exception as error:  # the submission's own problem or the grader's: it stays with it
        reason = f"grading failed ({type(error).__name__}: {str(error)[:300]}), graded 0 for now"
        return graded_zero(course_dir, student, assignment, db_url, reason, ok=False,
                           seconds=time.perf_counter() - start)


def graded_zero(course_dir, student, assignment, db_url, reason, ok, seconds=0.0):
    """The Outcome of a submission that could not be graded: 0 for every cell in the gradebook
    and ``reason`` in its grading report. ``ok``: the zero is final (journaled) rather than
    tried again by the next run."""
    from autograder.batch import intake
    from autograder.judging import reports

    flags = [reason]
    try:
        intake.zero(nbgrader_api(course_dir, db_url).coursedir.db_url, student, assignment)
    except Exception as error:
        flags.append(f"the 0 could not be written to the gradebook ({type(error).__name__}: {error})")
    try:
        flags = reports.add_flags(course_dir, student, assignment, flags)["flags"]
    except Exception as error:
        flags.append(f"the grading report could not be written ({type(error).__name__}: {error})")
    return Outcome(student, assignment, ok, seconds, last_change(course_dir, student, assignment), reason,
                   flags)


def _grade_one(course_dir, student, assignment, db_url, start):
    from autograder.batch import intake
    from autograder.judging import reports
    from autograder.nbgrader_cli import environment

    os.environ.update(environment())  # nbgrader starts jupyter kernels by name
    warnings.filterwarnings("ignore", module="nbgrader.api")  # SQLAlchemy's notes on re-grading
    changed = last_change(course_dir, student, assignment)
    api = nbgrader_api(course_dir, db_url)
    found = intake.inspect(CourseFolders(api.coursedir), student, assignment, api.config)
    if not found.gradable:
        intake.zero(api.coursedir.db_url, student, assignment)
        report = reports.add_flags(course_dir, student, assignment, found.flags, fresh=True)
        return Outcome(student, assignment, True, time.perf_counter() - start, changed, "", report["flags"])
    for attempt in range(LOCKED_RETRIES):
        result = api.autograde(assignment, student, force=True, create=True)
        error = "" if result["success"] else (result.get("error") or result.get("log", ""))[-2000:]
        if "database is locked" not in error:  # SQLite under several writers: try again
            break
        time.sleep(0.5 * (attempt + 1))
    flags = list(found.flags)
    if not result["success"]:
        intake.zero(api.coursedir.db_url, student, assignment)
        flags.append("grading failed, graded 0 for now: " + (error.strip().splitlines() or ["?"])[-1][:300])
    report = reports.add_flags(course_dir, student, assignment, flags)
    return Outcome(student, assignment, result["success"], time.perf_counter() - start, changed, error,
                   report["flags"])


#: Local worker processes are replaced after about this many submissions each: a worker keeps
#: a little of every notebook it graded (caches of nbgrader, nbconvert and SQLAlchemy), so
#: fresh processes cap the memory. (Python 3.11's max_tasks_per_child can leave the pool with
#: no worker at all; a fresh pool per round cannot.)
TASKS_PER_WORKER = 100


def default_workers():
    """One local worker more than the machine has cores: while a worker waits for its kernel's
    answers, the gradebook or a kernel's start, the one more keeps every core busy (measured
    on 2 cores: 3 workers grade the benchmark's class about 5% faster than 2)."""
    return (os.cpu_count() or 1) + 1


#: What a local worker imports before its first submission. Workers are forked by
#: multiprocessing's fork server, a fresh process that imports these once for all of them
#: (no worker inherits the driver's state, as with "spawn", and none imports them again).
WORKER_PRELOAD = ["autograder.batch.grade", "autograder.batch.intake",
                  "autograder.preprocessors.record_tampering", "autograder.preprocessors.trusted_verdict",
                  "autograder.preprocessors.sandboxed_execute", "autograder.kernels.warm_pool",
                  "autograder.batch.nbgrader_repeats",
                  "nbgrader.apps", "nbgrader.converters", "nbgrader.preprocessors", "nbconvert.preprocessors",
                  "nbclient", "sqlalchemy", "jsonschema", "course.experiments"]


def worker_factory():
    """multiprocessing's fork server for local workers, started now: it imports
    WORKER_PRELOAD while the caller goes on with its own start."""
    import multiprocessing
    import multiprocessing.forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    multiprocessing.forkserver.ensure_running()
    return context


class Pool(NamedTuple):
    """Where submissions are graded: ``submit(function, *args)`` gives a future (of
    concurrent.futures or of Dask: either calls ``add_done_callback`` functions when it is
    done), ``shutdown()`` ends the pool."""

    submit: Callable
    shutdown: Callable


def _local_pool(workers):
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=worker_factory(),
                                   initializer=cgroups.enter_worker_group)  # a memory limit per worker
    return Pool(executor.submit, executor.shutdown)


def _dask_pool(address):
    from dask.distributed import Client

    client = Client(address)
    return Pool(lambda *args: client.submit(*args, pure=False), client.close)


def grade(course_dir, assignments, *, workers=None, scheduler=None, db_url=None, resume=True,
          progress=True, preflight=True):
    """Grade every submission of ``assignments`` not yet graded. Returns [Outcome] of this run.

    progress: say each passed preflight on standard output and, on a terminal, show a bar.
    preflight: first grade each assignment's reference solution (``autograder.judging.preflight``,
    unless the configuration turns it off), on the workers that then grade the submissions; an
    assignment's submissions are handed out once its reference got full marks. When one does
    not, nothing more is handed out: the submissions already handed out (of assignments whose
    reference passed) are graded, then PreflightFailed is raised; nothing of the failing
    assignment is graded. Raises MissingPrerequisite (``autograder.judging.prerequisites``) when
    the course directory is not ready (no release, a gradebook without the assignment, no
    submissions). The due dates of ``c.CourseCalendar`` go to the gradebook first
    (``autograder.plugins.term_calendar``)."""
    if not scheduler:
        worker_factory()  # the workers' imports first, beside the driver's own
    from autograder.judging import preflight as _preflight
    from autograder.plugins import term_calendar

    course_dir = Path(course_dir).resolve()
    problem = prerequisites.course_directory(course_dir)
    if problem:
        raise prerequisites.MissingPrerequisite(f"cannot grade: {problem}")
    api = nbgrader_api(course_dir, db_url)  # fail early on a bad configuration or database
    prerequisites.require_class(course_dir, assignments, api.coursedir.db_url)
    term_calendar.apply(api.config, api.coursedir.db_url, prerequisites.course_assignments(course_dir))
    done = read_journal(course_dir) if resume else {}
    todo = [(s, a) for s, a in submissions(course_dir, assignments)
            if (s, a) not in done or done[(s, a)].changed < last_change(course_dir, s, a)]
    outcomes = []
    if not todo:
        return outcomes
    unchecked = sorted({a for _, a in todo}) if preflight and _preflight.enabled(api.config) else []
    failures, on_terminal = 0, progress and sys.stderr.isatty()  # a bar in a log file is noise
    bar = progress_bar(_outcomes(course_dir, todo, db_url, workers, scheduler, unchecked, progress),
                       enabled=on_terminal, desc="grading", total=len(todo))
    for outcome in bar:
        _append(course_dir, outcome)
        outcomes.append(outcome)
        failures += not outcome.ok
        if on_terminal:
            bar.set_postfix(failures=failures)
    return outcomes


def preflight_one(course_dir, assignment):
    """On a worker: the preflight of ``assignment`` with the worker's warm kernels."""
    from autograder.judging import preflight as _preflight

    return _preflight.check(course_dir, assignment, warm=True)


def _outcomes(course_dir, todo, db_url, workers, scheduler, unchecked=(), progress=False):
    """Yield the Outcome of grading each of ``todo`` as it completes: on the Dask cluster at
    ``scheduler``, or on local worker processes, a fresh pool every TASKS_PER_WORKER rounds.
    The preflights of the ``unchecked`` assignments run first (``_round``), on the pool of the
    round that holds their first submissions.

    A local worker that dies (killed, out of memory) breaks its pool: the submissions it had
    not finished go to a new pool, except the ones that were being graded when it broke, which
    are graded one by one, each in a pool of its own; one that breaks even that pool alone is
    graded 0, flagged. A preflight lost with a broken pool runs again on the next one."""
    unchecked = set(unchecked)
    if scheduler:
        yield from _round(course_dir, todo, db_url, _dask_pool(scheduler), unchecked, progress)
        return
    workers = workers or default_workers()
    pending, suspects = list(todo), []
    while pending or suspects:
        if suspects:
            item = suspects.pop(0)
            started, unstarted = yield from _round(course_dir, [item], db_url, _local_pool(1))
            for student, assignment in started + unstarted:
                yield graded_zero(course_dir, student, assignment, db_url, WORKER_DIED, ok=True)
            continue
        size = workers * TASKS_PER_WORKER
        chunk, pending = pending[:size], pending[size:]
        gates = unchecked & {a for _, a in chunk}
        started, held = yield from _round(course_dir, chunk, db_url, _local_pool(workers), gates, progress)
        unchecked -= gates - {a for _, a in held}
        # A pool hands its work out in order, at most one more than its workers at a time.
        suspects, pending = started[:workers + 1], started[workers + 1:] + held + pending


#: The flag of a submission whose grading killed the worker process, even alone.
WORKER_DIED = ("its grading stopped the grader's worker process (killed, or out of memory), even when "
               "graded alone: graded 0")


def _round(course_dir, items, db_url, pool, gates=(), progress=False):
    """Yield the Outcome of each of ``items`` graded on ``pool``; return the items lost to a
    broken local pool: ([those handed out, in the order they were], [those never handed out]).
    A submission that the pool could not grade (it raised, or its worker was lost on a Dask
    cluster) is graded 0, flagged.

    gates: assignments whose preflight runs first, on the same pool: their items are handed out
    once it passed (said on standard output when ``progress``). When one fails, nothing more is
    handed out; once what was handed out is graded, PreflightFailed is raised with its message."""
    import queue
    from concurrent.futures.process import BrokenProcessPool

    from autograder.judging import preflight as _preflight

    finished, tasks, started, unstarted = queue.Queue(), {}, [], []
    gates = sorted(gates)
    held = {assignment: [] for assignment in gates}
    failed, broken = [], False

    def hand_out(function, *args, task):
        """Submit ``function(*args)`` to the pool: False when the pool is broken."""
        nonlocal broken
        try:
            future = pool.submit(function, *args)
        except BrokenProcessPool:
            broken = True
            return False
        tasks[future] = task
        future.add_done_callback(finished.put)
        return True

    def grade_all(waiting):
        """Hand out the submissions ``waiting``, in order; those left once the pool broke go to
        ``unstarted``."""
        for index, (student, assignment) in enumerate(waiting):
            if broken or not hand_out(grade_one, str(course_dir), student, assignment, db_url,
                                      task=(student, assignment)):
                unstarted.extend(waiting[index:])
                return
            started.append((student, assignment))

    try:
        for assignment in gates:
            hand_out(preflight_one, str(course_dir), assignment, task=assignment)
        grade_all([item for item in items if item[1] not in held])
        for item in items:
            if item[1] in held:
                held[item[1]].append(item)
        while tasks:
            future = finished.get()
            task = tasks.pop(future)
            if isinstance(task, str):  # a preflight
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as error:  # a lost Dask worker, an exception the preflight did not expect
                    cause = f"the preflight could not run ({type(error).__name__}: {error})"
                    result = _preflight.Result(task, 0, 0, 0.0, cause)
                if not result.ok:
                    failed.append(result)
                elif progress:
                    say(f"preflight: the reference solution of {task} scored "
                        f"{result.score:g}/{result.max_score:g} ({result.seconds:.1f} s)")
                if not failed and not broken:  # else its submissions stay held
                    grade_all(held.pop(task))
                continue
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken = True
                continue  # it stays with the started ones: lost with the pool
            except Exception as error:  # not picklable, a lost Dask worker, a cancelled task
                student, assignment = task
                killed = type(error).__name__ == "KilledWorker"
                reason = WORKER_DIED if killed else \
                    f"grading failed ({type(error).__name__}: {str(error)[:300]}), graded 0 for now"
                outcome = graded_zero(course_dir, student, assignment, db_url, reason, ok=killed)
            started.remove(task)
            yield outcome
    finally:
        pool.shutdown()
    if failed:
        failed.sort(key=lambda result: result.assignment)
        raise _preflight.PreflightFailed("\n".join(result.message() for result in failed))
    return started, unstarted + [item for waiting in held.values() for item in waiting]


def feedback_and_export(course_dir, assignments, db_url=None, csv_name="grades.csv"):
    """nbgrader's feedback pages for the assignments, and every grade exported to CSV."""
    from nbgrader.api import Gradebook

    from autograder.plugins.export import SafeCsvExportPlugin

    api = nbgrader_api(Path(course_dir).resolve(), db_url)
    for assignment in assignments:
        api.generate_feedback(assignment, force=True)
    from autograder.batch.summary import (
        write_summaries,  # one page per student: feedback/<student>/index.html
    )
    write_summaries(course_dir, api.coursedir.db_url)
    path = Path(course_dir, csv_name)
    with Gradebook(api.coursedir.db_url) as gradebook:
        SafeCsvExportPlugin(to=str(path)).export(gradebook)
    return path


def write_flags(course_dir, name="flags.csv"):
    """Every flag of every grading report, one row each, to a CSV file. Returns its path."""
    from autograder.judging.reports import all_reports
    from autograder.safety.safe_text import write_csv

    rows = ([report.get("student"), report.get("assignment"), flag]
            for report in all_reports(course_dir) for flag in report.get("flags", []))
    return write_csv(Path(course_dir, name), ["student", "assignment", "flag"], rows)


def say(line):
    """Print one line of the grader's report on standard output, control characters escaped
    (autograder.safety.safe_text), above the progress bar while one is shown."""
    from tqdm import tqdm

    from autograder.safety.safe_text import printable

    tqdm.write(printable(line), file=sys.stdout)


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("assignments", nargs="+", help="assignment names, e.g. 01_data_prep (or 'all')")
    parser.add_argument("--course-dir", default=".", help="the nbgrader course directory (default: .)")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes (default: cores + 1)")
    parser.add_argument("--scheduler", help="a Dask scheduler address: grade on that cluster instead")
    parser.add_argument("--db", dest="db_url", help="gradebook database URL (default: nbgrader's SQLite)")
    parser.add_argument("--restart", action="store_true", help="grade everything again, ignoring the journal")
    parser.add_argument("--no-feedback", action="store_true", help="skip feedback and CSV export")
    parser.add_argument("--no-preflight", action="store_true",
                        help="do not grade the reference solutions first (autograder.judging.preflight)")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    from autograder.judging import preflight as _preflight
    from autograder.plugins import term_calendar
    from course.registry import ASSIGNMENTS

    assignments = [a for a in ASSIGNMENTS if a in prerequisites.course_assignments(options.course_dir)] \
        if options.assignments == ["all"] else options.assignments
    start = time.perf_counter()
    try:
        outcomes = grade(options.course_dir, assignments, workers=options.workers,
                         scheduler=options.scheduler, db_url=options.db_url, resume=not options.restart,
                         preflight=not options.no_preflight)
    except (_preflight.PreflightFailed, prerequisites.MissingPrerequisite,
            term_calendar.CalendarError) as failed:
        print(failed, file=sys.stderr)
        return 2
    failed = [o for o in outcomes if not o.ok]
    say(f"graded {len(outcomes)} submissions in {time.perf_counter() - start:.1f} s ({len(failed)} failed)")
    for outcome in failed:
        last = (outcome.error.strip().splitlines() or [""])[-1]
        say(f"  FAILED {outcome.student}/{outcome.assignment}: {last}")
    flags_path = write_flags(options.course_dir)
    flagged = [o for o in outcomes if o.flags]
    if flagged:
        say(f"flagged {len(flagged)} submissions (all flags: {flags_path}):")
        for outcome in flagged:
            say(f"  {outcome.student}/{outcome.assignment}: {'; '.join(outcome.flags)[:300]}")
    if not options.no_feedback:
        csv_path = feedback_and_export(options.course_dir, assignments, options.db_url)
        feedback = CourseFolders.of_course(options.course_dir).step_folder("feedback")
        say(f"feedback in {Path(options.course_dir, feedback)}, grades in {csv_path}")
    return 1 if failed else 0
