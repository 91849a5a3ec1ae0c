"""Run a notebook in a real Jupyter kernel and read the outcome of its graded cells."""

import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.utils import determine_grade


@dataclass
class CellOutcome:
    """What one graded test cell did: passed, or failed with a message."""

    grade_id: str
    points: float
    passed: bool
    message: str


def execute(path, *, timeout=120, cwd=None):
    """Execute the notebook at ``path`` top to bottom, errors allowed, in its own folder.

    Returns (executed notebook, seconds). The file on disk is not changed.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    start = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - start


def _problem(cell):
    """The error or stderr text of an executed cell, '' when it ran cleanly."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"
        if output.output_type == "stream" and output.name == "stderr":
            return "stderr: " + output.text.strip()
    return ""


def graded_outcomes(notebook):
    """One CellOutcome per graded test cell of an executed notebook, in order.

    A cell passes when nbgrader's own rule (nbgrader.utils.determine_grade) gives it full
    points: no error, nothing on stderr, and no displayed number (a partial score).
    """
    outcomes = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
            score, maximum = determine_grade(cell)
            problem = _problem(cell) or ("" if score == maximum else f"displayed a partial score {score}")
            outcomes.append(CellOutcome(meta["grade_id"], maximum, score == maximum, problem))
    return outcomes


def problems(notebook):
    """[(cell index, text)] for every code cell (graded or not) that raised or wrote to stderr."""
    return [(i, _problem(cell)) for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and _problem(cell)]
