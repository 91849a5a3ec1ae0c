"""Load the code of the earlier notebooks into a notebook's namespace.

By default a notebook runs on ``previous_steps.py``, the course's read-only versions of the
earlier steps shipped beside it, so that a mistake in one notebook never costs points in
another. With ``use_my_own_code=True`` it runs the solution cells of your own earlier
notebooks instead, found in the sibling folders (``../01_data_prep/01_data_prep.ipynb`` ...).
Autograding always uses the course's versions.
"""

import importlib.util
import os
from pathlib import Path

__all__ = ["ASSIGNMENTS", "load_previous_steps"]

#: The eight notebooks, in order. Each is an nbgrader assignment of the same name.
ASSIGNMENTS = (
    "01_data_prep",
    "02_init",
    "03_forward",
    "04_backward",
    "05_update",
    "06_loss",
    "07_modularization",
    "08_prediction",
)


def _course_versions(folder):
    path = Path(folder) / "previous_steps.py"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: it ships beside the notebook. Download the assignment again."
        )
    spec = importlib.util.spec_from_file_location("previous_steps", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _own_versions(assignment, folder, names):
    """Run the solution cells of the student's earlier notebooks in one namespace."""
    import nbformat  # only needed here: keeps the common path of every notebook start fast

    namespace = {"__name__": "my_previous_steps"}
    exec("import numpy as np\nfrom course.framework import Layer, add_to_class\n"
         "from course.progress import progress_bar", namespace)
    for earlier in ASSIGNMENTS[: ASSIGNMENTS.index(assignment)]:
        path = Path(folder).parent / earlier / f"{earlier}.ipynb"
        if not path.exists():
            raise FileNotFoundError(f"USE_MY_OWN_CODE needs your notebook {path}, which is not there")
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
                grade_id = cell.metadata["nbgrader"].get("grade_id", "?")
                try:
                    exec(compile(cell.source, f"{earlier}:{grade_id}", "exec"), namespace)
                except Exception as error:
                    raise RuntimeError(
                        f"running your cell '{grade_id}' of {earlier} failed: {error!r}"
                    ) from error
    missing = [name for name in names if name not in namespace]
    if missing:
        raise RuntimeError(f"your earlier notebooks do not define {', '.join(missing)}")
    return {name: namespace[name] for name in names}


def load_previous_steps(assignment, use_my_own_code=False, folder="."):
    """Return {name: object} for every name the earlier notebooks define.

    assignment: this notebook's name, e.g. "04_backward". folder: the notebook's folder.
    Use as ``globals().update(load_previous_steps("04_backward"))``.
    """
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"unknown notebook {assignment!r}: one of {', '.join(ASSIGNMENTS)}")
    course_versions = _course_versions(folder)
    names = list(course_versions.__all__)
    if use_my_own_code and not os.environ.get("NBGRADER_EXECUTION"):
        return _own_versions(assignment, folder, names)
    return {name: getattr(course_versions, name) for name in names}
