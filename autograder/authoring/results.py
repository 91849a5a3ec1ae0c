"""Train the reference network on the course's three tasks and report test accuracies,
beside scikit-learn's MLPClassifier trained on the same split.

Run as ``python -m autograder results``.
"""

import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from autograder import reference as ref
from course import experiments
from course.experiments import EXPERIMENTS


def load_task(name):
    """The task's standardised split, made with the reference (see course.experiments.load_task)."""
    return experiments.load_task(name, vars(ref))


def targets_for(name, y):
    return experiments.targets_for(name, y, ref.one_hot)


def run_reference(name, seed=0):
    """Train the reference on task ``name``. Returns {"accuracy", "history", "seconds"}."""
    experiment = EXPERIMENTS[name]
    X_train, X_test, y_train, y_test = load_task(name)
    model = ref.build_model(experiment["architecture"], seed=seed)
    loss_fn = getattr(ref, experiment["loss"])()
    start = time.perf_counter()
    history = ref.train(model, loss_fn, X_train, targets_for(name, y_train),
                        epochs=experiment["epochs"], batch_size=experiment["batch_size"],
                        lr=experiment["lr"], seed=seed,
                        X_val=X_test, Y_val=targets_for(name, y_test))
    seconds = time.perf_counter() - start
    accuracy = ref.accuracy(ref.predict(model, X_test), y_test)
    return {"accuracy": accuracy, "history": history, "seconds": seconds}


def run_sklearn(name, seed=0):
    """scikit-learn's MLPClassifier with the same hidden layers on the same split."""
    experiment = EXPERIMENTS[name]
    X_train, X_test, y_train, y_test = load_task(name)
    hidden = tuple(layer["output_dim"] for layer in experiment["architecture"][:-1])
    classifier = MLPClassifier(hidden, max_iter=2000, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(X_train, y_train)
    return float(classifier.score(X_test, y_test))


def add_arguments(parser):
    """The command has no options (``--help`` only)."""


def run(options):
    """Print the table of test accuracies. Returns 0 when every bar is met, else 1."""
    print(f"{'task':<10} {'reference':>10} {'sklearn MLP':>12} {'bar':>6} {'train s':>8}  description")
    failures = 0
    for name, experiment in EXPERIMENTS.items():
        ours = run_reference(name)
        theirs = run_sklearn(name)
        met = ours["accuracy"] >= experiment["bar"] and ours["accuracy"] >= theirs - 0.01
        failures += not met
        print(f"{name:<10} {ours['accuracy']:>9.1%} {theirs:>11.1%} {experiment['bar']:>6.0%} "
              f"{ours['seconds']:>8.2f}  {experiment['description']}{'' if met else '  (BAR MISSED)'}")
    return 1 if failures else 0
