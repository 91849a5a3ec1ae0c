"""Sequential ``nbgrader autograde`` against the batch grader, on the same synthetic class,
in one run: ``python -m autograder benchmark-grading [--students N] [--workers N]``.

Prints seconds per notebook for each, their ratio, and where the time of one notebook goes
when graded in-process (kernel start, execution, nbgrader's conversion and database work).
A script, not a test: the figures depend on the machine and on what else it is doing.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from course.previous import ASSIGNMENTS

from . import batch, grading
from .nbgrader_cli import environment
from .notebooks import execute
from .release import build_course_dir
from .samples import KINDS, write_submissions


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def _kernel_start_seconds():
    """Seconds from nothing to a python3 kernel that answers."""
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")
    seconds = time.perf_counter() - start
    client.stop_channels()
    manager.shutdown_kernel(now=True)
    return seconds


def breakdown(course_dir, student, assignment):
    """Where the time of grading one submission goes, graded in this process the way plain
    nbgrader does it (a kernel started for the notebook)."""
    os.environ.update(environment())
    api = batch.nbgrader_api(course_dir, warm=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's notes on re-grading a graded submission
        api.autograde(assignment, student, force=True, create=True)  # warm: imports, first queries
        total = _timed(api.autograde, assignment, student, force=True, create=True)
    notebook = Path(course_dir, "autograded", student, assignment, f"{assignment}.ipynb")
    _, execution = execute(notebook)  # kernel start + every cell, as nbgrader's Execute does
    kernel = _kernel_start_seconds()
    return {"kernel start": kernel, "cells (the notebook's own computation)": execution - kernel,
            "nbgrader conversion and database": total - execution, "sandbox (none yet)": 0.0,
            "total": total}


def main(*args):
    parser = argparse.ArgumentParser(prog="python -m autograder benchmark-grading")
    parser.add_argument("--students", type=int, default=4, help="students per class (default 4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--assignments", nargs="*", default=list(ASSIGNMENTS))
    options = parser.parse_args(args)
    kinds = ["complete", "buggy", "partial", "untouched", "alternative"]
    students = {f"student{i:03d}": kinds[i % len(kinds)] for i in range(options.students)}
    assert set(students.values()) <= set(KINDS)
    notebooks = len(students) * len(options.assignments)
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch) / "base"
        release_dir = build_course_dir(base, options.assignments)
        write_submissions(base, students, options.assignments, release_dir=release_dir)
        sequential, parallel = Path(scratch) / "sequential", Path(scratch) / "batch"
        shutil.copytree(base, sequential)
        shutil.copytree(base, parallel)
        print(f"class: {len(students)} students x {len(options.assignments)} assignments = "
              f"{notebooks} notebooks; {options.workers} workers; {os.cpu_count()} cores", flush=True)
        t_sequential = _timed(grading.autograde, sequential)
        rate = 60 * notebooks / t_sequential
        print(f"sequential `nbgrader autograde`: {t_sequential:7.1f} s  "
              f"{t_sequential / notebooks:5.2f} s/notebook  {rate:6.1f} notebooks/min", flush=True)
        t_batch = _timed(batch.grade, parallel, options.assignments, workers=options.workers, progress=False)
        print(f"batch grader:                    {t_batch:7.1f} s  "
              f"{t_batch / notebooks:5.2f} s/notebook  {60 * notebooks / t_batch:6.1f} notebooks/min")
        print(f"ratio (sequential / batch):      {t_sequential / t_batch:7.2f}x")
        same = grading.cell_scores(sequential) == grading.cell_scores(parallel)
        print(f"same scores per cell: {same}")
        student = next(iter(students))
        print(f"\none notebook ({student}/{options.assignments[0]}), graded in-process with a cold kernel:")
        for part, seconds in breakdown(parallel, student, options.assignments[0]).items():
            print(f"  {part:<40} {seconds:6.2f} s")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
