"""The LMS route: submissions downloaded from Canvas or Moodle in, grades for them out.

In: ``nbgrader zip_collect ASSIGNMENT`` reads ``downloaded/ASSIGNMENT/archive/`` (the LMS's
"download submissions" zip, or its files) and copies each notebook to
``submitted/<student>/ASSIGNMENT/``. ``LmsCollector`` (set in ``nbgrader_config.py``) reads each
file name with the regular expression of the LMS (``c.LmsCollector.lms``):

- Canvas: ``doejane_12345_67890_01_data_prep.ipynb``, that is the student's name (surname and
  given name, lower case, run together), ``LATE_`` or ``late_`` when submitted after the due
  date, the Canvas user id, the submission id, the student's own file name; Canvas renames a file
  uploaded again under the same name ``01_data_prep-1.ipynb``, ``-2``, ... (the highest wins);
- Moodle: ``Jane Doe_12345_assignsubmission_file_`` is the folder of one student (or the prefix
  of each file name, without "download submissions in folders"), 12345 its participant number;
  when a download holds two files of one student, the one last changed in the zip wins.

The student is the gradebook's student (``nbgrader db student import``) whose ``lms_user_id`` is
the Canvas user id in the file name, else the one whose name is the name in the file name. A file that
matches no student, or two, is left in ``extracted/``, named in nbgrader's log and listed in
``downloaded/ASSIGNMENT/unmatched.csv``: nothing is lost.

Out: ``nbgrader export --exporter=autograder.plugins.lms.CanvasExport --to=canvas.csv`` writes Canvas's
gradebook import CSV, ``--exporter=autograder.plugins.lms.MoodleExport --to=moodle.csv`` Moodle's grade
import CSV (one row per student, one column per assignment, nbgrader's final scores with late
penalties). Every text cell is made safe for spreadsheets (``autograder.safety.safe_text.csv_cell``).
"""

import csv
import os
import unicodedata
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from nbgrader.plugins.zipcollect import ExtractorPlugin, FileNameCollectorPlugin
from traitlets import Dict, Enum, Unicode

from autograder.safety.safe_text import csv_cell

#: Canvas's bulk download: name[_LATE]_userid_submissionid_original[-N].ext, one flat folder.
CANVAS_REGEXP = (r"(?:.*/)?(?P<name>[^/_]+)(?:_(?P<late>[Ll][Aa][Tt][Ee]))?_(?P<lms_id>\d+)_"
                 r"(?P<submission>\d+)_(?P<file_id>[^/]+?)(?:-(?P<attempt>\d+))?(?P<ext>\.[^./]+)$")
#: Moodle's "download all submissions": "Full Name_participant_assignsubmission_file_" as the
#: folder of each student (or, without folders, as the prefix of each file name).
MOODLE_REGEXP = (r"(?:.*/)?(?P<name>[^/_]+)_(?P<lms_id>\d+)_assignsubmission_file_/?"
                 r"(?P<file_id>[^/]+?)(?P<ext>\.[^./]+)$")
REGEXPS = {"canvas": CANVAS_REGEXP, "moodle": MOODLE_REGEXP}
UNMATCHED = "unmatched.csv"


def name_key(name):
    """A person's name reduced to lower-case letters, accents removed (how Canvas spells it)."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(ch for ch in decomposed if ch.isalpha()).lower()


class TimedExtractor(ExtractorPlugin):
    """nbgrader's extractor, then each extracted file gets the modification time its zip entry
    records (nbgrader's own extraction gives every file the time of extraction)."""

    def extract(self, archive_path, extracted_path):
        super().extract(archive_path, extracted_path)
        for archive in sorted(Path(archive_path).rglob("*.zip")):
            target = Path(extracted_path, archive.parent.relative_to(archive_path), archive.stem)
            with zipfile.ZipFile(archive) as opened:
                for entry in opened.infolist():
                    path = target / entry.filename
                    if not entry.is_dir() and path.is_file():
                        stamp = datetime(*entry.date_time, tzinfo=timezone.utc).timestamp()
                        os.utime(path, (stamp, stamp))


class LmsCollector(FileNameCollectorPlugin):
    """nbgrader's file name collector for the downloads of an LMS, matched to the gradebook's
    students; a file that matches no student is reported in ``unmatched.csv``."""

    lms = Enum(sorted(REGEXPS), default_value="canvas",
               help="The LMS the submissions were downloaded from: its file names' regular expression "
                    "(unless named_regexp is set).").tag(config=True)
    db_url = Unicode("", help="The gradebook (default: the course directory's).").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not self.named_regexp:
            self.named_regexp = REGEXPS[self.lms]
        self._unmatched = []
        self._write_unmatched()  # this run's list, empty so far
        self._by_id, self._by_name, self._due = {}, {}, None
        coursedir = getattr(self.parent, "coursedir", None)
        url = self.db_url or getattr(coursedir, "db_url", "")
        if url:
            with Gradebook(url) as gradebook:
                try:
                    due = gradebook.find_assignment(coursedir.assignment_id).duedate
                    self._due = due and due.replace(tzinfo=timezone.utc)
                except (MissingEntry, AttributeError):
                    pass
                for student in gradebook.students:
                    if student.lms_user_id:
                        self._by_id[str(student.lms_user_id)] = student.id
                    for key in {name_key(f"{student.last_name}{student.first_name}"),
                                name_key(f"{student.first_name}{student.last_name}")} - {""}:
                        self._by_name.setdefault(key, set()).add(student.id)

    def student_for(self, lms_id, name):
        """(student id, None) for a file's LMS number and name, or (None, why not). Moodle's
        number is the participant number of one assignment, not a user id: only its name counts."""
        if self.lms == "canvas" and lms_id in self._by_id:
            return self._by_id[lms_id], None
        found = self._by_name.get(name_key(name), set())
        if len(found) == 1:
            return next(iter(found)), None
        if found:
            return None, f"the name matches {len(found)} students: {', '.join(sorted(found))}"
        return None, f"no student has LMS id {lms_id} or the name {name!r}"

    def collect(self, submitted_file):
        """{student_id, file_id, timestamp} of one extracted file, or None (reported) to skip it."""
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        match = self._match(submitted_file)
        if match is None:
            return self._skip(submitted_file, f"the name is not a {self.lms} download's")
        student, reason = self.student_for(match["lms_id"], match["name"])
        if student is None:
            return self._skip(submitted_file, reason)
        return {"student_id": student, "file_id": match["file_id"] + match["ext"],
                "timestamp": self.timestamp(submitted_file, match)}

    def timestamp(self, path, match):
        """When the file was submitted, as nbgrader's timestamp.txt will say: the time its zip
        entry records (read as UTC), plus a millisecond per Canvas re-upload (``-N``: the newest wins). With
        a due date in the gradebook, Canvas's verdict stands: a file marked late is after it,
        one not marked late is before it."""
        changed = datetime.fromtimestamp(int(os.path.getmtime(path)), timezone.utc)
        if "late" in match and self._due is not None:
            if match["late"] and changed <= self._due:
                changed = self._due + timedelta(seconds=1)
            elif not match["late"] and changed > self._due:
                changed = self._due - timedelta(seconds=1)
        return changed + timedelta(milliseconds=int(match.get("attempt") or 0))

    def _skip(self, path, reason):
        self.log.warning("Not collected (left in extracted/): %s: %s", path, reason)
        self._unmatched.append((path, reason))
        self._write_unmatched()
        return None

    def _write_unmatched(self):
        app = self.parent
        if app is None or not hasattr(app, "_format_collect_path"):
            return
        path = Path(app._format_collect_path(app.extracted_directory)).parent / UNMATCHED
        if not path.parent.is_dir():
            return
        with open(path, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["file", "reason"])
            for file, reason in self._unmatched:
                writer.writerow([csv_cell(file), csv_cell(reason)])


# --- grades out ----------------------------------------------------------------------------

def final_scores(gradebook, assignments=(), students=()):
    """(assignment names, [(student, {assignment: score or None})], {assignment: max score}):
    nbgrader's score of each submission (late penalty applied); None where none was submitted."""
    names = [a.name for a in sorted(gradebook.assignments, key=lambda a: (a.duedate is None, a.duedate,
                                                                             a.name))
             if not assignments or a.name in assignments]
    maxima = {name: gradebook.find_assignment(name).max_score for name in names}
    rows = []
    for student in sorted(gradebook.students, key=lambda s: s.id):
        if students and student.id not in students:
            continue
        scores = {}
        for name in names:
            try:
                submission = gradebook.find_submission(name, student.id)
            except MissingEntry:
                scores[name] = None
                continue
            # as nbgrader's own export computes the final score: raw score minus the late penalty
            scores[name] = max(0.0, submission.score - (submission.late_submission_penalty or 0.0))
        rows.append((student, scores))
    return names, rows, maxima


def _number(value):
    return "" if value is None else f"{value:g}"


class CanvasExport(ExportPlugin):
    """Canvas's gradebook import CSV: Student, ID, SIS User ID, SIS Login ID, Section, then one
    column per assignment ("name (Canvas assignment id)" when known), a "Points Possible" row,
    then one row per student. ID is the student's Canvas user id (nbgrader's ``lms_user_id``),
    SIS User ID the nbgrader student id; a missing submission is an empty cell (Canvas leaves
    that grade unchanged)."""

    assignment_ids = Dict(help="{assignment: Canvas assignment id}, so that Canvas fills its existing "
                           "columns rather than creating new ones.").tag(config=True)
    section = Unicode("", help="The Section column's text.").tag(config=True)

    def export(self, gradebook):
        dest = self.to or "canvas_grades.csv"
        names, rows, maxima = final_scores(gradebook, self.assignment, self.student)
        headers = [f"{n} ({self.assignment_ids[n]})" if n in self.assignment_ids else n for n in names]
        with open(dest, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                             *map(csv_cell, headers)])
            writer.writerow(["Points Possible", "", "", "", "", *(_number(maxima[n]) for n in names)])
            for student, scores in rows:
                name = ", ".join(p for p in (student.last_name, student.first_name) if p) or student.id
                writer.writerow([csv_cell(name), csv_cell(student.lms_user_id or ""),
                                 csv_cell(student.id), "", csv_cell(self.section),
                                 *(_number(scores[n]) for n in names)])
        self.log.info("Canvas gradebook CSV written to %s", dest)


class MoodleExport(ExportPlugin):
    """Moodle's grade import CSV (Grades > Import > CSV file): First name, Last name, Email
    address, Username (the nbgrader student id), then one grade column per assignment. In Moodle,
    map "Email address" (or "Username") to the user field and each column to its grade item."""

    def export(self, gradebook):
        dest = self.to or "moodle_grades.csv"
        names, rows, _ = final_scores(gradebook, self.assignment, self.student)
        with open(dest, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["First name", "Last name", "Email address", "Username",
                             *map(csv_cell, names)])
            for student, scores in rows:
                writer.writerow([csv_cell(student.first_name or ""),
                                 csv_cell(student.last_name or ""),
                                 csv_cell(student.email or ""), csv_cell(student.id),
                                 *(_number(scores[n]) for n in names)])
        self.log.info("Moodle grade import CSV written to %s", dest)
