"""Probes of notebook 03 (forward propagation): tiny_net_forward, Linear.forward, the
activations' forward, Sigmoid.forward and Dropout.forward.

Every layer with weights gets them set by the probe (``linear``), so the values do not
depend on the initialiser. Overflow is recorded, not hidden: NumPy raises inside
``overflows`` and the probe records whether it did. Dropout's masks may be drawn in any
correct way, so its judge (``course/judges/forward.py``) checks what the mask does, not
which units it drops.
"""

import numpy as np

from course.framework import Layer

from .kernel import exact, linear, overflows


def probe_tiny_net_forward(ns, rng):
    """y = ReLU(X @ W1) @ W2, X: (N, 3), W1: (3, 4), W2: (4, 1) -> (N, 1); X left unchanged."""
    values = {}
    for n in (9, 1):
        X, W1, W2 = rng.standard_normal((n, 3)), rng.standard_normal((3, 4)), rng.standard_normal((4, 1))
        values[f"tiny_net_forward for {n} samples"] = ns["tiny_net_forward"](X, W1, W2)
        values[exact(f"X after tiny_net_forward for {n} samples")] = X
    values["tiny_net_forward with negative outputs"] = ns["tiny_net_forward"](
        np.abs(rng.standard_normal((5, 3))),
        np.abs(rng.standard_normal((3, 4))),
        -np.abs(rng.standard_normal((4, 1))),
    )
    values["tiny_net_forward when every Z1 < 0"] = ns["tiny_net_forward"](
        -np.ones((3, 3)), np.ones((3, 4)), rng.standard_normal((4, 1))
    )
    return values


def probe_linear_forward(ns, rng):
    """Z = X @ W + b for (in, out, N) in (7, 5, 11), (4, 9, 1), (1, 3, 6); then W doubled."""
    values = {}
    for n_in, n_out, n in [(7, 5, 11), (4, 9, 1), (1, 3, 6)]:
        layer = linear(ns, rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out))
        X = rng.standard_normal((n, n_in))
        values[f"Linear({n_in}, {n_out}).forward(X) for {n} samples"] = layer.forward(X)
        values[exact(f"X after Linear({n_in}, {n_out}).forward")] = X
        values[f"Linear({n_in}, {n_out}).forward kept its input X on the layer (backward needs it)"] = kept(
            layer, lambda value, X=X: value.shape == X.shape and np.array_equal(value, X))
    layer.W = layer.W * 2.0
    values["a second call of Linear(1, 3).forward, W changed"] = layer.forward(rng.standard_normal((5, 1)))
    return values


def probe_activations_forward(ns, rng):
    """ReLU, Tanh, Identity forward on Z: (13, 6) and (1, 4); Z unchanged; Z = +-1000 without
    overflow; layers without parameters."""
    values = {}
    for shape in [(13, 6), (1, 4)]:
        Z = 3 * rng.standard_normal(shape)
        for name in ("ReLU", "Tanh", "Identity"):
            layer = ns[name]()
            values[f"{name}().forward(Z) for Z of shape {shape}"] = A = layer.forward(Z)
            values[exact(f"Z after {name}().forward, shape {shape}")] = Z
            if name in KEPT:
                values[f"{name}().forward kept {KEPT[name]} on the layer (backward needs it), shape "
                       f"{shape}"] = kept(layer, lambda value, name=name, Z=Z, A=A: keeps(name, value, Z, A))
    Z_big = np.array([[-1000.0, -20.0, 0.0, 20.0, 1000.0]])
    for name in ("ReLU", "Tanh"):
        A, overflowed = overflows(ns[name]().forward, Z_big)
        values[f"{name}().forward overflowed at +-1000"] = overflowed
        if not overflowed:
            values[f"{name}().forward at +-1000"] = A
    for name in ("ReLU", "Tanh", "Identity"):
        layer = ns[name]()
        values[f"{name} is a Layer without parameters"] = (
            isinstance(layer, Layer) and len(layer.parameters()) == 0
        )
    return values


def probe_sigmoid_forward(ns, rng):
    """Sigmoid().forward on Z: (8, 5) and (1, 7), on -Z, at large |Z| and at -30, -40 (where
    only the absolute error counts), all with NumPy raising on overflow."""
    values = {}
    for shape in [(8, 5), (1, 7)]:
        Z = 6 * rng.standard_normal(shape)
        for label, argument in (("Z", Z), ("-Z", -Z)):
            layer = ns["Sigmoid"]()
            A, overflowed = overflows(layer.forward, argument)
            values[f"Sigmoid().forward({label}) overflowed, shape {shape}"] = overflowed
            if not overflowed:
                values[f"Sigmoid().forward({label}) for Z of shape {shape}"] = A
                values[f"Sigmoid().forward({label}) kept its output A or its input Z on the layer (backward "
                       f"needs it), shape {shape}"] = kept(
                    layer, lambda value, Z=argument, A=A: keeps("Sigmoid", value, Z, A))
        values[exact(f"Z after Sigmoid().forward, shape {shape}")] = Z
    Z = np.array([[-1000.0, -50.0, 0.0], [50.0, 700.0, 1000.0]])
    A, overflowed = overflows(ns["Sigmoid"]().forward, Z)
    values["Sigmoid().forward overflowed at large |Z|"] = overflowed
    if not overflowed:
        values["Sigmoid().forward at large |Z|"] = A
    # near 0 only the absolute error counts: the notebook asks for no relative precision there
    A, overflowed = overflows(ns["Sigmoid"]().forward, np.array([[-30.0, -40.0]]))
    values["Sigmoid().forward overflowed at Z = -30 and -40"] = overflowed
    if not overflowed:
        A = np.asarray(A, dtype=float)
        values["Sigmoid().forward at Z = -30 and -40 is in [0, 1e-12]"] = bool(
            A.shape == (1, 2) and np.all((A >= 0) & (A <= 1e-12))
        )
    return values


#: (p, shape) of the dropout layers probed in training mode.
DROPOUT_CASES = [(0.4, (80, 50)), (0.25, (50, 60))]


def probe_dropout_forward(ns, rng):
    """Dropout(p, rng).forward: masks in training mode, the identity in evaluation mode, a
    fresh mask at each call, reproducible for a seeded rng, p = 0, a batch of one."""
    Dropout, values = ns["Dropout"], {}
    for p, shape in DROPOUT_CASES:
        X = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
        seed = int(rng.integers(1000))
        layer = Dropout(p, rng=np.random.default_rng(seed))
        values[f"Dropout({p}) is in training mode when new"] = bool(layer.training)
        values[f"Dropout({p}).forward(X)"] = layer.forward(X)
        values[exact(f"X after Dropout({p}).forward")] = X
        values[f"Dropout({p}).forward(X) again"] = layer.forward(X)
        values[f"Dropout({p}).forward(X), same seed"] = Dropout(p, rng=np.random.default_rng(seed)).forward(X)
        output = values[f"Dropout({p}).forward(X) again"]
        values[f"Dropout({p}).forward kept its mask on the layer (backward needs it)"] = kept(
            layer, lambda value, X=X, p=p, output=output: is_mask(value, X, p, output))
        layer.eval()
        values[f"Dropout({p}).forward(X) in evaluation mode"] = layer.forward(X)
        layer.train()
        values[f"Dropout({p}).forward(X) back in training mode"] = layer.forward(X)
    X = rng.standard_normal((7, 5))
    values["Dropout(0.0).forward(X)"] = Dropout(0.0, rng=np.random.default_rng(9)).forward(X)
    values["X for p = 0"] = X
    values["Dropout(0.5).forward(ones (1, 400))"] = Dropout(0.5, rng=np.random.default_rng(10)).forward(
        np.ones((1, 400))
    )
    return values


#: What an activation's forward must keep for its backward, under any name.
KEPT = {"ReLU": "its input Z (or where Z > 0)", "Tanh": "its output A (or its input Z)"}


def kept(layer, test):
    """Whether an array attribute of ``layer``, under any name (notebook 04 names them, this
    notebook only asks that they be kept), passes ``test(value)``."""
    try:
        attributes = list(vars(layer).values())
    except TypeError:
        return False
    for value in attributes:
        try:
            if isinstance(value, np.ndarray) and bool(test(value)):
                return True
        except (TypeError, ValueError):  # an array of strings or objects: not what backward needs
            pass
    return False


def keeps(kind, value, Z, A):
    """Whether ``value`` holds what the backward of an activation of ``kind`` needs: for ReLU
    where Z > 0 (Z itself, its output or a mask), for Tanh and Sigmoid the output A or Z."""
    if value.shape != Z.shape:
        return False
    if kind == "ReLU":
        return np.array_equal(value > 0, Z > 0)
    return np.array_equal(value, Z) or np.allclose(value, A, rtol=1e-12, atol=0.0)


def is_mask(value, X, p, output):
    """Whether ``value`` is the mask of the forward that gave ``output``: X * value equals it,
    or, for a mask of 0s and 1s, X * value / (1 - p) does."""
    if value.shape != X.shape or not isinstance(output, np.ndarray) or output.shape != X.shape:
        return False
    with np.errstate(all="ignore"):
        value = value.astype(float)
        return np.allclose(X * value, output, rtol=1e-12, atol=0.0) or np.allclose(
            X * value / (1.0 - p), output, rtol=1e-12, atol=0.0)


PROBES = {
    "test_tiny_net_forward": probe_tiny_net_forward,
    "test_linear_forward": probe_linear_forward,
    "test_activations_forward": probe_activations_forward,
    "test_sigmoid_forward": probe_sigmoid_forward,
    "test_dropout_forward": probe_dropout_forward,
}
