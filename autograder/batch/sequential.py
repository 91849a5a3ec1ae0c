"""Grade a class with nbgrader's own commands and read the results from its gradebook."""

from pathlib import Path

from nbgrader.api import Gradebook

from autograder.nbgrader_cli import nbgrader


def autograde(course_dir, assignment="*"):
    """``nbgrader autograde`` for every submitted notebook of ``assignment`` (a glob)."""
    return nbgrader("autograde", assignment, "--force", course_dir=course_dir)


def generate_feedback(course_dir, assignment="*"):
    """``nbgrader generate_feedback``: one HTML page per graded notebook, in feedback/."""
    return nbgrader("generate_feedback", assignment, "--force", course_dir=course_dir)


def export_grades(course_dir, filename="grades.csv"):
    """``nbgrader export`` to a CSV file in the course directory. Returns its path."""
    nbgrader("export", f"--to={filename}", course_dir=course_dir)
    return Path(course_dir) / filename


def _gradebook(course_dir, db_url=None):
    return Gradebook(db_url or f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}")


def cell_scores(course_dir, db_url=None):
    """{(student, assignment): {test cell grade_id: (score, max_score)}} from the gradebook
    (nbgrader's SQLite file in ``course_dir``, or the database at ``db_url``)."""
    scores = {}
    with _gradebook(course_dir, db_url) as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                cells = {}
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.cell_type == "code":
                            cells[grade.name] = (grade.score, grade.max_score)
                scores[(submission.student_id, assignment.name)] = cells
    return scores


def class_table(course_dir, db_url=None):
    """The class's totals as text: one row per student, one column per assignment."""
    scores = cell_scores(course_dir, db_url)
    students = sorted({student for student, _ in scores})
    assignments = sorted({assignment for _, assignment in scores})
    header = f"{'student':<12}" + "".join(f"{a[:2]:>8}" for a in assignments) + f"{'total':>10}"
    lines = [header, "-" * len(header)]
    for student in students:
        row, got, possible = f"{student:<12}", 0.0, 0.0
        for assignment in assignments:
            cells = scores.get((student, assignment))
            if cells is None:
                row += f"{'-':>8}"
                continue
            score = sum(s for s, _ in cells.values())
            maximum = sum(m for _, m in cells.values())
            got, possible = got + score, possible + maximum
            row += f"{f'{score:g}/{maximum:g}':>8}"
        lines.append(row + f"{f'{got:g}/{possible:g}':>10}")
    return "\n".join(lines)
