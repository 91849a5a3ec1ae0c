"""One summary page per student across the assignments: ``feedback/<student>/index.html``.

For each graded assignment it shows the score out of the maximum and, per test cell, passed or
failed with the first line of its message (read from the graded notebook's outputs in
``autograded/``: the error, or what reached stderr), and links to nbgrader's per-notebook
feedback pages beside it (``feedback/<student>/<assignment>/<notebook>.html``). The scores come
from nbgrader's gradebook. The page is a Jinja2 template with autoescape: everything that came
from a submission is HTML-escaped by the engine, its control characters written as escapes
(``autograder.safety.safe_text``).
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograder.course_folders import CourseFolders
from autograder.safety.safe_text import printable
from course.execution import problem

__all__ = ["CellResult", "AssignmentResult", "student_results", "render", "write_summaries"]


@dataclass
class CellResult:
    """One graded test cell of one submission."""

    grade_id: str
    score: float
    max_score: float
    message: str  # first line of the failure ('' when the cell got full points)

    @property
    def passed(self):
        return self.score >= self.max_score


@dataclass
class AssignmentResult:
    """One student's submission of one assignment."""

    assignment: str
    score: float
    max_score: float
    cells: list = field(default_factory=list)           # [CellResult] in notebook order
    feedback_pages: list = field(default_factory=list)  # paths relative to the summary page


def _messages(notebook_path):
    """({grade_id: first line of the cell's problem}, [grade_ids in order]) of a graded notebook."""
    if not notebook_path.exists():
        return {}, []
    notebook = nbformat.read(notebook_path, as_version=4)
    messages, order = {}, []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id:
            order.append(grade_id)
            text = problem(cell).strip()
            messages[grade_id] = printable(text.splitlines()[0]) if text else ""
    return messages, order


def summary_page(folders, student):
    """Where the summary page of ``student`` goes (``folders``: the course's CourseFolders): in the
    feedback folder, ``feedback/<student>/index.html`` by default."""
    return folders.top("feedback") / student / "index.html"


def student_results(gradebook, student, course_dir):
    """[AssignmentResult] of ``student`` for every assignment of the gradebook they submitted."""
    folders = CourseFolders.of_course(course_dir)
    results = []
    for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
        try:
            submission = gradebook.find_submission(assignment.name, student)
        except MissingEntry:
            continue
        result = AssignmentResult(assignment.name, submission.score, submission.max_score)
        for notebook in sorted(submission.notebooks, key=lambda n: n.name):
            graded = folders.path("autograded", student, assignment.name, f"{notebook.name}.ipynb")
            messages, order = _messages(graded)
            grades = [g for g in notebook.grades if g.cell_type == "code"]
            grades.sort(key=lambda g: order.index(g.name) if g.name in order else len(order))
            for grade in grades:
                score = grade.score or 0.0
                message = "" if score >= grade.max_score else (messages.get(grade.name) or "no points")
                result.cells.append(CellResult(grade.name, score, grade.max_score, message))
            page = folders.path("feedback", student, assignment.name, f"{notebook.name}.html")
            if page.exists():
                link = os.path.relpath(page, summary_page(folders, student).parent)
                result.feedback_pages.append(Path(link).as_posix())
        results.append(result)
    return results


STYLE = """body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
.passed { color: #17702f; } .failed { color: #b3261e; } td.message { font-family: monospace; }"""

# Jinja2 with autoescape: every value from a submission (student id, assignment and notebook
# names, grade ids, messages) is HTML-escaped by the template engine, never by hand; links
# start with "./", so no name can make them a javascript: URL.
TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Feedback for {{ student }}</title>
<style>{{ style }}</style></head><body>
<h1>Feedback for {{ student }}</h1>
<p id="total">Total: {{ got | points }} / {{ possible | points }} points over {{ results | length }} \
assignment(s).</p>
<table id="assignments"><tr><th>assignment</th><th>score</th><th>feedback</th></tr>
{% for r in results -%}
<tr><td><a href="#{{ r.assignment }}">{{ r.assignment }}</a></td><td>{{ r.score | points }} / \
{{ r.max_score | points }}</td><td>
{%- for page in r.feedback_pages %}{% if not loop.first %}, {% endif %}<a href="./{{ page }}">\
{{ page.rsplit("/", 1)[-1] }}</a>{% else %}not generated{% endfor %}</td></tr>
{% endfor -%}
</table>
{% for r in results -%}
<h2 id="{{ r.assignment }}">{{ r.assignment }}: {{ r.score | points }} / {{ r.max_score | points }}</h2>
<table><tr><th>test cell</th><th>result</th><th>points</th><th>message</th></tr>
{% for cell in r.cells -%}
{% set verdict = "passed" if cell.passed else "failed" -%}
<tr class="{{ verdict }}"><td>{{ cell.grade_id }}</td><td>{{ verdict }}</td>\
<td>{{ cell.score | points }} / {{ cell.max_score | points }}</td>\
<td class="message">{{ cell.message }}</td></tr>
{% endfor -%}
</table>
{% endfor -%}
</body></html>
"""


def _template():
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["points"] = lambda value: f"{value:g}"
    return environment.from_string(TEMPLATE)


def render(student, results):
    """The summary page of ``student`` as HTML text."""
    return _template().render(student=student, results=results, style=jinja2.filters.Markup(STYLE),
                              got=sum(r.score for r in results), possible=sum(r.max_score for r in results))


def write_summaries(course_dir, db_url=None):
    """Write ``feedback/<student>/index.html`` for every student with a graded submission.

    db_url: the gradebook (default: nbgrader's SQLite file in ``course_dir``). Returns the paths.
    """
    course_dir = Path(course_dir).resolve()
    written = []
    with Gradebook(db_url or f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        for student in sorted(s.id for s in gradebook.students):
            results = student_results(gradebook, student, course_dir)
            if not results:
                continue
            path = summary_page(CourseFolders.of_course(course_dir), student)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(student, results))
            written.append(path)
    return written
