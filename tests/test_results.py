"""The three results of the course, reached by the reference with fixed seeds."""

import pytest

from autograder.authoring import results
from course.experiments import EXPERIMENTS


@pytest.mark.slow
@pytest.mark.parametrize("task", sorted(EXPERIMENTS))
def test_reference_meets_the_bar_and_matches_scikit_learn(task):
    ours = results.run_reference(task)["accuracy"]
    theirs = results.run_sklearn(task)
    assert ours >= EXPERIMENTS[task]["bar"], f"{task}: {ours:.3f} < bar {EXPERIMENTS[task]['bar']}"
    assert ours >= theirs - 0.01, f"{task}: {ours:.3f} more than one point below scikit-learn {theirs:.3f}"


def test_disc_loss_curve_falls():
    history = results.run_reference("disc")["history"]
    assert history["loss"][-1] < 0.25 * history["loss"][0]
