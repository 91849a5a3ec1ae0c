"""Probes of notebook 06 (losses): MeanSquareError, SigmoidCrossEntropy, softmax and
SoftmaxCrossEntropy.

forward must return a float (``isinstance(value, float)``, recorded in the kernel; a NumPy
float64 is one); its value and the gradient of backward() are compared with the reference's.
The logits of +-1000 run with NumPy raising on overflow.
"""

import numpy as np

from .kernel import exact, overflows


def _loss(ns, name, y, y_hat, label, values):
    """Record forward's type and value and backward's gradient of loss ``name`` under ``label``."""
    loss = ns[name]()
    result, overflowed = overflows(lambda: (loss.forward(y, y_hat), loss.backward()))
    values[f"{name} overflowed on {label}"] = overflowed
    if overflowed:
        return
    value, gradient = result
    values[f"{name}.forward returns a float on {label}"] = isinstance(value, float)
    values[f"{name}.forward on {label}"] = float(value)
    values[f"{name}.backward() on {label}"] = gradient


def probe_mean_square_error(ns, rng):
    """forward(y, y_hat) and backward() on (N, C) batches (7, 3), (1, 5), (12, 1)."""
    values = {}
    for n, c in [(7, 3), (1, 5), (12, 1)]:
        _loss(
            ns,
            "MeanSquareError",
            rng.standard_normal((n, c)),
            rng.standard_normal((n, c)),
            f"a ({n}, {c}) batch",
            values,
        )
    return values


def probe_sigmoid_cross_entropy(ns, rng):
    """forward(y, z) and backward() on (N, 1) batches of 9, 1, 16; logits of +-1000."""
    values = {}
    for n in (9, 1, 16):
        _loss(
            ns,
            "SigmoidCrossEntropy",
            rng.integers(0, 2, (n, 1)).astype(float),
            3 * rng.standard_normal((n, 1)),
            f"{n} samples",
            values,
        )
    _loss(
        ns,
        "SigmoidCrossEntropy",
        np.array([[0.0], [1.0], [1.0], [0.0], [1.0]]),
        np.array([[1000.0], [1000.0], [-1000.0], [-1000.0], [0.0]]),
        "logits of +-1000",
        values,
    )
    return values


def probe_softmax(ns, rng):
    """softmax(Z) for Z: (6, 5), (1, 7), (9, 2), Z shifted per row by a few hundred, and +-1000."""
    values = {}
    for n, c in [(6, 5), (1, 7), (9, 2)]:
        Z = 4 * rng.standard_normal((n, c))
        values[f"softmax of a ({n}, {c}) array"] = ns["softmax"](Z)
        values[exact(f"Z after softmax, ({n}, {c})")] = Z
        shifted = Z + rng.normal(0.0, 300.0, (n, 1))
        P, overflowed = overflows(ns["softmax"], shifted)
        values[f"softmax overflowed on scores of a few hundred, ({n}, {c})"] = overflowed
        if not overflowed:
            values[f"softmax of Z + a constant per row, ({n}, {c})"] = P
    P, overflowed = overflows(ns["softmax"], np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]]))
    values["softmax overflowed on scores of +-1000"] = overflowed
    if not overflowed:
        values["softmax of scores of +-1000"] = P
    return values


def probe_softmax_cross_entropy(ns, rng):
    """forward(Y, Z) and backward() on (N, C) batches, classes absent, and logits of +-1000."""
    values = {}
    cases = [
        (7, 4, rng.integers(0, 4, 7)),
        (1, 6, np.array([5])),
        (5, 2, rng.integers(0, 2, 5)),
        (5, 4, np.array([0, 2, 0, 2, 2])),
    ]
    for n, c, labels in cases:
        _loss(
            ns,
            "SoftmaxCrossEntropy",
            np.eye(c)[labels],
            3 * rng.standard_normal((n, c)),
            f"a ({n}, {c}) batch with labels {labels.tolist()}",
            values,
        )
    for scale in (1000.0, -1000.0):
        _loss(
            ns,
            "SoftmaxCrossEntropy",
            np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
            scale * np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.001]]),
            f"logits of {scale:+.0f}",
            values,
        )
    return values


PROBES = {
    "test_mean_square_error": probe_mean_square_error,
    "test_sigmoid_cross_entropy": probe_sigmoid_cross_entropy,
    "test_softmax": probe_softmax,
    "test_softmax_cross_entropy": probe_softmax_cross_entropy,
}
