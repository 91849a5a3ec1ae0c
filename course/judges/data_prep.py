"""Judges of notebook 01 (data preparation): train_test_split, iterate_minibatches and
generate_disc_set.

The split, the mini-batch order and the disc's points may be drawn in any correct way, so
these judges check properties of the student's values (a partition, paired rows, batch
sizes, labels that match the points) instead of equality with the reference's. The probes
that make the values are in ``course/probes/data_prep.py``.
"""

import numpy as np

from course.i18n import message
from course.probes.compare import compare, show
from course.probes.kernel import exact


def judge_train_test_split(got, want, t):
    """A shuffled partition of the 57 rows into 40 train and 17 test rows, rows kept whole,
    the same for the same seed and different for another seed; the test rows are the first 17
    of np.random.default_rng(seed).permutation(57) (the rule the notebook states), in any order;
    for 23 samples the test set has round(test_fraction * 23) rows, and the defaults give the
    split of seed 0."""
    problems = compare(got, want, ["X"])
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
                return [message("probe.data_prep.split_shape", "{name} for 57 samples and test_fraction "
                                "0.3 has shape {shape}, expected {expected}", name=name,
                                shape=None if part is None else part.shape, expected=shape)]
        if y_train.dtype.kind not in "iu" or y_test.dtype.kind not in "iu" or X_train.dtype != X.dtype:
            return [message("probe.data_prep.split_dtypes", "the parts do not keep the dtypes of X and y")]
        labels = np.concatenate([y_train, y_test])
        if sorted(labels.tolist()) != list(range(57)):
            return [message("probe.data_prep.split_partition", "the parts are not a partition: every "
                            "sample must land in exactly one set")]
        if not (np.array_equal(X_train, X[y_train]) and np.array_equal(X_test, X[y_test])):
            return [message("probe.data_prep.split_apart", "the rows of X and the labels y were shuffled "
                            "apart: use one permutation for both")]
        if np.array_equal(labels, np.arange(57)):
            return [message("probe.data_prep.split_unshuffled", "the samples were not shuffled")]
    if not np.array_equal(got["first y_test"], got["again y_test"]):
        return [message("probe.data_prep.split_seed_repeat", "the same seed gave a different split")]
    if np.array_equal(got["first y_test"], got["other y_test"]):
        return [message("probe.data_prep.split_seed_ignored", "a different seed gave the same split")]
    for run in ("first", "other"):
        for name in ("y_test", "y_train"):
            if sorted(got[f"{run} {name}"].tolist()) != sorted(want[f"{run} {name}"].tolist()):
                return [_split_rule_problem(name)]
    for run, fraction in (("23 samples, test_fraction 0.3:", 0.3), ("23 samples, the defaults:", 0.2)):
        y_test, y_train = got.get(f"{run} y_test"), got.get(f"{run} y_train")
        expected = len(want[f"{run} y_test"])
        shapes = (None, None) if y_test is None or y_train is None else (y_test.shape, y_train.shape)
        if shapes != ((expected,), (23 - expected,)):
            return [message("probe.data_prep.split_round", "for 23 samples and test_fraction {fraction} the "
                            "test set must have round({fraction} * 23) = {expected} rows, got {got}: round, "
                            "do not truncate with int()", fraction=fraction, expected=expected,
                            got=None if y_test is None else len(y_test))]
        if sorted(y_test.tolist()) != sorted(want[f"{run} y_test"].tolist()):
            if run.endswith("the defaults:"):
                return [message("probe.data_prep.split_default_seed", "train_test_split(X, y) with its "
                                "defaults must give the split of seed 0: seed=0 is a seed like any other "
                                "(default_rng(0)), not 'no seed'")]
            return [_split_rule_problem("y_test")]
    return []


def _split_rule_problem(name):
    """The message for a test set (``name`` "y_test") or training set that is not the notebook's."""
    which = message("probe.data_prep.test_set", "test") if name == "y_test" \
        else message("probe.data_prep.train_set", "train")
    return message("probe.data_prep.split_rule", "the {which} set is not the one the notebook asks for: the "
                   "test set is the first round(test_fraction * N) entries of "
                   "np.random.default_rng(seed).permutation(N), the training set the rest", which=which)


def judge_iterate_minibatches(got, want, t):
    """Every row once per epoch, X and Y rows paired, the sizes 4, 4, 4, 4, 1 (the last
    partial batch kept) and one batch of 17 for batch_size 17 (no empty batch), shuffled with
    shuffle=True and in order without, the same order from generators seeded alike (the
    permutation comes from rng), a new order at each call with rng=None."""
    problems = compare(
        got, want, ["X", "Y"] + [f"{run}: batch sizes" for run in ("shuffled", "in order", "one batch")]
    )
    if problems:
        return problems
    X, Y = want["X"], want["Y"]
    for run in ("shuffled", "in order", "one batch"):
        X_rows, Y_rows = got.get(f"{run}: X rows"), got.get(f"{run}: Y rows")
        if X_rows is None or Y_rows is None or X_rows.shape != X.shape or Y_rows.shape != Y.shape:
            return [message("probe.data_prep.batch_shapes", "{run}: the batches together do not have the "
                            "shapes of X and Y", run=run)]
        order = X_rows[:, 0]
        if sorted(order.tolist()) != list(range(17)):
            return [message("probe.data_prep.batch_once", "{run}: every sample must appear exactly once "
                            "per epoch", run=run)]
        order = order.astype(int)
        if not (np.array_equal(X_rows, X[order]) and np.array_equal(Y_rows, Y[order])):
            return [message("probe.data_prep.batch_apart", "{run}: the rows of X and Y were shuffled "
                            "apart: one permutation for both", run=run)]
        if run == "in order" and not np.array_equal(order, np.arange(17)):
            return [message("probe.data_prep.batch_order_kept", "with shuffle=False the batches must keep "
                            "the original order")]
        if run == "shuffled" and np.array_equal(order, np.arange(17)):
            return [message("probe.data_prep.batch_order_random", "with shuffle=True the order should be "
                            "random")]
    again = got.get("shuffled again, same seed: X rows")
    if again is None or not np.array_equal(again, got["shuffled: X rows"]):
        return [message("probe.data_prep.batch_rng", "two generators seeded alike gave different batch "
                        "orders: draw the permutation from rng, never from NumPy's global generator "
                        "(np.random.permutation)")]
    sizes = got.get("whole batches: batch sizes")
    if sizes != want["whole batches: batch sizes"]:
        return [message("probe.data_prep.batch_whole", "17 samples in batches of 17 should give one batch "
                        "of 17, got sizes {sizes}: no empty batch when batch_size divides N", sizes=sizes)]
    if not bool(got.get("rng=None: every row once", False)):
        return [message("probe.data_prep.batch_no_rng", "with rng=None every sample must still appear "
                        "exactly once per epoch")]
    if bool(got.get("rng=None: two calls gave the same order", True)):
        return [message("probe.data_prep.batch_no_rng_seeded", "with rng=None two calls gave the same order: "
                        "make a new unseeded generator, np.random.default_rng(), at each call")]
    return []


def judge_generate_disc_set(got, want, t):
    """Points in the unit square, about half inside, labelled 1 exactly inside the disc of
    radius 1/sqrt(2 pi) around (0.5, 0.5), and the same points for the same seed."""
    radius = 1 / np.sqrt(2 * np.pi)
    for n in (37, 500, 1000):
        X, y = got.get(f"X of generate_disc_set({n})"), got.get(f"y of generate_disc_set({n})")
        again = got.get(exact(f"X of generate_disc_set({n}) again, same seed"))
        if X is None or X.shape != (n, 2) or X.dtype != np.float64:
            return [message("probe.data_prep.disc_X", "X of generate_disc_set({n}) should be a float64 "
                            "array of shape ({n}, 2)", n=n)]
        if y is None or y.shape != (n,) or y.dtype.kind not in "iu":
            return [message("probe.data_prep.disc_y", "y of generate_disc_set({n}) should be an integer "
                            "array of shape ({n},)", n=n)]
        if not (np.all(np.isfinite(X)) and X.min() >= 0 and X.max() <= 1):
            return [message("probe.data_prep.disc_square", "points must lie in the unit square")]
        inside = ((X[:, 0] - 0.5) ** 2 + (X[:, 1] - 0.5) ** 2 < radius**2).astype(int)
        wrong = np.flatnonzero(y != inside)
        if wrong.size:
            return [message("probe.data_prep.disc_labels", "{count} of {n} points are labelled wrongly, "
                            "e.g. X[{index}] = {point}", count=wrong.size, n=n, index=wrong[0],
                            point=show(X[wrong[0]]))]
        if n == 1000 and not 0.4 < y.mean() < 0.6:
            return [message("probe.data_prep.disc_balance", "{share:.0%} of 1000 points are inside: "
                            "expected about half (uniform points)", share=y.mean())]
        if again is None or not np.array_equal(again, X):
            return [message("probe.data_prep.disc_seed", "the same seed must give the same points")]
    return []


JUDGES = {
    "test_train_test_split": judge_train_test_split,
    "test_iterate_minibatches": judge_iterate_minibatches,
    "test_generate_disc_set": judge_generate_disc_set,
}
