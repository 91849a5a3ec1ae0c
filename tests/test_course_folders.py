"""A course directory whose nbgrader_config.py moves the submitted, autograded and feedback
folders: both graders read and write the folders nbgrader's ``CourseDirectory`` names, with
the same scores as in the default layout, and their messages name the configured folders."""

import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.authoring.release import build_course_dir
from autograder.batch import sequential
from autograder.course_folders import CourseFolders
from autograder.demo.samples import submit, write_submissions
from autograder.judging import prerequisites
from autograder.judging.reports import read_report
from autograder.nbgrader_cli import environment

ASSIGNMENT = "01_data_prep"  # the shortest assignment
CLASS = {"ada": "complete", "linus": "buggy"}
MOVED = {"submitted_directory": "handed_in", "autograded_directory": "marked",
         "feedback_directory": "returned"}
EXTRA_FILE = "the submission holds an extra file, notes.txt (never seen by the kernel)"


def _move_folders(course_dir):
    """Append the MOVED folder settings to the course's nbgrader_config.py."""
    with open(course_dir / "nbgrader_config.py", "a") as config:
        config.write("\n# The course's own folder names.\n")
        for name, folder in MOVED.items():
            config.write(f"c.CourseDirectory.{name} = {folder!r}\n")




@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """(default, moved): the same released assignment and class, handed in and not graded, in
    a course directory with nbgrader's default folders and in one with the MOVED folders, where
    the submissions are in handed_in/ as ``nbgrader collect`` would put them (copy them to use
    them). linus's submission holds a stray file: the grader flags it only when it looks in
    the submitted folder."""
    base = tmp_path_factory.mktemp("folders")
    default = base / "default"
    build_course_dir(default, [ASSIGNMENT])
    write_submissions(default, CLASS, [ASSIGNMENT], release_dir=default / "release")
    (default / "submitted" / "linus" / ASSIGNMENT / "notes.txt").write_text("my notes")
    moved = base / "moved"
    shutil.copytree(default, moved)
    _move_folders(moved)
    (moved / "submitted").rename(moved / MOVED["submitted_directory"])
    return default, moved


@pytest.fixture(scope="module")
def default_scores(courses, tmp_path_factory):
    """The cell scores of the class graded by ``nbgrader autograde`` in the default layout."""
    course_dir = tmp_path_factory.mktemp("default") / "default"
    shutil.copytree(courses[0], course_dir)
    sequential.autograde(course_dir)
    scores = sequential.cell_scores(course_dir)
    assert EXTRA_FILE in read_report(course_dir, "linus", ASSIGNMENT)["flags"]
    return scores


def _totals(scores):
    return {student: sum(score for score, _ in cells.values()) for (student, _), cells in scores.items()}


def _assert_only_moved_folders(course_dir):
    for default_name in ("submitted", "autograded", "feedback"):
        assert not (course_dir / default_name).exists(), f"{default_name}/ was written"
    for student in CLASS:
        assert (course_dir / "marked" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
        assert (course_dir / "returned" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()


@pytest.mark.slow
def test_nbgrader_autograde_reads_and_writes_the_configured_folders(courses, default_scores, tmp_path):
    course_dir = tmp_path / "moved"
    shutil.copytree(courses[1], course_dir)
    sequential.autograde(course_dir)
    sequential.generate_feedback(course_dir)
    scores = sequential.cell_scores(course_dir)
    assert scores == default_scores
    assert _totals(scores)["ada"] == 13 > _totals(scores)["linus"]
    assert EXTRA_FILE in read_report(course_dir, "linus", ASSIGNMENT)["flags"]  # RecordTampering looked
    assert read_report(course_dir, "ada", ASSIGNMENT)["flags"] == []
    assert (course_dir / "returned" / "mathjax" / "MathJax.js").is_file()
    _assert_only_moved_folders(course_dir)


@pytest.mark.slow
def test_the_batch_grader_reads_and_writes_the_configured_folders(courses, default_scores, tmp_path):
    course_dir = tmp_path / "moved"
    shutil.copytree(courses[1], course_dir)
    command = [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--course-dir", str(course_dir),
               "--workers", "1"]
    done = subprocess.run(command, env=environment(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "graded 2 submissions" in done.stdout and f"feedback in {course_dir / 'returned'}," in done.stdout
    assert sequential.cell_scores(course_dir) == default_scores
    assert EXTRA_FILE in read_report(course_dir, "linus", ASSIGNMENT)["flags"]
    summary = (course_dir / "returned" / "ada" / "index.html").read_text()
    assert f'href="./{ASSIGNMENT}/{ASSIGNMENT}.html"' in summary
    _assert_only_moved_folders(course_dir)


def test_the_prerequisites_name_the_configured_submitted_folder(tmp_path):
    course = tmp_path / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    _move_folders(course)
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    folders = CourseFolders.of_course(course)
    assert folders.path("submitted", "ada", ASSIGNMENT, "x.ipynb") == \
        course.resolve() / "handed_in" / "ada" / ASSIGNMENT / "x.ipynb"
    release = course / "release" / ASSIGNMENT
    release.mkdir(parents=True)
    (release / f"{ASSIGNMENT}.ipynb").write_text("{}")
    with Gradebook(db_url) as gradebook:
        gradebook.add_assignment(ASSIGNMENT)
        gradebook.add_notebook(ASSIGNMENT, ASSIGNMENT)
    said = prerequisites.missing(course, ASSIGNMENT, db_url)
    assert f"no submissions of {ASSIGNMENT} in {course / 'handed_in'}:" in said
    assert f"copy each student's notebook to handed_in/<student>/{ASSIGNMENT}/)" in said
    moved = re.escape(str(course / "handed_in"))
    with pytest.raises(prerequisites.MissingPrerequisite, match=f"in {moved}: .* to handed_in/<student>/"):
        prerequisites.require_class(course, [ASSIGNMENT, ASSIGNMENT], db_url)
    (course / "submitted" / "ada" / ASSIGNMENT).mkdir(parents=True)  # the default folder does not count
    assert "no submissions" in prerequisites.missing(course, ASSIGNMENT, db_url)
    (course / "handed_in" / "ada" / ASSIGNMENT).mkdir(parents=True)
    assert prerequisites.missing(course, ASSIGNMENT, db_url) is None
    handed_in = course.resolve() / "handed_in"
    assert folders.student_folders("submitted", ASSIGNMENT) == [("ada", handed_in / "ada" / ASSIGNMENT)]
    submit(course, "grace", ASSIGNMENT, nbformat.v4.new_notebook())  # the demo's hand-in follows them too
    assert (handed_in / "grace" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
