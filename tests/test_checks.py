"""course.checks passes correct code and fails wrong code with the promised message."""

import numpy as np
import pytest

from autograder import reference as ref
from course import checks
from course.framework import Layer


def test_relative_error_of_whole_arrays():
    assert checks.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert checks.relative_error(np.array([1.0, 0.0]), np.array([-1.0, 0.0])) == pytest.approx(1.0)
    assert checks.relative_error(np.array([1e-12, 1.0]), np.array([2e-12, 1.0])) < 1e-11


def test_check_shape_names_a_transpose():
    with pytest.raises(AssertionError, match=r"dW has shape \(3, 4\), expected \(4, 3\) \(transposed"):
        checks.check_shape("dW", np.zeros((3, 4)), (4, 3))


def test_check_shape_names_a_missing_return():
    with pytest.raises(AssertionError, match="got NoneType .did you forget a return statement"):
        checks.check_shape("Z", None, (2, 2))


def test_check_close_gives_the_largest_error_and_its_index():
    expected = np.array([1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match=r"largest difference at db\[2\]: got 4, expected 3"):
        checks.check_close("db", np.array([1.0, 2.0, 4.0]), expected)
    assert checks.check_close("db", expected.copy(), expected) is None


@pytest.mark.parametrize("transform, words", [
    (lambda g: -g, "sign is flipped"),
    (lambda g: 5 * g, "missing 1/N"),
    (lambda g: g / 5, "extra 1/N"),
    (lambda g: 2 * g, "factor 2"),
])
def test_check_close_names_known_mistakes(transform, words, rng):
    expected = rng.standard_normal((5, 3))
    with pytest.raises(AssertionError, match=words):
        checks.check_close("dW", transform(expected), expected, batch_size=5)


def test_check_close_reports_overflow():
    with pytest.raises(AssertionError, match="overflow"):
        checks.check_close("P", np.array([np.nan, 1.0]), np.array([0.5, 0.5]))


def test_layer_gradient_check_passes_every_reference_layer(rng, capsys):
    X = rng.standard_normal((6, 4))
    for layer in (ref.Linear(4, 3, rng=rng), ref.ReLU(), ref.Sigmoid(), ref.Tanh(), ref.Identity(),
                  ref.Dropout(0.3, rng=np.random.default_rng(0))):
        assert checks.check_layer_gradients(layer, X) is None
    printed = capsys.readouterr().out
    assert "Linear gradients match finite differences (relative errors: dX" in printed
    assert "Dropout gradients match" in printed


class LinearWithoutBatchSum(Layer):
    """A planted bug: db averaged over the batch instead of summed."""

    def __init__(self, rng):
        self.W = rng.standard_normal((4, 3))
        self.b = rng.standard_normal(3)

    def forward(self, X):
        self.X = X
        return X @ self.W + self.b

    def backward(self, dZ):
        self.dW = self.X.T @ dZ
        self.db = dZ.mean(axis=0)
        return dZ @ self.W.T


class ReLUWrongSign(Layer):
    def forward(self, Z):
        self.Z = Z
        return np.maximum(Z, 0)

    def backward(self, dA):
        return -dA * (self.Z > 0)


def test_layer_gradient_check_catches_a_missing_sum(rng):
    with pytest.raises(AssertionError, match=r"LinearWithoutBatchSum db is wrong.*extra 1/N"):
        checks.check_layer_gradients(LinearWithoutBatchSum(rng), rng.standard_normal((6, 4)), verbose=False)


def test_layer_gradient_check_catches_a_sign_flip(rng):
    with pytest.raises(AssertionError, match="sign is flipped"):
        checks.check_layer_gradients(ReLUWrongSign(), rng.standard_normal((6, 4)), verbose=False)


def test_layer_gradient_check_reports_a_wrong_dX_shape(rng):
    class Transposed(ReLUWrongSign):
        def backward(self, dA):
            return dA.T

    with pytest.raises(AssertionError, match=r"dX has shape \(4, 6\), expected \(6, 4\) \(transposed"):
        checks.check_layer_gradients(Transposed(), rng.standard_normal((6, 4)), verbose=False)


def test_loss_gradient_check_passes_and_catches_a_missing_mean(rng):
    Y = ref.one_hot(rng.integers(0, 3, 7), 3)
    Z = rng.standard_normal((7, 3))
    checks.check_loss_gradient(ref.SoftmaxCrossEntropy(), Y, Z, verbose=False)

    class SumInsteadOfMeanGradient(ref.SoftmaxCrossEntropy):
        def backward(self):
            return self.P - self.y

    with pytest.raises(AssertionError, match="missing 1/N"):
        checks.check_loss_gradient(SumInsteadOfMeanGradient(), Y, Z, verbose=False)


def test_loss_gradient_check_wants_a_float(rng):
    class ArrayLoss(ref.MeanSquareError):
        def forward(self, y, y_hat):
            super().forward(y, y_hat)
            return (y_hat - y) ** 2

    with pytest.raises(AssertionError, match="should return one float"):
        checks.check_loss_gradient(ArrayLoss(), np.zeros((3, 2)), np.ones((3, 2)), verbose=False)
