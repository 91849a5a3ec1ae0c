"""Probes of notebook 01 (data preparation): one_hot, train_test_split, standardize,
iterate_minibatches, generate_disc_set.

Each probe is ``probe(ns, rng) -> {key: value}`` and runs both in the student's kernel and
on the reference. The split, the mini-batch order and the disc's points may be drawn in any
correct way, so their judges check properties (a partition, paired rows, batch sizes,
labels that match the points) instead of equality.
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
    another seed. The judge checks the properties, not one particular permutation.
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
    return values


def judge_train_test_split(got, want, t):
    """A shuffled partition of the 57 rows into 40 train and 17 test rows, rows kept whole,
    the same for the same seed and different for another seed; the test rows are the first 17
    of np.random.default_rng(seed).permutation(57) (the rule the notebook states), in any order."""
    problems = t.compare(got, want, ["X"])
    if problems:
        return problems
    X = want["X"]
    for run in ("first", "again", "other"):
        X_train, X_test, y_train, y_test = (
            got.get(f"{run} {name}") for name in ("X_train", "X_test", "y_train", "y_test")
        )
        for name, part, shape in (
            ("X_train", X_train, (40, 3)),
            ("X_test", X_test, (17, 3)),
            ("y_train", y_train, (40,)),
            ("y_test", y_test, (17,)),
        ):
            if part is None or part.shape != shape:
                return [t.message("probe.data_prep.split_shape", "{name} for 57 samples and test_fraction "
                                  "0.3 has shape {shape}, expected {expected}", name=name,
                                  shape=None if part is None else part.shape, expected=shape)]
        if y_train.dtype.kind not in "iu" or y_test.dtype.kind not in "iu" or X_train.dtype != X.dtype:
            return [t.message("probe.data_prep.split_dtypes", "the parts do not keep the dtypes of X and y")]
        labels = np.concatenate([y_train, y_test])
        if sorted(labels.tolist()) != list(range(57)):
            return [t.message("probe.data_prep.split_partition", "the parts are not a partition: every "
                              "sample must land in exactly one set")]
        if not (np.array_equal(X_train, X[y_train]) and np.array_equal(X_test, X[y_test])):
            return [t.message("probe.data_prep.split_apart", "the rows of X and the labels y were shuffled "
                              "apart: use one permutation for both")]
        if np.array_equal(labels, np.arange(57)):
            return [t.message("probe.data_prep.split_unshuffled", "the samples were not shuffled")]
    if not np.array_equal(got["first y_test"], got["again y_test"]):
        return [t.message("probe.data_prep.split_seed_repeat", "the same seed gave a different split")]
    if np.array_equal(got["first y_test"], got["other y_test"]):
        return [t.message("probe.data_prep.split_seed_ignored", "a different seed gave the same split")]
    for run in ("first", "other"):
        for name in ("y_test", "y_train"):
            if sorted(got[f"{run} {name}"].tolist()) != sorted(want[f"{run} {name}"].tolist()):
                which = t.message("probe.data_prep.test_set", "test") if name == "y_test" \
                    else t.message("probe.data_prep.train_set", "train")
                return [t.message("probe.data_prep.split_rule", "the {which} set is not the one the notebook "
                                  "asks for: the test set is the first round(test_fraction * N) entries of "
                                  "np.random.default_rng(seed).permutation(N), the training set the rest",
                                  which=which)]
    return []


def probe_standardize(ns, rng):
    """X_train: (40, 5) with a constant feature, X_test: (9, 5) of other statistics."""
    X_train = rng.normal(4.0, 3.0, (40, 5))
    X_test = rng.normal(-2.0, 0.5, (9, 5))
    X_train[:, 2] = 7.0
    train, test = ns["standardize"](X_train.copy(), X_test.copy())
    return {"standardized X_train": train, "standardized X_test (train statistics only)": test}


def probe_iterate_minibatches(ns, rng):
    """X: (17, 4) with X[:, 0] = row number, Y: (17, 4) with Y[:, -1] = row number.

    Shuffled batches of 4, unshuffled batches of 6, one batch larger than the data, and the
    shuffled batches again from a generator seeded alike.
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
    ):
        batches = list(
            ns["iterate_minibatches"](
                X.copy(), Y.copy(), batch_size, shuffle=shuffle, rng=np.random.default_rng(seed)
            )
        )
        values[f"{run}: batch sizes"] = [len(X_batch) for X_batch, _ in batches]
        values[f"{run}: X rows"] = np.concatenate([X_batch for X_batch, _ in batches])
        values[f"{run}: Y rows"] = np.concatenate([Y_batch for _, Y_batch in batches])
    return values


def judge_iterate_minibatches(got, want, t):
    """Every row once per epoch, X and Y rows paired, the sizes 4, 4, 4, 4, 1 (the last
    partial batch kept), shuffled with shuffle=True and in order without, the same order from
    generators seeded alike (the permutation comes from rng)."""
    problems = t.compare(
        got, want, ["X", "Y"] + [f"{run}: batch sizes" for run in ("shuffled", "in order", "one batch")]
    )
    if problems:
        return problems
    X, Y = want["X"], want["Y"]
    for run in ("shuffled", "in order", "one batch"):
        X_rows, Y_rows = got.get(f"{run}: X rows"), got.get(f"{run}: Y rows")
        if X_rows is None or Y_rows is None or X_rows.shape != X.shape or Y_rows.shape != Y.shape:
            return [t.message("probe.data_prep.batch_shapes", "{run}: the batches together do not have the "
                              "shapes of X and Y", run=run)]
        order = X_rows[:, 0]
        if sorted(order.tolist()) != list(range(17)):
            return [t.message("probe.data_prep.batch_once", "{run}: every sample must appear exactly once "
                              "per epoch", run=run)]
        order = order.astype(int)
        if not (np.array_equal(X_rows, X[order]) and np.array_equal(Y_rows, Y[order])):
            return [t.message("probe.data_prep.batch_apart", "{run}: the rows of X and Y were shuffled "
                              "apart: one permutation for both", run=run)]
        if run == "in order" and not np.array_equal(order, np.arange(17)):
            return [t.message("probe.data_prep.batch_order_kept", "with shuffle=False the batches must keep "
                              "the original order")]
        if run == "shuffled" and np.array_equal(order, np.arange(17)):
            return [t.message("probe.data_prep.batch_order_random", "with shuffle=True the order should be "
                              "random")]
    again = got.get("shuffled again, same seed: X rows")
    if again is None or not np.array_equal(again, got["shuffled: X rows"]):
        return [t.message("probe.data_prep.batch_rng", "two generators seeded alike gave different batch "
                          "orders: draw the permutation from rng, never from NumPy's global generator "
                          "(np.random.permutation)")]
    return []


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


def judge_generate_disc_set(got, want, t):
    """Points in the unit square, about half inside, labelled 1 exactly inside the disc of
    radius 1/sqrt(2 pi) around (0.5, 0.5), and the same points for the same seed."""
    radius = 1 / np.sqrt(2 * np.pi)
    for n in (37, 500, 1000):
        X, y = got.get(f"X of generate_disc_set({n})"), got.get(f"y of generate_disc_set({n})")
        again = got.get(exact(f"X of generate_disc_set({n}) again, same seed"))
        if X is None or X.shape != (n, 2) or X.dtype != np.float64:
            return [t.message("probe.data_prep.disc_X", "X of generate_disc_set({n}) should be a float64 "
                              "array of shape ({n}, 2)", n=n)]
        if y is None or y.shape != (n,) or y.dtype.kind not in "iu":
            return [t.message("probe.data_prep.disc_y", "y of generate_disc_set({n}) should be an integer "
                              "array of shape ({n},)", n=n)]
        if not (np.all(np.isfinite(X)) and X.min() >= 0 and X.max() <= 1):
            return [t.message("probe.data_prep.disc_square", "points must lie in the unit square")]
        inside = ((X[:, 0] - 0.5) ** 2 + (X[:, 1] - 0.5) ** 2 < radius**2).astype(int)
        wrong = np.flatnonzero(y != inside)
        if wrong.size:
            return [t.message("probe.data_prep.disc_labels", "{count} of {n} points are labelled wrongly, "
                              "e.g. X[{index}] = {point}", count=wrong.size, n=n, index=wrong[0],
                              point=t.show(X[wrong[0]]))]
        if n == 1000 and not 0.4 < y.mean() < 0.6:
            return [t.message("probe.data_prep.disc_balance", "{share:.0%} of 1000 points are inside: "
                              "expected about half (uniform points)", share=y.mean())]
        if again is None or not np.array_equal(again, X):
            return [t.message("probe.data_prep.disc_seed", "the same seed must give the same points")]
    return []


PROBES = {
    "test_one_hot": probe_one_hot,
    "test_train_test_split": probe_train_test_split,
    "test_standardize": probe_standardize,
    "test_iterate_minibatches": probe_iterate_minibatches,
    "test_generate_disc_set": probe_generate_disc_set,
}

JUDGES = {
    "test_train_test_split": judge_train_test_split,
    "test_iterate_minibatches": judge_iterate_minibatches,
    "test_generate_disc_set": judge_generate_disc_set,
}
