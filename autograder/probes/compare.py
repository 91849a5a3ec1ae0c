"""Trusted side of the probes: read a payload back and compare values, in the grader's process.

Nothing here runs in the student's kernel. Custom judges of the probe modules receive this
module as their ``t`` argument, so that they use its functions without importing anything
(their source is embedded in the probe cell too, where ``autograder`` is not importable).
"""

import functools
import io
import zipfile

import numpy as np

from .kernel import EXACT

__all__ = [
    "TOLERANCE",
    "decode",
    "relative_error",
    "compare",
    "compare_key",
    "show",
    "mask_problem",
    "reference_namespace",
    "task_data",
    "rebuild",
    "model_problems",
]

#: Relative error ||a - b|| / (||a|| + ||b||) below which two float arrays agree.
TOLERANCE = 1e-7
#: Where the values came from, for the messages.
ON_OURS = " on the grader's own inputs"
#: Largest payload read back (bytes of the .npz archive).
MAX_PAYLOAD = 20_000_000


class PayloadError(ValueError):
    """The probe output cannot be read: missing, truncated, pickled or malformed."""


def decode(payload):
    """{grade_id: {key: array} or error text} from the bytes of an .npz archive.

    Raises PayloadError for anything that is not exactly what ``kernel.encode`` writes;
    object arrays (pickles) are refused by ``np.load(allow_pickle=False)``.
    """
    if payload is None:
        raise PayloadError("the notebook printed no probe output (did the kernel die or time out?)")
    if len(payload) > MAX_PAYLOAD:
        raise PayloadError(f"the probe output is too large ({len(payload)} bytes)")
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            files = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise PayloadError(f"the probe output cannot be read ({type(error).__name__}: {error})") from None
    index, errors = files.pop("index", None), files.pop("errors", None)
    if (
        index is None
        or errors is None
        or index.dtype.kind != "U"
        or errors.dtype.kind != "U"
        or index.ndim != 1
        or errors.ndim != 1
        or set(files) != {f"a{i}" for i in range(len(index))}
    ):
        raise PayloadError("the probe output is malformed")
    results = {}
    for line in errors:
        grade_id, _, message = str(line).partition("\t")
        results[grade_id] = message
    for i, line in enumerate(index):
        grade_id, _, key = str(line).partition("\t")
        values = results.setdefault(grade_id, {})
        if isinstance(values, dict):
            values[key] = files[f"a{i}"]
    return results


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||) of two float arrays of one shape (0.0 when both are zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def show(array):
    """A short text of an array's values for a message."""
    text = np.array2string(np.asarray(array), precision=4, threshold=12, edgeitems=3)
    return text if len(text) < 120 else text[:117] + "..."


def _label(key):
    return key[: -len(EXACT)] if key.endswith(EXACT) else key


def _kind(dtype):
    return {"b": "bool", "i": "int", "u": "int", "f": "float", "U": "text"}.get(dtype.kind, str(dtype))


def compare_key(key, got, want):
    """The problem with value ``got`` of ``key`` against the expected ``want``, or None.

    Exact dtype for floats (float64 stays float64), any integer type for integers, equal
    shapes; integers, booleans and text exactly; floats by relative error below TOLERANCE
    (bit for bit for keys marked exact), with inf and nan only where they are expected.
    """
    label = _label(key)
    if got is None:
        return f"{label} is missing"
    if _kind(got.dtype) != _kind(want.dtype) or (want.dtype.kind == "f" and got.dtype != want.dtype):
        return f"{label} has dtype {got.dtype}, expected {want.dtype}"
    if got.shape != want.shape:
        return f"{label} has shape {got.shape}, expected {want.shape}"
    if want.dtype.kind != "f":
        if not np.array_equal(got, want):
            return f"{label} is {show(got)}, expected {show(want)}"
        return None
    if key.endswith(EXACT):
        if not np.array_equal(got, want, equal_nan=True):
            changed = int(np.sum(~((got == want) | (np.isnan(got) & np.isnan(want)))))
            return (
                f"{label}: {changed} entries differ from the expected values, even if only in the last digits"
            )
        return None
    finite = np.isfinite(want)
    if not np.array_equal(np.isfinite(got), finite) or not np.array_equal(
        got[~finite], want[~finite], equal_nan=True
    ):
        return f"{label} has inf or nan where the expected values are finite (overflow?)"
    error = relative_error(got[finite], want[finite])
    if error >= TOLERANCE:
        return f"{label} differs from the expected values{ON_OURS} (relative error {error:.2g})"
    return None


def compare(got, want, keys=None):
    """Problems of every key of ``want`` (or of ``keys``) in ``got``, by compare_key."""
    problems = []
    for key in want if keys is None else keys:
        problem = compare_key(key, got.get(key), want[key])
        if problem:
            problems.append(problem)
    return problems


def mask_problem(name, A, X, p, drop_tolerance):
    """A message unless A = X * mask, with mask 0 on a fraction of the entries within
    ``drop_tolerance`` of p and 1 / (1 - p) elsewhere (X has no zeros). None when right."""
    if A is None or A.shape != X.shape or A.dtype != np.float64:
        return f"{name} should be a float64 array of shape {X.shape}"
    kept = A != 0
    dropped = 1 - kept.mean()
    if abs(dropped - p) >= drop_tolerance:
        return f"{name} zeroed {dropped:.1%} of the entries, expected about {p:.0%}"
    error = relative_error(A[kept], X[kept] / (1 - p))
    if error >= TOLERANCE:
        return f"the entries {name} kept are not X / (1 - p) (relative error {error:.2g})"
    return None


@functools.lru_cache(maxsize=1)
def reference_namespace():
    """{name: object} of the hidden reference solution: every API name of the course."""
    import autograder.reference as reference
    from autograder.reference.prediction import fixed_experiment
    from course import experiments, framework

    names = {name: getattr(reference, name) for name in reference.__all__}
    names.update(
        fixed_experiment=fixed_experiment,
        Layer=framework.Layer,
        add_to_class=framework.add_to_class,
        EXPERIMENTS=experiments.EXPERIMENTS,
        load_task=experiments.load_task,
    )
    return names


@functools.cache
def task_data(name):
    """The trusted (X_train, X_test, y_train, y_test) of a task, made with the reference."""
    from course.experiments import load_task

    return load_task(name, reference_namespace())


def rebuild(kinds, weights):
    """A reference Sequential in evaluation mode from layer kinds and the Linear layers' weights.

    kinds: names such as ["Linear", "ReLU", "Linear", "Identity"] (Dropout counts as the
    identity in evaluation mode); weights: [W1, b1, W2, b2, ...] in layer order, W: (in, out).
    Raises ValueError when they do not fit together.
    """
    ns = reference_namespace()
    layers, remaining = [], list(weights)
    for kind in kinds:
        if kind == "Linear":
            if len(remaining) < 2:
                raise ValueError("fewer weight arrays than Linear layers")
            W, b = remaining.pop(0), remaining.pop(0)
            if W.ndim != 2 or b.shape != (W.shape[1],) or W.dtype.kind != "f" or b.dtype.kind != "f":
                raise ValueError(f"a Linear layer's W {W.shape} and b {b.shape} do not fit together")
            layer = ns["Linear"](W.shape[0], W.shape[1], rng=np.random.default_rng(0))
            layer.W, layer.b = W.astype(np.float64), b.astype(np.float64)
        elif kind in ("ReLU", "Sigmoid", "Tanh", "Identity"):
            layer = ns[kind]()
        elif kind == "Dropout":
            layer = ns["Identity"]()
        else:
            raise ValueError(
                f"a layer of kind {kind} (the grader knows Linear, ReLU, Sigmoid, Tanh, Identity and Dropout)"
            )
        layers.append(layer)
    if remaining:
        raise ValueError("more weight arrays than Linear layers")
    return ns["Sequential"](*layers).eval()


def model_problems(got, prefix, task, architecture=None):
    """Rebuild the model transported under ``prefix`` and return (problems, model, scores).

    ``got`` holds prefix + "kinds" (text array) and prefix + "w0", "w1", ... (the values
    of the model's parameters() in order). With ``architecture`` (a list of layer dicts as
    in EXPERIMENTS), the Linear layers must have its sizes. scores: the model's outputs on
    the trusted X_test of ``task``, computed here with the reference.
    """
    kinds = got.get(prefix + "kinds")
    if kinds is None:
        return [f"{prefix}model: not found"], None, None
    weights, i = [], 0
    while prefix + f"w{i}" in got:
        weights.append(got[prefix + f"w{i}"])
        i += 1
    try:
        model = rebuild([str(k) for k in kinds], weights)
    except ValueError as error:
        return [f"the model cannot be rebuilt: {error}"], None, None
    if architecture is not None:
        shapes = [w.shape for w in weights if w.ndim == 2]
        expected = [(spec["input_dim"], spec["output_dim"]) for spec in architecture]
        if shapes != expected:
            return [f"the model's weight matrices have shapes {shapes}, expected {expected}"], None, None
    X_test = task_data(task)[1]
    with np.errstate(all="ignore"):
        scores = model.forward(X_test)
    if not np.all(np.isfinite(scores)):
        return ["the model's outputs on the test set are not finite"], model, None
    return [], model, scores
