"""nbgrader's feedback pages, readable by students offline: the page template and its MathJax.

``nbgrader_config.py`` puts ``autograder/templates/`` first among nbconvert's template folders:
its ``feedback/mathjax.html.j2`` takes the place of nbconvert's MathJax macro in nbgrader's
feedback template (messages that wrap; MathJax loaded from a local copy, never a CDN). And
``ShipMathJax``, among nbgrader's feedback preprocessors, copies MathJax 2 as the
``jupyter-server-mathjax`` package installs it, once, into ``feedback/mathjax/`` of the course
directory, beside ``feedback/<student>/<assignment>/``: a feedback page opened from that folder
typesets its math without a network. A page opened through a Jupyter server (a student's copy
after ``nbgrader fetch_feedback``) uses that server's copy of the same package.
"""

import shutil
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.course_folders import CourseFolders

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def nbgrader_templates():
    """nbgrader's own template folder (its feedback template lives there)."""
    import nbgrader

    return str(Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates")


def mathjax_source():
    """The MathJax folder of the jupyter-server-mathjax package (MathJax.js at its top)."""
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).resolve().parent / "static"


def ship_mathjax(feedback_dir):
    """Copy MathJax into ``feedback_dir/mathjax`` unless it is there already. Returns its path."""
    target = Path(feedback_dir) / "mathjax"
    if not (target / "MathJax.js").is_file():
        temporary = target.with_name("mathjax.partial")
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.copytree(mathjax_source(), temporary)
        shutil.rmtree(target, ignore_errors=True)
        temporary.rename(target)
    return target


class ShipMathJax(NbGraderPreprocessor):
    """Make sure ``feedback/mathjax/`` exists before a feedback page is written (for
    ``nbgrader generate_feedback``; changes nothing in the notebook)."""

    def preprocess(self, nb, resources):
        feedback = CourseFolders.of_preprocessor(self).top("feedback")
        feedback.mkdir(parents=True, exist_ok=True)
        ship_mathjax(feedback)
        return nb, resources
