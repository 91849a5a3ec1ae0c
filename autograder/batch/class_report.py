"""The class report: ``python -m autograder report [--course-dir DIR] [--out DIR]``.

After grading, one HTML page (``class_report.html``, figures embedded as PNG) and two CSV files
(``class_report.csv``, one row per exercise; ``similarity.csv``, one row per pair of submissions
to look at) for the whole class, read from nbgrader's gradebook, the graded notebooks in
``autograded/`` and the grading reports in ``grading_reports/``:

- the distribution of scores per assignment;
- the pass rate of each exercise (each graded test cell, by its ``grade_id``);
- the named mistakes of each exercise, counted (the keys of ``course.hints`` that its failure
  messages name);
- flagged submissions (the grading reports' flags), late ones (after the gradebook's due date)
  and missing ones (a student of the gradebook without a submission);
- pairs of submissions whose solution cells are alike (``autograder.batch.similarity``).

Everything that came from a submission (student ids, messages, flags) is escaped by the template.
"""

import base64
import csv
import io
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.batch import similarity
from autograder.course_folders import CourseFolders
from autograder.judging.reports import all_reports
from autograder.safety.safe_text import csv_cell
from course.execution import problem
from course.hints import HINTS, find

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "class_report.html.j2"


@dataclass
class Exercise:
    """One graded test cell across the class."""

    assignment: str
    grade_id: str
    max_score: float
    scores: list = field(default_factory=list)      # [float], one per submission
    mistakes: Counter = field(default_factory=Counter)  # {hint key: submissions naming it}
    unnamed: int = 0                                 # failures that name no known mistake

    @property
    def passed(self):
        return sum(score >= self.max_score for score in self.scores)

    @property
    def pass_rate(self):
        return self.passed / len(self.scores) if self.scores else 0.0


@dataclass
class ClassData:
    """What the report shows, read from a graded course directory."""

    assignments: list                # [name], in the gradebook's order
    students: list                   # [student id]
    totals: dict                     # {assignment: [(student, score, max_score)]}
    exercises: list                  # [Exercise] in assignment then notebook order
    late: list                       # [(student, assignment, seconds late)]
    missing: list                    # [(student, assignment)]
    flagged: list                    # [(student, assignment, [flag])]


def _graded_cells(course_dir, student, assignment, notebook):
    """{grade_id: cell} of a graded notebook in autograded/ (the folder nbgrader's configuration
    names; {} when it is not there)."""
    path = CourseFolders.of_course(course_dir).path("autograded", student, assignment, f"{notebook}.ipynb")
    if not path.is_file():
        return {}
    cells = nbformat.read(path, as_version=4).cells
    return {c.metadata["nbgrader"]["grade_id"]: c for c in cells
            if "grade_id" in c.metadata.get("nbgrader", {})}


def gather(course_dir, db_url=None):
    """The ClassData of a graded course directory (gradebook: nbgrader's SQLite file in it, or
    the database at ``db_url``)."""
    from nbgrader.api import Gradebook, MissingEntry

    course_dir = Path(course_dir).resolve()
    totals, exercises, late, missing = {}, {}, [], []
    with Gradebook(db_url or f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        assignments = [a for a in sorted(gradebook.assignments, key=lambda a: a.name)]
        students = sorted(s.id for s in gradebook.students)
        for assignment in assignments:
            totals[assignment.name] = []
            for notebook in assignment.notebooks:
                for cell in notebook.grade_cells:
                    if cell.cell_type == "code":
                        key = (assignment.name, cell.name)
                        exercises[key] = Exercise(assignment.name, cell.name, cell.max_score)
            for student in students:
                try:
                    submission = gradebook.find_submission(assignment.name, student)
                except MissingEntry:
                    missing.append((student, assignment.name))
                    continue
                totals[assignment.name].append((student, submission.score, submission.max_score))
                if submission.total_seconds_late > 0:
                    late.append((student, assignment.name, submission.total_seconds_late))
                for notebook in submission.notebooks:
                    cells = _graded_cells(course_dir, student, assignment.name, notebook.name)
                    for grade in notebook.grades:
                        exercise = exercises.get((assignment.name, grade.name))
                        if exercise is None:
                            continue
                        score = grade.score or 0.0
                        exercise.scores.append(score)
                        if score < grade.max_score:
                            named = {hint.key for hint in find(problem(cells[grade.name]))} \
                                if grade.name in cells else set()
                            exercise.mistakes.update(named)
                            exercise.unnamed += not named
        names = [a.name for a in assignments]
    flagged = [(r["student"], r["assignment"], r["flags"]) for r in all_reports(course_dir)
               if r.get("flags") and r.get("assignment") in names]
    order = {name: i for i, name in enumerate(names)}
    return ClassData(names, students, totals,
                     sorted(exercises.values(), key=lambda e: order[e.assignment]), late, missing, flagged)


# --- figures ---------------------------------------------------------------------------------

def _png(figure):
    """A matplotlib figure as a base64 PNG (then closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def score_figure(data):
    """Box and points of each assignment's scores, as a percentage of its maximum."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(1.1 * len(data.assignments) + 3, 4))
    percent = [[100 * s / m if m else 0 for _, s, m in data.totals[a]] for a in data.assignments]
    ax.boxplot([p or [0] for p in percent], showfliers=False)
    for k, values in enumerate(percent, start=1):
        ax.scatter([k] * len(values), values, s=14, alpha=0.6, color="tab:blue")
    ax.set_xticks(range(1, len(data.assignments) + 1), data.assignments, rotation=30, ha="right")
    ax.set_ylim(-5, 105)
    ax.set_xlabel("assignment")
    ax.set_ylabel("score (% of the maximum)")
    ax.set_title("Score distribution per assignment")
    return _png(figure)


def pass_rate_figure(data):
    """One horizontal bar per exercise: the share of submissions with full points."""
    import matplotlib.pyplot as plt

    exercises = data.exercises
    figure, ax = plt.subplots(figsize=(8, 0.28 * len(exercises) + 1.5))
    labels = [f"{e.assignment[:2]} {e.grade_id}" for e in exercises]
    rates = [100 * e.pass_rate for e in exercises]
    ax.barh(range(len(exercises)), rates, color=["tab:red" if r < 50 else "tab:green" for r in rates])
    ax.set_yticks(range(len(exercises)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions with full points (%)")
    ax.set_ylabel("exercise (test cell)")
    ax.set_title("Pass rate per exercise")
    return _png(figure)


def mistakes_figure(data, top=12):
    """The most frequent named mistakes over the class, one bar per (exercise, mistake)."""
    import matplotlib.pyplot as plt

    counts = Counter({(e.grade_id, key): n for e in data.exercises for key, n in e.mistakes.items()})
    common = counts.most_common(top)
    figure, ax = plt.subplots(figsize=(8, 0.32 * max(len(common), 1) + 1.5))
    ax.barh(range(len(common)), [n for _, n in common], color="tab:orange")
    ax.set_yticks(range(len(common)), [f"{g}: {HINTS[k].name}" for (g, k), _ in common], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("submissions")
    ax.set_ylabel("exercise: named mistake")
    ax.set_title("Most frequent named mistakes" if common else "No named mistake in the class")
    if not common:
        ax.set_xticks([])
    return _png(figure)


# --- output ----------------------------------------------------------------------------------

def render(data, pairs, figures, settings):
    """The report page as HTML text (Jinja2, every value autoescaped)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=select_autoescape(
        enabled_extensions=("j2", "html"), default_for_string=True, default=True))
    return environment.get_template(TEMPLATE.name).render(
        data=data, pairs=pairs, figures=figures, hints=HINTS, settings=settings)


def write_exercises_csv(data, path):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["assignment", "exercise", "submissions", "full_points", "pass_rate", "mean_score",
                         "max_score", "named_mistakes", "failures_naming_no_mistake"])
        for e in data.exercises:
            mean = sum(e.scores) / len(e.scores) if e.scores else 0.0
            mistakes = "; ".join(f"{key} ({n})" for key, n in e.mistakes.most_common())
            writer.writerow([csv_cell(e.assignment), csv_cell(e.grade_id), len(e.scores),
                             e.passed, f"{e.pass_rate:.3f}", f"{mean:.3f}", f"{e.max_score:g}",
                             csv_cell(mistakes), e.unnamed])


def write_similarity_csv(pairs, path):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["assignment", "student_a", "student_b", "similarity_a", "similarity_b",
                         "shared_tokens", "look_here", "exercises"])
        for p in pairs:
            writer.writerow([csv_cell(p.assignment), csv_cell(p.first),
                             csv_cell(p.second),
                             f"{p.similarity[0]:.3f}", f"{p.similarity[1]:.3f}", p.shared_tokens,
                             "yes" if p.look_here else "no", csv_cell(" ".join(p.exercises))])


def write_report(course_dir, out_dir=None, db_url=None, threshold=similarity.THRESHOLD,
                 min_tokens=similarity.MIN_TOKENS):
    """Write class_report.html, class_report.csv and similarity.csv into ``out_dir`` (default:
    the course directory). Returns {name: path}."""
    import matplotlib

    matplotlib.use("Agg")
    course_dir = Path(course_dir).resolve()
    out_dir = Path(out_dir or course_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = gather(course_dir, db_url)
    pairs = []
    for assignment in data.assignments:
        pairs += similarity.similar_pairs(course_dir, assignment, threshold=threshold, min_tokens=min_tokens)
    pairs.sort(key=lambda p: (-p.look_here, -min(p.similarity), -p.shared_tokens))
    figures = {"scores": score_figure(data), "pass_rates": pass_rate_figure(data),
               "mistakes": mistakes_figure(data)}
    paths = {"html": out_dir / "class_report.html", "csv": out_dir / "class_report.csv",
             "similarity": out_dir / "similarity.csv"}
    settings = {"threshold": threshold, "min_tokens": min_tokens}
    paths["html"].write_text(render(data, pairs, figures, settings), encoding="utf-8")
    write_exercises_csv(data, paths["csv"])
    write_similarity_csv(pairs, paths["similarity"])
    return paths


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("--course-dir", default=".", help="the graded nbgrader course directory (default: .)")
    parser.add_argument("--out", help="folder for the report's files (default: the course directory)")
    parser.add_argument("--db", dest="db_url", help="gradebook database URL (default: nbgrader's SQLite)")
    parser.add_argument("--similarity", type=float, default=similarity.THRESHOLD,
                        help="share of each submission's own code that two submissions must have in common "
                             f"to be listed under 'look here' (default: {similarity.THRESHOLD})")
    parser.add_argument("--min-tokens", type=int, default=similarity.MIN_TOKENS,
                        help=f"and at least this many shared tokens (default: {similarity.MIN_TOKENS})")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    course_dir = Path(options.course_dir)
    if not options.db_url and not (course_dir / "gradebook.db").is_file():
        print(f"no gradebook in {course_dir.resolve()}: grade first (python -m autograder grade ...), "
              "or pass --course-dir or --db", file=sys.stderr)
        return 2
    paths = write_report(course_dir, options.out, options.db_url, options.similarity, options.min_tokens)
    for path in paths.values():
        print(f"wrote {path}")
    return 0
