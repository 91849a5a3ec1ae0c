"""The grading report of each submission: ``grading_reports/<student>/<assignment>.json`` in the
course directory (outside every sandbox), the flags and findings of the grader's trusted steps
(``autograder.preprocessors``), which ``python -m autograder grade`` prints and exports."""

import json
import os
from pathlib import Path

from autograder.safety.safe_text import printable

REPORTS = "grading_reports"


def report_path(course_dir, student, assignment):
    return Path(course_dir, REPORTS, student, f"{assignment}.json")


def read_report(course_dir, student, assignment):
    path = report_path(course_dir, student, assignment)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"student": student, "assignment": assignment, "flags": []}


def write_report(course_dir, report):
    path = report_path(course_dir, report["student"], report["assignment"])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(report, indent=1))
    os.replace(temporary, path)


def add_flags(course_dir, student, assignment, flags, fresh=False, **fields):
    """Add ``flags`` (sentences, control characters escaped here) to the report of a
    submission; ``fresh`` starts it anew."""
    report = {"student": student, "assignment": assignment, "flags": []} if fresh else \
        read_report(course_dir, student, assignment)
    flags = [printable(f) for f in flags]
    report["flags"] = report["flags"] + [f for f in flags if f not in report["flags"]]
    report.update(fields)
    write_report(course_dir, report)
    return report


def all_reports(course_dir):
    """Every grading report of the course, sorted by student and assignment."""
    reports = []
    for path in sorted(Path(course_dir, REPORTS).glob("*/*.json")):
        try:
            reports.append(json.loads(path.read_text()))
        except ValueError:
            continue
    return reports
