"""The instructor's command line: ``python -m autograder COMMAND [options]`` (``COMMAND --help``)."""

import sys

from course.cli import main as cli_main

# name: (module with add_arguments(parser) and run(args), one-line help)
COMMANDS = {
    "results": ("autograder.results",
                "train the reference on the three tasks and print the table of accuracies"),
    "demo": ("autograder.demo",
             "the main job: build the release, autograde a sample class, print its grades"),
    "grade": ("autograder.batch",
              "grade every collected submission of the named assignments, in parallel"),
    "report": ("autograder.class_report",
               "the class report: scores, pass rates, named mistakes, flags, similar pairs"),
    "release": ("autograder.release",
                "sync, then build release/ from source/ with nbgrader generate_assignment"),
    "bundle": ("autograder.bundle",
               "the student bundle: release/, course/, set-up files and a student README in one zip"),
    "sync": ("autograder.solutions",
             "write the reference solutions into source/ (--check: only report what differs)"),
    "probe-values": ("autograder.probe_values",
                     "the reference's probe values for the self-check's published seed (--check: stale?)"),
    "parity": ("autograder.parity",
               "the visible checks, the self-check and the grader on every sample case, side by side"),
    "benchmark": ("autograder.benchmark", "time every source notebook, run top to bottom"),
    "benchmark-grading": ("autograder.benchmark_grading",
                          "sequential nbgrader autograde against the batch grader, same class"),
    "benchmark-memory": ("autograder.benchmark_memory", "the batch grader's memory over 500 submissions"),
    "benchmark-fork": ("autograder.benchmark_fork",
                       "what forking grading kernels from a warmed-up process saves per notebook"),
    "benchmark-containment": ("autograder.benchmark_containment",
                              "a correct class's scores and grading time beside CPU, fork, memory attackers"),
}


def main(argv=None):
    """Run the command named in ``argv`` (default: the process's arguments): its exit code."""
    return cli_main("python -m autograder", __doc__, COMMANDS, sys.argv[1:] if argv is None else argv)
