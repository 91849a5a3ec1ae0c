"""Probes of notebook 04 (backward propagation): numerical_gradient and every layer's backward.

Values are compared with the reference's on the same inputs (a gradient has one right
answer). Dropout's backward is judged (``course/judges/backward.py``) by its relation to
the forward of the same call, dX = dA * A / X, so that the way the mask was drawn does not
matter.
"""

import numpy as np

from .kernel import exact, linear, overflows


def probe_numerical_gradient(ns, rng):
    """numerical_gradient(f, x, eps) for x of shapes (4, 6), (7,), (3, 2), (2, 5), (1, 4) and a
    transposed (3, 5) view; x must be restored bit for bit and the result must be a new array."""
    gradient, values = ns["numerical_gradient"], {}
    cases = [
        ("sum(sin(x) * x**2), x (4, 6)", rng.standard_normal((4, 6)), lambda x: np.sum(np.sin(x) * x**2), {}),
        ("log(sum(exp(v))), v (7,)", rng.standard_normal(7), lambda x: np.log(np.sum(np.exp(x))), {}),
        ("prod(w[:, 0]), w (3, 2)", rng.standard_normal((3, 2)), lambda x: np.prod(x[:, 0]), {}),
        (
            "sum(x**3) with eps=0.1, x (2, 5)",
            rng.uniform(1.0, 2.0, (2, 5)),
            lambda x: np.sum(x**3),
            {"eps": 0.1},
        ),
        ("sum(exp(x)), x (1, 4)", rng.standard_normal((1, 4)), lambda x: np.sum(np.exp(x)), {}),
        # a transposed view, as a W drawn (out, in) and transposed is: x.ravel() and
        # x.reshape(-1) are copies of it, so changing them leaves x (and f) alone
        ("sum(x * cos(x)), x a transposed (5, 3) array, not contiguous", rng.standard_normal((5, 3)).T,
         lambda x: np.sum(x * np.cos(x)), {}),
    ]
    for label, x, function, options in cases:
        result = gradient(lambda x=x, function=function: float(function(x)), x, **options)
        values[f"numerical_gradient of {label}"] = result
        values[exact(f"x after numerical_gradient of {label}")] = x
        values[f"numerical_gradient of {label} returned a new array"] = result is not x
    return values


def probe_linear_backward(ns, rng):
    """Linear.backward(dZ) after forward(X): dX (N, in), dW (in, out), db (out,), for
    (N, in, out) in (7, 5, 2), (1, 6, 3), (3, 2, 8); W and dZ unchanged; a second pass overwrites."""
    values = {}
    for n, d_in, d_out in [(7, 5, 2), (1, 6, 3), (3, 2, 8)]:
        layer = linear(ns, rng.standard_normal((d_in, d_out)), rng.standard_normal(d_out))
        layer.forward(rng.standard_normal((n, d_in)))
        dZ = rng.standard_normal((n, d_out))
        dX = layer.backward(dZ)
        name = f"Linear({d_in}, {d_out}) for a batch of {n}"
        values[exact(f"dZ after backward of {name}")] = dZ
        values[f"dX of {name}"], values[f"dW of {name}"], values[f"db of {name}"] = dX, layer.dW, layer.db
        values[exact(f"W after backward of {name}")] = layer.W
    layer = linear(ns, rng.standard_normal((3, 4)), rng.standard_normal(4))
    layer.forward(rng.standard_normal((6, 3)))
    layer.backward(rng.standard_normal((6, 4)))
    layer.forward(rng.standard_normal((2, 3)))
    layer.backward(rng.standard_normal((2, 4)))
    values["dW after a second forward and backward"] = layer.dW
    values["db after a second forward and backward"] = layer.db
    return values


def _away_from_zero(Z):
    """Z with entries near 0 moved to 0.5 (ReLU's kink)."""
    return np.where(np.abs(Z) < 1e-3, 0.5, Z)


def probe_relu_identity_backward(ns, rng):
    """ReLU.backward and Identity.backward after forward(Z), for Z of shapes (6, 3), (1, 5),
    (4, 9), dA left unchanged; ReLU after a second forward uses the latest Z."""
    values = {}
    for shape in [(6, 3), (1, 5), (4, 9)]:
        Z, dA = _away_from_zero(rng.standard_normal(shape)), rng.standard_normal(shape)
        for name in ("ReLU", "Identity"):
            layer = ns[name]()
            layer.forward(Z)
            given = dA.copy()
            values[f"{name}.backward for inputs of shape {shape}"] = layer.backward(given)
            values[exact(f"dA after {name}.backward, shape {shape}")] = given
    relu = ns["ReLU"]()
    relu.forward(np.ones((2, 3)))
    relu.forward(_away_from_zero(rng.standard_normal((2, 3))))
    values["ReLU.backward after a second forward"] = relu.backward(np.ones((2, 3)))
    return values


def probe_sigmoid_tanh_backward(ns, rng):
    """Sigmoid.backward and Tanh.backward after forward(Z), Z: (4, 7) and (1, 3), dA left
    unchanged; and at Z = +-1000, where NumPy raises on overflow."""
    values = {}
    for shape in [(4, 7), (1, 3)]:
        Z, dA = 2 * rng.standard_normal(shape), rng.standard_normal(shape)
        for name in ("Sigmoid", "Tanh"):
            layer = ns[name]()
            layer.forward(Z)
            given = dA.copy()
            values[f"{name}.backward for inputs of shape {shape}"] = layer.backward(given)
            values[exact(f"dA after {name}.backward, shape {shape}")] = given
    Z = np.array([[-1000.0, -2.0, 0.5, 1000.0], [3.0, -1000.0, 1000.0, 0.0]])
    for name in ("Sigmoid", "Tanh"):
        layer = ns[name]()
        layer.forward(Z)
        dZ, overflowed = overflows(layer.backward, np.ones((2, 4)))
        values[f"{name}.backward overflowed at inputs of +-1000"] = overflowed
        if not overflowed:
            values[f"{name}.backward at inputs of +-1000"] = dZ
    return values


#: (p, shape) of the dropout layers probed.
DROPOUT_CASES = [(0.25, (30, 20)), (0.6, (1, 400)), (0.0, (3, 2))]


def probe_dropout_backward(ns, rng):
    """Dropout(p).backward(dA) after forward(X) (X without zeros), after an earlier forward
    with another mask; in evaluation mode; back in training mode."""
    values = {}
    for p, shape in DROPOUT_CASES:
        X = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
        dA = rng.standard_normal(shape)
        layer = ns["Dropout"](p, rng=np.random.default_rng(int(rng.integers(1000))))
        layer.forward(rng.uniform(1.0, 2.0, shape))
        name = f"Dropout({p}), shape {shape}"
        values[f"X of {name}"], values[f"dA of {name}"] = X, dA
        values[f"A of {name}"] = layer.forward(X)
        values[f"dX of {name}"] = layer.backward(dA)
        layer.eval()
        layer.forward(X)
        values[f"dX of {name} in evaluation mode"] = layer.backward(dA)
        layer.train()
        values[f"A of {name} back in training mode"] = layer.forward(X)
        values[f"dX of {name} back in training mode"] = layer.backward(dA)
    return values


PROBES = {
    "test_numerical_gradient": probe_numerical_gradient,
    "test_linear_backward": probe_linear_backward,
    "test_relu_identity_backward": probe_relu_identity_backward,
    "test_sigmoid_tanh_backward": probe_sigmoid_tanh_backward,
    "test_dropout_backward": probe_dropout_backward,
}
