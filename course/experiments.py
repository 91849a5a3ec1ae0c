"""The three experiments of the course: which network, which loss, which hyperparameters.

Notebook 08 and the instructor's results table (``python -m autograder results``) read
the same settings from here, so the figures they report are the same experiment.
``bar`` is the test accuracy the course promises on that task.
"""

__all__ = ["EXPERIMENTS"]


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
