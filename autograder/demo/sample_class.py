"""The main job, end to end: ``python -m autograder demo``.

1. build the student release from source/ (sync + nbgrader generate_assignment);
2. make a small class of sample submissions from the release and the reference;
3. grade them with ``nbgrader autograde``, write feedback with ``nbgrader generate_feedback``,
   export the grades with ``nbgrader export``;
4. print the class table.

Everything happens in the course directory ``build/demo/`` (made afresh each run).
"""

import shutil
import time

from autograder.authoring import release
from autograder.authoring.sync import ROOT
from autograder.batch import sequential
from autograder.course_folders import CourseFolders
from autograder.demo.samples import write_submissions

DEMO_DIR = ROOT / "build" / "demo"

#: The sample class: student id -> kind of submission (see autograder.demo.samples).
CLASS = {
    "ada": "complete",
    "alan": "alternative",
    "grace": "partial",
    "linus": "buggy",
    "margaret": "untouched",
}

DESCRIPTIONS = {
    "complete": "the reference solutions",
    "alternative": "correct solutions written differently (loops, einsum, caching outputs)",
    "partial": "the first half of each notebook's exercises",
    "buggy": "common mistakes planted in correct code",
    "untouched": "the release notebooks as handed out",
}


def add_arguments(parser):
    """The command has no options (``--help`` only)."""


def run(options):
    """Run the demo: exit code 0."""
    start = time.perf_counter()
    if release.sync_and_release():
        return 2
    if DEMO_DIR.exists():
        shutil.rmtree(DEMO_DIR)
    assignments = release.available_assignments()
    built = release.build_course_dir(DEMO_DIR, assignments)
    write_submissions(DEMO_DIR, CLASS, assignments, release_dir=built)
    folders = CourseFolders.of_course(DEMO_DIR)
    print(f"\nsample class in {folders.top('submitted').relative_to(ROOT)}/:")
    for student, kind in CLASS.items():
        print(f"  {student:<10} {DESCRIPTIONS[kind]}")
    count = len(CLASS) * len(assignments)
    print(f"\nnbgrader autograde: {count} notebooks, one after another ...", flush=True)
    sequential.autograde(DEMO_DIR)
    sequential.generate_feedback(DEMO_DIR)
    csv_path = sequential.export_grades(DEMO_DIR)
    print(f"\n{sequential.class_table(DEMO_DIR)}\n")
    print(f"grades:   {csv_path.relative_to(ROOT)}")
    print(f"feedback: {folders.top('feedback').relative_to(ROOT)}/<student>/<assignment>/*.html")
    print(f"done in {time.perf_counter() - start:.0f} s")
    return 0
