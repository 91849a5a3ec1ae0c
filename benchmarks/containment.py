"""What the worst submissions cost the honest ones:
``python -m autograder benchmark-containment [--students 6] [--assignment 08_prediction] [--workers N]``.

Grades a correct class (students answering with the reference solutions and with correct
solutions written differently) with the ``grade`` command, run as its own process, twice: alone,
then in the same run as three attackers, each graded beside the class:

- CPU: 110 busy ``/bin/sh`` loops, each in a session of its own, then cells that sleep, so the
  loops run while the class is graded;
- fork: a fork bomb;
- memory: fills memory (really used, not only reserved) until something stops it.

Prints every student's score in both runs (they must be the same), each correct notebook's
grading time, and the class's grading time ratio: the sum of the correct notebooks' grading
times beside the attackers over the same sum alone (the bar: at most 1.25). Each notebook's
grading time is the ``grade`` command's own measure (``batch_journal.jsonl``): from taking
its warm kernel to the gradebook's write. The whole run's wall time is printed too; beside the
attackers it also holds the worker slot each attacker takes for as long as its own limits let
it run. Prints the machine's load (``uptime``) before and after. A script, not a test.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbformat.v4 import new_code_cell

from autograder.batch import sequential
from autograder.batch.grade import JOURNAL, default_workers
from autograder.demo.samples import make_submission, submit
from autograder.demo.synthetic_class import make_class
from autograder.kernels import cgroups
from autograder.nbgrader_cli import environment

TIMEOUT = 120  # seconds per cell, the course's own setting (nbgrader_config.py), in both runs
BUSY = """import subprocess, time
loop = ['/bin/sh', '-c', 'while :; do :; done']
busy = [subprocess.Popen(loop, start_new_session=True) for _ in range(110)]
"""
SLEEP = "time.sleep(60)"
FORK_BOMB = """import os, time
while True:
    try:
        if os.fork() == 0:
            while True:
                pass
    except OSError:
        time.sleep(0.01)
"""
MEMORY = """blocks = []
while True:
    blocks.append(b'x' * (64 * 1024 ** 2))
"""
ATTACKS = {"attack-cpu": [BUSY] + [SLEEP] * 4, "attack-fork": [FORK_BOMB], "attack-memory": [MEMORY]}


def _attacker(assignment, release_dir, cells):
    """The stub notebook with the attack's cells right after its first cell."""
    notebook = make_submission(assignment, "untouched", release_dir)
    notebook.cells[1:1] = [new_code_cell(source) for source in cells]
    return notebook


def _grade(course_dir, assignment, workers):
    """Run ``grade`` on the course; returns (wall seconds, {student: notebook grading seconds},
    {student: flags})."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, "--course-dir",
                             str(course_dir), "--workers", str(workers), "--restart", "--no-feedback"],
                            env=environment(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"grade failed ({result.returncode}):\n{result.stdout[-2000:]}\n"
                         f"{result.stderr[-3000:]}")
    seconds, flags = {}, {}
    for line in Path(course_dir, JOURNAL).read_text().splitlines():
        entry = json.loads(line)
        seconds[entry["student"]], flags[entry["student"]] = entry["seconds"], entry["flags"]
    return wall, seconds, flags


def _totals(course_dir):
    return {student: sum(score for score, _ in cells.values())
            for (student, _), cells in sequential.cell_scores(course_dir).items()}


def _uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def add_arguments(parser):
    """Declare the command's options on ``parser`` (its description: this module's docstring)."""
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--students", type=int, default=6, help="correct students in the class (default 6)")
    parser.add_argument("--assignment", default="08_prediction", help="the assignment graded (default 08)")
    parser.add_argument("--workers", type=int, default=None, help="grade's workers (default: cores + 1)")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    workers = options.workers or default_workers()
    hierarchy = cgroups.available()
    groups = f"cgroup v{hierarchy.version}" if hierarchy else "none (per-process limits only)"
    print(f"control groups: {groups}; {os.cpu_count()} cores; {workers} workers; load before: {_uptime()}")
    roll = {f"student{i:02d}": ("complete", "alternative")[i % 2] for i in range(options.students)}
    with tempfile.TemporaryDirectory(prefix="benchmark-containment-") as scratch:
        alone = make_class(Path(scratch, "alone"), roll, [options.assignment], TIMEOUT)
        beside = make_class(Path(scratch, "beside"), roll, [options.assignment], TIMEOUT)
        for name, cells in ATTACKS.items():
            submit(beside, name, options.assignment, _attacker(options.assignment, beside / "release", cells))
        wall_alone, seconds_alone, flags_alone = _grade(alone, options.assignment, workers)
        wall_beside, seconds_beside, flags_beside = _grade(beside, options.assignment, workers)
        totals_alone, totals_beside = _totals(alone), _totals(beside)
    print(f"\n{'student':<16}{'alone':>10}{'beside':>10}{'s alone':>10}{'s beside':>10}")
    for student in sorted(totals_beside):
        print(f"{student:<16}{totals_alone.get(student, '-'):>10}{totals_beside[student]:>10}"
              f"{seconds_alone.get(student, float('nan')):>10.1f}{seconds_beside[student]:>10.1f}")
    for run, flags in (("alone", flags_alone), ("beside", flags_beside)):
        for student in sorted(flags):
            if flags[student]:
                print(f"  {run} {student}: " + "; ".join(f.splitlines()[0][:100] for f in flags[student]))
    same = all(totals_alone[s] == totals_beside[s] for s in roll)
    class_alone = sum(seconds_alone[s] for s in roll)
    class_beside = sum(seconds_beside[s] for s in roll)
    print(f"\nevery correct student's score unchanged: {same}")
    print(f"class grading time (sum of its {len(roll)} notebooks): alone {class_alone:.1f} s, "
          f"beside the attackers {class_beside:.1f} s, ratio {class_beside / class_alone:.2f}x (bar: 1.25x)")
    print(f"whole run (wall): alone {wall_alone:.1f} s, with the 3 attackers {wall_beside:.1f} s")
    print(f"load after: {_uptime()}")
    return 0 if same and class_beside <= 1.25 * class_alone else 1
