"""Instructor commands: ``python -m autograder COMMAND``.

results   train the reference on the three tasks and print the table of accuracies
demo      the main job: build the release, autograde a sample class, print its grades
grade     grade every collected submission of the named assignments, in parallel (--help)
report    the class report: scores, pass rates, named mistakes, flags, similar pairs (--help)
release   sync, then build release/ from source/ with nbgrader generate_assignment
bundle    the student bundle: release/, course/, set-up files and a student README in one zip
benchmark time every source notebook, run top to bottom
benchmark-grading  sequential nbgrader autograde against the batch grader, same class
benchmark-memory   the batch grader's memory over 500 submissions
benchmark-fork     what a fork server for grading kernels would save per notebook
benchmark-containment  a correct class's scores and grading time beside CPU, fork and memory attackers
sync      write the reference solutions into source/ (--check: only report what differs)
probe-values  the reference's probe values for the self-check's published seed (--check: report stale)
translations  build the Chinese edition: python -m autograder translations build --lang zh [--check]
parity    the visible checks, the self-check and the grader on every sample case, side by side
"""

import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    commands = {
        "results": "autograder.results",
        "demo": "autograder.demo",
        "sync": "autograder.solutions",
        "probe-values": "autograder.probe_values",
        "parity": "autograder.parity",
        "translations": "autograder.authoring.translations",
        "release": "autograder.release",
        "bundle": "autograder.bundle",
        "grade": "autograder.batch",
        "report": "autograder.class_report",
        "benchmark": "autograder.benchmark",
        "benchmark-grading": "autograder.benchmark_grading",
        "benchmark-memory": "autograder.benchmark_memory",
        "benchmark-fork": "autograder.benchmark_fork",
        "benchmark-containment": "autograder.benchmark_containment",
    }
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    module = __import__(commands[argv[0]], fromlist=["main"])
    return module.main(*argv[1:])


if __name__ == "__main__":
    sys.exit(main())
