"""Sequential ``nbgrader autograde`` against the batch grader, on the same synthetic class,
in one run: ``python -m autograder benchmark-grading [--students N] [--workers N] [--no-figures]
[--repeat N] [--no-comparisons]``.

Prints seconds and the machine's busy CPU seconds per notebook for each (the batch grader is
the ``grade`` command, run as its own process), their ratio, the batch grader without its fork
server and without the sandbox for comparison, and where the time of a notebook graded by the
batch path goes (waiting for a warm kernel, the notebook's cells, database, nbgrader's
conversion, sandbox; and the kernel start that happens in the background). The class
(``autograder.demo.synthetic_class``) mixes correct, buggy, unanswered and hostile submissions. A
script, not a test: the figures depend on the machine and on what else it is doing, so all
graders run in the same run, one after the other.
"""

import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

from autograder.batch import grade, sequential
from autograder.demo.synthetic_class import class_roll, make_class
from autograder.nbgrader_cli import environment
from benchmarks.machine import measured
from course.registry import ASSIGNMENTS


class Stopwatch:
    """Adds up the wall time spent inside chosen functions, per label (nested calls once)."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self._depth = defaultdict(int)
        self._originals = []

    def wrap(self, label, owner, name):
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            self._depth[label] += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._depth[label] -= 1
                if not self._depth[label]:
                    self.seconds[label] += time.perf_counter() - start

        setattr(owner, name, timed)
        self._originals.append((owner, name, original))

    def restore(self):
        for owner, name, original in reversed(self._originals):
            setattr(owner, name, original)
        self._originals.clear()


def _kernel_start(course_dir, forked, runs=5):
    """(wall seconds, busy CPU seconds of the machine) of starting one sandboxed grading kernel
    and warming it up, as the batch grader does in the background while the previous notebook
    runs: forked by the zygote, or a new process in bubblewrap. The mean of ``runs``."""
    from autograder.kernels.warm_pool import KernelPool
    from autograder.preprocessors.sandboxed_execute import SandboxedExecute

    kernels = KernelPool(course_dir, spares=0, extra_arguments=SandboxedExecute().extra_arguments,
                         forked=forked)
    kernels._start_one()  # the zygote's own start, once per worker: not counted
    kernels._ready.get(timeout=120).shutdown_kernel(now=True)
    wall = cpu = 0.0
    for _ in range(runs):
        seconds, busy = measured(kernels._start_one)
        kernels._ready.get(timeout=120).shutdown_kernel(now=True)
        wall, cpu = wall + seconds, cpu + busy
    if kernels.fork_server:
        kernels.fork_server.close()
    return wall / runs, cpu / runs


def _sandbox_command_seconds(runs=5):
    """Wall seconds for bubblewrap, prlimit and setpriv to start and run `true` (the
    sandbox's own cost per kernel), the mean of ``runs``."""
    import subprocess

    from autograder.kernels import sandbox

    with tempfile.TemporaryDirectory() as runtime:
        argv = sandbox.command(["/usr/bin/true"], runtime, 1_234_567)
        start = time.perf_counter()
        for _ in range(runs):
            subprocess.run(argv, check=True)
        return (time.perf_counter() - start) / runs


def breakdown(course_dir, student, assignments):
    """Where the time of grading one notebook goes in the batch path (mean over one notebook
    of ``student`` per assignment, graded in this process with warm kernels): {part: seconds}."""
    from nbgrader.api import Gradebook
    from sqlalchemy.orm import Session

    from autograder.judging import judge
    from autograder.kernels.warm_pool import KernelPool
    from autograder.preprocessors.record_tampering import RecordTampering
    from autograder.preprocessors.sandboxed_execute import SandboxedExecute
    from autograder.preprocessors.trusted_verdict import TrustedVerdict

    os.environ.update(environment())
    api = grade.nbgrader_api(course_dir, warm=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's notes on re-grading a graded submission
        api.autograde(assignments[0], student, force=True, create=True)  # imports, first queries
        watch = Stopwatch()
        watch.wrap("wait", KernelPool, "take")
        watch.wrap("cells", SandboxedExecute, "_execute_all")
        watch.wrap("verdict", TrustedVerdict, "preprocess")
        watch.wrap("verdict", RecordTampering, "preprocess")
        watch.wrap("judge", judge, "judge")
        for name in ("execute", "commit", "flush", "close"):
            watch.wrap("database", Session, name)
        watch.wrap("database", Gradebook, "__init__")
        try:
            total = sum(measured(api.autograde, a, student, force=True, create=True)[0]
                        for a in assignments)
        finally:
            watch.restore()
    n = len(assignments)
    parts = {
        "waiting for a warm kernel": watch.seconds["wait"] / n,
        "cells (the notebook's own, plus scan and probe cells)": watch.seconds["cells"] / n,
        "trusted verdict (judge: probes on the reference)": watch.seconds["judge"] / n,
        "tampering records and verdict, besides the judge":
            (watch.seconds["verdict"] - watch.seconds["judge"]) / n,
        "database (gradebook reads and writes)": watch.seconds["database"] / n,
        "nbgrader's conversion (copy, preprocessors, files)":
            (total - watch.seconds["wait"] - watch.seconds["cells"] - watch.seconds["verdict"]
             - watch.seconds["database"]) / n,
        "total": total / n,
    }
    parts["grading overhead (total - cells)"] = (total - watch.seconds["cells"]) / n
    parts["sandbox: bwrap + prlimit + setpriv start, per kernel"] = _sandbox_command_seconds()
    for forked, label in ((True, "forked by the zygote"), (False, "a new process in bubblewrap")):
        wall, cpu = _kernel_start(course_dir, forked)
        parts[f"background: kernel start + warm-up, {label}: wall (machine CPU {cpu:.2f} s)"] = wall
    return parts


def _grade_command(course_dir, assignments, workers):
    """The batch grader as an instructor runs it: ``python -m autograder grade`` in a process
    of its own (without the feedback pages, which plain ``nbgrader autograde`` does not write)."""
    command = [sys.executable, "-m", "autograder", "grade", *assignments, "--course-dir", str(course_dir),
               "--workers", str(workers), "--no-feedback"]
    result = subprocess.run(command, env=environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"the grade command failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def _report(label, wall, cpu, notebooks):
    print(f"{label + ':':<33}{wall:7.1f} s  {wall / notebooks:5.2f} s/notebook  "
          f"{60 * notebooks / wall:6.1f} notebooks/min  machine CPU {cpu / notebooks:5.2f} s/notebook",
          flush=True)


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("--students", type=int, default=6, help="students per class (default 6, one hostile)")
    parser.add_argument("--workers", type=int, default=grade.default_workers(),
                        help="local worker processes of the grade command (default: cores + 1)")
    parser.add_argument("--assignments", nargs="*", default=list(ASSIGNMENTS))
    parser.add_argument("--timeout", type=int, default=30,
                        help="nbgrader's Execute.timeout for both graders (a hostile endless loop's length)")
    parser.add_argument("--no-figures", action="store_true",
                        help="grade with c.SandboxedExecute.figures = False (figures not drawn), "
                        "every grader alike")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of sequential then batch grading, each on a fresh copy of the class "
                        "(default 1); with more, the median ratio and its range: on a shared machine one "
                        "pair of runs can move by 10%%")
    parser.add_argument("--no-comparisons", action="store_true",
                        help="skip the batch grader without zygote and without sandbox, and the breakdown "
                        "of one notebook's time")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    if options.repeat < 1:
        print("--repeat needs at least 1 round", file=sys.stderr)
        return 2
    roll = class_roll(options.students)
    notebooks = len(roll) * len(options.assignments)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as scratch:
        base = make_class(Path(scratch) / "base", roll, options.assignments, options.timeout)
        if options.no_figures:
            with open(base / "nbgrader_config.py", "a") as config:
                config.write("c.SandboxedExecute.figures = False  # the benchmark's --no-figures\n")
        kinds = ", ".join(f"{k} {list(roll.values()).count(k)}" for k in dict.fromkeys(roll.values()))
        print(f"class: {len(roll)} students ({kinds}) x {len(options.assignments)} assignments = "
              f"{notebooks} notebooks; {options.workers} workers; {cores} cores; "
              f"cell timeout {options.timeout} s{'; figures not drawn' if options.no_figures else ''}",
              flush=True)
        graded, ratios = [], []
        for round_ in range(1, options.repeat + 1):
            if options.repeat > 1:
                print(f"round {round_} of {options.repeat}:", flush=True)
            one_by_one, parallel = Path(scratch) / f"sequential-{round_}", Path(scratch) / f"batch-{round_}"
            for copy in (one_by_one, parallel):
                shutil.copytree(base, copy)
            wall_s, cpu_s = measured(sequential.autograde, one_by_one)
            _report("sequential `nbgrader autograde`", wall_s, cpu_s, notebooks)
            wall_b, cpu_b = measured(_grade_command, parallel, options.assignments, options.workers)
            _report("batch grader", wall_b, cpu_b, notebooks)
            print(f"ratio (sequential / batch):      {wall_s / wall_b:7.2f}x   (bar: 3x)", flush=True)
            print(f"batch CPU per notebook / sequential's: {cpu_b / cpu_s:5.0%}   (with every core busy, "
                  f"3x on {cores} cores needs at most {min(1, cores / 3):.0%})", flush=True)
            graded += [one_by_one, parallel]
            ratios.append(wall_s / wall_b)
        if options.repeat > 1:
            print(f"ratio over the {options.repeat} rounds: median {statistics.median(ratios):.2f}x, "
                  f"{min(ratios):.2f}x to {max(ratios):.2f}x", flush=True)
        if not options.no_comparisons:
            graded += _comparisons(base, Path(scratch), (wall_b, cpu_b), options, notebooks)
        scores = [sequential.cell_scores(folder) for folder in graded]
        same = all(score == scores[0] for score in scores)
        print(f"same scores per cell: {same}", flush=True)
        if not options.no_comparisons:
            student = next(s for s, kind in roll.items() if kind == "complete")
            print(f"\none notebook in the batch path (mean over {student}'s {len(options.assignments)} "
                  "complete notebooks, graded in-process, warm kernels):")
            for part, seconds in breakdown(parallel, student, options.assignments).items():
                print(f"  {part:<52} {seconds:6.2f} s")
    return 0 if same else 1


def _comparisons(base, scratch, batch, options, notebooks):
    """The batch grader without its zygote, then without the sandbox (each on a copy of
    ``base``), against ``batch`` (wall seconds, CPU seconds of the last batch round); returns
    the two graded copies."""
    unforked, unsandboxed = scratch / "unforked", scratch / "unsandboxed"
    for copy in (unforked, unsandboxed):
        shutil.copytree(base, copy)
    with open(unforked / "nbgrader_config.py", "a") as config:
        config.write("c.SandboxedExecute.fork_server = False  # the benchmark's comparison only\n")
    with open(unsandboxed / "nbgrader_config.py", "a") as config:
        config.write("c.SandboxedExecute.sandbox = False  # the benchmark's comparison only\n")
    wall_b, cpu_b = batch
    wall_f, cpu_f = measured(_grade_command, unforked, options.assignments, options.workers)
    _report("batch, no zygote", wall_f, cpu_f, notebooks)
    print(f"zygote's gain (batch without / with): {wall_f / wall_b:5.2f}x wall, "
          f"{(cpu_f - cpu_b) / notebooks:+.2f} machine CPU s/notebook", flush=True)
    wall_u, cpu_u = measured(_grade_command, unsandboxed, options.assignments, options.workers)
    _report("batch, no sandbox, no fork", wall_u, cpu_u, notebooks)
    print(f"sandbox cost (batch, no zygote, with / without sandbox): {wall_f / wall_u:5.2f}x wall, "
          f"{(wall_f - wall_u) / notebooks:+.2f} s/notebook")
    return [unforked, unsandboxed]
