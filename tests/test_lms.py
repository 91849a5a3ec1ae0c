"""The LMS route with nbgrader's own commands: `nbgrader zip_collect` of a Canvas and of a Moodle
download (their file naming, a student who uploaded twice, a file that matches no student), then
`nbgrader autograde` and `nbgrader export` to Canvas's and Moodle's grade import CSVs, read back
as those systems read them."""

import csv
import re
import zipfile
from datetime import datetime, timedelta

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.authoring.release import build_course_dir
from autograder.batch import sequential
from autograder.demo.samples import make_submission
from autograder.nbgrader_cli import nbgrader
from autograder.plugins.lms import CANVAS_REGEXP, MOODLE_REGEXP, UNMATCHED, final_scores

ASSIGNMENT = "01_data_prep"
DUE = datetime(2026, 1, 15, 12, 0, 0)
HOSTILE_NAME = "=HYPERLINK(\"http://example.invalid\")"
ROSTER = [  # id, first_name, last_name, email, lms_user_id
    ("ada", "Ada", "Lovelace", "ada@example.org", "12345"),
    ("alan", "Alan", "Turing", "alan@example.org", "23456"),
    ("grace", "Grace", "Hopper", "grace@example.org", ""),  # no Canvas id: matched by name
    ("mallory", HOSTILE_NAME, "-1+1", "@mallory", "45678"),  # never submits
]


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's add_submission, inside
def test_final_scores_take_the_late_penalty_off_as_nbgraders_export_does(tmp_path):
    """A real gradebook: a 4-point assignment, one student 1.5 points late-penalised, one on time,
    one who never submitted; a penalty larger than the score gives 0, never a negative grade."""
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        gradebook.add_assignment("a1", duedate=DUE)
        gradebook.add_notebook("n1", "a1")
        gradebook.add_grade_cell("c1", "n1", "a1", max_score=4, cell_type="code")
        for student, score, penalty in (("late", 3.0, 1.5), ("ontime", 4.0, 0.0), ("very_late", 1.0, 2.0)):
            gradebook.add_student(student)
            gradebook.add_submission("a1", student)
            notebook = gradebook.find_submission_notebook("n1", "a1", student)
            notebook.late_submission_penalty = penalty
            gradebook.find_grade("c1", "n1", "a1", student).auto_score = score
            gradebook.db.commit()
        gradebook.add_student("absent")
        names, rows, maxima = final_scores(gradebook)
    assert names == ["a1"] and maxima == {"a1": 4}
    assert {student.id: scores["a1"] for student, scores in rows} == {
        "absent": None, "late": 1.5, "ontime": 4.0, "very_late": 0.0}


def test_canvas_and_moodle_regexps_read_their_file_names():
    canvas = re.match(CANVAS_REGEXP, "/x/y_z/turingalan_LATE_23456_900003_01_data_prep-2.ipynb").groupdict()
    assert canvas == {"name": "turingalan", "late": "LATE", "lms_id": "23456", "submission": "900003",
                      "file_id": "01_data_prep", "attempt": "2", "ext": ".ipynb"}
    for path in ("/d/e_f/Ada Lovelace_501_assignsubmission_file_/01_data_prep.ipynb",
                 "/d/e_f/Ada Lovelace_501_assignsubmission_file_01_data_prep.ipynb"):
        moodle = re.match(MOODLE_REGEXP, path).groupdict()
        assert moodle == {"name": "Ada Lovelace", "lms_id": "501", "file_id": "01_data_prep", "ext": ".ipynb"}


def _lines(path):
    return path.read_text().splitlines()


def _dicts(path):
    return list(csv.DictReader(_lines(path)))


def _zip(path, entries):
    """A zip at ``path``: entries = [(name, notebook, (Y, M, D, h, m, s))]."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, notebook, when in entries:
            archive.writestr(zipfile.ZipInfo(name, date_time=when), nbformat.writes(notebook))


def _marked(kind, release_dir, mark):
    """A submission of ``kind`` whose first cell says ``mark`` (to tell the copies apart)."""
    notebook = make_submission(ASSIGNMENT, kind, release_dir)
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(mark))
    return notebook


def _mark(course_dir, student):
    notebook = nbformat.read(course_dir / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    return notebook.cells[0].source


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course directory with the release of 01_data_prep, a due date and the roster."""
    course_dir = tmp_path_factory.mktemp("lms") / "course"
    release_dir = build_course_dir(course_dir, [ASSIGNMENT])
    with open(course_dir / "roster.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
        writer.writerows(ROSTER)
    nbgrader("db", "student", "import", "roster.csv", course_dir=course_dir)
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
    return course_dir, release_dir


@pytest.mark.slow
def test_zip_collect_of_a_canvas_download(course, tmp_path):
    course_dir, release_dir = course
    on_time, later = (2026, 1, 15, 11, 0, 0), (2026, 1, 15, 11, 30, 0)
    _zip(course_dir / "downloaded" / ASSIGNMENT / "archive" / "submissions.zip", [
        ("lovelaceada_12345_900001_01_data_prep.ipynb", _marked("complete", release_dir, "ada"), on_time),
        # uploaded twice, after the due date: Canvas names the second file -1
        ("turingalan_LATE_23456_900002_01_data_prep.ipynb", _marked("partial", release_dir, "alan 1"),
         later),
        ("turingalan_LATE_23456_900002_01_data_prep-1.ipynb", _marked("complete", release_dir, "alan 2"),
         later),
        ("hoppergrace_34567_900004_01_data_prep.ipynb", _marked("buggy", release_dir, "grace"), on_time),
        ("nobodyknown_99999_900005_01_data_prep.ipynb", _marked("complete", release_dir, "who"), on_time),
    ])
    nbgrader("zip_collect", ASSIGNMENT, "--force", course_dir=course_dir)

    assert sorted(p.name for p in (course_dir / "submitted").iterdir()) == ["ada", "alan", "grace"]
    assert [_mark(course_dir, s) for s in ("ada", "alan", "grace")] == ["ada", "alan 2", "grace"]
    stamps = {s: datetime.fromisoformat((course_dir / "submitted" / s / ASSIGNMENT / "timestamp.txt")
                                        .read_text().strip()).replace(tzinfo=None) for s in ("ada", "alan")}
    assert stamps["ada"] == datetime(2026, 1, 15, 11, 0, 0)  # the zip entry's time
    assert DUE < stamps["alan"] < DUE + timedelta(seconds=2)  # Canvas said late: after the due date
    unmatched = _dicts(course_dir / "downloaded" / ASSIGNMENT / UNMATCHED)
    assert len(unmatched) == 1
    assert unmatched[0]["file"].endswith("nobodyknown_99999_900005_01_data_prep.ipynb")
    assert "99999" in unmatched[0]["reason"]
    assert list((course_dir / "downloaded" / ASSIGNMENT / "extracted").rglob("nobodyknown_*.ipynb"))

    # grades back to Canvas and Moodle, from nbgrader's own autograde of what was collected
    sequential.autograde(course_dir, ASSIGNMENT)
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission(ASSIGNMENT, s).score for s in ("ada", "alan", "grace")}
        maximum = gradebook.find_assignment(ASSIGNMENT).max_score
    assert scores["ada"] == scores["alan"] == maximum > scores["grace"]
    for exporter, target in (("CanvasExport", "canvas.csv"), ("MoodleExport", "moodle.csv")):
        nbgrader("export", f"--exporter=autograder.plugins.lms.{exporter}", f"--to={target}",
                 course_dir=course_dir)

    # Canvas: the five fixed columns, then the assignment; the Points Possible row; one row each
    rows = list(csv.reader(_lines(course_dir / "canvas.csv")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == maximum
    students = {row[2]: row for row in rows[2:]}
    assert students["ada"][:2] == ["Lovelace, Ada", "12345"] and float(students["ada"][5]) == scores["ada"]
    assert float(students["grace"][5]) == scores["grace"] and students["grace"][1] == ""
    assert students["mallory"][5] == ""  # no submission: the grade is left as it is
    assert students["mallory"][0] == f"'-1+1, {HOSTILE_NAME}"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    # Moodle: an identifier column (email or username) and one grade column per assignment
    moodle = _dicts(course_dir / "moodle.csv")
    by_email = {row["Email address"]: row for row in moodle}
    assert float(by_email["alan@example.org"][ASSIGNMENT]) == scores["alan"]
    assert by_email["'@mallory"]["First name"] == "'" + HOSTILE_NAME
    assert {row["Username"] for row in moodle} == {s for s, *_ in ROSTER}


@pytest.mark.slow
def test_zip_collect_of_two_moodle_downloads_keeps_the_later_upload(course):
    course_dir, release_dir = course
    first, second = (2026, 1, 14, 9, 0, 0), (2026, 1, 15, 10, 0, 0)
    archive = course_dir / "downloaded" / ASSIGNMENT / "archive"
    for path in archive.glob("*"):
        path.unlink()
    # one download in folders, made before Ada uploaded again; one later, without folders
    _zip(archive / "NN-01_data_prep-1.zip", [
        ("Ada Lovelace_501_assignsubmission_file_/01_data_prep.ipynb", _marked("partial", release_dir, "m1"),
         first),
        # Moodle's participant number is not a user id: this one is Ada's Canvas id, the name decides
        ("Grace Hopper_12345_assignsubmission_file_/01_data_prep.ipynb",
         _marked("complete", release_dir, "g"), first),
    ])
    _zip(archive / "NN-01_data_prep-2.zip", [
        ("Ada Lovelace_501_assignsubmission_file_01_data_prep.ipynb", _marked("complete", release_dir, "m2"),
         second),
        ("Participant_777_assignsubmission_file_01_data_prep.ipynb", _marked("complete", release_dir, "?"),
         second),
    ])
    nbgrader("zip_collect", ASSIGNMENT, "--force", "--LmsCollector.lms=moodle", course_dir=course_dir)
    assert _mark(course_dir, "ada") == "m2" and _mark(course_dir, "grace") == "g"
    unmatched = _dicts(course_dir / "downloaded" / ASSIGNMENT / UNMATCHED)
    assert [row["file"].rsplit("/", 1)[-1] for row in unmatched] == [
        "Participant_777_assignsubmission_file_01_data_prep.ipynb"]
