"""No double penalty: later notebooks run on the course's versions of the earlier steps, and
one switch runs the student's own code instead (never while autograding)."""

import shutil

import nbformat
import numpy as np
import pytest

from autograder.authoring.release import RELEASE
from autograder.demo.samples import make_submission
from course.previous import load_previous_steps, notebook_folder
from course.registry import ASSIGNMENTS


def test_previous_steps_provide_the_earlier_api():
    names = load_previous_steps("08_prediction", folder=RELEASE / "08_prediction")
    for name in ("one_hot", "Linear", "ReLU", "numerical_gradient", "SoftmaxCrossEntropy",
                 "Sequential", "build_model", "train"):
        assert name in names, name
    assert "predict" not in names and "confusion_matrix" not in names
    layer = names["Linear"](3, 2, rng=np.random.default_rng(0))
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))
    layer.update(0.1)
    assert layer.dW is None


def test_each_notebook_gets_exactly_the_earlier_steps():
    assert not (RELEASE / ASSIGNMENTS[0] / "previous_steps.py").exists()
    previous = set()
    for assignment in ASSIGNMENTS[1:]:
        names = set(load_previous_steps(assignment, folder=RELEASE / assignment))
        assert previous <= names, f"{assignment} lost {previous - names}"
        previous = names


def _student_folders(tmp_path, kind, upto):
    for assignment in ASSIGNMENTS[: ASSIGNMENTS.index(upto) + 1]:
        folder = tmp_path / assignment
        shutil.copytree(RELEASE / assignment, folder)
        nbformat.write(make_submission(assignment, kind), folder / f"{assignment}.ipynb")
    return tmp_path / upto


def test_own_code_runs_the_students_earlier_solution_cells(tmp_path):
    folder = _student_folders(tmp_path, "alternative", "04_backward")
    own = load_previous_steps("04_backward", use_my_own_code=True, folder=folder)
    course = load_previous_steps("04_backward", folder=folder)
    assert set(own) == set(course)
    assert own["Linear"] is not course["Linear"] and own["Linear"].__module__ == "my_previous_steps"
    X = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_allclose(own["one_hot"](np.array([1, 0]), 3), course["one_hot"](np.array([1, 0]), 3))
    np.testing.assert_allclose(own["ReLU"]().forward(X), course["ReLU"]().forward(X))


def test_own_code_says_which_cell_fails(tmp_path):
    folder = _student_folders(tmp_path, "complete", "03_forward")
    path = tmp_path / "02_init" / "02_init.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
    cell.source = "def half_written(:"
    nbformat.write(notebook, path)
    grade_id = cell.metadata["nbgrader"]["grade_id"]
    number = notebook.cells.index(cell) + 1
    with pytest.raises(RuntimeError, match=rf"running your cell '{grade_id}' \(cell {number}\) of notebook "
                       "02_init failed with SyntaxError"):
        load_previous_steps("03_forward", use_my_own_code=True, folder=folder)


def test_own_code_needs_the_earlier_notebooks(tmp_path):
    folder = tmp_path / "03_forward"
    shutil.copytree(RELEASE / "03_forward", folder)
    with pytest.raises(FileNotFoundError, match="USE_MY_OWN_CODE = True needs your notebook 01_data_prep at "
                       "../01_data_prep/01_data_prep.ipynb"):
        load_previous_steps("03_forward", use_my_own_code=True, folder=folder)


def test_autograding_always_uses_the_course_versions(tmp_path, monkeypatch):
    folder = _student_folders(tmp_path, "untouched", "03_forward")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    names = load_previous_steps("03_forward", use_my_own_code=True, folder=folder)
    assert names["Linear"].__module__ == "previous_steps"


def test_the_notebooks_folder_is_the_working_folder_by_default(tmp_path, monkeypatch):
    folder = _student_folders(tmp_path, "complete", "03_forward")
    monkeypatch.chdir(folder)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    own = load_previous_steps("03_forward", use_my_own_code=True)
    assert own["Linear"].__module__ == "my_previous_steps"
    assert load_previous_steps("03_forward")["Linear"].__module__ == "previous_steps"


def test_the_notebooks_folder_comes_from_the_front_end_when_the_kernel_runs_elsewhere(tmp_path, monkeypatch):
    folder = _student_folders(tmp_path, "complete", "03_forward")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(folder / "03_forward.ipynb"))
    assert notebook_folder("03_forward") == folder.resolve()
    assert load_previous_steps("03_forward", use_my_own_code=True)["Linear"].__module__ == "my_previous_steps"
    monkeypatch.delenv("JPY_SESSION_NAME")
    vscode = {"__vsc_ipynb_file__": str(folder / "03_forward.ipynb")}
    assert notebook_folder("03_forward", vscode) == folder.resolve()
    with pytest.raises(FileNotFoundError, match="previous_steps.py of 03_forward is not in the notebook"):
        load_previous_steps("03_forward")
