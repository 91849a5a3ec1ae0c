"""Checks for the exercises: shapes, values and gradients, with messages a student can act on.

Every check raises ``AssertionError`` with a sentence that says what was expected, what
came out and where, and names the likely mistake when the pattern is a well-known one
(transposed weights, a missing 1/N, a sign flip). On success the gradient checks print a
one-line summary. Every check returns None, so that a check ending a notebook cell never
displays a number (nbgrader would read it as a partial score).

Gradients are compared by the relative error of the whole array,
``|a - b| / (|a| + |b|)`` (Euclidean norms), which must stay below ``GRADIENT_TOLERANCE``.
"""

import numpy as np

from .hints import explain

__all__ = [
    "GRADIENT_TOLERANCE",
    "relative_error",
    "check_shape",
    "check_close",
    "check_layer_gradients",
    "check_loss_gradient",
    "mistake",
    "rule_out",
    "without_overflow",
]

GRADIENT_TOLERANCE = 1e-7


def relative_error(a, b):
    """|a - b| / (|a| + |b|) over whole arrays (0.0 when both are zero). a, b: same shape."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / denominator)


def check_shape(name, array, expected_shape):
    """Fail unless ``array`` is a NumPy array of ``expected_shape`` (a tuple of ints)."""
    expected_shape = tuple(expected_shape)
    if not isinstance(array, np.ndarray):
        raise AssertionError(
            f"{name} should be a NumPy array of shape {expected_shape}, got {type(array).__name__}"
            + (" (did you forget a return statement?)" if array is None else "")
        )
    if array.shape != expected_shape:
        message = f"{name} has shape {array.shape}, expected {expected_shape}"
        if array.shape == expected_shape[::-1] and len(expected_shape) == 2:
            message += " (transposed). " + explain("transposed_weights")
        elif array.ndim == len(expected_shape) + 1 and array.shape[1:] == expected_shape:
            message += " (one row per sample). " + explain("not_summed_over_batch")
        elif array.size == int(np.prod(expected_shape)):
            message += " (same number of entries: a reshape or a missing axis somewhere?)"
        raise AssertionError(message)


def _likely_mistake(actual, expected, batch_size=None):
    """Name a known mistake when ``actual`` is a simple transform of ``expected``, else ''."""
    if actual.shape != expected.shape or not np.any(expected):
        return ""
    close = lambda a, b: relative_error(a, b) < 1e-6  # noqa: E731
    if close(actual, -expected):
        return " The sign is flipped everywhere. " + explain("sign_flip")
    if batch_size and batch_size > 1:
        if close(actual, expected * batch_size):
            return f" It is {batch_size} (the batch size) times too large. " + explain("missing_mean")
        if close(actual, expected / batch_size):
            return f" It is {batch_size} (the batch size) times too small. " + explain("extra_mean")
    for factor, words in ((2.0, "twice"), (0.5, "half")):
        if close(actual, expected * factor):
            return f" It is {words} the expected value: a factor 2 in the derivative?"
    if actual.ndim == 2 and actual.shape[0] == actual.shape[1] and close(actual, expected.T):
        return " It is the transpose of the expected array. " + explain("transposed_weights")
    return ""


def check_close(name, actual, expected, tolerance=GRADIENT_TOLERANCE, batch_size=None):
    """Fail unless ``actual`` has the shape of ``expected`` and a relative error below
    ``tolerance``. The message gives the largest entry-wise difference and its index.
    batch_size: the N of the computation, to recognise a missing or extra 1/N.

    Returns None: a check that ends a notebook cell must not display a number, which
    nbgrader would read as a partial score.
    """
    _compare(name, actual, expected, tolerance, batch_size)


def _compare(name, actual, expected, tolerance, batch_size):
    """check_close's work; returns the relative error."""
    expected = np.asarray(expected, dtype=np.float64)
    check_shape(name, actual, expected.shape)
    if not np.all(np.isfinite(actual)):
        index = np.unravel_index(np.argmax(~np.isfinite(actual)), actual.shape)
        raise AssertionError(
            f"{name} contains {actual[index]} at {name}{[int(i) for i in index]}: overflow or a division by "
            "zero? (exp of a large number overflows; shift or clip before taking exp)"
        )
    error = relative_error(actual, expected)
    if error >= tolerance:
        difference = np.abs(np.asarray(actual, dtype=np.float64) - expected)
        index = np.unravel_index(np.argmax(difference), difference.shape) if difference.ndim else ()
        where = f"{name}{[int(i) for i in index]}" if index else name
        raise AssertionError(
            f"{name} is wrong: relative error {error:.2e} (must be below {tolerance:.0e}); largest "
            f"difference at {where}: got {actual[index]:.6g}, expected {expected[index]:.6g}."
            + _likely_mistake(np.asarray(actual, dtype=np.float64), expected, batch_size)
        )
    return error


def _central_differences(f, x, eps=1e-6):
    """The checker's own finite differences: gradient of scalar f() w.r.t. array x (in place)."""
    gradient = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        above = f()
        x[index] = saved - eps
        below = f()
        x[index] = saved
        gradient[index] = (above - below) / (2.0 * eps)
    return gradient


def _repeatable(layer):
    """A function that rewinds the layer's random generator (dropout), so forward repeats."""
    rng = getattr(layer, "rng", None)
    if not isinstance(rng, np.random.Generator):
        return lambda: None
    state = rng.bit_generator.state
    return lambda: setattr(rng.bit_generator, "state", state)


def check_layer_gradients(layer, X, *, seed=0, tolerance=GRADIENT_TOLERANCE, verbose=True):
    """Compare a layer's backward with finite differences of its forward.

    layer: any object with forward(X) and backward(dA); parameters named W and b with
    gradients dW and db are checked too. X: (N, in_features) float64.
    The scalar checked is L = sum(forward(X) * G) for a fixed random G of the output's
    shape, so dL/dA = G is what backward receives.
    With verbose, prints the relative error of each gradient. Returns None.
    """
    name = type(layer).__name__
    X = np.array(X, dtype=np.float64)
    rewind = _repeatable(layer)
    rewind()
    A = layer.forward(X)
    if not isinstance(A, np.ndarray):
        raise AssertionError(f"{name}.forward returned {type(A).__name__}, expected a NumPy array")
    G = np.random.default_rng(seed).standard_normal(A.shape)
    dX = layer.backward(G.copy())
    check_shape(f"{name}.backward's result dX", dX, X.shape)
    analytic = {"dX": np.array(dX, dtype=np.float64)}
    parameters = [p for p in ("W", "b") if isinstance(getattr(layer, p, None), np.ndarray)]
    for p in parameters:
        gradient = getattr(layer, "d" + p, None)
        check_shape(f"{name}.d{p}", gradient, getattr(layer, p).shape)
        analytic["d" + p] = np.array(gradient, dtype=np.float64)

    def scalar():
        rewind()
        return float(np.sum(layer.forward(X) * G))

    numeric = {"dX": _central_differences(scalar, X)}
    for p in parameters:
        numeric["d" + p] = _central_differences(scalar, getattr(layer, p))
    errors = {
        key: _compare(f"{name} {key}", analytic[key], numeric[key], tolerance, batch_size=X.shape[0])
        for key in analytic
    }
    if verbose:
        summary = ", ".join(f"{key} {error:.1e}" for key, error in errors.items())
        print(f"{name} gradients match finite differences (relative errors: {summary})")


def check_loss_gradient(loss, y, y_hat, *, tolerance=GRADIENT_TOLERANCE, verbose=True):
    """Compare loss.backward() with finite differences of loss.forward(y, y_hat).

    y: targets, y_hat: network outputs (N, C). With verbose, prints the relative error.
    Returns None.
    """
    name = type(loss).__name__
    y_hat = np.array(y_hat, dtype=np.float64)
    value = loss.forward(y, y_hat)
    if not isinstance(value, (float, np.floating)) or np.ndim(value) != 0:
        raise AssertionError(f"{name}.forward should return one float, got {value!r}")
    analytic = loss.backward()
    check_shape(f"{name}.backward's result", analytic, y_hat.shape)
    numeric = _central_differences(lambda: float(loss.forward(y, y_hat)), y_hat)
    error = _compare(f"{name} gradient", analytic, numeric, tolerance, batch_size=y_hat.shape[0])
    if verbose:
        print(f"{name} gradient matches finite differences (relative error {error:.1e})")


def mistake(key):
    """The failure message for the known mistake ``key`` of course.hints, for an ``assert``:
    ``assert np.array_equal(X_batch[:, 0], Y_batch), checks.mistake("shuffled_apart")``."""
    return explain(key)


def rule_out(key, name, actual, mistaken):
    """Fail, naming mistake ``key`` (course.hints), when ``actual`` equals ``mistaken``: what
    that mistake gives on the check's inputs (same shape, np.allclose). Returns None.

    Call it before the value check, with inputs on which the right answer differs.
    """
    actual = np.asarray(actual)
    mistaken = np.asarray(mistaken, dtype=np.float64)
    if actual.shape == mistaken.shape and np.issubdtype(actual.dtype, np.number) \
            and np.allclose(actual, mistaken):
        raise AssertionError(f"{name} is exactly what the mistake below gives. {explain(key)}")


def without_overflow(key, name, function, *args):
    """Return ``function(*args)``, computed with NumPy raising on overflow, division by zero
    and invalid values; fail naming mistake ``key`` (course.hints) when any happens.

    name: what is computed, e.g. "softmax([[1000, 0, -1000]])".
    """
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return function(*args)
    except FloatingPointError as error:
        raise AssertionError(f"{name} overflowed ({error}). {explain(key)}") from None
