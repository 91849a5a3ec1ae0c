"""Judge of notebook 04 (backward propagation): Dropout.backward.

Dropout's backward is judged by its relation to the forward of the same call, dX = dA * A / X,
so that the way the mask was drawn does not matter. The probe is in
``course/probes/backward.py``.
"""

import numpy as np

from course.i18n import message
from course.probes.backward import DROPOUT_CASES
from course.probes.compare import TOLERANCE, compare, mask_problem, relative_error


def judge_dropout_backward(got, want, t):
    """dX = dA * A / X for the mask of the last forward (A a real dropout output), and dA
    itself in evaluation mode."""
    keys = [key for key in want if key.startswith(("X of", "dA of")) or key.endswith("evaluation mode")]
    problems = compare(got, want, keys)
    if problems:
        return problems
    for p, shape in DROPOUT_CASES:
        name = f"Dropout({p}), shape {shape}"
        X, dA = want[f"X of {name}"], want[f"dA of {name}"]
        for mode in ("", " back in training mode"):
            A, dX = got.get(f"A of {name}{mode}"), got.get(f"dX of {name}{mode}")
            tolerance = 0.1 if X.size >= 400 else 1.0  # small arrays: only the scale is checked
            problem = mask_problem(f"forward of {name}", A, X, p, tolerance)
            if problem:
                return [problem]
            if dX is None or dX.shape != shape or dX.dtype != np.float64:
                return [message("probe.backward.dropout_dX_shape", "dX of {name}{mode} should be a float64 "
                                "array of shape {shape}", name=name, mode=mode, shape=shape)]
            error = relative_error(dX, dA * A / X)
            if error >= TOLERANCE:
                return [message("probe.backward.dropout_dX_mask", "dX of {name}{mode} is not dA times the "
                                "mask of the last forward (relative error {error:.2g})", name=name,
                                mode=mode, error=error)]
    return []


JUDGES = {
    "test_dropout_backward": judge_dropout_backward,
}
