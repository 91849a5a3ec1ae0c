"""The three experiments of the course: which network, which loss, which hyperparameters.

Notebook 08 and the instructor's results table (``python -m autograder results``) read
the same settings from here, so the figures they report are the same experiment.
``bar`` is the test accuracy the course promises on that task.
"""

from . import datasets

__all__ = ["EXPERIMENTS", "load_task", "targets_for"]


def _layers(sizes, hidden="relu", output="identity"):
    """[2, 32, 1] -> architecture dicts 2->32 (hidden activation) -> 1 (output activation)."""
    return [
        {"input_dim": d_in, "output_dim": d_out,
         "activation": output if i == len(sizes) - 2 else hidden}
        for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]))
    ]


EXPERIMENTS = {
    "two_moons": {
        "description": "two moons, 1000 points, noise 0.2, 80/20 split",
        "architecture": _layers([2, 32, 32, 1]),
        "loss": "SigmoidCrossEntropy",
        "epochs": 300,
        "batch_size": 32,
        "lr": 0.1,
        "bar": 0.95,
    },
    "disc": {
        "description": "disc set, 1000 train / 1000 test points, 2-25-25-25-2, MSE",
        "architecture": _layers([2, 25, 25, 25, 2]),
        "loss": "MeanSquareError",
        "epochs": 300,
        "batch_size": 16,
        "lr": 0.05,
        "bar": 0.97,
    },
    "digits": {
        "description": "8x8 digits, 10 classes, 80/20 split, softmax cross-entropy",
        "architecture": _layers([64, 128, 10]),
        "loss": "SoftmaxCrossEntropy",
        "epochs": 60,
        "batch_size": 32,
        "lr": 0.05,
        "bar": 0.96,
    },
}


def load_task(name, steps):
    """The standardised split of a task: X_train (N, D), X_test (M, D), y_train (N,), y_test (M,).

    steps: a mapping that holds notebook 01's ``train_test_split``, ``standardize`` and
    ``generate_disc_set`` (a notebook passes ``globals()``; the instructor's tools pass the
    reference), so the data are made by whichever version of those functions is in use.
    """
    if name == "disc":
        X_train, y_train = steps["generate_disc_set"](datasets.DISC_TRAIN_SAMPLES, datasets.DISC_TRAIN_SEED)
        X_test, y_test = steps["generate_disc_set"](datasets.DISC_TEST_SAMPLES, datasets.DISC_TEST_SEED)
    elif name in ("two_moons", "digits"):
        X, y = datasets.two_moons() if name == "two_moons" else datasets.digits()
        X_train, X_test, y_train, y_test = steps["train_test_split"](
            X, y, datasets.TEST_FRACTION, datasets.SPLIT_SEED)
    else:
        raise ValueError(f"unknown task {name!r}: one of {sorted(EXPERIMENTS)}")
    X_train, X_test = steps["standardize"](X_train, X_test)
    return X_train, X_test, y_train, y_test


def targets_for(name, y, one_hot):
    """Targets in the form task ``name``'s loss expects, for labels y: (N,).

    (N, 1) floats for a network with one logit, else one_hot(y, C): (N, C).
    """
    outputs = EXPERIMENTS[name]["architecture"][-1]["output_dim"]
    if outputs == 1:
        return y[:, None].astype(float)
    return one_hot(y, outputs)
