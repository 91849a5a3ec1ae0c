"""Probes of notebook 02 (initialisation): Linear.__init__ and initialize_parameters.

The weights may be drawn in any correct way (std * standard_normal, rng.normal, another
order), so the judges check shapes, dtypes, zero biases, the scale of the draws (the std
within 5%, the mean near 0) and reproducibility, never the values themselves.
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
#: Relative tolerance of a std (more than 4 standard errors for 4000 draws).
STD_TOLERANCE = 0.05
#: Largest mean of all those draws, in units of their std (about 7 standard errors).
MEAN_TOLERANCE = 0.05


def _scale_problem(name, W, expected, t):
    """A message when W's std is off by more than STD_TOLERANCE. None when it is right.
    W: any shape; t: the judges' tools (for ``t.message``)."""
    std = float(W.std())
    if not abs(std / expected - 1) < STD_TOLERANCE:
        return t.message("probe.initialization.std", "the std of {name} is {std:.4f}, expected "
                         "{expected:.4f}", name=name, std=std, expected=expected)
    return None


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


def judge_linear_init(got, want, t):
    """Shapes, float64, zero biases, None gradients, zero weights for "zeros", the scales of
    He and Xavier, reproducible for a seed, different draws from a shared or unseeded rng."""
    shapes = [key for key in want if key.endswith((".W", ".b", "are None"))]
    problems = [p for p in t.compare(got, want, [key for key in shapes if not key.endswith(".W")])]
    for key in shapes:
        if key.endswith(".W"):
            W = got.get(key)
            if W is None or W.shape != want[key].shape or W.dtype != np.float64:
                problems.append(t.message("probe.initialization.float64_shape", "{key} should be a float64 "
                                          "array of shape {shape}", key=key, shape=want[key].shape))
            elif "zeros" in key and np.any(W):
                problems.append(t.message("probe.initialization.zeros", "{key} should be all zeros", key=key))
            elif "zeros" not in key and len(np.unique(W)) != W.size:
                problems.append(t.message("probe.initialization.equal_entries", "{key} has equal entries: "
                                          "draw every weight at random", key=key))
    for n_in, n_out, init, expected in SCALED_LAYERS:
        key = f"W of Linear({n_in}, {n_out}, init={init!r})"
        W = got.get(key)
        if W is None or W.shape != (n_in, n_out) or W.dtype != np.float64:
            problems.append(t.message("probe.initialization.float64_shape", "{key} should be a float64 "
                                      "array of shape {shape}", key=key, shape=(n_in, n_out)))
        else:
            problems.append(_scale_problem(key, W, expected, t))
    if not problems:
        pooled = np.concatenate(
            [
                got[f"W of Linear({n_in}, {n_out}, init={init!r})"].ravel() / expected
                for n_in, n_out, init, expected in SCALED_LAYERS
            ]
        )
        if not abs(pooled.mean()) < MEAN_TOLERANCE:
            problems.append(t.message("probe.initialization.mean", "the weights should have mean 0, got "
                                      "{mean:.3f} standard deviations", mean=pooled.mean()))
    for init in ("he", "xavier"):
        first, again = got.get(f"{init}: W for a seed"), got.get(f"{init}: W for the same seed again")
        if first is None or again is None or not np.array_equal(first, again):
            problems.append(t.message("probe.initialization.same_seed_layers", "two layers made with the "
                                      "same seeded rng should be equal (init={init!r})", init=init))
    for first, second, why in (
        (
            "first W drawn from a shared rng",
            "second W drawn from a shared rng",
            t.message("probe.initialization.shared_rng", "two layers drawn one after the other from the "
                      "same rng should differ"),
        ),
        (
            "W with rng=None",
            "another W with rng=None",
            t.message("probe.initialization.rng_none", "with rng=None every layer should get different "
                      "weights"),
        ),
    ):
        a, b = got.get(first), got.get(second)
        if a is None or b is None or a.shape != want[first].shape or np.array_equal(a, b):
            problems.append(why)
    return [p for p in problems if p]


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
    return values


def judge_initialize_parameters(got, want, t):
    """Keys W1, b1, ... from 1; W{l}: (d[l-1], d[l]) float64, b{l} zeros; the He scale on wide
    layers; the same parameters for the same seed, others for another seed, W2 != W3."""
    problems = t.compare(got, want, [key for key in want if key.startswith("keys") or key.startswith("b")])
    if problems:
        return problems
    for key in want:
        if key.startswith("W") and "for layer_dims" in key:
            W = got.get(key)
            if W is None or W.shape != want[key].shape or W.dtype != np.float64:
                return [t.message("probe.initialization.float64_shape", "{key} should be a float64 array of "
                                  "shape {shape}", key=key, shape=want[key].shape)]
    for key, fan_in in (("W1 for layer_dims [120, 100, 60]", 120), ("W2 for layer_dims [120, 100, 60]", 100)):
        problem = _scale_problem(key, got[key], np.sqrt(2 / fan_in), t)
        if problem:
            return [problem + t.message("probe.initialization.he_rule", " (He: sqrt(2 / d[l-1]))")]
    for key in ("W1", "W2", "W3"):
        first = got[f"{key} for layer_dims [6, 4, 7, 3]"]
        if not np.array_equal(got.get(exact(f"{key} again for the same seed")), first):
            return [t.message("probe.initialization.same_seed", "the same seed should give the same "
                              "parameters")]
        if np.array_equal(got.get(f"{key} for another seed"), first):
            return [t.message("probe.initialization.other_seed", "a different seed should give different "
                              "weights")]
    if np.array_equal(got["W2 for layer_dims [8, 8, 8, 8]"], got["W3 for layer_dims [8, 8, 8, 8]"]):
        return [t.message("probe.initialization.fresh_rng_per_layer", "W2 and W3 of layer_dims [8, 8, 8, 8] "
                          "are identical: one generator for all layers, not a fresh one with the same seed "
                          "per layer")]
    return []


PROBES = {
    "test_linear_init": probe_linear_init,
    "test_initialize_parameters": probe_initialize_parameters,
}

JUDGES = {
    "test_linear_init": judge_linear_init,
    "test_initialize_parameters": judge_initialize_parameters,
}
