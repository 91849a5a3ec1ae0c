"""What must exist before an assignment can be graded, each missing piece one sentence.

Grading an assignment in a course directory needs, in this order: its source folder
(``source/<assignment>/``), its release (``release/<assignment>/``), the gradebook knowing it
(``python -m autograder release`` runs ``nbgrader generate_assignment "*"``, which registers
every assignment), and at least one collected submission (``submitted/<student>/<assignment>/``).
nbgrader itself reports the third as a traceback (``MissingEntry: No such assignment``) and
the others not at all; ``missing`` names the first that is missing and the command to run.

Both graders ask: ``python -m autograder grade`` before it starts (``autograder.batch``), and
plain ``nbgrader autograde`` from ``Autograde.pre_convert_hook``
(``autograder.judging.preflight.before_autograde``).
"""

from pathlib import Path

from autograder.course_folders import CourseFolders

RELEASE = "python -m autograder release"


class MissingPrerequisite(RuntimeError):
    """An assignment cannot be graded yet; the message says what to run."""


def course_directory(course_dir):
    """The sentence saying that ``course_dir`` is not an nbgrader course directory, or None."""
    if not Path(course_dir, "nbgrader_config.py").is_file():
        return (f"{Path(course_dir).resolve()} is not a course directory (it has no nbgrader_config.py): "
                f"run the command from the course's folder, or pass --course-dir.")
    return None


def course_assignments(course_dir):
    """The assignments of ``course_dir``: the folders of its source folder (nbgrader's
    ``CourseDirectory.source_directory``, ``source/`` by default), sorted."""
    return [assignment for assignment, _ in CourseFolders.of_course(course_dir).assignment_folders("source")]


def gradebook_knows(db_url, assignment):
    """Whether the gradebook at ``db_url`` has ``assignment`` with at least one notebook.

    An SQLite gradebook that does not exist yet is not created (nbgrader would make an empty one)."""
    from nbgrader.api import Gradebook, MissingEntry

    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).exists():
        return False
    with Gradebook(db_url) as gradebook:
        try:
            return bool(gradebook.find_assignment(assignment).notebooks)
        except MissingEntry:
            return False


def missing(course_dir, assignment, db_url, submissions=True):
    """The sentence naming the first prerequisite of grading ``assignment`` in ``course_dir``
    that is missing (``submissions``: a collected submission is one), or None when none is."""
    course_dir = Path(course_dir)
    folders = CourseFolders.of_course(course_dir)
    known = course_assignments(course_dir)
    if assignment not in known:
        source = course_dir / folders.step_folder("source")
        return (f"there is no assignment {assignment!r} in {source} (the course's "
                f"assignments: {', '.join(known) or 'none'}); check the name, or run this from the course "
                f"directory (the folder with nbgrader_config.py).")
    release = folders.assignment_path("release", assignment)
    if not any(release.glob("*.ipynb")):
        return (f"{assignment} has no release yet ({folders.relative(release)}/ is empty): "
                f"run `{RELEASE}` first.")
    if not gradebook_knows(db_url, assignment):
        return (f"the gradebook ({db_url}) does not know {assignment} yet: run `{RELEASE}` in the course "
                f"directory first (it registers every assignment with nbgrader).")
    if submissions and not folders.student_folders("submitted", assignment):
        each = folders.relative(folders.path("submitted", "<student>", assignment))
        submitted = course_dir / folders.step_folder("submitted")
        return (f"there are no submissions of {assignment} in {submitted}: collect them "
                f"first (`nbgrader collect {assignment}`, `nbgrader zip_collect {assignment}`, or copy each "
                f"student's notebook to {each}/).")
    return None


def require(course_dir, assignment, db_url, submissions=True):
    """``missing``, raising MissingPrerequisite with its sentence when something is."""
    problem = missing(course_dir, assignment, db_url, submissions)
    if problem:
        raise MissingPrerequisite(f"cannot grade {assignment}: {problem}")


def require_class(course_dir, assignments, db_url):
    """Everything ``python -m autograder grade ASSIGNMENTS`` needs: each assignment's source,
    release and gradebook entry, and a submission of at least one of them. Raises
    MissingPrerequisite with the first sentence that applies."""
    for assignment in assignments:
        require(course_dir, assignment, db_url, submissions=False)
    folders = CourseFolders.of_course(course_dir)
    if not any(folders.student_folders("submitted", a) for a in assignments):
        if len(assignments) == 1:
            require(course_dir, assignments[0], db_url)
        raise MissingPrerequisite(
            f"cannot grade: there are no submissions of {', '.join(assignments)} in "
            f"{Path(course_dir) / folders.step_folder('submitted')}: collect them first (`nbgrader collect "
            f"ASSIGNMENT`, `nbgrader zip_collect ASSIGNMENT`, or copy each student's notebook to "
            f"{folders.relative(folders.path('submitted', '<student>', 'ASSIGNMENT'))}/).")
