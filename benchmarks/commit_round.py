"""One round of the grading benchmark in a checkout of any commit, for comparing commits.

``CHECKOUT/.venv/bin/python benchmarks/commit_round.py CHECKOUT LABEL`` builds the synthetic
class of ``benchmark-grading`` (6 students, 8 assignments, 30 s cell timeout) with the code of
CHECKOUT, grades one copy with sequential ``nbgrader autograde`` and another with that
checkout's ``python -m autograder grade --workers 3 --no-feedback``, and prints one line: the
wall time and machine CPU per notebook of each, their ratio, and whether both gave the same
score in every cell. It reads both package layouts, the one of today and the one before the
packages were named after their job (2026-12-02), so run it with each checkout's own
interpreter, alternately (before, after, after, before), on a machine doing nothing else.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = str(Path(__file__).resolve().parents[1])  # this script's own, for benchmarks.machine
sys.path.insert(0, REPOSITORY)
from benchmarks.machine import measured  # noqa: E402  (before the checkout's code is on the path)

STUDENTS, WORKERS, TIMEOUT = 6, 3, 30


def _checkout_code(checkout):
    """(class_roll, make_class, autograde, cell_scores, environment, assignments) of the
    checkout's own code, in either package layout."""
    sys.path.remove(REPOSITORY)
    sys.path.insert(0, str(checkout))
    try:
        from autograder.batch.sequential import autograde, cell_scores
        from autograder.demo.synthetic_class import class_roll, make_class
        from course.registry import ASSIGNMENTS
    except ImportError:  # the layout before 2026-12-02
        from autograder.benchmark_class import class_roll, make_class
        from autograder.grading import autograde, cell_scores

        from course.previous import ASSIGNMENTS
    from autograder.nbgrader_cli import environment
    return class_roll, make_class, autograde, cell_scores, environment, list(ASSIGNMENTS)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a clone of the repository at the commit to measure, "
                        "set up (its .venv) and run with its own interpreter")
    parser.add_argument("label", help="the name of the line printed, e.g. 'before (2c5ad9e)'")
    options = parser.parse_args(argv)
    checkout = options.checkout.resolve()
    class_roll, make_class, autograde, cell_scores, environment, assignments = _checkout_code(checkout)
    notebooks = STUDENTS * len(assignments)
    with tempfile.TemporaryDirectory() as scratch:
        base = make_class(Path(scratch) / "base", class_roll(STUDENTS), assignments, TIMEOUT)
        one_by_one, batch = Path(scratch) / "sequential", Path(scratch) / "batch"
        for copy in (one_by_one, batch):
            shutil.copytree(base, copy)
        load = Path("/proc/loadavg").read_text().split()[0]
        wall_s, cpu_s = measured(autograde, one_by_one)
        command = [sys.executable, "-m", "autograder", "grade", *assignments, "--course-dir", str(batch),
                   "--workers", str(WORKERS), "--no-feedback"]
        wall_b, cpu_b = measured(subprocess.run, command, env=environment(), cwd=checkout, check=True,
                                 capture_output=True)
        same = cell_scores(one_by_one) == cell_scores(batch)
    print(f"{options.label}: load {load} before; "
          f"sequential {wall_s:6.1f} s {cpu_s / notebooks:5.2f} CPU/nb   "
          f"batch {wall_b:6.1f} s {cpu_b / notebooks:5.2f} CPU/nb   ratio {wall_s / wall_b:4.2f}x   "
          f"batch CPU / sequential's {cpu_b / cpu_s:4.0%}   same scores per cell: {same}", flush=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
