"""Every plot helper draws with a title and labelled axes."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course import plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _labelled(ax):
    return bool(ax.get_title() or ax.figure._suptitle) and ax.get_xlabel() and ax.get_ylabel()


def test_dataset_history_boundary_and_confusion_plots_are_labelled(rng):
    X = rng.standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(int)
    axes = [
        plots.plot_dataset(X, y),
        plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "val_accuracy": [0.5, 0.9]}),
        plots.plot_decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, y, resolution=20),
        plots.plot_confusion_matrix(np.array([[3, 1], [0, 4]])),
    ]
    assert all(_labelled(ax) for ax in axes)
    assert len(axes[1].get_lines()) == 2 and axes[1].get_legend() is not None


def test_histograms_and_digits(rng):
    axes = plots.plot_histograms({"W1": rng.standard_normal((5, 5)), "A1": rng.random(30)})
    assert len(axes) == 2 and all(_labelled(ax) for ax in axes)
    digit_axes = plots.show_digits(rng.random((10, 64)), np.arange(10), count=5)
    assert len(digit_axes) == 5
