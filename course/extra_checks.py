"""Extra checks of the self-check: numerical gradient checks on fresh random inputs.

They run in the kernel of the student's executed notebook, on the classes and functions
the notebook defined (``namespace`` is its ``globals()``), after the notebook's own cells:
``report(assignment, globals(), seed)`` prints one line, ``MARKER`` followed by JSON, that
``course.selfcheck`` reads back. Each check is a function of (namespace, rng) that fails
by raising; the gradient comparisons are ``course.checks``'s.
"""

import json

import numpy as np

from . import checks

__all__ = ["MARKER", "EXTRA_CHECKS", "run", "report"]

MARKER = "course-selfcheck-extra:"


def _shape(rng, low=2, high=8):
    """A random non-square (N, D) pair of sizes."""
    n, d = rng.integers(low, high, 2)
    return int(n), int(d) + (n == d)


def _numerical_gradient(ns, rng):
    x = rng.standard_normal(_shape(rng))
    before = x.copy()
    gradient = ns["numerical_gradient"](lambda: float(np.sum(np.sin(x) * x**2)), x)
    assert np.array_equal(x, before), checks.mistake("x_not_restored")
    checks.check_close(f"numerical_gradient of sum(sin(x) x**2), x {x.shape}", gradient,
                       np.cos(x) * x**2 + 2 * x * np.sin(x))


def _linear(ns, rng):
    for n, (d_in, d_out) in ((int(rng.integers(3, 9)), _shape(rng)), (1, _shape(rng))):
        layer = ns["Linear"](d_in, d_out, rng=rng)
        layer.b = rng.standard_normal(d_out)
        checks.check_layer_gradients(layer, rng.standard_normal((n, d_in)), seed=int(rng.integers(1000)),
                                     verbose=False)


def _activation(*names):
    def check(ns, rng):
        for name in names:
            X = rng.standard_normal(_shape(rng))
            X = np.where(np.abs(X) < 1e-3, 0.5, X)          # away from ReLU's kink
            checks.check_layer_gradients(ns[name](), X, seed=int(rng.integers(1000)), verbose=False)
    return check


def _dropout(ns, rng):
    X = rng.standard_normal(_shape(rng, 4, 10))
    layer = ns["Dropout"](float(rng.uniform(0.2, 0.6)), rng=np.random.default_rng(int(rng.integers(1000))))
    checks.check_layer_gradients(layer, X, seed=int(rng.integers(1000)), verbose=False)


def _one_hot(rng, n, c):
    return np.eye(c)[rng.integers(0, c, n)]


def _mse(ns, rng):
    n, c = _shape(rng)
    checks.check_loss_gradient(ns["MeanSquareError"](), rng.standard_normal((n, c)),
                               rng.standard_normal((n, c)), verbose=False)


def _sigmoid_cross_entropy(ns, rng):
    n = int(rng.integers(3, 12))
    y = rng.integers(0, 2, (n, 1)).astype(float)
    checks.check_loss_gradient(ns["SigmoidCrossEntropy"](), y, 3 * rng.standard_normal((n, 1)), verbose=False)
    logits = np.array([[1000.0], [-1000.0], [0.0]])
    loss = ns["SigmoidCrossEntropy"]()
    checks.without_overflow("unstable_sigmoid", "SigmoidCrossEntropy at logits of +-1000",
                            lambda: (loss.forward(np.array([[0.0], [1.0], [1.0]]), logits), loss.backward()),
                            divide_key="log_of_probability")


def _softmax(ns, rng):
    n, c = _shape(rng)
    Z = 3 * rng.standard_normal((n, c)) + rng.normal(0.0, 500.0, (n, 1))
    P = checks.without_overflow("unstable_softmax", "softmax of scores of several hundred", ns["softmax"], Z)
    shifted = np.exp(Z - Z.max(axis=1, keepdims=True))
    checks.check_close(f"softmax of a ({n}, {c}) array", P, shifted / shifted.sum(axis=1, keepdims=True))


def _softmax_cross_entropy(ns, rng):
    n, c = _shape(rng)
    checks.check_loss_gradient(ns["SoftmaxCrossEntropy"](), _one_hot(rng, n, c),
                               3 * rng.standard_normal((n, c)), verbose=False)
    loss = ns["SoftmaxCrossEntropy"]()
    Z = 1000.0 * np.array([[1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    checks.without_overflow("unstable_softmax", "SoftmaxCrossEntropy at logits of +-1000",
                            lambda: (loss.forward(np.eye(3)[[0, 2]], Z), loss.backward()))


def _sequential(ns, rng):
    d_in, hidden = _shape(rng)
    model = ns["Sequential"](ns["Linear"](d_in, hidden, rng=rng), ns["Tanh"](),
                             ns["Linear"](hidden, int(rng.integers(2, 5)), rng=rng))
    checks.check_layer_gradients(model, rng.standard_normal((int(rng.integers(3, 9)), d_in)), verbose=False)


#: {assignment: [(test cell grade_id, what is checked, check)]}
EXTRA_CHECKS = {
    "04_backward": [
        ("test_numerical_gradient", "numerical_gradient on a fresh random x", _numerical_gradient),
        ("test_linear_backward", "Linear gradients on fresh random shapes (and a batch of 1)", _linear),
        ("test_relu_identity_backward", "ReLU and Identity gradients on fresh inputs",
         _activation("ReLU", "Identity")),
        ("test_sigmoid_tanh_backward", "Sigmoid and Tanh gradients on fresh inputs",
         _activation("Sigmoid", "Tanh")),
        ("test_dropout_backward", "Dropout gradients on fresh inputs", _dropout),
    ],
    "06_loss": [
        ("test_mean_square_error", "MeanSquareError gradient on fresh inputs", _mse),
        ("test_sigmoid_cross_entropy", "SigmoidCrossEntropy gradient, and logits of +-1000",
         _sigmoid_cross_entropy),
        ("test_softmax", "softmax of fresh scores of several hundred", _softmax),
        ("test_softmax_cross_entropy", "SoftmaxCrossEntropy gradient, and logits of +-1000",
         _softmax_cross_entropy),
    ],
    "07_modularization": [
        ("test_sequential", "Sequential gradients on a fresh random model", _sequential),
    ],
}


class _Defined(dict):
    """The notebook's namespace; a missing name fails with a sentence, not a KeyError."""

    def __missing__(self, name):
        raise NameError(f"the notebook does not define {name}: write it, and run every cell")


def run(assignment, namespace, seed):
    """[{"exercise", "check", "passed", "message"}] for the extra checks of ``assignment``."""
    results = []
    namespace = _Defined(namespace)
    for exercise, what, check in EXTRA_CHECKS.get(assignment, []):
        try:
            check(namespace, np.random.default_rng(seed))
            passed, message = True, ""
        except Exception as error:  # the student's code may raise anything
            passed, message = False, f"{type(error).__name__}: {error}"
        results.append({"exercise": exercise, "check": what, "passed": passed, "message": message})
    return results


def report(assignment, namespace, seed):
    """Print ``run``'s results as one line, MARKER then JSON (read by course.selfcheck)."""
    print(MARKER + json.dumps(run(assignment, namespace, seed)))
