"""Time every source notebook, executed top to bottom in a fresh kernel, one after another.

``python -m autograder benchmark`` prints one line per notebook and the total; the course's
bars are 30 s per notebook and 3 minutes for the whole course on a 2-core machine.
"""

import time

from autograder.authoring.notebooks import execute, graded_outcomes
from autograder.authoring.sync import SOURCE
from course.cli import assignment_name
from course.registry import ASSIGNMENTS

NOTEBOOK_BAR_SECONDS = 30
COURSE_BAR_SECONDS = 180


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("assignments", nargs="*", type=assignment_name,
                        help="assignment names (default: all)")


def run(options):
    """Time the notebooks: exit code 0 when every bar is met, else 1."""
    assignments = options.assignments or list(ASSIGNMENTS)
    print(f"{'notebook':<20} {'seconds':>8} {'graded cells passing':>22}")
    total = 0.0
    slow = []
    for assignment in assignments:
        start = time.perf_counter()
        notebook, _ = execute(SOURCE / assignment / f"{assignment}.ipynb")
        seconds = time.perf_counter() - start  # kernel start included: what a student waits
        total += seconds
        outcomes = graded_outcomes(notebook)
        passing = sum(o.passed for o in outcomes)
        print(f"{assignment:<20} {seconds:>8.1f} {passing:>17}/{len(outcomes)}", flush=True)
        if seconds > NOTEBOOK_BAR_SECONDS:
            slow.append(assignment)
    print(f"{'whole course':<20} {total:>8.1f}   (bars: {NOTEBOOK_BAR_SECONDS} s per notebook, "
          f"{COURSE_BAR_SECONDS} s in all)")
    return 1 if slow or total > COURSE_BAR_SECONDS else 0
