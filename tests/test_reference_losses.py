"""Losses against closed forms, stability at logits of +-1000, softmax properties."""

import numpy as np
import pytest

from autograder import reference as ref


def test_mean_square_error_is_the_mean_over_all_entries(rng):
    y, y_hat = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    loss = ref.MeanSquareError()
    assert loss.forward(y, y_hat) == pytest.approx(((y_hat - y) ** 2).sum() / 15, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), 2 * (y_hat - y) / 15, rtol=1e-12)


def test_sigmoid_cross_entropy_matches_its_definition(rng):
    y = rng.integers(0, 2, (6, 1)).astype(float)
    z = rng.standard_normal((6, 1))
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert ref.SigmoidCrossEntropy().forward(y, z) == pytest.approx(expected, rel=1e-10)


def test_softmax_cross_entropy_matches_its_definition(rng):
    Y = ref.one_hot(rng.integers(0, 5, 8), 5)
    Z = rng.standard_normal((8, 5))
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(P[Y.astype(bool)]))
    loss = ref.SoftmaxCrossEntropy()
    assert loss.forward(Y, Z) == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(loss.backward(), (P - Y) / 8, rtol=1e-10)


def test_losses_return_python_floats(rng):
    Y = ref.one_hot(np.array([0, 2, 1]), 3)
    Z = rng.standard_normal((3, 3))
    for loss, y in ((ref.MeanSquareError(), Y), (ref.SoftmaxCrossEntropy(), Y)):
        assert type(loss.forward(y, Z)) is float


@pytest.mark.parametrize("scale", [1000.0, -1000.0])
def test_cross_entropies_stay_finite_for_huge_logits(scale):
    Z = np.array([[scale, 0.0, -scale], [0.0, scale, 1.0]])
    Y = ref.one_hot(np.array([0, 2]), 3)
    loss = ref.SoftmaxCrossEntropy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.forward(Y, Z)
        gradient = loss.backward()
    assert np.isfinite(value) and np.all(np.isfinite(gradient))
    log_P = Z - Z.max(axis=1, keepdims=True)
    log_P -= np.log(np.exp(log_P).sum(axis=1, keepdims=True))
    assert value == pytest.approx(-np.mean(log_P[Y.astype(bool)]), rel=1e-12)

    z = np.array([[scale], [-scale]])
    y = np.array([[0.0], [0.0]])
    sigmoid_loss = ref.SigmoidCrossEntropy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = sigmoid_loss.forward(y, z)
        gradient = sigmoid_loss.backward()
    assert value == pytest.approx(abs(scale) / 2, rel=1e-12)  # one of the two costs abs(scale)
    assert np.all(np.isfinite(gradient))


def test_softmax_rows_sum_to_one_and_ignore_shifts(rng):
    Z = rng.standard_normal((4, 6)) * 50
    P = ref.softmax(Z)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(ref.softmax(Z + 1000.0), P, rtol=1e-12)
    assert np.all(np.isfinite(ref.softmax(np.array([[1e4, -1e4, 0.0]]))))


def test_sigmoid_is_stable_and_symmetric():
    Z = np.array([[-1000.0, -1.0, 0.0, 1.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        A = ref.Sigmoid().forward(Z)
    np.testing.assert_allclose(A, [[0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1.0]], atol=1e-15)
