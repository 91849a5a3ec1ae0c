"""Probes of notebook 05 (gradient update): Linear.parameters / zero_grad and Linear.update.

Whether parameters() hands out the layer's own arrays is recorded with ``is`` in the
kernel (it cannot be overloaded); the values after each step are compared with the
reference's. Layers get their weights from the probe (``linear``).
"""

import numpy as np

from course.i18n import message

from .kernel import exact, linear


def _pairs(layer):
    """parameters() as a list of (value, gradient) pairs; raises when it is not that."""
    pairs = list(layer.parameters())
    if not all(len(pair) == 2 for pair in pairs):
        raise ValueError(message("probe.update.pairs", "every entry of parameters() should be a (value, "
                                 "gradient) pair"))
    return [tuple(pair) for pair in pairs]


def probe_linear_parameters(ns, rng):
    """parameters() -> [(W, dW), (b, db)] with the layer's own arrays, before and after
    backward; zero_grad() sets dW and db to None and leaves W and b alone."""
    values = {}
    layer = linear(ns, rng.standard_normal((5, 3)), rng.standard_normal(3))
    pairs = _pairs(layer)
    values["number of pairs of Linear(5, 3)"] = len(pairs)
    values["the values are the layer's own W and b, in that order"] = (
        len(pairs) == 2 and pairs[0][0] is layer.W and pairs[1][0] is layer.b
    )
    values["the gradients are None before backward"] = all(gradient is None for _, gradient in pairs)
    for n in (7, 1):
        layer.forward(rng.standard_normal((n, 5)))
        layer.backward(rng.standard_normal((n, 3)))
        pairs = _pairs(layer)
        values[f"after a batch of {n}: the pairs hold W, dW, b, db themselves"] = (
            len(pairs) == 2
            and pairs[0][0] is layer.W
            and pairs[1][0] is layer.b
            and pairs[0][1] is layer.dW
            and pairs[1][1] is layer.db
        )
        values[f"dW in parameters() after a batch of {n}"] = pairs[0][1]
        values[f"db in parameters() after a batch of {n}"] = pairs[1][1]
    W_before, b_before = layer.W.copy(), layer.b.copy()
    layer.zero_grad()
    values["dW and db are None after zero_grad()"] = layer.dW is None and layer.db is None
    values["the gradients in parameters() are None after zero_grad()"] = all(
        g is None for _, g in _pairs(layer)
    )
    values[exact("W after zero_grad()")], values[exact("b after zero_grad()")] = layer.W, layer.b
    values["W before zero_grad()"], values["b before zero_grad()"] = W_before, b_before
    fresh = linear(ns, rng.standard_normal((2, 4)), np.zeros(4))
    fresh.dW = fresh.db = None
    fresh.zero_grad()
    values["zero_grad() before any backward leaves None"] = fresh.dW is None and fresh.db is None
    for name in ("ReLU", "Sigmoid", "Tanh", "Identity"):
        values[f"number of parameters of {name}"] = len(ns[name]().parameters())
    values["number of parameters of Dropout"] = len(ns["Dropout"](0.2).parameters())
    return values


def probe_linear_update(ns, rng):
    """update(lr): W - lr dW, b - lr db, then dW = db = None; given gradients; lr = 0; two
    steps in a row; layers without parameters do nothing."""
    values = {}
    for n, d_in, d_out, lr in [(7, 5, 3, 0.05), (1, 4, 6, 0.5), (3, 2, 1, 1e-3)]:
        layer = linear(ns, rng.standard_normal((d_in, d_out)), rng.standard_normal(d_out))
        layer.forward(rng.standard_normal((n, d_in)))
        layer.backward(rng.standard_normal((n, d_out)))
        layer.update(lr)
        name = f"Linear({d_in}, {d_out}) after update({lr})"
        values[f"W of {name}"], values[f"b of {name}"] = layer.W, layer.b
        values[f"dW and db are None: {name}"] = layer.dW is None and layer.db is None
    layer = linear(ns, rng.standard_normal((4, 2)), rng.standard_normal(2))
    layer.dW, layer.db = np.full((4, 2), 2.0), np.array([1.0, -3.0])
    layer.update(0.25)
    values["W after update(0.25) with given gradients"] = layer.W
    values["b after update(0.25) with given gradients"] = layer.b
    layer.dW, layer.db = np.ones((4, 2)), np.ones(2)
    layer.update(0.0)
    values["W after update(0.0)"] = layer.W
    layer = linear(ns, rng.standard_normal((3, 5)), rng.standard_normal(5))
    X = rng.standard_normal((6, 3))
    layer.forward(X)
    layer.backward(rng.standard_normal((6, 5)))
    layer.update(0.1)
    layer.forward(X)
    values["dX of a second backward, after a step"] = layer.backward(rng.standard_normal((6, 5)))
    layer.update(0.1)
    values["W after two steps"], values["b after two steps"] = layer.W, layer.b
    Z = rng.standard_normal((3, 4))
    for name in ("ReLU", "Sigmoid", "Tanh", "Identity"):
        other = ns[name]()
        other.forward(Z)
        other.update(0.1)
        values[f"{name}'s output after update"] = other.forward(Z)
    return values


PROBES = {
    "test_linear_parameters": probe_linear_parameters,
    "test_linear_update": probe_linear_update,
}
