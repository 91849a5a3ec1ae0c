"""The hidden reference solution of every exercise of the course, one module per notebook.

Never shipped to students. ``python -m autograder sync`` writes each solution block of these
modules into the matching solution cell of ``source/`` and into the ``previous_steps.py``
files that later notebooks run on.
"""

from .backward import numerical_gradient
from .data_prep import generate_disc_set, iterate_minibatches, one_hot, standardize, train_test_split
from .forward import Dropout, Identity, ReLU, Sigmoid, Tanh, tiny_net_forward
from .initialization import initialize_parameters
from .loss import MeanSquareError, SigmoidCrossEntropy, SoftmaxCrossEntropy, softmax
from .modularization import (
    Sequential,
    backward_propagation,
    build_model,
    fit_parameters,
    forward_propagation,
    labels_from_scores,
    train,
    update_parameters,
)
from .prediction import accuracy, confusion_matrix, predict
from .update import Linear  # the class of notebook 02 with every method added up to notebook 05

__all__ = [
    "one_hot", "standardize", "train_test_split", "iterate_minibatches", "generate_disc_set",
    "Linear", "initialize_parameters",
    "ReLU", "Sigmoid", "Tanh", "Identity", "Dropout", "tiny_net_forward",
    "numerical_gradient",
    "MeanSquareError", "SigmoidCrossEntropy", "SoftmaxCrossEntropy", "softmax",
    "Sequential", "build_model", "labels_from_scores", "train",
    "forward_propagation", "backward_propagation", "update_parameters", "fit_parameters",
    "predict", "accuracy", "confusion_matrix",
]
