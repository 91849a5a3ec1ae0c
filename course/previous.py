"""Load the code of the earlier notebooks into a notebook's namespace.

By default a notebook runs on ``previous_steps.py``, the course's read-only versions of the
earlier steps shipped beside it, so that a mistake in one notebook never costs points in
another. With ``use_my_own_code=True`` it runs the solution cells of your own earlier
notebooks instead, found in the sibling folders (``../01_data_prep/01_data_prep.ipynb`` ...).
Autograding always uses the course's versions.

The notebook's folder is where ``previous_steps.py`` is. JupyterLab, ``jupyter nbconvert
--execute``, ``jupyter execute`` and the self-check all start the kernel in the notebook's
folder, whatever folder they were called from; when a front end starts it elsewhere (VS Code
with another "notebook file root", for example), the notebook's path that the front end hands
to the kernel is used instead: ``JPY_SESSION_NAME`` (jupyter_server) or
``__vsc_ipynb_file__`` (VS Code).
"""

import importlib.util
import os
import sys
from pathlib import Path

from .registry import ASSIGNMENTS

__all__ = ["load_previous_steps", "notebook_folder"]

SWITCH = "USE_MY_OWN_CODE"


def _front_end_paths(namespace):
    """Notebook paths a front end told the kernel about (they may be missing or stale)."""
    paths = [os.environ.get("JPY_SESSION_NAME"), (namespace or {}).get("__vsc_ipynb_file__")]
    return [Path(path) for path in paths if isinstance(path, str) and path.endswith(".ipynb")]


def notebook_folder(assignment, namespace=None):
    """The folder of notebook ``assignment``: the kernel's working folder when
    ``previous_steps.py`` is there, else the folder of the notebook path a front end gave.

    namespace: the notebook's globals (where VS Code puts ``__vsc_ipynb_file__``).
    Raises FileNotFoundError, saying where it looked, when no candidate holds the file.
    """
    candidates = [Path.cwd()] + [path.parent for path in _front_end_paths(namespace)]
    for folder in candidates:
        if (folder / "previous_steps.py").is_file():
            return folder.resolve()
    looked = ", ".join(dict.fromkeys(str(folder) for folder in candidates))
    raise FileNotFoundError(
        f"previous_steps.py of {assignment} is not in the notebook's folder (looked in {looked}). It "
        f"ships beside {assignment}.ipynb: start Jupyter so that the notebook runs in its own folder "
        f"(release/{assignment}/), or download the assignment again."
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
        path = Path(folder).resolve().parent / earlier / f"{earlier}.ipynb"
        if not path.exists():
            raise FileNotFoundError(
                f"{SWITCH} = True needs your notebook {earlier} at ../{earlier}/{earlier}.ipynb "
                f"({path}), which is not there: keep your earlier notebooks in their folders beside "
                f"this one, or set {SWITCH} = False to run on the course's versions."
            )
        notebook = nbformat.read(path, as_version=4)
        for number, cell in enumerate(notebook.cells, start=1):
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
                grade_id = cell.metadata["nbgrader"].get("grade_id", "?")
                try:
                    exec(compile(cell.source, f"{earlier}:{grade_id}", "exec"), namespace)
                except Exception as error:
                    raise RuntimeError(
                        f"{SWITCH} = True: running your cell '{grade_id}' (cell {number}) of notebook "
                        f"{earlier} failed with {type(error).__name__}: {error}. Fix that cell in "
                        f"{earlier}.ipynb and save it, or set {SWITCH} = False."
                    ) from error
    missing = [name for name in names if name not in namespace]
    if missing:
        raise RuntimeError(f"{SWITCH} = True: your earlier notebooks do not define {', '.join(missing)}; "
                           f"write them there, or set {SWITCH} = False.")
    return {name: namespace[name] for name in names}


def load_previous_steps(assignment, use_my_own_code=False, folder=None):
    """Return {name: object} for every name the earlier notebooks define.

    assignment: this notebook's name, e.g. "04_backward". folder: the notebook's folder
    (found by ``notebook_folder`` when None).
    Use as ``globals().update(load_previous_steps("04_backward"))``.
    """
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"unknown notebook {assignment!r}: one of {', '.join(ASSIGNMENTS)}")
    if folder is None:
        folder = notebook_folder(assignment, sys._getframe(1).f_globals)
    course_versions = _course_versions(folder)
    names = list(course_versions.__all__)
    if use_my_own_code and not os.environ.get("NBGRADER_EXECUTION"):
        return _own_versions(assignment, folder, names)
    return {name: getattr(course_versions, name) for name in names}
