"""Memory of the batch grader over a long class:
``python -m autograder benchmark-memory [--submissions 500] [--workers N]``.

Grades a class of many students of one light notebook with the ``grade`` command, run as
its own process, and samples the resident memory (RSS) of that driver process and of its
worker processes while it runs: at the start, after every 100 graded submissions, and at
the end. Prints the samples and the slopes (growth per 100 submissions). A script, not a
test.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from autograder.batch.grade import JOURNAL, default_workers
from autograder.demo.synthetic_class import class_roll, make_class
from autograder.nbgrader_cli import environment

MB = 2**20


def _graded(course_dir):
    path = Path(course_dir, JOURNAL)
    return len(path.read_text().splitlines()) if path.exists() else 0


def _rss(driver):
    """(driver RSS, [worker RSS], [zygote RSS]) in bytes; workers: the processes that
    multiprocessing's fork server forked; zygotes: the workers' zygotes
    (autograder.kernels.zygote), one each."""
    workers, zygotes = [], []
    for child in driver.children(recursive=True):
        try:
            command = child.cmdline()
            if "multiprocessing.forkserver" in " ".join(command) and child.ppid() != driver.pid:
                workers.append(child.memory_info().rss)
            elif command[-1:] and '"preload"' in command[-1] and child.name() != "bwrap" \
                    and child.parent().name() == "bwrap":  # not bwrap, not the kernels (its forks)
                zygotes.append(child.memory_info().rss)
        except psutil.Error:
            continue  # a process ending right now
    if driver.status() == psutil.STATUS_ZOMBIE:
        raise psutil.NoSuchProcess(driver.pid)  # ended: no memory to sample
    return driver.memory_info().rss, workers, zygotes


def slope(points):
    """Least-squares slope of [(x, y)]."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def sample_while_grading(course_dir, assignment, workers, every=100, interval=0.2):
    """Run ``grade`` and sample memory. Returns ([(graded, driver RSS, [worker RSS], [fork
    server RSS])] at the start, every ``every`` submissions and the end; all fine samples; the
    return code)."""
    command = [sys.executable, "-m", "autograder", "grade", assignment, "--course-dir", str(course_dir),
               "--workers", str(workers), "--no-feedback"]
    process = subprocess.Popen(command, env=environment(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    driver = psutil.Process(process.pid)
    marks, samples, next_mark = [], [], 0
    try:
        while process.poll() is None:
            graded = _graded(course_dir)
            try:
                rss, worker_rss, zygote_rss = _rss(driver)
            except psutil.Error:
                break  # the driver just ended
            samples.append((graded, rss, worker_rss, zygote_rss))
            if graded >= next_mark and (worker_rss or graded):
                marks.append(samples[-1])
                next_mark = (graded // every + 1) * every
            time.sleep(interval)
    finally:
        process.wait()
    graded = [s for s in samples if s[0] == samples[-1][0]] if samples else []
    if graded and (not marks or marks[-1] is not graded[-1]):
        marks.append(graded[-1])  # the end: the last sample before the driver exited
    return marks, samples, process.returncode


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("--submissions", type=int, default=500, help="students of the one assignment (500)")
    parser.add_argument("--assignment", default="06_loss", help="a light notebook (default 06_loss)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="local worker processes of the grade command (default: cores + 1)")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    roll = class_roll(options.submissions, kinds=("complete", "buggy", "untouched"))
    with tempfile.TemporaryDirectory() as scratch:
        course_dir = make_class(Path(scratch) / "course", roll, [options.assignment], timeout=60)
        print(f"grading {len(roll)} submissions of {options.assignment} with {options.workers} workers ...",
              flush=True)
        start = time.perf_counter()
        marks, samples, code = sample_while_grading(course_dir, options.assignment, options.workers)
        seconds = time.perf_counter() - start
    print(f"done in {seconds:.0f} s ({seconds / len(roll):.2f} s/submission), exit code {code}\n")
    print(f"{'graded':>8} {'driver RSS MB':>14} {'workers RSS MB':>22} {'zygotes RSS MB':>22}")
    for graded, rss, workers, zygotes in marks:
        print(f"{graded:>8} {rss / MB:>14.1f} {' + '.join(f'{w / MB:.1f}' for w in workers):>22} "
              f"{' + '.join(f'{z / MB:.1f}' for z in zygotes):>22}")
    late = [s for s in samples if s[0] >= 100] or samples
    for label, points in (("whole run", samples), ("from 100 on", late)):
        driver = slope([(g, rss) for g, rss, _, _ in points]) * 100 / MB
        workers = slope([(g, sum(w)) for g, _, w, _ in points if w]) * 100 / MB
        print(f"slope, {label:<12} driver {driver:+6.2f} MB per 100 submissions, "
              f"workers (all) {workers:+6.2f} MB per 100 submissions")
    return code
