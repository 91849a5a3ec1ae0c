"""Try the grading loop before the term: ``python -m autograder rehearse ASSIGNMENT...``.

Three sample students hand in each named assignment in the course directory's
``submitted/`` (as ``nbgrader collect`` would leave it, ``timestamp.txt`` included), made from
the course's release and reference by ``autograder.demo.samples``:

- ``rehearsal-ontime``: every exercise solved, handed in an hour before the due date;
- ``rehearsal-late``: every exercise solved, handed in 25 hours after it (two started days late);
- ``rehearsal-untouched``: the release notebook as handed out, on time.

Then ``python -m autograder grade`` grades them as it will grade the class: the late
student's penalty (``c.LatePenalty``) and the due dates (``c.CourseCalendar``) show in the
gradebook, the formgrader and ``grades.csv``. Without a due date every hand-in is "now".
``--remove`` takes the rehearsal students' folders out of ``submitted/`` again (their grades
stay in the gradebook until ``nbgrader db student remove``).
"""

import datetime
import shutil
import sys
from pathlib import Path

STUDENTS = {"rehearsal-ontime": ("complete", -1), "rehearsal-late": ("complete", 25),
            "rehearsal-untouched": ("untouched", -1)}  # kind of submission, hours after the due date


def add_arguments(parser):
    parser.add_argument("assignments", nargs="+", help="assignment names, e.g. 05_update")
    parser.add_argument("--course-dir", default=".", help="the nbgrader course directory (default: .)")
    parser.add_argument("--remove", action="store_true", help="remove the rehearsal submissions instead")


def hand_in(course_dir, assignment, due):
    """Write the STUDENTS' submissions of ``assignment``; ``due``: its due date (naive UTC) or None.
    Returns {student: timestamp text}."""
    from autograder.course_folders import CourseFolders
    from autograder.demo.samples import make_submission, submit

    written = {}
    for student, (kind, hours) in STUDENTS.items():
        when = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) if due is None \
            else due + datetime.timedelta(hours=hours)
        written[student] = f"{when:%Y-%m-%d %H:%M:%S}.000000 UTC"
        notebook = make_submission(assignment, kind, CourseFolders.of_course(course_dir).top("release"))
        submit(course_dir, student, assignment, notebook, timestamp=written[student])
    return written


def run(args):
    from autograder.course_folders import CourseFolders, course_config
    from autograder.judging import prerequisites
    from autograder.plugins import term_calendar

    course_dir = Path(args.course_dir)
    problem = prerequisites.course_directory(course_dir)
    known = prerequisites.course_assignments(course_dir)
    unknown = [a for a in args.assignments if a not in known]
    if unknown and not problem:
        problem = f"there is no assignment {unknown[0]!r} (the course's assignments: {', '.join(known)})."
    if problem:
        print(f"cannot rehearse: {problem}", file=sys.stderr)
        return 2
    if args.remove:
        for student in STUDENTS:
            for assignment in args.assignments:
                shutil.rmtree(CourseFolders.of_course(course_dir).path("submitted", student, assignment),
                              ignore_errors=True)
        print(f"removed the rehearsal submissions of {', '.join(args.assignments)}")
        return 0
    try:
        dates = term_calendar.due_dates(course_config(course_dir.resolve())) or {}
    except term_calendar.CalendarError as error:
        print(f"cannot rehearse: {error}", file=sys.stderr)
        return 2
    folders = CourseFolders.of_course(course_dir)
    for assignment in args.assignments:
        for student, timestamp in hand_in(course_dir, assignment, dates.get(assignment)).items():
            folder = folders.relative(folders.path("submitted", student, assignment))
            print(f"{folder}/ handed in {timestamp}")
    print(f"next: python -m autograder grade {' '.join(args.assignments)}")
    return 0
