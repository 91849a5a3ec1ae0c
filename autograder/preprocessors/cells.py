"""What the course's preprocessors read of a notebook and of the course directory: test cells,
grade_ids, the release notebook, the hidden tests' lines."""

from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory

from autograder.batch.intake import nbgrader_metadata


def test_cells(notebook):
    """[(grade_id, cell)] of the autograded test cells, in notebook order."""
    return [(nbgrader_metadata(c).get("grade_id"), c) for c in notebook.cells
            if c.get("cell_type") == "code" and nbgrader_metadata(c).get("grade")
            and not nbgrader_metadata(c).get("solution")]


def course_dir_of(preprocessor):
    """The course directory of ``preprocessor``'s configuration (nbgrader's ``CourseDirectory.root``)."""
    return Path(CourseDirectory(config=preprocessor.config).root).resolve()


def release_notebook(course_dir, assignment, notebook_name):
    """The release notebook ``notebook_name`` of ``assignment`` in ``course_dir``, or None."""
    path = Path(course_dir, "release", assignment, f"{notebook_name}.ipynb")
    return nbformat.read(path, as_version=4) if path.exists() else None


def hidden_test_lines(course_dir, assignment):
    """The distinctive lines of the hidden tests of ``assignment`` (from source/)."""
    lines = set()
    for path in Path(course_dir, "source", assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif inside and len(line.strip()) >= 16:
                    lines.add(line.strip())
    return lines


def grade_id_of(cell):
    """The cell's grade_id when it is a non-empty string, else None."""
    grade_id = nbgrader_metadata(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) and grade_id else None
