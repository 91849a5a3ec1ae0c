"""The module name of each notebook's step, shared by ``autograder.reference`` (the hidden
solutions) and ``course.probes`` (their trusted re-checks), which use the same names."""

#: {assignment: module name}, in course order (course.previous.ASSIGNMENTS).
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
