"""Every reference layer and loss against central finite differences, at random
non-square shapes, with the relative error of the spec."""

import numpy as np
import pytest

from autograder import reference as ref

TOLERANCE = 1e-7


def relative_error(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def test_numerical_gradient_matches_known_derivative(rng):
    x = rng.standard_normal((3, 5))
    grad = ref.numerical_gradient(lambda: float(np.sum(np.sin(x) * x)), x)
    assert relative_error(grad, np.cos(x) * x + np.sin(x)) < TOLERANCE


def test_numerical_gradient_restores_its_input(rng):
    x = rng.standard_normal((4, 2))
    before = x.copy()
    ref.numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_array_equal(x, before)


def _layer_errors(layer, X, rng):
    """Relative errors of dX (and dW, db) of ``layer`` against finite differences."""
    A = layer.forward(X)
    G = rng.standard_normal(A.shape)
    dX = layer.backward(G)
    f = lambda: float(np.sum(layer.forward(X) * G))  # noqa: E731
    errors = {"dX": relative_error(dX, ref.numerical_gradient(f, X))}
    if isinstance(layer, ref.Linear):
        dW, db = layer.dW.copy(), layer.db.copy()
        errors["dW"] = relative_error(dW, ref.numerical_gradient(f, layer.W))
        errors["db"] = relative_error(db, ref.numerical_gradient(f, layer.b))
    return errors


@pytest.mark.parametrize("shape", [(7, 5, 3), (1, 4, 6), (9, 2, 1)])
def test_linear_backward_matches_finite_differences(shape, rng):
    n, d_in, d_out = shape
    layer = ref.Linear(d_in, d_out, rng=rng)
    layer.b = rng.standard_normal(d_out)
    errors = _layer_errors(layer, rng.standard_normal((n, d_in)), rng)
    assert layer.dW.shape == (d_in, d_out) and layer.db.shape == (d_out,)
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("layer_class", [ref.ReLU, ref.Sigmoid, ref.Tanh, ref.Identity])
def test_activation_backward_matches_finite_differences(layer_class, rng):
    X = rng.standard_normal((6, 4))
    errors = _layer_errors(layer_class(), X, rng)
    assert errors["dX"] < TOLERANCE


def test_dropout_backward_uses_the_forward_mask(rng):
    layer = ref.Dropout(0.4, rng=np.random.default_rng(0))
    X = rng.standard_normal((50, 8))
    A = layer.forward(X)
    dropped = A == 0
    assert 0.25 < dropped.mean() < 0.55
    np.testing.assert_allclose(A[~dropped], X[~dropped] / 0.6)
    G = rng.standard_normal(A.shape)
    np.testing.assert_allclose(layer.backward(G), G * (A / X))


def test_dropout_is_identity_in_eval_mode(rng):
    layer = ref.Dropout(0.5, rng=rng).eval()
    X = rng.standard_normal((5, 3))
    np.testing.assert_array_equal(layer.forward(X), X)
    np.testing.assert_array_equal(layer.backward(X), X)


def _loss_cases(rng):
    n, c = 7, 4
    y_class = rng.integers(0, c, n)
    yield ref.MeanSquareError(), rng.standard_normal((n, 3)), rng.standard_normal((n, 3))
    yield ref.SigmoidCrossEntropy(), rng.integers(0, 2, (n, 1)).astype(float), rng.standard_normal((n, 1))
    yield ref.SoftmaxCrossEntropy(), ref.one_hot(y_class, c), rng.standard_normal((n, c))


def test_every_loss_backward_matches_finite_differences(rng):
    for loss, y, y_hat in _loss_cases(rng):
        loss.forward(y, y_hat)
        analytic = loss.backward()
        numeric = ref.numerical_gradient(lambda: loss.forward(y, y_hat), y_hat)  # noqa: B023
        assert relative_error(analytic, numeric) < TOLERANCE, type(loss).__name__


def test_sequential_backward_matches_finite_differences(rng):
    model = ref.build_model([
        {"input_dim": 5, "output_dim": 7, "activation": "tanh"},
        {"input_dim": 7, "output_dim": 3, "activation": "sigmoid"},
    ], seed=3)
    X = rng.standard_normal((4, 5))
    G = rng.standard_normal((4, 3))
    model.forward(X)
    dX = model.backward(G)
    f = lambda: float(np.sum(model.forward(X) * G))  # noqa: E731
    assert relative_error(dX, ref.numerical_gradient(f, X)) < TOLERANCE
    for value, gradient in model.parameters():
        saved = gradient.copy()
        assert relative_error(saved, ref.numerical_gradient(f, value)) < TOLERANCE
