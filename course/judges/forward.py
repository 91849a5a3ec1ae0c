"""Judge of notebook 03 (forward propagation): Dropout.forward.

Dropout's masks may be drawn in any correct way, so the judge checks what the mask does
(the fraction dropped, the scale of the units kept, a new mask per call, the same mask for
the same seed), not which units it drops. The probe is in ``course/probes/forward.py``.
"""

import numpy as np

from course.i18n import message
from course.probes.compare import compare, mask_problem
from course.probes.forward import DROPOUT_CASES
from course.probes.kernel import exact

#: Largest distance between the fraction dropped and p (about 5 standard errors here).
DROP_TOLERANCE = 0.04


def judge_dropout_forward(got, want, t):
    """The masks' statistics and scale, the input unchanged, the mask kept, a new
    mask per call, the same mask for the same seed, the identity in evaluation mode and for
    p = 0."""
    keys = [
        key
        for key in want
        if "training mode when new" in key
        or "evaluation mode" in key
        or "kept its mask" in key
        or key.startswith("X")
        or key == "Dropout(0.0).forward(X)"
    ]
    problems = compare(got, want, keys)
    if problems:
        return problems
    for p, _ in DROPOUT_CASES:
        X = want[exact(f"X after Dropout({p}).forward")]
        for label in (
            "forward(X)",
            "forward(X) again",
            "forward(X), same seed",
            "forward(X) back in training mode",
        ):
            problem = mask_problem(
                f"Dropout({p}).{label}", got.get(f"Dropout({p}).{label}"), X, p, DROP_TOLERANCE
            )
            if problem:
                return [problem]
        first, again = got[f"Dropout({p}).forward(X)"], got[f"Dropout({p}).forward(X) again"]
        if np.array_equal(first != 0, again != 0):
            return [message("probe.forward.same_mask", "two calls gave the same mask: draw a new one at "
                            "every forward")]
        if not np.array_equal(first, got[f"Dropout({p}).forward(X), same seed"]):
            return [message("probe.forward.seeded_mask", "two Dropout layers seeded alike should drop the "
                            "same units: draw from self.rng")]
    one_row = got.get("Dropout(0.5).forward(ones (1, 400))")
    if one_row is None or one_row.shape != (1, 400) or not set(np.unique(one_row).tolist()) <= {0.0, 2.0}:
        return [message("probe.forward.one_row", "Dropout(0.5) on a (1, 400) input of ones should output "
                        "0s and 2s of shape (1, 400)")]
    return []


JUDGES = {
    "test_dropout_forward": judge_dropout_forward,
}
