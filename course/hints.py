"""The catalogue of known mistakes: what each looks like and what to do about it.

A check that recognises a mistake puts ``explain(key)`` into its failure message, so the
same sentence reaches the student in the notebook, in nbgrader's feedback and in the
self-check (``python -m course check``), which finds it again with ``find(message)``.

Each ``Hint`` has a ``key`` (used by the checks), a ``name`` (a short phrase that appears in
every message naming the mistake), the exercises (nbgrader ``grade_id`` of their test
cells) it concerns, how the checks recognise it, and a sentence that says what to do.
"""

from dataclasses import dataclass

__all__ = ["Hint", "HINTS", "explain", "find"]


@dataclass(frozen=True)
class Hint:
    """One known mistake. exercises: grade_ids of the test cells that recognise it."""

    key: str
    name: str
    exercises: tuple
    recognised_by: str
    sentence: str


def _hint(key, name, exercises, recognised_by, sentence):
    return key, Hint(key, name, tuple(exercises.split()), recognised_by, sentence)


HINTS = dict([
    _hint("transposed_weights", "transposed weights",
          "test_linear_init test_initialize_parameters test_linear_backward",
          "checks.check_shape: the array has the expected shape reversed; checks.check_close: "
          "a square result equals the transpose of the expected one",
          "rows are samples and W is (in_features, out_features): write X @ W, dW = X.T @ dZ, "
          "dX = dZ @ W.T, and create W with shape (in_features, out_features)."),
    _hint("missing_mean", "a missing 1/N",
          "test_mean_square_error test_sigmoid_cross_entropy test_softmax_cross_entropy",
          "checks.check_close with batch_size: the result is N times the expected one",
          "the loss is a mean over the batch, so its gradient carries a factor 1/N."),
    _hint("extra_mean", "an extra 1/N",
          "test_linear_backward test_relu_identity_backward test_sigmoid_tanh_backward",
          "checks.check_close with batch_size: the result is 1/N times the expected one",
          "only the loss divides by N; a layer's backward must not divide again."),
    _hint("sign_flip", "a sign flip",
          "test_relu_identity_backward test_sigmoid_tanh_backward test_linear_update",
          "checks.check_close: the result is minus the expected one; test_linear_update: W + lr dW",
          "check the sign of the derivative, and step against the gradient: W - lr * dW."),
    _hint("not_summed_over_batch", "db not summed over the batch",
          "test_linear_backward",
          "test_linear_backward: db equals the mean of dZ over the batch; checks.check_shape: "
          "the array has an extra leading batch axis",
          "db adds up dZ over the samples, dZ.sum(axis=0), shape (out_features,): the 1/N of "
          "the mean loss is already inside dZ, so do not average again."),
    _hint("unstable_softmax", "an unstable softmax",
          "test_softmax test_softmax_cross_entropy",
          "checks.without_overflow: NumPy overflows on scores of +-1000",
          "subtract each row's maximum (keepdims=True) before np.exp; for the loss take "
          "log P = (Z - m) - log(sum(exp(Z - m))), never np.log of a probability."),
    _hint("unstable_sigmoid", "an unstable sigmoid",
          "test_sigmoid_forward test_sigmoid_cross_entropy",
          "checks.without_overflow: NumPy overflows on inputs of +-1000",
          "take exp only of -|Z| (never of a large positive number); np.where evaluates both "
          "branches on every entry, so exp(-Z) inside it still overflows."),
    _hint("test_statistics", "statistics of the test set used to standardise it",
          "test_standardize",
          "checks.rule_out: X_test standardised with its own mean and std",
          "compute the mean and std on X_train only and scale both sets with them: the test "
          "set stands for data the model has never seen."),
    _hint("shuffled_apart", "X and Y shuffled apart",
          "test_train_test_split test_iterate_minibatches",
          "a row of X no longer sits beside its label after the shuffle",
          "draw one permutation and index both arrays with it: X[order], Y[order]."),
    _hint("partial_batch_dropped", "the last partial batch dropped",
          "test_iterate_minibatches",
          "checks.rule_out: the batch sizes stop before the last, smaller batch",
          "let the last batch be smaller: range(0, N, batch_size) and slice "
          "order[start:start + batch_size]."),
    _hint("gradients_not_cleared", "gradients not cleared after the update",
          "test_linear_update",
          "dW and db are not None after update()",
          "call self.zero_grad() at the end of update(), so an old gradient is never used twice."),
    _hint("equal_initial_weights", "equal initial weights",
          "test_linear_init test_fixed_experiment",
          "repeated entries in W, or units whose weights stay equal after training",
          "units that start equal get equal gradients and stay equal: draw W at random "
          "(rng.standard_normal), never all zeros or one constant."),
    _hint("dropout_at_eval", "dropout left on at evaluation",
          "test_dropout_forward test_predict test_train",
          "outputs change from call to call, or units are dropped after model.eval()",
          "call model.eval() before predicting or validating (Dropout lets everything through "
          "when self.training is False), and model.train() before training again."),
    _hint("backward_in_forward_order", "backward through the layers in forward order",
          "test_sequential",
          "a shape error inside Sequential.backward, or a wrong dX",
          "go through the layers last to first (reversed(self.layers)), giving each backward "
          "the result of the layer after it."),
    _hint("one_sided_differences", "one-sided finite differences",
          "test_numerical_gradient",
          "the result equals (f(x + eps) - f(x)) / eps for a function where that differs",
          "use central differences, (f(x + eps) - f(x - eps)) / (2 eps): their error is eps**2, "
          "not eps."),
    _hint("x_not_restored", "x not restored in numerical_gradient",
          "test_numerical_gradient",
          "x differs from its value before the call",
          "save each entry, set x[i] = saved + eps, then saved - eps, then write saved back: "
          "adding and subtracting eps is not exact in floating point."),
    _hint("dropout_unscaled", "dropout without the 1/(1-p) scaling",
          "test_dropout_forward test_dropout_backward",
          "checks.rule_out: the kept units come out unscaled",
          "inverted dropout divides the kept units by 1 - p in forward, and backward multiplies "
          "by the same mask, scaling included."),
    _hint("accuracy_broadcasting", "accuracy broadcasting (N,) against (N, 1)",
          "test_accuracy",
          "no ValueError for labels of shapes (N,) and (N, 1)",
          "compare the shapes first and raise ValueError when they differ: == broadcasts "
          "(N,) and (N, 1) into an (N, N) table without a warning."),
    _hint("confusion_swapped", "confusion matrix rows and columns swapped",
          "test_confusion_matrix",
          "the result is the transpose of the expected matrix",
          "row i is the TRUE class i and column j the PREDICTED class j: counts[y_true, y_pred]."),
    _hint("repeated_pairs_counted_once", "repeated pairs counted once",
          "test_confusion_matrix",
          "a (true, predicted) pair that occurs twice is counted once",
          "counts[y_true, y_pred] += 1 adds 1 once per distinct pair: use np.add.at or a loop."),
    _hint("he_wrong_fan", "He scale from the wrong fan",
          "test_linear_init",
          "the std of W is sqrt(2 / out_features) instead of sqrt(2 / in_features)",
          "He initialisation keeps the variance of the forward pass: std sqrt(2 / in_features), "
          "the number of inputs each unit adds up."),
    _hint("mse_per_sample", "MSE averaged over N instead of N*C",
          "test_mean_square_error",
          "the MSE gradient is C times too large",
          "the mean runs over all N * C entries: divide by y.size, not by the batch size."),
    _hint("same_seed_per_layer", "a fresh generator with the same seed for every layer",
          "test_initialize_parameters test_build_model",
          "two layers of the same shape get identical weights",
          "make one np.random.default_rng(seed) and draw every layer's weights from it."),
    _hint("train_mode_not_restored", "training mode not restored after validation",
          "test_train",
          "mini-batches after the first validation run in evaluation mode",
          "call model.train() at the start of every epoch: validation switched the model to "
          "evaluation mode."),
    _hint("parameter_copies", "parameters() returns copies",
          "test_linear_parameters",
          "the values in parameters() are not the layer's own arrays",
          "return the layer's own arrays, [(self.W, self.dW), (self.b, self.db)]: an optimiser "
          "updates them in place."),
])


def explain(key):
    """The sentence a failure message carries for mistake ``key``."""
    hint = HINTS[key]
    return f"Likely mistake: {hint.name}. Fix: {hint.sentence}"


def find(message):
    """The hints whose name appears in a failure message, in catalogue order."""
    return [hint for hint in HINTS.values() if hint.name in message]
