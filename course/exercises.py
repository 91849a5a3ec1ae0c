"""The graded exercises of each notebook: the test cell's nbgrader grade_id, what the
student writes, and a general hint for a failure that matches no known mistake."""

__all__ = ["EXERCISES", "assignment_of"]

#: {assignment: {test cell grade_id: (what the student writes, general hint)}}, in notebook order.
EXERCISES = {
    "01_data_prep": {
        "test_one_hot": ("one_hot", "row n is all zeros except a 1.0 in column y[n]: np.eye(C)[y]."),
        "test_train_test_split": ("train_test_split", "one permutation from default_rng(seed); the "
                                  "first round(N * test_fraction) shuffled rows are the test set."),
        "test_standardize": ("standardize", "(X - mean) / std with the train mean and std, a std of 0 "
                             "replaced by 1."),
        "test_iterate_minibatches": ("iterate_minibatches", "one permutation per epoch for X and Y, "
                                     "slices of batch_size rows, the last one shorter."),
        "test_generate_disc_set": ("generate_disc_set", "uniform points in [0, 1]^2, label 1 inside the "
                                   "disc of radius 1/sqrt(2 pi) around (0.5, 0.5)."),
    },
    "02_init": {
        "test_linear_init": ("Linear.__init__", "W (in_features, out_features) drawn from rng with the "
                             "scale of init, b zeros (out_features,), dW = db = None."),
        "test_initialize_parameters": ("initialize_parameters", "keys W1, b1, ... for layers 1 to L; "
                                       "W{l} is (d[l-1], d[l]); one generator for all layers."),
    },
    "03_forward": {
        "test_tiny_net_forward": ("tiny_net_forward", "ReLU(X @ W1) @ W2: ReLU on the hidden layer only."),
        "test_linear_forward": ("Linear.forward", "Z = X @ W + b, (N, out_features); keep X for backward."),
        "test_activations_forward": ("ReLU / Tanh / Identity forward", "np.maximum(Z, 0), np.tanh(Z), Z; "
                                     "return new arrays, never change Z."),
        "test_sigmoid_forward": ("Sigmoid.forward", "1 / (1 + exp(-Z)) computed with exp of -|Z| only."),
        "test_dropout_forward": ("Dropout.forward", "mask = (rng.random(X.shape) >= p) / (1 - p) in "
                                 "training mode; X itself in evaluation mode."),
    },
    "04_backward": {
        "test_numerical_gradient": ("numerical_gradient", "central differences entry by entry, x "
                                    "restored exactly after each."),
        "test_linear_backward": ("Linear.backward", "dW = X.T @ dZ, db = dZ.sum(axis=0), dX = dZ @ W.T."),
        "test_relu_identity_backward": ("ReLU / Identity backward",
                                        "dA * (Z > 0) for ReLU, dA for Identity."),
        "test_sigmoid_tanh_backward": ("Sigmoid / Tanh backward", "dA * A * (1 - A) and dA * (1 - A**2), "
                                       "from the output A kept by forward."),
        "test_dropout_backward": ("Dropout.backward", "dA times the mask of the last forward (dA itself "
                                  "in evaluation mode)."),
    },
    "05_update": {
        "test_linear_parameters": ("Linear.parameters / zero_grad", "a list of (value, gradient) pairs, W "
                                   "then b, the layer's own arrays; zero_grad sets dW and db to None."),
        "test_linear_update": ("Linear.update", "W -= lr * dW, b -= lr * db, then zero_grad()."),
    },
    "06_loss": {
        "test_mean_square_error": ("MeanSquareError", "mean of (y_hat - y)**2 over all entries; "
                                   "gradient 2 (y_hat - y) / y.size."),
        "test_sigmoid_cross_entropy": ("SigmoidCrossEntropy", "mean of max(z, 0) - z y + log1p(exp(-|z|)); "
                                       "gradient (sigmoid(z) - y) / N."),
        "test_softmax": ("softmax", "exp(Z - row max) / its row sum."),
        "test_softmax_cross_entropy": ("SoftmaxCrossEntropy", "-mean of sum(y * log P) with log-sum-exp; "
                                       "gradient (P - y) / N."),
    },
    "07_modularization": {
        "test_sequential": ("Sequential forward / backward", "forward through the layers in order, "
                            "backward in reverse order."),
        "test_sequential_update_and_modes": ("Sequential update / parameters / modes", "ask every layer: "
                                             "update(lr), parameters(), zero_grad(), train(), eval()."),
        "test_build_model": ("build_model", "one rng = default_rng(seed); for each dict a Linear drawn "
                             "from it, then its activation."),
        "test_labels_from_scores": ("labels_from_scores", "argmax of each row, or z > 0 for one column."),
        "test_train": ("train", "per epoch: model.train(), mini-batches of forward, loss, backward, "
                       "update; then the mean loss and the validation in eval mode."),
        "test_forward_propagation": ("forward_propagation", "cache['A0'] = X; for l = 1 .. L Z{l} = "
                                     "A(l-1) @ W{l} + b{l}, and A{l} = ReLU(Z{l}) below the output."),
        "test_backward_propagation": ("backward_propagation", "from dZ = dscores, layer L down to 1: "
                                      "dW{l} = A(l-1).T @ dZ, db{l} = dZ.sum(axis=0), then "
                                      "dZ = (dZ @ W{l}.T) * (Z(l-1) > 0)."),
        "test_update_parameters": ("update_parameters", "a new dict {key: value - learning_rate * "
                                   "grads['d' + key]}; the argument left alone."),
        "test_fit_parameters": ("fit_parameters", "initialize_parameters once, then runs of forward, "
                                "loss (recorded first), backward from loss_fn.backward(), update."),
    },
    "08_prediction": {
        "test_predict": ("predict", "model.eval(), then argmax of the outputs (or output > 0 for one "
                         "logit)."),
        "test_accuracy": ("accuracy", "check the shapes match, then the mean of y_pred == y_true as a "
                          "float."),
        "test_confusion_matrix": ("confusion_matrix", "a (C, C) int array; add 1 at [true, predicted] for "
                                  "every sample (np.add.at)."),
        "test_results": ("the three results", "run the training cells of this section; they need a "
                         "working predict and accuracy."),
        "test_fixed_experiment": ("fixed_experiment", "call diagnose on each attempt and answer the four "
                                  "questions of section 5 for it, one change at a time."),
    },
}


def assignment_of(grade_ids):
    """The assignment whose exercises include the most of ``grade_ids`` (None when none do)."""
    counts = {a: len(set(grade_ids) & set(cells)) for a, cells in EXERCISES.items()}
    best = max(counts, key=counts.get)
    return best if counts[best] else None
