"""``nbgrader export`` to a CSV file a spreadsheet opens safely.

nbgrader's own ``CsvExportPlugin`` joins the values with commas, unquoted: a student id such as
``=HYPERLINK(...)`` becomes a formula in the instructor's spreadsheet, and a comma in a name
shifts the columns. ``SafeCsvExportPlugin`` writes the same columns and rows with Python's
``csv`` module, every cell through ``autograder.safety.safe_text.csv_cell``, with each assignment's
due date, each submission's timestamp and a ``status`` column (``on time``, ``late``, ``not
submitted``). ``nbgrader_config.py`` makes it the plug-in of ``nbgrader export``
(``c.ExportApp.plugin_class``); the batch grader exports with it too.
"""

from nbgrader.api import MissingEntry
from nbgrader.plugins import CsvExportPlugin

from autograder.safety.safe_text import write_csv

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
           "raw_score", "late_submission_penalty", "score", "max_score", "status"]
#: ``status`` of a row: what the student handed in, against the assignment's due date.
NOT_SUBMITTED, ON_TIME, LATE = "not submitted", "on time", "late"


def status(submission):
    """NOT_SUBMITTED for None, else LATE or ON_TIME (no due date: on time)."""
    if submission is None:
        return NOT_SUBMITTED
    return LATE if submission.total_seconds_late > 0 else ON_TIME


class SafeCsvExportPlugin(CsvExportPlugin):
    """nbgrader's CSV export (its columns and rows, and a ``status`` column), quoted and with
    formulas neutralised. An assignment a student did not submit is a row with no scores and the
    status "not submitted", never a row of zeros that reads like a grade."""

    def rows(self, gradebook):
        """One list of COLUMNS values per (assignment, student) that the options select."""
        students, assignments = [str(s) for s in self.student], [str(a) for a in self.assignment]
        for assignment in gradebook.assignments:
            if assignments and assignment.name not in assignments:
                continue
            for student in gradebook.students:
                if students and student.id not in students:
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    submission = None
                if submission is None:
                    timestamp, raw, penalty, score = "", "", "", ""
                else:
                    timestamp, raw, penalty = submission.timestamp, submission.score, \
                        submission.late_submission_penalty
                    score = max(0.0, raw - penalty)
                yield [assignment.name, "" if assignment.duedate is None else str(assignment.duedate),
                       "" if timestamp in ("", None) else str(timestamp), student.id, student.last_name,
                       student.first_name, student.email, raw, penalty, score, assignment.max_score,
                       status(submission)]

    def export(self, gradebook):
        dest = self.to or "grades.csv"
        self.log.info("Exporting grades to %s", dest)
        write_csv(dest, COLUMNS, self.rows(gradebook))
