"""Build the student release: ``python -m autograder release``.

0. refuse, with the list, while an exercise misses a piece (``autograder.authoring.anatomy``);
1. ``sync``: write the reference solutions into ``source/`` (and the previous_steps.py files);
2. ``nbgrader generate_assignment`` for every notebook, in the course directory: ``release/``
   is rebuilt and the course's gradebook learns every assignment;
3. the due dates of ``c.CourseCalendar`` (nbgrader_config.py) go to the gradebook.

``build_course_dir`` is shared with the grading commands, which need a course directory
whose gradebook knows every assignment.
"""

import shutil
import sys
import tempfile
from pathlib import Path

from autograder.authoring.sync import ROOT, sync
from autograder.nbgrader_cli import nbgrader
from course.registry import ASSIGNMENTS

RELEASE = ROOT / "release"
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")


def available_assignments():
    """The assignments of ASSIGNMENTS that have a folder in source/, in course order."""
    return [a for a in ASSIGNMENTS if (ROOT / "source" / a).is_dir()]


def build_course_dir(course_dir, assignments=None, db_url=None, source=ROOT / "source"):
    """Copy the config and ``source`` (default: the course's ``source/``; the Chinese edition
    passes ``i18n/zh/source/``) into ``course_dir`` and generate every assignment there.

    Afterwards ``course_dir/release/`` (the folders are those the copied configuration names,
    ``autograder.course_folders``) holds the student notebooks and the gradebook
    (``course_dir/gradebook.db``, or the database at ``db_url``) knows every assignment,
    notebook and graded cell. Returns the release folder.
    """
    from autograder.course_folders import CourseFolders

    course_dir = Path(course_dir)
    assignments = available_assignments() if assignments is None else assignments
    course_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    folders = CourseFolders.of_course(course_dir)
    for assignment in assignments:
        target = folders.assignment_path("source", assignment)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(Path(source) / assignment, target, ignore=IGNORED)
    _new_gradebook(course_dir, db_url)
    database = [f"--CourseDirectory.db_url={db_url}"] if db_url else []
    nbgrader("generate_assignment", "*", "--force", *database, course_dir=course_dir)
    return folders.top("release")


def _new_gradebook(course_dir, db_url=None):
    """Create the course's gradebook (``db_url``, else the one its configuration names) in this
    process, where nbgrader's revision is read without a subprocess
    (``autograder.nbgrader_revision``): ``nbgrader generate_assignment`` then finds it made."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    from autograder.course_folders import course_config
    from autograder.nbgrader_revision import read_in_process

    read_in_process()
    directory = CourseDirectory(config=course_config(Path(course_dir).resolve()))
    with Gradebook(db_url or directory.db_url, course_id=directory.course_id):
        pass


def generate_release(target=RELEASE, assignments=None):
    """Regenerate the student release into ``target`` (replacing what is there).

    The course's own ``release/`` is made by ``nbgrader generate_assignment`` in the course
    directory itself, as nbgrader intends: its gradebook (``gradebook.db``, or the configured
    ``db_url``) then knows every assignment, notebook and graded cell, which ``nbgrader
    autograde`` and ``python -m autograder grade`` need. Any other ``target`` is built in a
    scratch course directory.
    """
    if Path(target).resolve() == RELEASE.resolve():
        nbgrader("generate_assignment", "*", "--force", course_dir=ROOT)
        return RELEASE
    with tempfile.TemporaryDirectory() as scratch:
        built = build_course_dir(Path(scratch) / "course", assignments)
        if Path(target).exists():
            shutil.rmtree(target)
        shutil.copytree(built, target)
    return Path(target)


def add_arguments(parser):
    """The command has no options (``--help`` only)."""


def apply_calendar(course_dir=ROOT):
    """Write the due dates of ``c.CourseCalendar`` (nbgrader_config.py) to the course's gradebook.
    Returns {assignment: due date or None}; {} when no calendar is configured."""
    from nbgrader.coursedir import CourseDirectory

    from autograder.course_folders import course_config
    from autograder.plugins import term_calendar

    config = course_config(course_dir)
    return term_calendar.apply(config, CourseDirectory(config=config).db_url, available_assignments())


def sync_and_release():
    """Refuse while an exercise misses a piece, else ``sync``, regenerate ``release/`` and write the
    due dates, printing what was done. Returns the exit code (2: refused, or bad due dates)."""
    from autograder.authoring import anatomy
    from autograder.plugins.term_calendar import CalendarError

    problems = anatomy.missing()
    if problems:
        print(anatomy.refusal(problems, "python -m autograder release"), file=sys.stderr)
        return 2
    for path in sync():
        print(f"synced {path.relative_to(ROOT)}")
    generate_release()
    print(f"release/ regenerated: {', '.join(sorted(p.name for p in RELEASE.iterdir()))}")
    try:
        dates = apply_calendar()
    except CalendarError as error:
        print(f"the due dates were not written: {error}", file=sys.stderr)
        return 2
    for assignment, date in dates.items():
        print(f"due date of {assignment}: {'none' if date is None else f'{date:%Y-%m-%d %H:%M:%S} UTC'}")
    return 0


def run(options):
    """Sync and regenerate ``release/``: the exit code."""
    return sync_and_release()
