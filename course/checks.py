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
from .i18n import message

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
    "check_inputs_unchanged",
    "check_uses_rng",
    "check_uses_seed",
    "check_weight_std",
    "check_modes",
    "TrainingSpy",
    "check_training_loop",
    "recording_calls",
    "check_dictionary",
    "using_course_steps",
    "message",
    "passed",
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


def passed(name):
    """Print the line that ends a test cell's visible part: "{name}: visible checks passed".
    The test cells write their other sentences with ``message`` (course.i18n), keyed
    ``test.<grade_id>.<what>``."""
    print(message("check.visible_checks_passed", "{name}: visible checks passed", name=name))


def check_shape(name, array, expected_shape):
    """Fail unless ``array`` is a NumPy array of ``expected_shape`` (a tuple of ints)."""
    expected_shape = tuple(expected_shape)
    if not isinstance(array, np.ndarray):
        raise AssertionError(
            message("check.not_an_array", "{name} should be a NumPy array of shape {expected}, got {kind}",
                    name=name, expected=expected_shape, kind=type(array).__name__)
            + (message("check.forgot_return", " (did you forget a return statement?)")
               if array is None else "")
        )
    if array.shape != expected_shape:
        text = message("check.shape_mismatch", "{name} has shape {shape}, expected {expected}",
                       name=name, shape=array.shape, expected=expected_shape)
        if array.shape == expected_shape[::-1] and len(expected_shape) == 2:
            text += message("check.shape_transposed", " (transposed). ") + explain("transposed_weights")
        elif array.ndim == len(expected_shape) + 1 and array.shape[1:] == expected_shape:
            text += message("check.shape_per_sample", " (one row per sample). ") \
                + explain("not_summed_over_batch")
        elif array.size == int(np.prod(expected_shape)):
            text += message("check.shape_same_size",
                            " (same number of entries: a reshape or a missing axis somewhere?)")
        raise AssertionError(text)


def _likely_mistake(actual, expected, batch_size=None):
    """Name a known mistake when ``actual`` is a simple transform of ``expected``, else ''."""
    if actual.shape != expected.shape or not np.any(expected):
        return ""
    close = lambda a, b: relative_error(a, b) < 1e-6  # noqa: E731
    if close(actual, -expected):
        return message("check.sign_flipped", " The sign is flipped everywhere. ") + explain("sign_flip")
    if batch_size and batch_size > 1:
        if close(actual, expected * batch_size):
            return message("check.batch_too_large", " It is {n} (the batch size) times too large. ",
                           n=batch_size) + explain("missing_mean")
        if close(actual, expected / batch_size):
            return message("check.batch_too_small", " It is {n} (the batch size) times too small. ",
                           n=batch_size) + explain("extra_mean")
    if close(actual, expected * 2.0):
        return message("check.twice", " It is twice the expected value: a factor 2 in the derivative?")
    if close(actual, expected * 0.5):
        return message("check.half", " It is half the expected value: a factor 2 in the derivative?")
    if actual.ndim == 2 and actual.shape[0] == actual.shape[1] and close(actual, expected.T):
        return message("check.transpose_of_expected", " It is the transpose of the expected array. ") \
            + explain("transposed_weights")
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
        raise AssertionError(message(
            "check.not_finite", "{name} contains {value} at {name}{index}: a division by zero (0 / 0, "
            "x / 0) or an overflow (exp of a large number) made it",
            name=name, value=actual[index], index=[int(i) for i in index]))
    error = relative_error(actual, expected)
    if error >= tolerance:
        difference = np.abs(np.asarray(actual, dtype=np.float64) - expected)
        index = np.unravel_index(np.argmax(difference), difference.shape) if difference.ndim else ()
        where = f"{name}{[int(i) for i in index]}" if index else name
        raise AssertionError(
            message("check.values_differ", "{name} is wrong: relative error {error:.2e} (must be below "
                    "{tolerance:.0e}); largest difference at {where}: got {got:.6g}, expected {want:.6g}.",
                    name=name, error=error, tolerance=tolerance, where=where, got=actual[index],
                    want=expected[index])
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
        raise AssertionError(message("check.forward_not_array", "{name}.forward returned {kind}, expected a "
                                     "NumPy array", name=name, kind=type(A).__name__))
    G = np.random.default_rng(seed).standard_normal(A.shape)
    dX = layer.backward(G.copy())
    check_shape(message("check.backward_dX", "{name}.backward's result dX", name=name), dX, X.shape)
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
        print(message("check.layer_gradients_ok", "{name} gradients match finite differences (relative "
                      "errors: {summary})", name=name, summary=summary))


def check_loss_gradient(loss, y, y_hat, *, tolerance=GRADIENT_TOLERANCE, verbose=True):
    """Compare loss.backward() with finite differences of loss.forward(y, y_hat).

    y: targets, y_hat: network outputs (N, C). With verbose, prints the relative error.
    Returns None.
    """
    name = type(loss).__name__
    y_hat = np.array(y_hat, dtype=np.float64)
    value = loss.forward(y, y_hat)
    if not isinstance(value, (float, np.floating)) or np.ndim(value) != 0:
        raise AssertionError(message("check.loss_not_float", "{name}.forward should return one float, got "
                                     "{value!r}", name=name, value=value))
    analytic = loss.backward()
    check_shape(message("check.backward_result", "{name}.backward's result", name=name), analytic,
                y_hat.shape)
    numeric = _central_differences(lambda: float(loss.forward(y, y_hat)), y_hat)
    error = _compare(message("check.loss_gradient_name", "{name} gradient", name=name), analytic, numeric,
                     tolerance, batch_size=y_hat.shape[0])
    if verbose:
        print(message("check.loss_gradient_ok", "{name} gradient matches finite differences (relative error "
                      "{error:.1e})", name=name, error=error))


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
        raise AssertionError(message("check.ruled_out", "{name} is exactly what the mistake below gives. ",
                                     name=name) + explain(key))


def without_overflow(key, name, function, *args, divide_key=None):
    """Return ``function(*args)``, computed with NumPy raising on overflow, division by zero
    and invalid values; fail naming mistake ``key`` (course.hints) when any happens, or
    ``divide_key`` (when given) for a division by zero, such as the log of 0.

    name: what is computed, e.g. "softmax([[1000, 0, -1000]])".
    """
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return function(*args)
    except FloatingPointError as error:
        if divide_key and "divide by zero" in str(error):
            raise AssertionError(message("check.divided_by_zero", "{name} divided by zero ({error}). ",
                                         name=name, error=error) + explain(divide_key)) from None
        raise AssertionError(message("check.overflowed", "{name} overflowed ({error}). ", name=name,
                                     error=error) + explain(key)) from None


def _copies(values):
    """Deep copies of the NumPy arrays among ``values`` (the rest as they are)."""
    return [np.array(value, copy=True) if isinstance(value, np.ndarray) else value for value in values]


def check_inputs_unchanged(name, function, *arguments):
    """Return ``function(*arguments)``; fail, naming mistake "input_changed", when the call
    changed any array among ``arguments`` in place (the course's functions and layers return
    new arrays and leave their inputs alone).

    name: the call, e.g. "ReLU().forward(Z)". arguments: arrays of any shape, or other values.
    """
    before = _copies(arguments)
    result = function(*arguments)
    for position, (now, was) in enumerate(zip(arguments, before)):
        if isinstance(was, np.ndarray) and not np.array_equal(now, was, equal_nan=True):
            changed = np.flatnonzero(np.asarray(now) != was)
            where = message("check.first_changed", " (first at flat index {index})", index=int(changed[0])) \
                if changed.size else ""
            raise AssertionError(message("check.input_changed", "{name} changed its argument number "
                                         "{number} in place{where}. ", name=name, number=position + 1,
                                         where=where)
                                 + explain("input_changed"))
    return result


def _global_state():
    return np.random.get_state(legacy=False)


def _same_state(a, b):
    return (a["state"]["key"].tobytes() == b["state"]["key"].tobytes()
            and a["state"]["pos"] == b["state"]["pos"] and a["has_gauss"] == b["has_gauss"])


def _as_arrays(result):
    """The arrays of a result (an array, or a tuple / list / dict of them), in order."""
    if isinstance(result, dict):
        return [np.asarray(value) for _, value in sorted(result.items())]
    if isinstance(result, (tuple, list)):
        return [np.asarray(value) for value in result]
    return [np.asarray(result)]


def _equal(first, second):
    return len(first) == len(second) and all(a.shape == b.shape and np.array_equal(a, b)
                                             for a, b in zip(first, second))


def check_uses_rng(name, call, values=_as_arrays, seed=1234):
    """Fail unless ``call(rng)`` draws its randomness from the generator ``rng`` it is given
    and from nothing else: NumPy's global generator is left alone (mistake
    "global_generator"), two equal generators give equal results and the given generator
    moves on (mistake "rng_ignored"). Returns the result of the first call.

    name: what is called, e.g. "Linear(30, 20, rng=rng)". values: the arrays of a result to
    compare (default: the result itself, or the arrays of a tuple or dict).
    """
    state = _global_state()
    rng = np.random.default_rng(seed)
    start = rng.bit_generator.state
    result = call(rng)
    if not _same_state(state, _global_state()):
        raise AssertionError(message("check.global_generator", "{name} drew from NumPy's global generator "
                                     "(np.random.<function>). ", name=name) + explain("global_generator"))
    if rng.bit_generator.state == start:
        raise AssertionError(message("check.rng_unused", "{name} did not draw anything from the rng it was "
                                     "given. ", name=name) + explain("rng_ignored"))
    if not _equal(values(result), values(call(np.random.default_rng(seed)))):
        raise AssertionError(message("check.rng_not_repeatable", "two calls of {name} with generators seeded "
                                     "alike gave different results. ", name=name) + explain("rng_ignored"))
    return result


def check_uses_seed(name, call, values=_as_arrays, seed=1234):
    """Fail unless ``call(seed)`` is random through the seed alone: NumPy's global generator
    is left alone (mistake "global_generator"), the same seed gives the same result and
    another seed another (mistake "rng_ignored"). Returns the result for ``seed``.
    """
    state = _global_state()
    result = call(seed)
    if not _same_state(state, _global_state()):
        raise AssertionError(message("check.global_generator", "{name} drew from NumPy's global generator "
                                     "(np.random.<function>). ", name=name) + explain("global_generator"))
    if not _equal(values(result), values(call(seed))):
        raise AssertionError(message("check.seed_not_repeatable", "two calls of {name} with the same seed "
                                     "gave different results. ", name=name) + explain("rng_ignored"))
    if _equal(values(result), values(call(seed + 1))):
        raise AssertionError(message("check.seed_ignored", "{name} gave the same result for seeds {seed} "
                                     "and {next}. ", name=name, seed=seed, next=seed + 1)
                             + explain("rng_ignored"))
    return result


#: Standard deviations that initialisations written wrongly give: (formula, std(n_in, n_out), hint key).
WRONG_SCALES = (
    ("sqrt(2 / out_features)", lambda n_in, n_out: np.sqrt(2 / n_out), "he_wrong_fan"),
    ("sqrt(1 / (in + out))", lambda n_in, n_out: np.sqrt(1 / (n_in + n_out)), "xavier_wrong"),
    ("sqrt(1 / in_features)", lambda n_in, n_out: np.sqrt(1 / n_in), "init_unscaled"),
    ("sqrt(2 / in_features), He's scale", lambda n_in, n_out: np.sqrt(2 / n_in), "init_scheme_swapped"),
    ("sqrt(2 / (in + out)), Xavier's scale", lambda n_in, n_out: np.sqrt(2 / (n_in + n_out)),
     "init_scheme_swapped"),
    ("2 / in_features (a variance, not a std)", lambda n_in, n_out: 2 / n_in, "init_unscaled"),
    ("1 (no scaling)", lambda n_in, n_out: 1.0, "init_unscaled"),
)


def check_weight_std(name, W, expected, formula, tolerance=0.05):
    """Fail unless the standard deviation of the weights ``W`` (n_in, n_out), a large draw,
    is within ``tolerance`` (relative) of ``expected``, the std the rule ``formula`` gives;
    name the scale it looks like instead. Returns None."""
    n_in, n_out = W.shape
    std = float(np.std(W))
    if abs(std / expected - 1) < tolerance:
        return
    text = message("check.weight_std", "the std of W for {name} is {std:.4f}, expected {expected:.4f} "
                   "({formula})", name=name, std=std, expected=expected, formula=formula)
    for wrong, scale, key in WRONG_SCALES:
        wrong_std = scale(n_in, n_out)
        if abs(wrong_std / expected - 1) > tolerance and abs(std / wrong_std - 1) < tolerance:
            text += message("check.weight_std_looks_like", ": it looks like {wrong}. ", wrong=wrong) \
                + explain(key)
            break
    raise AssertionError(text)


def check_modes(model, name="the model"):
    """Fail unless ``model.train()`` and ``model.eval()`` return the model and set the
    ``training`` flag of the model itself and of every layer in ``model.layers``."""
    for switch, flag in (("eval", False), ("train", True), ("eval", False)):
        returned = getattr(model, switch)()
        if returned is not model:
            raise AssertionError(message("check.mode_returned", "{name}.{switch}() returned {kind}, expected "
                                         "the model itself. ", name=name, switch=switch,
                                         kind=type(returned).__name__)
                                 + explain("mode_switch"))
        flags = [getattr(layer, "training", None) for layer in model.layers]
        if getattr(model, "training", None) is not flag or any(f is not flag for f in flags):
            raise AssertionError(message("check.mode_flags", "after {name}.{switch}() the model's training "
                                         "flag is {model_flag} and its layers' are {flags}: all should be "
                                         "{flag}. ", name=name, switch=switch, flags=flags, flag=flag,
                                         model_flag=getattr(model, "training", None))
                                 + explain("mode_switch"))


class TrainingSpy:
    """A model for checking a training loop: the fixed linear map X @ W, W: (D, C), that
    writes down in ``calls`` what the loop did with it, in order: ("forward", training
    flag, a copy of X), ("backward",), ("update",), ("train",), ("eval",), ("zero_grad",).
    Its update changes nothing, so every epoch sees the same model."""

    def __init__(self, W):
        self.W, self.training, self.calls, self.layers = W, True, [], []

    def forward(self, X):
        self.calls.append(("forward", self.training, np.array(X, copy=True)))
        return X @ self.W

    def backward(self, dA):
        self.calls.append(("backward",))
        return dA @ self.W.T

    def update(self, lr):
        self.calls.append(("update",))

    def zero_grad(self):
        self.calls.append(("zero_grad",))

    def parameters(self):
        return []

    def train(self):
        self.calls.append(("train",))
        self.training = True
        return self

    def eval(self):
        self.calls.append(("eval",))
        self.training = False
        return self

    def forwards(self, validation):
        """[(training flag, X)] of the forward calls on validation data (column 0 >= 100) or on
        training data."""
        return [(flag, X) for kind, *rest in self.calls if kind == "forward"
                for flag, X in [rest] if (X[:, 0].min() >= 100) == validation]


def _spy_data(rng, n, offset=0.0):
    """X: (n, 3) whose column 0 numbers the rows (from ``offset``), Y: (n, 2) of spread sizes."""
    X = np.column_stack([offset + np.arange(n), rng.standard_normal((n, 2))])
    return X, rng.standard_normal((n, 2)) * np.linspace(0.2, 3.0, n)[:, None]


def check_training_loop(train, loss_fn, *, epochs=3, batch_size=5, n=23, seed=3):
    """Fail unless ``train(model, loss_fn, X, Y, epochs=, batch_size=, lr=, seed=, X_val=,
    Y_val=)`` keeps the training loop's contract, run on a TrainingSpy: one model.update per
    mini-batch (the last partial one included), every mini-batch in training mode and every
    validation in evaluation mode, a new batch order every epoch from one generator for the
    run (NumPy's global generator untouched), the same run for the same seed, and the epoch's
    loss the mean over its n samples. loss_fn: a loss object (MeanSquareError()). Returns None.
    """
    rng = np.random.default_rng(705)
    X, Y = _spy_data(rng, n)
    X_val, Y_val = _spy_data(rng, 7, offset=100.0)
    W = rng.standard_normal((3, 2))
    spy = TrainingSpy(W)
    state = _global_state()
    history = train(spy, loss_fn, X, Y, epochs=epochs, batch_size=batch_size, lr=0.1, seed=seed,
                    X_val=X_val, Y_val=Y_val)
    if not _same_state(state, _global_state()):
        raise AssertionError(message("check.train_global_generator", "train drew from NumPy's global "
                                     "generator. ") + explain("global_generator"))
    batches = -(-n // batch_size)
    updates = sum(call[0] == "update" for call in spy.calls)
    if updates != epochs * batches:
        raise AssertionError(message("check.update_count", "model.update was called {updates} times in "
                                     "{epochs} epochs of {n} samples in batches of {batch_size}: expected "
                                     "{epochs} x {batches} = {expected}. ", updates=updates, epochs=epochs,
                                     n=n, batch_size=batch_size, batches=batches, expected=epochs * batches)
                             + explain("update_per_batch"))
    training, validation = spy.forwards(validation=False), spy.forwards(validation=True)
    if len(validation) != epochs:
        raise AssertionError(message("check.validation_count", "{count} forward passes on the validation "
                                     "data in {epochs} epochs, expected one per epoch", count=len(validation),
                                     epochs=epochs))
    if any(flag for flag, _ in validation):
        raise AssertionError(message("check.validation_in_training", "the model was in training mode during "
                                     "validation. ") + explain("dropout_at_eval"))
    if not all(flag for flag, _ in training):
        raise AssertionError(message("check.batches_in_eval", "some mini-batches ran in evaluation mode. ")
                             + explain("train_mode_not_restored"))
    orders = [np.concatenate([X_seen[:, 0] for _, X_seen in training[e * batches:(e + 1) * batches]])
              for e in range(epochs)]
    if any(sorted(order) != list(range(n)) for order in orders):
        raise AssertionError(message("check.epoch_coverage", "an epoch did not see each of the {n} samples "
                                     "exactly once", n=n))
    if any(np.array_equal(orders[0], order) for order in orders[1:]):
        raise AssertionError(message("check.same_order", "every epoch went through the mini-batches in the "
                                     "same order. ") + explain("new_generator_per_epoch"))
    again = TrainingSpy(W)
    train(again, loss_fn, X, Y, epochs=epochs, batch_size=batch_size, lr=0.1, seed=seed,
          X_val=X_val, Y_val=Y_val)
    repeated = [X_seen[:, 0] for _, X_seen in again.forwards(validation=False)]
    if len(repeated) != len(training) or not all(np.array_equal(a, X_seen[:, 0])
                                                 for a, (_, X_seen) in zip(repeated, training)):
        raise AssertionError(message("check.runs_differ", "two runs with seed={seed} went through different "
                                     "batch orders: make one np.random.default_rng(seed) for the run. ",
                                     seed=seed)
                             + explain("rng_ignored"))
    expected = float(np.mean((X @ W - Y) ** 2)) if type(loss_fn).__name__ == "MeanSquareError" else None
    losses = history.get("loss") if isinstance(history, dict) else None
    if expected is not None and losses is not None and len(losses) == epochs:
        means = [np.mean([np.mean((X_seen @ W - Y[X_seen[:, 0].astype(int)]) ** 2)
                          for _, X_seen in training[e * batches:(e + 1) * batches]]) for e in range(epochs)]
        for epoch, value in enumerate(losses):
            if abs(value - expected) > 1e-10 * max(1.0, abs(expected)):
                mistaken = abs(value - means[epoch]) < 1e-10 * max(1.0, abs(expected))
                raise AssertionError(
                    message("check.epoch_loss", "history['loss'][{epoch}] is {value:.6g} for a model that "
                            "does not change, expected the mean loss over the {n} samples, {expected:.6g}.",
                            epoch=epoch, value=value, n=n, expected=expected)
                    + (" " + explain("unweighted_epoch_loss") if mistaken else ""))


class recording_calls:
    """``with checks.recording_calls(globals(), "train") as calls:`` replaces the function
    ``name`` of a namespace by one that writes down the arguments of every call (a dict of
    all parameters, defaults included) in ``calls``, and puts the original back at the end."""

    def __init__(self, namespace, name):
        self.namespace, self.name, self.calls = namespace, name, []

    def __enter__(self):
        import inspect

        original = self.original = self.namespace[self.name]
        signature = inspect.signature(original)

        def recorded(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            self.calls.append(dict(bound.arguments))
            return original(*args, **kwargs)

        self.namespace[self.name] = recorded
        return self.calls

    def __exit__(self, *exception):
        self.namespace[self.name] = self.original
        return False


def check_dictionary(name, actual, expected, tolerance=GRADIENT_TOLERANCE, batch_size=None, extra_keys=False):
    """Fail unless ``actual`` is a dict holding every key of ``expected`` (a dict of arrays),
    each value passing check_close against the expected one; with ``extra_keys`` other keys
    are allowed, else the keys must be exactly those of ``expected``. Returns None.

    name: what the dictionary is, e.g. "the cache of forward_propagation".
    """
    if not isinstance(actual, dict):
        raise AssertionError(
            message("check.not_a_dict", "{name} should be a dict with the keys {keys}, got {kind}",
                    name=name, keys=sorted(expected), kind=type(actual).__name__)
            + (message("check.forgot_return", " (did you forget a return statement?)")
               if actual is None else ""))
    missing = [key for key in expected if key not in actual]
    extra = [key for key in actual if key not in expected]
    if missing or (extra and not extra_keys):
        raise AssertionError(
            message("check.dict_keys", "{name} has the keys {keys}, expected {expected}", name=name,
                    keys=sorted(actual), expected=sorted(expected))
            + (message("check.dict_keys_missing", ": {missing} missing", missing=missing) if missing else "")
            + (message("check.dict_keys_extra", "; {extra} not expected", extra=extra)
               if extra and not extra_keys else ""))
    for key, value in expected.items():
        check_close(f"{name}[{key!r}]", actual[key], value, tolerance, batch_size)


def _layer_count(parameters):
    return len(parameters) // 2


def _course_forward(X, parameters):
    """The checker's own dictionary forward: ReLU hidden layers, linear output.
    X: (N, d0) -> (scores (N, dL), cache {"A0", "Z1", "A1", ..., "ZL"})."""
    cache, A = {"A0": X}, X
    last = _layer_count(parameters)
    for l in range(1, last + 1):
        cache[f"Z{l}"] = A @ parameters[f"W{l}"] + parameters[f"b{l}"]
        if l < last:
            A = cache[f"A{l}"] = np.where(cache[f"Z{l}"] > 0, cache[f"Z{l}"], 0.0)
    return cache[f"Z{last}"], cache


def _course_backward(dscores, parameters, cache):
    """The checker's own dictionary backward: dscores (N, dL) -> {"dW1", "db1", ..., "dWL", "dbL"}."""
    grads, dZ = {}, dscores
    for l in reversed(range(1, _layer_count(parameters) + 1)):
        grads[f"dW{l}"] = np.einsum("ni,nj->ij", cache[f"A{l - 1}"], dZ)
        grads[f"db{l}"] = np.einsum("nj->j", dZ)
        if l > 1:
            dZ = np.where(cache[f"Z{l - 1}"] > 0, dZ @ parameters[f"W{l}"].T, 0.0)
    return grads


def _course_update(parameters, grads, learning_rate):
    """The checker's own update: a new dict of value - learning_rate * gradient."""
    return {key: parameters[key] - learning_rate * grads[f"d{key}"] for key in parameters}


class using_course_steps:
    """``with checks.using_course_steps(fit_parameters):`` runs ``fit_parameters`` on the
    checker's own ``forward_propagation``, ``backward_propagation`` and ``update_parameters``
    (when it calls them by these names), so that its check judges the training loop alone and
    never the three exercises before it. The notebook's own functions are put back at the end.
    """

    STEPS = {"forward_propagation": _course_forward, "backward_propagation": _course_backward,
             "update_parameters": _course_update}

    def __init__(self, function):
        self.namespace = getattr(function, "__globals__", {})
        self.saved = {}

    def __enter__(self):
        for name, step in self.STEPS.items():
            if name in self.namespace:
                self.saved[name] = self.namespace[name]
                self.namespace[name] = step
        return self

    def __exit__(self, *exception):
        self.namespace.update(self.saved)
        return False
