"""The term's settings and the grader's prerequisites, on real gradebooks in a temporary folder:
the late penalty per day, the due dates of nbgrader_config.py, the sentence for each missing
prerequisite of grading, grades.csv's status column, and the anatomy of the course's exercises."""

import csv
import datetime

import pytest
from nbgrader.api import Gradebook
from traitlets.config import Config

from autograder.authoring import anatomy
from autograder.judging import prerequisites
from autograder.plugins import term_calendar
from autograder.plugins.export import SafeCsvExportPlugin
from autograder.plugins.late_penalty import LatePenalty

HOUR = 3600


@pytest.mark.parametrize("seconds_late, penalty", [(0, None), (1, 1.0), (24 * HOUR, 1.0), (25 * HOUR, 2.0),
                                                   (7 * 24 * HOUR, 7.0), (7 * 24 * HOUR + 1, 10.0)])
def test_late_penalty_takes_a_share_per_started_day_and_everything_after_the_limit(seconds_late, penalty):
    plugin = LatePenalty(per_day=0.1, zero_after_days=7)
    assert plugin.late_submission_penalty("ada", 10.0, seconds_late) == penalty


def test_no_calendar_leaves_the_gradebook_alone_and_a_bad_date_names_its_assignment():
    assert term_calendar.due_dates(Config()) is None
    config = Config()
    config.CourseCalendar.due_dates = {"05_update": "next tuesday-ish"}
    with pytest.raises(term_calendar.CalendarError, match=r"due_dates\['05_update'\].*'2027-01-18 23:59:00"):
        term_calendar.due_dates(config)


def test_the_calendar_writes_due_dates_in_utc_and_refuses_unknown_assignments(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url) as gradebook:
        gradebook.add_assignment("05_update", duedate=datetime.datetime(2020, 1, 1))
        gradebook.add_assignment("06_loss", duedate=datetime.datetime(2020, 1, 1))
    config = Config()
    config.CourseCalendar.due_dates = {"05_update": "2027-02-15 23:59:00 Europe/Zurich"}
    written = term_calendar.apply(config, db_url, ["05_update", "06_loss", "07_modularization"])
    assert written == {"05_update": datetime.datetime(2027, 2, 15, 22, 59), "06_loss": None}
    with Gradebook(db_url) as gradebook:
        assert gradebook.find_assignment("05_update").duedate == datetime.datetime(2027, 2, 15, 22, 59)
        assert gradebook.find_assignment("06_loss").duedate is None
    config.CourseCalendar.due_dates = {"5_update": "2027-02-15 23:59:00 UTC"}
    with pytest.raises(term_calendar.CalendarError, match="names 5_update, which the course does not have"):
        term_calendar.apply(config, db_url, ["05_update"])


def test_each_missing_prerequisite_of_grading_is_one_sentence_naming_what_to_run(tmp_path):
    course = tmp_path / "course"
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    assert "no nbgrader_config.py" in prerequisites.course_directory(course)
    (course / "source" / "05_update").mkdir(parents=True)
    assert "no assignment '5_update'" in prerequisites.missing(course, "5_update", db_url)
    assert "run `python -m autograder release` first" in prerequisites.missing(course, "05_update", db_url)
    (course / "release" / "05_update").mkdir(parents=True)
    (course / "release" / "05_update" / "05_update.ipynb").write_text("{}")
    said = prerequisites.missing(course, "05_update", db_url)
    assert said.startswith("the gradebook") and "does not know 05_update" in said and "\n" not in said
    assert not (course / "gradebook.db").exists()  # asking did not make an empty gradebook
    with Gradebook(db_url) as gradebook:
        gradebook.add_assignment("05_update")
        gradebook.add_notebook("05_update", "05_update")
    assert "no submissions of 05_update" in prerequisites.missing(course, "05_update", db_url)
    assert prerequisites.missing(course, "05_update", db_url, submissions=False) is None
    (course / "submitted" / "ada" / "05_update").mkdir(parents=True)
    assert prerequisites.missing(course, "05_update", db_url) is None
    with pytest.raises(prerequisites.MissingPrerequisite, match="^cannot grade 06_loss: there is no "):
        prerequisites.require_class(course, ["05_update", "06_loss"], db_url)


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own add_submission
def test_grades_csv_reports_an_assignment_not_submitted_as_such_never_as_zeros(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url) as gradebook:
        gradebook.add_assignment("05_update", duedate=datetime.datetime(2027, 2, 15, 23, 59))
        gradebook.add_student("ada")
        gradebook.add_student("bob")
        gradebook.add_submission("05_update", "ada", timestamp=datetime.datetime(2027, 2, 16, 1, 0))
        SafeCsvExportPlugin(to=str(tmp_path / "grades.csv")).export(gradebook)
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert (rows["ada"]["status"], rows["ada"]["timestamp"], rows["ada"]["duedate"]) == \
        ("late", "2027-02-16 01:00:00", "2027-02-15 23:59:00")
    bob = rows["bob"]
    assert (bob["status"], bob["raw_score"], bob["score"], bob["timestamp"]) == ("not submitted", "", "", "")


def test_every_exercise_of_the_course_has_all_its_pieces():
    assert anatomy.missing() == []
