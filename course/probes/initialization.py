"""Probes of notebook 02 (initialisation): Linear.__init__ and initialize_parameters.

The weights may be drawn in any correct way (std * standard_normal, rng.normal, another
order), so the judges (``course/judges/initialization.py``) check shapes, dtypes, zero
biases, the scale of the draws and reproducibility, never the values themselves.
"""

import numpy as np

from .kernel import exact

#: (in_features, out_features, init, expected std): big enough for a 5% test of the std.
SCALED_LAYERS = [
    (100, 40, "he", np.sqrt(2 / 100)),
    (40, 100, "he", np.sqrt(2 / 40)),
    (80, 50, "xavier", np.sqrt(2 / 130)),
    (50, 80, "xavier", np.sqrt(2 / 130)),
    (90, 44, None, np.sqrt(2 / 90)),  # init left to its default, "he"
]


def probe_linear_init(ns, rng):
    """Linear(in, out, init, rng): W (in, out), b (out,) zeros, dW = db = None."""
    Linear, values = ns["Linear"], {}
    for n_in, n_out in [(7, 3), (3, 7), (1, 5)]:
        for init in ("he", "xavier", "zeros"):
            layer = Linear(n_in, n_out, init=init, rng=np.random.default_rng(int(rng.integers(1000))))
            name = f"Linear({n_in}, {n_out}, init={init!r})"
            values[f"{name}.W"], values[f"{name}.b"] = layer.W, layer.b
            values[f"{name}: dW and db are None"] = layer.dW is None and layer.db is None
    for n_in, n_out, init, _ in SCALED_LAYERS:
        generator = np.random.default_rng(int(rng.integers(1000)))
        layer = (
            Linear(n_in, n_out, rng=generator)
            if init is None
            else Linear(n_in, n_out, init=init, rng=generator)
        )
        values[f"W of Linear({n_in}, {n_out}, init={init!r})"] = layer.W
    seed = int(rng.integers(1000))
    for init in ("he", "xavier"):
        values[f"{init}: W for a seed"] = Linear(6, 9, init=init, rng=np.random.default_rng(seed)).W
        values[f"{init}: W for the same seed again"] = Linear(
            6, 9, init=init, rng=np.random.default_rng(seed)
        ).W
    shared = np.random.default_rng(seed + 1)
    values["first W drawn from a shared rng"] = Linear(6, 9, rng=shared).W
    values["second W drawn from a shared rng"] = Linear(6, 9, rng=shared).W
    values["W with rng=None"], values["another W with rng=None"] = Linear(5, 2).W, Linear(5, 2).W
    return values


def probe_initialize_parameters(ns, rng):
    """initialize_parameters(layer_dims, seed) -> {"W1": (d0, d1), "b1": (d1,), ...}."""
    values = {}
    seed = int(rng.integers(1000))
    for label, dims in (
        ("[6, 4, 7, 3]", [6, 4, 7, 3]),
        ("[4, 2]", [4, 2]),
        ("[8, 8, 8, 8]", [8, 8, 8, 8]),
        ("[120, 100, 60]", [120, 100, 60]),
    ):
        params = ns["initialize_parameters"](dims, seed=seed)
        values[f"keys for layer_dims {label}"] = sorted(str(key) for key in params)
        for key, value in params.items():
            values[f"{key} for layer_dims {label}"] = value
    again = ns["initialize_parameters"]([6, 4, 7, 3], seed=seed)
    other = ns["initialize_parameters"]([6, 4, 7, 3], seed=seed + 1)
    for key in ("W1", "W2", "W3"):
        values[exact(f"{key} again for the same seed")] = again[key]
        values[f"{key} for another seed"] = other[key]
    following = ns["initialize_parameters"]([8, 8, 8, 8], seed=seed + 1)  # a generator per layer, seed + l?
    for key in ("W1", "W2"):
        values[f"{key} for layer_dims [8, 8, 8, 8], seed + 1"] = following.get(key)
    return values


PROBES = {
    "test_linear_init": probe_linear_init,
    "test_initialize_parameters": probe_initialize_parameters,
}
