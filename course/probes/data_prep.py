"""Probes of notebook 01 (data preparation): one_hot, train_test_split, standardize,
iterate_minibatches, generate_disc_set.

Each probe is ``probe(ns, rng) -> {key: value}`` and runs both in the student's kernel and
on the reference. The split, the mini-batch order and the disc's points may be drawn in any
correct way, so their judges (``course/judges/data_prep.py``) check properties (a
partition, paired rows, batch sizes, labels that match the points) instead of equality.
"""

import numpy as np

from .kernel import exact


def probe_one_hot(ns, rng):
    """one_hot(y, C) -> (N, C) float64, for N x C in (7, 5), (1, 2), (30, 10), and a class absent."""
    values = {}
    for n, c in [(7, 5), (1, 2), (30, 10)]:
        values[f"one_hot of {n} labels, {c} classes"] = ns["one_hot"](rng.integers(0, c, n), c)
    values["one_hot([0, 0], 4) (classes absent)"] = ns["one_hot"](np.array([0, 0]), 4)
    return values


def probe_train_test_split(ns, rng):
    """X: (57, 3) with X[:, 0] = row number, y = row number; test_fraction 0.3 -> 17 test rows.

    Records the four parts for a seed, again for the same seed, and the test labels for
    another seed; then the labels of a split of 23 samples, where rounding and truncating
    differ, with test_fraction 0.3 and with the defaults. The judge checks the properties, not
    one particular permutation.
    """
    seed = int(rng.integers(0, 1000))
    X = rng.standard_normal((57, 3))
    X[:, 0] = np.arange(57)
    y = np.arange(57)
    values = {"X": X.copy()}
    for run, run_seed in (("first", seed), ("again", seed), ("other", seed + 1)):
        parts = ns["train_test_split"](X.copy(), y.copy(), test_fraction=0.3, seed=run_seed)
        for name, part in zip(("X_train", "X_test", "y_train", "y_test"), parts):
            values[f"{run} {name}"] = part
    # 23 samples: round(0.3 * 23) = 7 and round(0.2 * 23) = 5, where int() would give 6 and 4;
    # the defaults (test_fraction 0.2, seed 0) must be the split of seed 0, not an unseeded one
    X_small, y_small = rng.standard_normal((23, 2)), np.arange(23)
    for run, arguments in (("23 samples, test_fraction 0.3:", {"test_fraction": 0.3, "seed": seed}),
                           ("23 samples, the defaults:", {})):
        parts = ns["train_test_split"](X_small.copy(), y_small.copy(), **arguments)
        values[f"{run} y_train"], values[f"{run} y_test"] = parts[2], parts[3]
    return values


def probe_standardize(ns, rng):
    """X_train: (40, 5) with a constant feature, X_test: (9, 5) of other statistics."""
    X_train = rng.normal(4.0, 3.0, (40, 5))
    X_test = rng.normal(-2.0, 0.5, (9, 5))
    X_train[:, 2] = 7.0
    train, test = ns["standardize"](X_train.copy(), X_test.copy())
    return {"standardized X_train": train, "standardized X_test (train statistics only)": test}


def probe_iterate_minibatches(ns, rng):
    """X: (17, 4) with X[:, 0] = row number, Y: (17, 4) with Y[:, -1] = row number.

    Shuffled batches of 4, unshuffled batches of 6, one batch larger than the data, the
    shuffled batches again from a generator seeded alike, one batch of exactly N, and two
    calls with rng=None.
    """
    X = rng.standard_normal((17, 4))
    X[:, 0] = np.arange(17)
    Y = np.column_stack([np.eye(3)[rng.integers(0, 3, 17)], np.arange(17)])
    values = {"X": X.copy(), "Y": Y.copy()}
    seeds = [int(seed) for seed in rng.integers(1000, size=3)]
    for run, batch_size, shuffle, seed in (
        ("shuffled", 4, True, seeds[0]),
        ("in order", 6, False, seeds[1]),
        ("one batch", 100, True, seeds[2]),
        ("shuffled again, same seed", 4, True, seeds[0]),
        ("whole batches", 17, True, seeds[1]),  # batch_size divides N: no empty batch after them
    ):
        batches = list(
            ns["iterate_minibatches"](
                X.copy(), Y.copy(), batch_size, shuffle=shuffle, rng=np.random.default_rng(seed)
            )
        )
        values[f"{run}: batch sizes"] = [len(X_batch) for X_batch, _ in batches]
        values[f"{run}: X rows"] = np.concatenate([X_batch for X_batch, _ in batches])
        values[f"{run}: Y rows"] = np.concatenate([Y_batch for _, Y_batch in batches])
    # rng=None: a new generator each call (np.random.default_rng()), so two epochs differ
    epochs = [ns["iterate_minibatches"](X.copy(), Y.copy(), 4) for _ in range(2)]
    unseeded = [np.concatenate([Y_batch[:, -1] for _, Y_batch in epoch]) for epoch in epochs]
    values["rng=None: two calls gave the same order"] = bool(np.array_equal(*unseeded))
    values["rng=None: every row once"] = all(sorted(order.tolist()) == list(range(17)) for order in unseeded)
    return values


def probe_generate_disc_set(ns, rng):
    """generate_disc_set(n, seed) for n = 37, 500 and 1000: X (n, 2), y (n,), twice each."""
    values = {}
    for n in (37, 500, 1000):
        seed = int(rng.integers(0, 10_000))
        X, y = ns["generate_disc_set"](n, seed=seed)
        values[f"X of generate_disc_set({n})"], values[f"y of generate_disc_set({n})"] = X, y
        values[exact(f"X of generate_disc_set({n}) again, same seed")] = ns["generate_disc_set"](
            n, seed=seed
        )[0]
    return values


PROBES = {
    "test_one_hot": probe_one_hot,
    "test_train_test_split": probe_train_test_split,
    "test_standardize": probe_standardize,
    "test_iterate_minibatches": probe_iterate_minibatches,
    "test_generate_disc_set": probe_generate_disc_set,
}
