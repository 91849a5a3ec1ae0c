"""The solution and hidden-test markers are nbgrader's configured delimiters, wherever the
grader looks for them."""

import nbformat
from traitlets.config import Config

from autograder.batch import intake
from autograder.course_folders import CourseFolders
from autograder.nbgrader_markers import course_markers, markers
from autograder.preprocessors.cells import hidden_test_lines

HIDDEN = "assert abs(normalise(x).mean()) < 1e-9, 'hidden check'"


def _configured():
    config = Config()
    config.ClearSolutions.begin_solution_delimeter = "SOLUTION STARTS"
    config.ClearSolutions.end_solution_delimeter = "SOLUTION ENDS"
    config.ClearHiddenTests.begin_test_delimeter = "HIDE START"
    config.ClearHiddenTests.end_test_delimeter = "HIDE END"
    return config


def test_the_markers_are_nbgrader_defaults_unless_configured():
    assert markers().all == ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert course_markers() == markers()  # the repository's nbgrader_config.py keeps them
    assert markers(_configured()).all == ("SOLUTION STARTS", "SOLUTION ENDS", "HIDE START", "HIDE END")


def test_a_copy_of_the_source_is_refused_by_the_configured_marker():
    cells = [{"cell_type": "code", "source": "x = 1\n# SOLUTION STARTS\ny = 2"}]
    assert intake.marker_problem(cells) is None
    assert "'SOLUTION STARTS'" in intake.marker_problem(cells, _configured())


def test_hidden_test_lines_are_read_between_the_configured_delimiters(tmp_path):
    folder = tmp_path / "source" / "01_data_prep"
    folder.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell(f"# HIDE START\n{HIDDEN}\n# HIDE END")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    nbformat.write(notebook, folder / "01_data_prep.ipynb")
    folders = CourseFolders.of_course(tmp_path)
    assert hidden_test_lines(folders, "01_data_prep") == set()
    assert hidden_test_lines(folders, "01_data_prep", _configured()) == {HIDDEN}


def test_a_cells_lines_are_told_visible_marker_or_hidden():
    found = markers().hidden_test_lines("a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3")
    assert found == [(1, "a = 1", "visible"), (2, "### BEGIN HIDDEN TESTS", "marker"), (3, "b = 2", "hidden"),
                     (4, "### END HIDDEN TESTS", "marker"), (5, "c = 3", "visible")]
