"""Reference solutions of notebook 08 (prediction and evaluation).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.
"""

import numpy as np

from .modularization import labels_from_scores

__all__ = ["predict", "accuracy", "confusion_matrix"]


# %% [predict]
def predict(model, X):
    """Class labels of the model for inputs X: (N, D). Returns (N,) int.

    Switches the model to evaluation mode first (no dropout), then reads the labels off
    the scores: argmax for several outputs, score > 0 for one logit.
    """
    ### BEGIN SOLUTION
    model.eval()
    return labels_from_scores(model.forward(X))
    ### END SOLUTION


# %% [accuracy]
def accuracy(y_pred, y_true):
    """Fraction of correct predictions. y_pred, y_true: (N,) int. Returns a float in [0, 1]."""
    ### BEGIN SOLUTION
    y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"y_pred has shape {y_pred.shape} but y_true has shape {y_true.shape}")
    return float(np.mean(y_pred == y_true))
    ### END SOLUTION


# %% [confusion_matrix]
def confusion_matrix(y_true, y_pred, num_classes):
    """Counts of (true class, predicted class) pairs.

    y_true, y_pred: (N,) int in [0, num_classes).
    Returns M: (num_classes, num_classes) int, M[i, j] = number of samples of class i
    predicted as class j (rows: true class, columns: predicted class).
    """
    ### BEGIN SOLUTION
    counts = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts
    ### END SOLUTION
