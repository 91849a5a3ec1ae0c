"""The registry of the course: its assignments, the step module of each, and its graded exercises.

Every other table of the course (hints, probes and judges, points, sample data, previous steps,
reference modules) is keyed by these ids, and ``tests/test_registry.py`` checks that each covers
exactly them. Read them from here.

- ``ASSIGNMENTS``: the eight notebooks, in course order; each is an nbgrader assignment of the
  same name (``source/<assignment>/<assignment>.ipynb``).
- ``STEP_MODULES``: {assignment: module name} of each notebook's step, shared by
  ``autograder.reference`` (the hidden solutions), ``course.probes`` (their re-checks in the
  kernel) and ``course.judges`` (the properties checked where several answers are right).
- ``EXERCISES``: {assignment: {test cell grade_id: (what the student writes, general hint)}}, in
  notebook order (the table itself, with its hints for students, is in ``course.exercises``).
"""

from .exercises import EXERCISES, assignment_of

__all__ = ["ASSIGNMENTS", "STEP_MODULES", "EXERCISES", "assignment_of"]

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

STEP_MODULES = {
    "01_data_prep": "data_prep",
    "02_init": "initialization",
    "03_forward": "forward",
    "04_backward": "backward",
    "05_update": "update",
    "06_loss": "loss",
    "07_modularization": "modularization",
    "08_prediction": "prediction",
}
