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


# the contracts every function and layer keeps: new arrays, its own generator, modes, scales, the loop

def test_inputs_unchanged_passes_new_arrays_and_names_an_in_place_change(rng):
    Z = rng.standard_normal((3, 4))
    A = checks.check_inputs_unchanged("ReLU", ref.ReLU().forward, Z)
    np.testing.assert_array_equal(A, np.maximum(Z, 0))

    def relu_in_place(Z):
        Z[Z < 0] = 0
        return Z

    with pytest.raises(AssertionError, match=r"argument number 1 in place.*an input changed in place"):
        checks.check_inputs_unchanged("relu_in_place(Z)", relu_in_place, Z)


def test_uses_rng_passes_the_reference_and_names_the_global_or_an_ignored_generator():
    checks.check_uses_rng("Linear", lambda rng: ref.Linear(30, 20, rng=rng).W)
    checks.check_uses_rng("Dropout", lambda rng: ref.Dropout(0.5, rng=rng).forward(np.ones((5, 6))))
    with pytest.raises(AssertionError, match="NumPy's global generator used"):
        checks.check_uses_rng("randn", lambda rng: np.random.randn(3, 2))
    with pytest.raises(AssertionError, match="the given generator or seed ignored"):
        checks.check_uses_rng("fresh", lambda rng: np.random.default_rng().standard_normal(3))


def test_uses_seed_passes_the_reference_and_names_a_seed_left_unused():
    checks.check_uses_seed("initialize_parameters", lambda seed: ref.initialize_parameters([3, 4, 2], seed))
    checks.check_uses_seed("generate_disc_set", lambda seed: ref.generate_disc_set(40, seed=seed))
    with pytest.raises(AssertionError, match="NumPy's global generator used"):
        checks.check_uses_seed("shuffled", lambda seed: np.random.permutation(10))
    with pytest.raises(AssertionError, match="same result for seeds"):
        checks.check_uses_seed("constant", lambda seed: np.random.default_rng(0).permutation(10))


def test_weight_std_names_the_scale_it_looks_like(rng):
    W = rng.standard_normal((300, 500))
    checks.check_weight_std("xavier", np.sqrt(2 / 800) * W, np.sqrt(2 / 800), "Xavier")
    with pytest.raises(AssertionError, match=r"sqrt\(1 / \(in \+ out\)\).*Xavier's scale written as"):
        checks.check_weight_std("xavier", np.sqrt(1 / 800) * W, np.sqrt(2 / 800), "Xavier")
    with pytest.raises(AssertionError, match="He and Xavier swapped"):
        checks.check_weight_std("xavier", np.sqrt(2 / 300) * W, np.sqrt(2 / 800), "Xavier")


def test_modes_pass_the_reference_and_name_a_switch_that_returns_nothing(rng):
    model = ref.Sequential(ref.Linear(2, 3, rng=rng), ref.Dropout(0.5, rng=rng))
    checks.check_modes(model)

    class Quiet(ref.Sequential):
        def eval(self):
            for layer in self.layers:
                layer.eval()

    with pytest.raises(AssertionError, match=r"eval\(\) returned NoneType.*does not switch the whole model"):
        checks.check_modes(Quiet(ref.ReLU()))


def _train_with(old, new):
    """The reference train with one line changed (a planted mistake), compiled on its own."""
    import inspect

    from autograder.reference import modularization

    source = inspect.getsource(modularization.train)
    assert source.count(old) == 1
    namespace = dict(vars(modularization))
    exec(source.replace(old, new), namespace)
    return namespace["train"]


def test_training_loop_passes_the_reference_and_names_each_broken_rule():
    checks.check_training_loop(ref.train, ref.MeanSquareError())
    cases = {
        "not one update per mini-batch": ("            model.update(lr)\n        history",
                                          "        model.update(lr)\n        history"),
        "the same batch order every epoch": ("rng=rng)", "rng=np.random.default_rng(seed))"),
        "a plain mean of the batch losses": ("* X_batch.shape[0]",
                                             "* X.shape[0] / -(-X.shape[0] // batch_size)"),
        "training mode not restored": ("        model.train()\n", ""),
        "NumPy's global generator used": ("rng=rng)", "rng=np.random.default_rng(np.random.randint(9)))"),
    }
    for name, (old, new) in cases.items():
        with pytest.raises(AssertionError, match=name):
            checks.check_training_loop(_train_with(old, new), ref.MeanSquareError())


def test_recording_calls_records_every_parameter_and_restores_the_function():
    def f(a, *, b, c=3):
        return a + b + c

    namespace = {"f": f}
    with checks.recording_calls(namespace, "f") as calls:
        assert namespace["f"](1, b=2) == 6
    assert calls == [{"a": 1, "b": 2, "c": 3}] and namespace["f"] is f
