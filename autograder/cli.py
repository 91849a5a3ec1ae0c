"""The instructor's command line: ``python -m autograder COMMAND [options]`` (``COMMAND --help``)."""

import sys

from course.cli import main as cli_main

# name: (module with add_arguments(parser) and run(args), one-line help)
COMMANDS = {
    "results": ("autograder.authoring.results",
                "train the reference on the three tasks and print the table of accuracies"),
    "demo": ("autograder.demo.sample_class",
             "the main job: build the release, autograde a sample class, print its grades"),
    "grade": ("autograder.batch.grade",
              "grade every collected submission of the named assignments, in parallel"),
    "report": ("autograder.batch.class_report",
               "the class report: scores, pass rates, named mistakes, flags, similar pairs"),
    "release": ("autograder.authoring.release",
                "sync, then build release/ from source/ with nbgrader generate_assignment"),
    "bundle": ("autograder.authoring.bundle",
               "the student bundle: release/, course/, set-up files and a student README in one zip"),
    "sync": ("autograder.authoring.sync",
             "write the reference solutions into source/ (--check: only report what differs)"),
    "probe-values": ("autograder.authoring.probe_values",
                     "the reference's probe values for the self-check's published seed (--check: stale?)"),
    "translations": ("autograder.authoring.translations",
                     "the Chinese edition: translations build --lang zh [--check]"),
    "parity": ("autograder.authoring.parity",
               "the visible checks, the self-check and the grader on every sample case, side by side"),
    "exercise": ("autograder.authoring.exercise",
                 "add, rename or remove an exercise in every piece it spans"),
    "rehearse": ("autograder.demo.rehearse",
                 "sample students hand in an assignment (on time, late, untouched), to try grading first"),
    "benchmark": ("benchmarks.notebooks", "time every source notebook, run top to bottom"),
    "benchmark-grading": ("benchmarks.grading",
                          "sequential nbgrader autograde against the batch grader, same class"),
    "benchmark-memory": ("benchmarks.memory", "the batch grader's memory over 500 submissions"),
    "benchmark-fork": ("benchmarks.fork",
                       "what forking grading kernels from a warmed-up process saves per notebook"),
    "benchmark-containment": ("benchmarks.containment",
                              "a correct class's scores and grading time beside CPU, fork, memory attackers"),
}


def main(argv=None):
    """Run the command named in ``argv`` (default: the process's arguments): its exit code."""
    return cli_main("python -m autograder", __doc__, COMMANDS, sys.argv[1:] if argv is None else argv)
