"""Contracts of the data helpers: reference exercises of notebook 01 and course.datasets."""

import numpy as np
import pytest

from autograder import reference as ref
from course import datasets


def test_one_hot_is_np_eye_style():
    Y = ref.one_hot(np.array([2, 0, 1, 2]), 4)
    assert Y.shape == (4, 4) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y, np.eye(4)[[2, 0, 1, 2]])


def test_standardize_uses_train_statistics_only(rng):
    X_train = rng.normal(5.0, 3.0, (200, 3))
    X_test = rng.normal(-7.0, 0.5, (50, 3))
    train_scaled, test_scaled = ref.standardize(X_train, X_test)
    np.testing.assert_allclose(train_scaled.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train_scaled.std(axis=0), 1.0, rtol=1e-12)
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    np.testing.assert_allclose(test_scaled, expected, rtol=1e-12)


def test_standardize_leaves_constant_features_finite(rng):
    X_train = np.column_stack([rng.standard_normal(10), np.full(10, 4.0)])
    X_test = np.column_stack([rng.standard_normal(3), np.full(3, 5.0)])
    with np.errstate(divide="raise", invalid="raise"):
        train_scaled, test_scaled = ref.standardize(X_train, X_test)
    np.testing.assert_array_equal(train_scaled[:, 1], 0.0)
    np.testing.assert_array_equal(test_scaled[:, 1], 1.0)


def test_train_test_split_keeps_rows_paired_and_is_deterministic(rng):
    X = np.arange(50, dtype=float).reshape(25, 2)
    y = np.arange(25)
    X_train, X_test, y_train, y_test = ref.train_test_split(X, y, test_fraction=0.2, seed=3)
    assert X_train.shape == (20, 2) and X_test.shape == (5, 2)
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)
    assert sorted(np.concatenate([y_train, y_test])) == list(range(25))
    assert not np.array_equal(y_train, np.arange(20))
    again = ref.train_test_split(X, y, test_fraction=0.2, seed=3)
    np.testing.assert_array_equal(again[3], y_test)
    other = ref.train_test_split(X, y, test_fraction=0.2, seed=4)
    assert not np.array_equal(other[3], y_test)


def test_minibatches_share_one_permutation_and_keep_the_partial_batch():
    X = np.arange(23, dtype=float)[:, None] * np.array([[1.0, -1.0]])
    Y = np.arange(23)
    batches = list(ref.iterate_minibatches(X, Y, 5, shuffle=True, rng=np.random.default_rng(0)))
    assert [len(b[0]) for b in batches] == [5, 5, 5, 5, 3]
    for X_batch, Y_batch in batches:
        np.testing.assert_array_equal(X_batch[:, 0], Y_batch)
    seen = np.concatenate([Y_batch for _, Y_batch in batches])
    assert sorted(seen) == list(range(23)) and not np.array_equal(seen, np.arange(23))


def test_minibatches_without_shuffle_keep_the_order():
    X, Y = np.ones((7, 2)), np.arange(7)
    batches = [Y_batch for _, Y_batch in ref.iterate_minibatches(X, Y, 3, shuffle=False)]
    assert [b.tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]


def test_disc_set_labels_the_points_inside_the_disc():
    X, y = ref.generate_disc_set(2000, seed=5)
    assert X.shape == (2000, 2) and y.shape == (2000,)
    assert X.min() >= 0.0 and X.max() <= 1.0
    inside = np.hypot(X[:, 0] - 0.5, X[:, 1] - 0.5) < 1 / np.sqrt(2 * np.pi)
    np.testing.assert_array_equal(y, inside.astype(int))
    assert np.issubdtype(y.dtype, np.integer)
    assert 0.45 < y.mean() < 0.55  # the disc covers half of the square
    np.testing.assert_array_equal(ref.generate_disc_set(10, seed=5)[0], ref.generate_disc_set(10, seed=5)[0])


def test_two_moons_has_the_course_size_and_is_reproducible():
    X, y = datasets.two_moons()
    assert X.shape == (1000, 2) and X.dtype == np.float64 and set(y) == {0, 1}
    np.testing.assert_array_equal(datasets.two_moons()[0], X)


def test_digits_come_bundled_and_scaled():
    X, y = datasets.digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0 and set(y) == set(range(10))


@pytest.mark.parametrize("init, expected_std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 700))])
def test_linear_init_scales(init, expected_std):
    layer = ref.Linear(400, 300, init=init, rng=np.random.default_rng(0))
    assert layer.W.shape == (400, 300) and layer.b.shape == (300,)
    assert layer.W.std() == pytest.approx(expected_std, rel=0.02)
    assert not layer.b.any() and layer.dW is None and layer.db is None


def test_initialize_parameters_dictionary_view():
    parameters = ref.initialize_parameters([4, 6, 3], seed=1)
    assert sorted(parameters) == ["W1", "W2", "b1", "b2"]
    assert parameters["W1"].shape == (4, 6) and parameters["b2"].shape == (3,)
    np.testing.assert_array_equal(ref.initialize_parameters([4, 6, 3], seed=1)["W2"], parameters["W2"])
