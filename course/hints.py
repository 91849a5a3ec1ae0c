"""The catalogue of known mistakes: what each looks like and what to do about it.

A check that recognises a mistake puts ``explain(key)`` into its failure message, so the
same sentence reaches the student in the notebook, in nbgrader's feedback and in the
self-check (``python -m course check``), which finds it again with ``find(message)``.

Each ``Hint`` has a ``key`` (used by the checks), a ``name`` (a short phrase that appears in
every message naming the mistake), the exercises (nbgrader ``grade_id`` of their test
cells) it concerns, how the checks recognise it, and a sentence that says what to do.

Messages are in the notebook's language (``course.i18n``): a hint's name and sentence are
translated under the keys ``hint.<key>.name`` and ``hint.<key>.sentence`` in
``i18n/<lang>/messages.md``; a new hint needs both (``translations build --check`` lists them).
"""

from dataclasses import dataclass

from .i18n import LANGUAGES, message

__all__ = ["Hint", "HINTS", "name", "sentence", "explain", "explain_prefixes", "find"]


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
          "test_linear_init",
          "repeated entries in W",
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
          "put the layer's own arrays in the pairs, not copies of them (no .copy(), np.array() or "
          "slicing): whoever changes a value in place must change the layer."),
    _hint("input_changed", "an input changed in place",
          "test_tiny_net_forward test_activations_forward test_sigmoid_forward test_dropout_forward "
          "test_relu_identity_backward test_sigmoid_tanh_backward test_softmax test_standardize "
          "test_softmax_cross_entropy",
          "checks.check_inputs_unchanged: an argument differs from its copy after the call",
          "compute into a new array (np.maximum(Z, 0), Z - m, dA * mask) and leave the caller's "
          "array alone: Z[Z < 0] = 0, Z -= m or dA *= mask change the caller's data too."),
    _hint("global_generator", "NumPy's global generator used",
          "test_linear_init test_dropout_forward test_train_test_split test_generate_disc_set "
          "test_initialize_parameters test_build_model test_train",
          "checks.check_uses_rng / check_uses_seed / check_training_loop: np.random.get_state() "
          "changed during the call",
          "draw from the generator you are given (rng.standard_normal, rng.random, rng.permutation) "
          "or from np.random.default_rng(seed), never from np.random.randn, np.random.random, "
          "np.random.shuffle and the like: they ignore the seed."),
    _hint("rng_ignored", "the given generator or seed ignored",
          "test_linear_init test_dropout_forward test_train_test_split test_generate_disc_set "
          "test_initialize_parameters test_build_model test_train test_iterate_minibatches",
          "checks.check_uses_rng / check_uses_seed: equal generators or seeds give different results, "
          "or the given generator did not move",
          "draw everything from the rng argument (or from one np.random.default_rng(seed)): make a "
          "fresh unseeded generator only when rng is None."),
    _hint("xavier_wrong", "Xavier's scale written as sqrt(1 / (in + out))",
          "test_linear_init",
          "checks.check_weight_std: the std of a large Xavier layer is sqrt(1 / (in + out))",
          "Xavier's standard deviation is sqrt(2 / (in_features + out_features)): the 2 averages the "
          "forward need 1 / in and the backward need 1 / out."),
    _hint("init_unscaled", "weights without He's or Xavier's scale",
          "test_linear_init test_initialize_parameters",
          "checks.check_weight_std: the std is 1, 1 / in_features or a variance instead of a std",
          "multiply the standard normal draws by the standard deviation of the rule: sqrt(2 / "
          "in_features) for He, sqrt(2 / (in_features + out_features)) for Xavier."),
    _hint("init_scheme_swapped", "He and Xavier swapped",
          "test_linear_init test_build_model",
          "checks.check_weight_std: a layer has the std of the other scheme",
          "He, sqrt(2 / in_features), belongs before a ReLU; Xavier, sqrt(2 / (in + out)), before "
          "tanh, sigmoid and the identity output: pick init per layer from its activation."),
    _hint("mode_switch", "train() or eval() that does not switch the whole model",
          "test_sequential_update_and_modes",
          "checks.check_modes: the method returns something else than the model, or the model's "
          "own flag or a layer's flag is left as it was",
          "set self.training on the model too, call the method of every layer, and end with "
          "return self, so that model.eval().forward(X) works."),
    _hint("update_per_batch", "not one update per mini-batch",
          "test_train",
          "checks.check_training_loop: model.update is called another number of times than the "
          "number of mini-batches",
          "call model.update(lr) once inside the loop over the mini-batches, right after backward; "
          "the last, partial batch gets its update too."),
    _hint("new_generator_per_epoch", "the same batch order every epoch",
          "test_train",
          "checks.check_training_loop: every epoch sees the mini-batches in the same order",
          "make rng = np.random.default_rng(seed) once, before the loop over the epochs, and pass "
          "that generator to iterate_minibatches every epoch."),
    _hint("unweighted_epoch_loss", "a plain mean of the batch losses",
          "test_train",
          "checks.check_training_loop: history['loss'] is the plain mean of the batch means",
          "add up loss * len(X_batch) over the epoch and divide by N: the last, smaller batch "
          "counts for its rows only."),
    _hint("disc_labels_inverted", "disc labels inverted",
          "test_generate_disc_set",
          "the centre of the square is labelled 0",
          "a point is inside, label 1, when its squared distance to (0.5, 0.5) is below r**2."),
    _hint("shuffle_ignored", "shuffle=False ignored",
          "test_iterate_minibatches",
          "the batches are shuffled although shuffle=False",
          "without shuffle the order is np.arange(N): draw a permutation only when shuffle is True."),
    _hint("test_from_the_end", "the test set taken from the end of the permutation",
          "test_train_test_split",
          "checks.rule_out: the test set is order[N - n_test:]",
          "the first n_test indices of the permutation are the test set, order[:n_test], and the "
          "rest the training set."),
    _hint("unknown_activation_accepted", "no ValueError for an unknown activation",
          "test_build_model",
          "build_model does not raise ValueError for an activation that is not in ACTIVATIONS",
          "check spec['activation'] in ACTIVATIONS first and raise ValueError(f'unknown activation "
          "{name!r}') otherwise."),
    _hint("log_of_probability", "the log of a probability that rounds to 0",
          "test_sigmoid_cross_entropy",
          "checks.without_overflow: the loss divides by zero (log 0) at logits of +-1000",
          "never take np.log of sigmoid(z) or 1 - sigmoid(z): use max(z, 0) - z * y + "
          "np.log1p(np.exp(-np.abs(z))), which needs no probability at all."),
    _hint("constant_feature", "a constant feature divided by its std of 0",
          "test_standardize",
          "the standardised set holds nan or inf in a column that is constant in X_train",
          "replace a standard deviation of 0 by 1 (np.where(std > 0, std, 1.0)) before dividing."),
    _hint("settings_changed", "the settings the exercise fixes changed",
          "test_fixed_experiment",
          "checks.recording_calls: train was called with other epochs, batch size or seed",
          "keep epochs=100, batch_size=32 and the seeds of buggy_experiment: the exercise is to "
          "find what is wrong, not to train longer or differently."),
    _hint("cache_keys_shifted", "cache keys off by one layer",
          "test_forward_propagation",
          "checks.check_dictionary: the cache has a key 'Z0' or 'A0' is missing",
          "number the layers from 1: cache['A0'] = X, then for l = 1 .. L cache[f'Z{l}'] = "
          "A(l-1) @ W{l} + b{l} and, below the output, cache[f'A{l}'] = ReLU(Z{l})."),
    _hint("relu_on_scores", "ReLU applied to the scores",
          "test_forward_propagation",
          "checks.rule_out: the scores equal max(ZL, 0)",
          "only the hidden layers apply ReLU; the output layer is linear, scores = ZL, because the "
          "softmax of the loss needs the negative scores too."),
    _hint("db_summed_over_units", "the bias gradient summed over the units",
          "test_backward_propagation",
          "db{l} has shape (N,): dZ summed along axis 1",
          "add dZ up over the samples, dZ.sum(axis=0), so that db{l} has the shape of b{l}, (dl,)."),
    _hint("relu_derivative_missing", "the ReLU derivative left out",
          "test_backward_propagation",
          "checks.rule_out: the gradients below the output equal those of a network without ReLU",
          "below a hidden layer multiply by its ReLU derivative: dZ = (dZ @ W{l}.T) * (Z(l-1) > 0)."),
    _hint("parameters_changed_in_place", "the parameters updated in place",
          "test_update_parameters",
          "an array of the parameters argument differs from its copy after update_parameters",
          "build a new dictionary of new arrays, {key: value - learning_rate * grads['d' + key]}: "
          "parameters[key] -= ... changes the caller's arrays, even in a copy of the dictionary."),
    _hint("loss_after_the_step", "the loss recorded after the step",
          "test_fit_parameters",
          "checks.rule_out: losses[0] is the loss of the parameters after the first step",
          "append the loss of the forward pass each step starts from, before update_parameters: "
          "losses[0] is the loss of the initial parameters."),
    _hint("initialised_every_run", "the parameters initialised again at every run",
          "test_fit_parameters",
          "all the losses are equal: every run starts again from initialize_parameters",
          "call initialize_parameters(layer_dims, seed) once, before the loop: each run continues "
          "from the parameters the previous update returned."),
    _hint("dscores_without_mean", "dscores without the 1/N of the mean loss",
          "test_fit_parameters",
          "checks.rule_out: the parameters are those of steps N times too large",
          "start backward_propagation from loss_fn.backward() of SoftmaxCrossEntropy, which is "
          "(softmax(scores) - Y) / N: the loss is a mean over the N samples."),
])


def name(hint, lang=None):
    """The hint's name in ``lang`` (default: the notebook's language)."""
    return message(f"hint.{hint.key}.name", hint.name, lang=lang)


def sentence(hint, lang=None):
    """The hint's sentence (what to do) in ``lang`` (default: the notebook's language)."""
    return message(f"hint.{hint.key}.sentence", hint.sentence, lang=lang)


def explain(key):
    """The sentence a failure message carries for mistake ``key``."""
    hint = HINTS[key]
    return message("hint.explain", "Likely mistake: {name}. Fix: {sentence}", name=name(hint),
                   sentence=sentence(hint))


def explain_prefixes():
    """What ``explain``'s sentence starts with, in each of the course's languages ("Likely
    mistake:"): where a failure message's known-mistake part begins."""
    return [message("hint.explain", "Likely mistake: {name}. Fix: {sentence}", lang=lang, name="\0",
                    sentence="").split("\0")[0].strip() for lang in LANGUAGES]


def find(text):
    """The hints whose name, in any of the course's languages, appears in a failure message,
    in catalogue order."""
    return [hint for hint in HINTS.values() if any(name(hint, lang) in text for lang in LANGUAGES)]
