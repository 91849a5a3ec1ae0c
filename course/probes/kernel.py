"""The part of the probes that runs in two places: inside the student's kernel (its source is
embedded in the probe cell) and in the grader's own process on the reference namespace.

Self-contained on purpose: standard library and NumPy only, no import of ``autograder``.
A probe is ``probe(ns, rng) -> {key: value}``; ``run_probes`` calls each one with its own
seeded generator, turns every value into a plain array (``plain``), catches each probe's
failure separately, and ``encode`` packs the lot into one base64 line of an ``.npz``
archive without pickles.
"""

import base64
import contextlib
import io
import signal
import threading
import warnings
import zlib

import numpy as np

#: A key ending with this is compared bit for bit (e.g. "x is restored exactly").
EXACT = " [exact]"
#: Seconds one probe may take before it is stopped (student code may loop forever).
PROBE_SECONDS = 20.0
_KINDS = "biufU"


class ProbeTimeout(BaseException):
    """Raised into a probe that runs too long. A BaseException, so that `except Exception`
    in student code does not swallow it."""


class Names(dict):
    """The namespace a probe reads: a copy of globals() whose missing names say so."""

    def __missing__(self, name):
        raise NameError(f"{name} is not defined in the notebook")


def exact(key):
    """Mark ``key``'s float values for an exact comparison instead of a relative error."""
    return key + EXACT


def plain(key, value):
    """``value`` as a fresh plain NumPy array of booleans, numbers or text.

    Accepted: Python or NumPy scalars, ndarrays (exactly np.ndarray, not a subclass), and
    lists or tuples of scalars. Anything else (None, objects that only look like arrays)
    raises TypeError naming ``key``.
    """
    if type(value) is np.ndarray or isinstance(value, (bool, int, float, str, np.generic, list, tuple)):
        array = np.array(value, copy=True)
        if type(array) is np.ndarray and array.dtype.kind in _KINDS:
            return array
    raise TypeError(
        f"{key}: got a {type(value).__name__}"
        + (f" of dtype {value.dtype}" if isinstance(value, np.ndarray) else "")
        + ", expected a NumPy array of numbers"
    )


def overflows(function, *args):
    """(result, overflowed): call ``function(*args)`` with NumPy raising on overflow, invalid
    values and division by zero. result is None when it overflowed."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return function(*args), False
    except FloatingPointError:
        return None, True


def linear(ns, W, b):
    """The notebook's Linear with weights W: (in, out) and bias b: (out,) set to copies of the
    given arrays, so that the probe does not depend on how the initialiser draws."""
    layer = ns["Linear"](W.shape[0], W.shape[1], rng=np.random.default_rng(0))
    layer.W, layer.b = W.copy(), b.copy()
    return layer


def layer_kind(ns, layer, kinds=("Sequential", "Linear", "Dropout", "ReLU", "Sigmoid", "Tanh", "Identity")):
    """The name of the first of the notebook's classes ``kinds`` that ``layer`` is an instance of."""
    for kind in kinds:
        if kind in ns and isinstance(ns[kind], type) and isinstance(layer, ns[kind]):
            return kind
    return type(layer).__name__


def _stream(seed, grade_id):
    """One generator per probe, from the seed and the grade_id (independent of order)."""
    return np.random.default_rng([int(seed) % 2**63, zlib.crc32(grade_id.encode())])


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise ProbeTimeout in the main thread after ``seconds`` (nothing elsewhere)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise ProbeTimeout(f"stopped after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_probes(probes, ns, seed, seconds=PROBE_SECONDS):
    """{grade_id: {key: array} or error text} of every probe in ``probes`` run on ``ns``.

    Each probe gets its own generator, a copy of the namespace, and its own try: one that
    raises, times out or returns something that is not plain data fails alone. What the
    code under test prints or warns is swallowed.
    """
    results = {}
    for grade_id, probe in probes.items():
        try:
            with contextlib.ExitStack() as stack:
                stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
                stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
                stack.enter_context(warnings.catch_warnings())
                warnings.simplefilter("ignore")
                stack.enter_context(np.errstate(all="ignore"))
                stack.enter_context(_time_limit(seconds))
                raw = probe(Names(ns), _stream(seed, grade_id))
                results[grade_id] = {str(key): plain(key, value) for key, value in raw.items()}
        except (Exception, SystemExit, ProbeTimeout) as error:
            results[grade_id] = f"{type(error).__name__}: {error}"[:400]
    return results


def encode(results):
    """base64 text of an .npz archive (no pickles) holding ``results``.

    Layout: arrays a0, a1, ...; ``index`` lists "grade_id<TAB>key" for each of them;
    ``errors`` lists "grade_id<TAB>message" for every probe that failed.
    """
    arrays, index, errors = {}, [], []
    for grade_id, values in results.items():
        if isinstance(values, str):
            errors.append(f"{grade_id}\t{values}")
            continue
        for key, array in values.items():
            arrays[f"a{len(index)}"] = array
            index.append(f"{grade_id}\t{key}")
    buffer = io.BytesIO()
    np.savez(buffer, index=np.array(index, dtype=str), errors=np.array(errors, dtype=str), **arrays)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
