"""Run a notebook in a real Jupyter kernel and read the outcome of its graded cells.

The work is done by ``course.execution``, which the students' self-check shares.
"""

from course.execution import CellOutcome, execute, graded_outcomes, problems

__all__ = ["CellOutcome", "execute", "graded_outcomes", "problems"]
