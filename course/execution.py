"""Run a notebook in a real Jupyter kernel and read the outcome of its graded cells.

Shared by the self-check (``python -m course check``) and the instructor's tools.
"""

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.utils import determine_grade
from traitlets.config import Config

from .i18n import language

__all__ = ["CellOutcome", "execute", "run", "graded_outcomes", "problems", "problem", "stdout"]


@dataclass
class CellOutcome:
    """What one graded test cell did: passed, or failed with a message."""

    grade_id: str
    points: float
    passed: bool
    message: str


def run(notebook, folder, *, timeout=120, interrupt_on_timeout=False):
    """Execute ``notebook`` (changed in place) top to bottom, errors allowed, with ``folder``
    as the working directory. Returns the seconds it took.

    interrupt_on_timeout: a cell that runs over ``timeout`` seconds is interrupted and gets
    an error output, and the run goes on; otherwise the timeout raises.
    """
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as sockets:
        client = NotebookClient(notebook, timeout=timeout, allow_errors=True, kernel_name="python3",
                                interrupt_on_timeout=interrupt_on_timeout, config=over_ipc(sockets),
                                resources={"metadata": {"path": str(folder)}})
        start = time.perf_counter()
        # nobody watches this run: the kernel draws no live plots (course.live); the kernel
        # process's own log is not the notebook's output and stays off the screen: what cells
        # write reaches the notebook, not this stream
        # the kernel's messages are in the notebook's language (course.i18n)
        env = {**os.environ, "COURSE_NONINTERACTIVE": "1", "COURSE_LANGUAGE": language(notebook)}
        client.execute(env=env, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start


def over_ipc(sockets):
    """Configuration of a kernel manager whose kernel talks over Unix sockets in the folder
    ``sockets`` (an absolute path: the kernel runs in the notebook's folder).

    Over TCP (jupyter_client's default) ipykernel warns on stderr, on the student's screen,
    that the traffic is not encrypted; over IPC it travels through files of this user only,
    and the kernel has nothing to warn about.
    """
    return Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets).resolve() / "kernel")}})


def execute(path, *, timeout=120, cwd=None):
    """Execute the notebook at ``path`` top to bottom, errors allowed, in its own folder.

    Returns (executed notebook, seconds). The file on disk is not changed.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    return notebook, run(notebook, cwd or path.parent, timeout=timeout)


def problem(cell):
    """The error or stderr text of an executed cell, '' when it ran cleanly."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"
        if output.output_type == "stream" and output.name == "stderr":
            return "stderr: " + output.text.strip()
    return ""


def stdout(cell):
    """Everything an executed cell printed to stdout, as one text."""
    return "".join(output.get("text", "") for output in cell.get("outputs", [])
                   if output.get("output_type") == "stream" and output.get("name") == "stdout")


def graded_outcomes(notebook):
    """One CellOutcome per graded test cell of an executed notebook, in order.

    A cell passes when it ran and nbgrader's own rule (nbgrader.utils.determine_grade) gives
    it full points: no error, nothing on stderr, and no displayed number (a partial score).
    A NameError that follows from an earlier cell's error (the first cell, say, that loads the
    earlier notebooks) is reported with that first error, which is the one to fix.
    """
    outcomes, first_error = [], None
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        text = problem(cell)
        if meta.get("grade") and not meta.get("solution"):
            score, maximum = determine_grade(cell)
            if cell.get("execution_count") is None:   # never ran: no output is no success
                score, message = 0, "not run (the kernel stopped before this cell)"
            else:
                message = text or ("" if score == maximum else f"displayed a partial score {score}")
            if first_error and message.startswith("NameError"):
                message = f"{first_error[1]} (in cell {first_error[0]}, which failed first; here: {message})"
            outcomes.append(CellOutcome(meta["grade_id"], maximum, score == maximum, message))
        elif text and not first_error and not text.startswith(("stderr:", "NameError")):
            first_error = (number, text)
    return outcomes


def problems(notebook):
    """[(cell index, text)] for every code cell (graded or not) that raised or wrote to stderr."""
    return [(i, problem(cell)) for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and problem(cell)]
