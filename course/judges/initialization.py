"""Judges of notebook 02 (initialisation): Linear.__init__ and initialize_parameters.

The weights may be drawn in any correct way (std * standard_normal, rng.normal, another
order), so these judges check shapes, dtypes, zero biases, the scale of the draws (the std
within 5%, the mean near 0) and reproducibility, never the values themselves. The probes
that make the values are in ``course/probes/initialization.py``.
"""

import numpy as np

from course.i18n import message
from course.probes.compare import compare
from course.probes.initialization import SCALED_LAYERS
from course.probes.kernel import exact

#: Relative tolerance of a std (more than 4 standard errors for 4000 draws).
STD_TOLERANCE = 0.05
#: Largest mean of all those draws, in units of their std (about 7 standard errors).
MEAN_TOLERANCE = 0.05


def _scale_problem(name, W, expected):
    """A message when W's std is off by more than STD_TOLERANCE. None when it is right.
    W: any shape."""
    std = float(W.std())
    if not abs(std / expected - 1) < STD_TOLERANCE:
        return message("probe.initialization.std", "the std of {name} is {std:.4f}, expected "
                       "{expected:.4f}", name=name, std=std, expected=expected)
    return None


def judge_linear_init(got, want, t):
    """Shapes, float64, zero biases, None gradients, zero weights for "zeros", the scales of
    He and Xavier, reproducible for a seed, different draws from a shared or unseeded rng."""
    shapes = [key for key in want if key.endswith((".W", ".b", "are None"))]
    problems = [p for p in compare(got, want, [key for key in shapes if not key.endswith(".W")])]
    for key in shapes:
        if key.endswith(".W"):
            W = got.get(key)
            if W is None or W.shape != want[key].shape or W.dtype != np.float64:
                problems.append(message("probe.initialization.float64_shape", "{key} should be a float64 "
                                        "array of shape {shape}", key=key, shape=want[key].shape))
            elif "zeros" in key and np.any(W):
                problems.append(message("probe.initialization.zeros", "{key} should be all zeros", key=key))
            elif "zeros" not in key and len(np.unique(W)) != W.size:
                problems.append(message("probe.initialization.equal_entries", "{key} has equal entries: "
                                        "draw every weight at random", key=key))
    for n_in, n_out, init, expected in SCALED_LAYERS:
        key = f"W of Linear({n_in}, {n_out}, init={init!r})"
        W = got.get(key)
        if W is None or W.shape != (n_in, n_out) or W.dtype != np.float64:
            problems.append(message("probe.initialization.float64_shape", "{key} should be a float64 "
                                    "array of shape {shape}", key=key, shape=(n_in, n_out)))
        else:
            problems.append(_scale_problem(key, W, expected))
    if not problems:
        pooled = np.concatenate(
            [
                got[f"W of Linear({n_in}, {n_out}, init={init!r})"].ravel() / expected
                for n_in, n_out, init, expected in SCALED_LAYERS
            ]
        )
        if not abs(pooled.mean()) < MEAN_TOLERANCE:
            problems.append(message("probe.initialization.mean", "the weights should have mean 0, got "
                                    "{mean:.3f} standard deviations", mean=pooled.mean()))
    for init in ("he", "xavier"):
        first, again = got.get(f"{init}: W for a seed"), got.get(f"{init}: W for the same seed again")
        if first is None or again is None or not np.array_equal(first, again):
            problems.append(message("probe.initialization.same_seed_layers", "two layers made with the "
                                    "same seeded rng should be equal (init={init!r})", init=init))
    for first, second, why in (
        (
            "first W drawn from a shared rng",
            "second W drawn from a shared rng",
            message("probe.initialization.shared_rng", "two layers drawn one after the other from the "
                    "same rng should differ"),
        ),
        (
            "W with rng=None",
            "another W with rng=None",
            message("probe.initialization.rng_none", "with rng=None every layer should get different "
                    "weights"),
        ),
    ):
        a, b = got.get(first), got.get(second)
        if a is None or b is None or a.shape != want[first].shape or np.array_equal(a, b):
            problems.append(why)
    return [p for p in problems if p]


def judge_initialize_parameters(got, want, t):
    """Keys W1, b1, ... from 1; W{l}: (d[l-1], d[l]) float64, b{l} zeros; the He scale on wide
    layers; the same parameters for the same seed, others for another seed, W2 != W3, and no
    layer that repeats the next seed's previous layer (a generator per layer seeded seed + l)."""
    problems = compare(got, want, [key for key in want if key.startswith("keys") or key.startswith("b")])
    if problems:
        return problems
    for key in want:
        if key.startswith("W") and "for layer_dims" in key:
            W = got.get(key)
            if W is None or W.shape != want[key].shape or W.dtype != np.float64:
                return [message("probe.initialization.float64_shape", "{key} should be a float64 array of "
                                "shape {shape}", key=key, shape=want[key].shape)]
    for key, fan_in in (("W1 for layer_dims [120, 100, 60]", 120), ("W2 for layer_dims [120, 100, 60]", 100)):
        problem = _scale_problem(key, got[key], np.sqrt(2 / fan_in))
        if problem:
            return [problem + message("probe.initialization.he_rule", " (He: sqrt(2 / d[l-1]))")]
    for key in ("W1", "W2", "W3"):
        first = got[f"{key} for layer_dims [6, 4, 7, 3]"]
        if not np.array_equal(got.get(exact(f"{key} again for the same seed")), first):
            return [message("probe.initialization.same_seed", "the same seed should give the same "
                            "parameters")]
        if np.array_equal(got.get(f"{key} for another seed"), first):
            return [message("probe.initialization.other_seed", "a different seed should give different "
                            "weights")]
    if np.array_equal(got["W2 for layer_dims [8, 8, 8, 8]"], got["W3 for layer_dims [8, 8, 8, 8]"]):
        return [message("probe.initialization.fresh_rng_per_layer", "W2 and W3 of layer_dims [8, 8, 8, 8] "
                        "are identical: one generator for all layers, not a fresh one with the same seed "
                        "per layer")]
    for layer in (2, 3):  # the seed's layer l drawn as the next seed's layer l - 1
        W = got[f"W{layer} for layer_dims [8, 8, 8, 8]"]
        W_next = got.get(f"W{layer - 1} for layer_dims [8, 8, 8, 8], seed + 1")
        if isinstance(W_next, np.ndarray) and W_next.shape == W.shape and np.allclose(W, W_next, rtol=1e-12,
                                                                                       atol=0):
            return [message("probe.initialization.seed_per_layer", "W{layer} for a seed equals W{previous} "
                            "for the next seed: each layer drew from a generator of its own seeded from the "
                            "seed (seed + l). Use one generator, np.random.default_rng(seed), for the whole "
                            "network", layer=layer, previous=layer - 1)]
    return []


JUDGES = {
    "test_linear_init": judge_linear_init,
    "test_initialize_parameters": judge_initialize_parameters,
}
