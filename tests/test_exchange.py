"""A class through nbgrader's exchange, for real: an instructor and three students, each a Unix
account of its own, run nbgrader's own commands as themselves (nbgrader tells students apart by
Unix user id): release, fetch, submit (one student twice), collect, ``python -m autograder
grade``, feedback released and fetched. Each student gets their own feedback only and cannot
read the others' submissions.

The exchange is a folder of mode 0777 (nbgrader's default exchange, "Managing assignment
files"); the course id and the exchange's place come from a global nbgrader_config.py, the one
in deploy/ (as /etc/jupyter/nbgrader_config.py on a server) with the test's exchange folder
set on top of it.
"""

import json
import shutil

import nbformat
import pytest
from course_server import COURSE_ID, course_folder, make_exchange, server_config
from hostile_catalogue import CATALOGUE
from unix_accounts import give, requires_root, run_as, world_readable_dir

from autograder.batch.sequential import cell_scores
from autograder.demo.samples import make_submission, solution_ids
from autograder.judging.reports import read_report

pytestmark = [pytest.mark.slow, requires_root]

ASSIGNMENT = "04_backward"  # the assignment of the hostile catalogue
HOSTILE = next(entry for entry in CATALOGUE if entry.name == "patch_numpy")


def hand_in(student, notebook):
    """Write ``notebook`` over the student's fetched copy, as a file the student owns."""
    path = student.home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nbformat.write(notebook, path)
    give(path, student)


def cached_submissions(student):
    """The student's own record of their submissions (nbgrader's cache): {timestamp: folder}."""
    cache = student.home / ".local" / "share" / "jupyter" / "nbgrader_cache" / COURSE_ID
    return {(folder / "timestamp.txt").read_text(): folder for folder in cache.glob(f"*+{ASSIGNMENT}+*")}


def solutions(notebook):
    ids = set(solution_ids(notebook))
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade_id") in ids}


PEEK = """import json, os, sys
tried = {}
for path in sys.argv[1:]:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path).read()
        tried[path] = "read"
    except OSError as error:
        tried[path] = type(error).__name__
print(json.dumps(tried))
"""


def test_a_class_goes_through_the_exchange_and_gets_its_own_feedback(shared_env, unix_accounts, tmp_path):
    tmp_root = world_readable_dir("nn-course-exchange-")
    try:
        _play_the_class(shared_env, unix_accounts, tmp_root, tmp_path)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)


def _play_the_class(env_dir, accounts, tmp_root, tmp_path):
    exchange = make_exchange(tmp_root)
    config = server_config(tmp_root, exchange)
    instructor = accounts.create("teach")
    correct, partial, hostile = (accounts.create(f"stud{k}") for k in (1, 2, 3))
    students = (correct, partial, hostile)
    course = course_folder(instructor, [ASSIGNMENT])

    def teacher(*args):
        return run_as(instructor, args, env_dir, cwd=course, extra_env=config)

    def student(account, *args, check=True):
        return run_as(account, args, env_dir, extra_env=config, check=check)

    teacher("nbgrader", "generate_assignment", ASSIGNMENT)
    teacher("nbgrader", "release_assignment", ASSIGNMENT)
    assert (exchange / COURSE_ID / "inbound").stat().st_mode & 0o7777 == 0o2733  # nbgrader's own modes
    for account in students:
        student(account, "nbgrader", "fetch_assignment", ASSIGNMENT)
        fetched = account.home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert fetched.stat().st_uid == account.uid

    # the correct student first hands in the notebook untouched, then the complete one
    student(correct, "nbgrader", "submit", ASSIGNMENT)
    complete = make_submission(ASSIGNMENT, "complete", correct.home)
    hand_in(correct, complete)
    student(correct, "nbgrader", "submit", ASSIGNMENT)
    hand_in(partial, make_submission(ASSIGNMENT, "partial", partial.home))
    student(partial, "nbgrader", "submit", ASSIGNMENT)
    HOSTILE.build(hostile.home / ASSIGNMENT)
    give(hostile.home / ASSIGNMENT, hostile)
    student(hostile, "nbgrader", "submit", ASSIGNMENT)

    # nbgrader names a submission after the student, but collect checks the folder's owner
    collected = teacher("nbgrader", "collect", ASSIGNMENT)
    assert "cheating attempt" not in collected.stdout + collected.stderr
    later = max(cached_submissions(correct))
    assert len(cached_submissions(correct)) == 2
    submitted = course / "submitted" / correct.name / ASSIGNMENT
    assert (submitted / "timestamp.txt").read_text() == later
    assert solutions(nbformat.read(submitted / f"{ASSIGNMENT}.ipynb", as_version=4)) == solutions(complete)

    # the instructor grades (as themselves: the sandbox's kernels run in a user namespace)
    graded = teacher("python", "-m", "autograder", "grade", ASSIGNMENT, "--no-feedback")
    (tmp_path / "grade.log").write_text(graded.stdout + graded.stderr)
    totals = {name: sum(score for score, _ in cells.values())
              for (name, _), cells in cell_scores(course).items()}
    maximum = sum(top for _, top in next(iter(cell_scores(course).values())).values())
    assert totals[correct.name] == maximum == 12
    assert 0 < totals[partial.name] < maximum
    assert totals[hostile.name] == 0
    assert any(phrase in flag for phrase in HOSTILE.flags for flag in read_report(course, hostile.name,
                                                                                  ASSIGNMENT)["flags"])
    assert read_report(course, correct.name, ASSIGNMENT)["flags"] == []
    assert hostile.name in graded.stdout  # listed among the flagged submissions

    teacher("nbgrader", "generate_feedback", ASSIGNMENT)
    teacher("nbgrader", "release_feedback", ASSIGNMENT)
    fetched_pages = []
    for account in students:
        student(account, "nbgrader", "fetch_feedback", ASSIGNMENT)
        pages = sorted((account.home / ASSIGNMENT / "feedback").glob("*/*.html"))
        assert [page.name for page in pages] == [f"{ASSIGNMENT}.html"], account.name  # theirs only
        own = course / "feedback" / account.name / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert pages[0].read_bytes() == own.read_bytes()
        collected_at = (course / "submitted" / account.name / ASSIGNMENT / "timestamp.txt").read_text()
        assert pages[0].parent.name == collected_at
        fetched_pages.append(pages[0].read_bytes())
    assert len(set(fetched_pages)) == 3  # three different pages

    # what another student may try: the exchange's inbound and feedback folders cannot be listed,
    # nor another student's home (their copy and cache), nor the instructor's course
    others = [exchange / COURSE_ID / "inbound", exchange / COURSE_ID / "feedback", correct.home / ASSIGNMENT,
              next(iter(cached_submissions(correct).values())), submitted, course / "feedback"]
    peek = json.loads(student(partial, "python", "-c", PEEK, *map(str, others)).stdout)
    assert peek == {str(path): "PermissionError" for path in others}
    listing = student(partial, "nbgrader", "list", "--inbound", check=False)
    assert correct.name not in listing.stdout + listing.stderr
