"""Reference solutions of notebook 08 (prediction and evaluation).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.
"""

import numpy as np

from course.experiments import EXPERIMENTS

from .data_prep import one_hot
from .loss import MeanSquareError
from .modularization import build_model, labels_from_scores, train

__all__ = ["predict", "accuracy", "confusion_matrix", "fixed_experiment"]


# %% [predict]
def predict(model, X):
    """Class labels of a model for inputs X.

    model: a Sequential (or any layer) whose forward maps X: (N, D) to scores: (N, C).
    X: (N, D). Returns labels: (N,) int. With C >= 2 the label of a row is the index of
    its largest score; with C == 1 (one logit) it is 1 where the score is > 0, else 0.
    The model is switched to evaluation mode first, so dropout lets everything through.
    """
    # Evaluation mode first, then one forward pass; notebook 07's labels_from_scores
    # already knows both rules (argmax, and > 0 for one logit).
    ### BEGIN SOLUTION
    model.eval()
    return labels_from_scores(model.forward(X))
    ### END SOLUTION


# %% [accuracy]
def accuracy(y_pred, y_true):
    """Fraction of correct predictions.

    y_pred, y_true: (N,) int labels, of the same shape.
    Returns a float in [0, 1]. Raises ValueError when the shapes differ (for example
    (N,) against (N, 1), which == would silently broadcast into an (N, N) table).
    """
    # Compare the shapes before anything else and raise ValueError when they differ;
    # then the mean of the element-wise matches is the answer.
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
    predicted as class j (rows: true class, columns: predicted class). A class that
    occurs nowhere keeps its row and column, full of zeros.
    """
    # Start from a (C, C) array of integer zeros and add 1 at [y_true[n], y_pred[n]] for
    # every sample n. A loop is fine; if you vectorise, make sure a pair that occurs
    # several times is counted several times.
    ### BEGIN SOLUTION
    counts = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts
    ### END SOLUTION


# %% [fixed_experiment]
def fixed_experiment(X_train, X_test, y_train, y_test):
    """buggy_experiment with its three causes of failure repaired.

    X_train: (N, 2) and X_test: (M, 2), the standardised disc set; y_train: (N,) and
    y_test: (M,) int labels, in the order load_task("disc", globals()) returns them.
    Trains the same 2 -> 25 -> 25 -> 25 -> 2 ReLU network with MSE, for the same number of
    epochs, with the same batch size and seeds.
    Returns (model, history, test_accuracy): the trained Sequential, the history dict that
    train returns, and the accuracy on the test set (a float in [0, 1]).
    """
    # Start from a copy of buggy_experiment and change only the lines at fault (three).
    ### BEGIN SOLUTION
    Y_train = one_hot(y_train, 2)            # (N, 2): each output gets its own target column
    model = build_model(EXPERIMENTS["disc"]["architecture"], seed=0)   # random He/Xavier weights
    history = train(model, MeanSquareError(), X_train, Y_train, epochs=100, batch_size=32, lr=0.05, seed=0)
    test_accuracy = accuracy(predict(model, X_test), y_test)
    return model, history, test_accuracy
    ### END SOLUTION
