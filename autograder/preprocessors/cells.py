"""What the course's preprocessors read of a notebook and of the course directory: test cells,
grade_ids, the release notebook, the hidden tests' lines. The folders are those of the
preprocessor's own nbgrader configuration (``autograder.course_folders``)."""

import nbformat

from autograder.batch.intake import nbgrader_metadata
from autograder.course_folders import CourseFolders
from autograder.nbgrader_markers import markers


def test_cells(notebook):
    """[(grade_id, cell)] of the autograded test cells, in notebook order."""
    return [(nbgrader_metadata(c).get("grade_id"), c) for c in notebook.cells
            if c.get("cell_type") == "code" and nbgrader_metadata(c).get("grade")
            and not nbgrader_metadata(c).get("solution")]


def folders_of(preprocessor):
    """The CourseFolders of the course directory ``preprocessor`` grades in (its converter's
    ``CourseDirectory``, else its own configuration's)."""
    return CourseFolders.of_preprocessor(preprocessor)


def course_dir_of(preprocessor):
    """The course directory of ``preprocessor``'s configuration (nbgrader's ``CourseDirectory.root``)."""
    return folders_of(preprocessor).root.resolve()


def release_notebook(folders, assignment, notebook_name):
    """The release notebook ``notebook_name`` of ``assignment`` (``folders``: the course's
    CourseFolders), or None."""
    path = folders.assignment_path("release", assignment, f"{notebook_name}.ipynb")
    return nbformat.read(path, as_version=4) if path.exists() else None


def hidden_test_lines(folders, assignment, config=None):
    """The distinctive lines of the hidden tests of ``assignment`` (from its source folder;
    ``folders``: the course's CourseFolders), between the hidden-test delimiters of nbgrader's
    configuration ``config`` (``ClearHiddenTests.begin_test_delimeter``, ``end_test_delimeter``)."""
    configured, lines = markers(config), set()
    for path in folders.assignment_path("source", assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            lines.update(line.strip() for _, line, where in configured.hidden_test_lines(cell.source)
                         if where == "hidden" and len(line.strip()) >= 16)
    return lines


def grade_id_of(cell):
    """The cell's grade_id when it is a non-empty string, else None."""
    grade_id = nbgrader_metadata(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) and grade_id else None
