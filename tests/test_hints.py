"""Every known mistake of course.hints is recognised by the checks: planted in correct code,
it makes a check fail with a message that names it. A few also go through the self-check,
``python -m course check``, end to end."""

import contextlib
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

from autograder.authoring.release import RELEASE
from autograder.authoring.sync import SOURCE
from autograder.demo.samples import make_submission, planted_bugs
from course import checks, hints
from course.framework import Layer
from course.registry import ASSIGNMENTS, EXERCISES, assignment_of
from course.selfcheck import check_notebook, identify

COURSE = Path(checks.__file__).resolve().parent


def _planted(assignment, words):
    """(grade_id, old, new) of the planted bug of ``assignment`` whose description has ``words``."""
    [bug] = [b for b in planted_bugs(assignment) if words in b.description]
    return bug.grade_id, bug.old, bug.new


ONE_SIDED = ("numerical_gradient",
             "        x[index] = saved - eps\n        f_minus = f()\n        x[index] = saved\n"
             "        grad[index] = (f_plus - f_minus) / (2.0 * eps)",
             "        x[index] = saved\n        f_minus = f()\n"
             "        grad[index] = (f_plus - f_minus) / eps")

# (hint, assignment, test cell, mutation of a reference block (grade_id, old, new), hidden tests needed)
NOTEBOOK_CASES = [
    ("transposed_weights", "02_init", "test_initialize_parameters",
     _planted("02_init", "column convention"), False),
    ("missing_mean", "06_loss", "test_softmax_cross_entropy", _planted("06_loss", "without the 1/N"), False),
    ("extra_mean", "04_backward", "test_linear_backward",
     ("linear_backward", "self.dW = self.X.T @ dZ", "self.dW = self.X.T @ dZ / len(dZ)"), False),
    ("sign_flip", "04_backward", "test_relu_identity_backward",
     ("relu_identity_backward", "return dA * (self.Z > 0)", "return -dA * (self.Z > 0)"), False),
    ("sign_flip", "05_update", "test_linear_update", _planted("05_update", "uphill"), False),
    ("not_summed_over_batch", "04_backward", "test_linear_backward",
     _planted("04_backward", "db averaged"), False),
    ("not_summed_over_batch", "04_backward", "test_linear_backward",
     ("linear_backward", "self.db = dZ.sum(axis=0)", "self.db = dZ"), False),
    ("unstable_softmax", "06_loss", "test_softmax", _planted("06_loss", "row maximum"), False),
    ("unstable_sigmoid", "03_forward", "test_sigmoid_forward", _planted("03_forward", "np.where"), False),
    ("test_statistics", "01_data_prep", "test_standardize", _planted("01_data_prep", "test set"), False),
    ("shuffled_apart", "01_data_prep", "test_train_test_split",
     ("train_test_split", "y[train], y[test]", "y[np.sort(train)], y[np.sort(test)]"), False),
    ("partial_batch_dropped", "01_data_prep", "test_iterate_minibatches",
     _planted("01_data_prep", "partial batch"), False),
    ("gradients_not_cleared", "05_update", "test_linear_update", _planted("05_update", "not cleared"), False),
    ("equal_initial_weights", "02_init", "test_linear_init",
     ("linear_init", "rng.standard_normal((in_features, out_features))",
      "np.ones((in_features, out_features))"), False),
    ("dropout_at_eval", "08_prediction", "test_predict", _planted("08_prediction", "evaluation mode"), False),
    ("backward_in_forward_order", "07_modularization", "test_sequential",
     _planted("07_modularization", "forward order"), False),
    ("one_sided_differences", "04_backward", "test_numerical_gradient", ONE_SIDED, False),
    ("x_not_restored", "04_backward", "test_numerical_gradient", _planted("04_backward", "restoring"), False),
    ("dropout_unscaled", "03_forward", "test_dropout_forward", _planted("03_forward", "1 / (1 - p)"), False),
    ("dropout_unscaled", "04_backward", "test_dropout_backward",
     _planted("04_backward", "1 / (1 - p)"), False),
    ("accuracy_broadcasting", "08_prediction", "test_accuracy",
     _planted("08_prediction", "broadcasts"), False),
    ("confusion_swapped", "08_prediction", "test_confusion_matrix",
     ("confusion_matrix", "(np.asarray(y_true), np.asarray(y_pred))",
      "(np.asarray(y_pred), np.asarray(y_true))"), False),
    ("repeated_pairs_counted_once", "08_prediction", "test_confusion_matrix",
     _planted("08_prediction", "fancy-index"), False),
    ("he_wrong_fan", "02_init", "test_linear_init", _planted("02_init", "He's scale"), False),
    ("mse_per_sample", "06_loss", "test_mean_square_error", _planted("06_loss", "MSE gradient"), False),
    ("same_seed_per_layer", "02_init", "test_initialize_parameters",
     _planted("02_init", "fresh generator"), False),
    ("same_seed_per_layer", "07_modularization", "test_build_model",
     _planted("07_modularization", "new generator"), False),
    ("train_mode_not_restored", "07_modularization", "test_train",
     _planted("07_modularization", "model.train()"), False),
    ("parameter_copies", "05_update", "test_linear_parameters", _planted("05_update", "copies"), False),
    ("input_changed", "03_forward", "test_activations_forward",
     ("activations_forward", "return np.maximum(Z, 0.0)", "Z[Z < 0] = 0.0\n        return Z"), False),
    ("global_generator", "02_init", "test_linear_init",
     ("linear_init", "rng.standard_normal((in_features, out_features))",
      "np.random.randn(in_features, out_features)"), False),
    ("rng_ignored", "03_forward", "test_dropout_forward",
     ("dropout_forward", "self.rng.random(X.shape)", "np.random.default_rng().random(X.shape)"), False),
    ("xavier_wrong", "02_init", "test_linear_init",
     ("linear_init", "np.sqrt(2.0 / (in_features + out_features))",
      "np.sqrt(1.0 / (in_features + out_features))"),
     False),
    ("init_unscaled", "02_init", "test_initialize_parameters",
     ("initialize_parameters", "np.sqrt(2.0 / fan_in) * rng.standard_normal", "rng.standard_normal"), False),
    ("init_scheme_swapped", "07_modularization", "test_build_model",
     ("build_model", 'init = "he" if activation == "relu" else "xavier"', 'init = "he"'), False),
    ("mode_switch", "07_modularization", "test_sequential_update_and_modes",
     ("sequential_update_and_modes", "        layer.eval()\n    return self", "        layer.eval()"), False),
    ("update_per_batch", "07_modularization", "test_train",
     ("train", "            model.update(lr)\n        history", "        model.update(lr)\n        history"),
     False),
    ("new_generator_per_epoch", "07_modularization", "test_train",
     ("train", "shuffle=True, rng=rng)", "shuffle=True, rng=np.random.default_rng(seed))"), False),
    ("unweighted_epoch_loss", "07_modularization", "test_train",
     ("train", "* X_batch.shape[0]", "* X.shape[0] / -(-X.shape[0] // batch_size)"), False),
    ("disc_labels_inverted", "01_data_prep", "test_generate_disc_set",
     ("generate_disc_set", "< radius**2", "> radius**2"), False),
    ("shuffle_ignored", "01_data_prep", "test_iterate_minibatches",
     ("iterate_minibatches", "    if shuffle:", "    if True:"), False),
    ("test_from_the_end", "01_data_prep", "test_train_test_split",
     ("train_test_split", "test, train = order[:n_test], order[n_test:]",
      "train, test = order[:n_samples - n_test], order[n_samples - n_test:]"), False),
    ("unknown_activation_accepted", "07_modularization", "test_build_model",
     ("build_model", "raise ValueError(f\"unknown activation {activation!r}: use one of "
      "{sorted(ACTIVATIONS)}\")", "pass"), False),
    ("log_of_probability", "06_loss", "test_sigmoid_cross_entropy",
     ("sigmoid_cross_entropy", "losses = np.maximum(y_hat, 0.0) - y_hat * y + "
      "np.log1p(np.exp(-np.abs(y_hat)))",
      "p = Sigmoid().forward(y_hat)\n        losses = -(y * np.log(p) + (1 - y) * np.log(1 - p))"), False),
    ("constant_feature", "01_data_prep", "test_standardize",
     ("standardize", "    std = np.where(std > 0, std, 1.0)\n", ""), False),
    ("settings_changed", "08_prediction", "test_fixed_experiment",
     ("fixed_experiment", "batch_size=32, lr=0.05", "batch_size=16, lr=0.05"), False),
    ("cache_keys_shifted", "07_modularization", "test_forward_propagation",
     _planted("07_modularization", "cache keys off by one"), False),
    ("relu_on_scores", "07_modularization", "test_forward_propagation",
     _planted("07_modularization", "ReLU applied to the scores"), False),
    ("db_summed_over_units", "07_modularization", "test_backward_propagation",
     _planted("07_modularization", "wrong axis"), False),
    ("relu_derivative_missing", "07_modularization", "test_backward_propagation",
     _planted("07_modularization", "ReLU derivative left out"), False),
    ("parameters_changed_in_place", "07_modularization", "test_update_parameters",
     _planted("07_modularization", "copy of the dictionary"), False),
    ("loss_after_the_step", "07_modularization", "test_fit_parameters",
     _planted("07_modularization", "loss recorded after the step"), False),
    ("initialised_every_run", "07_modularization", "test_fit_parameters",
     _planted("07_modularization", "again at every run"), False),
    ("dscores_without_mean", "07_modularization", "test_fit_parameters",
     _planted("07_modularization", "without the 1/N of the mean loss"), False),
]


def _notebook(assignment, hidden):
    """The source notebook (hidden tests kept), or the release answered with the reference."""
    if hidden:
        return nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4), SOURCE / assignment
    return make_submission(assignment, "complete"), RELEASE / assignment


def _mutate(notebook, grade_id, old, new):
    [cell] = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert cell.source.count(old) == 1, f"the text to mutate must occur once in [{grade_id}]"
    cell.source = cell.source.replace(old, new)


def failure_message(assignment, test_id, mutation, hidden=False):
    """Run the notebook's code cells in this process up to the test cell ``test_id`` (other
    graded test cells skipped), with ``mutation`` planted; the test cell's failure message."""
    notebook, folder = _notebook(assignment, hidden)
    _mutate(notebook, *mutation)
    namespace = {"__name__": "__main__", "display": lambda *args, **kwargs: None}
    with contextlib.chdir(folder), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for cell in notebook.cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type != "code" or (meta.get("grade") and meta.get("grade_id") != test_id):
                    continue
                code = compile(cell.source, meta.get("grade_id", "cell"), "exec")
                if meta.get("grade_id") != test_id:
                    exec(code, namespace)
                    continue
                try:
                    exec(code, namespace)
                except AssertionError as error:
                    return str(error)
                return None
        finally:
            plt.close("all")
    raise AssertionError(f"no test cell {test_id} in {assignment}")


@pytest.mark.parametrize("key, assignment, test_id, mutation, hidden", NOTEBOOK_CASES,
                         ids=[f"{case[0]}-{case[2]}" for case in NOTEBOOK_CASES])
def test_planted_mistake_is_named_by_its_test_cell(key, assignment, test_id, mutation, hidden):
    message = failure_message(assignment, test_id, mutation, hidden)
    assert message is not None, f"{test_id} passes with the mistake '{hints.HINTS[key].name}' planted"
    assert hints.explain(key) in message, message
    assert hints.find(message)[0].key == key, message


# checks-level mistakes, in small wrong implementations

def test_check_shape_names_transposed_weights():
    with pytest.raises(AssertionError, match=re.escape(hints.explain("transposed_weights"))):
        checks.check_shape("W", np.zeros((3, 4)), (4, 3))


def test_check_close_names_a_square_transpose(rng):
    W = rng.standard_normal((3, 3))
    with pytest.raises(AssertionError, match=re.escape(hints.explain("transposed_weights"))):
        checks.check_close("dW", W.T, W)


def test_check_shape_names_db_not_summed_over_the_batch():
    with pytest.raises(AssertionError, match=re.escape(hints.explain("not_summed_over_batch"))):
        checks.check_shape("db", np.zeros((5, 3)), (3,))


class LinearWithExtraMean(Layer):
    """A planted mistake: dW divided by the batch size."""

    def __init__(self, rng):
        self.W, self.b = rng.standard_normal((4, 3)), rng.standard_normal(3)

    def forward(self, X):
        self.X = X
        return X @ self.W + self.b

    def backward(self, dZ):
        self.dW, self.db = self.X.T @ dZ / len(dZ), dZ.sum(axis=0)
        return dZ @ self.W.T


def test_gradient_check_names_an_extra_mean(rng):
    with pytest.raises(AssertionError, match=re.escape(hints.explain("extra_mean"))):
        checks.check_layer_gradients(LinearWithExtraMean(rng), rng.standard_normal((6, 4)), verbose=False)


def test_gradient_check_names_a_missing_mean_and_a_sign_flip(rng):
    class SummedMSE:
        def forward(self, y, y_hat):
            self.diff = y_hat - y
            return float(np.mean(self.diff**2))

        def backward(self):
            return 2 * self.diff / self.diff.shape[1]          # forgot the 1/N of the batch

    with pytest.raises(AssertionError, match=re.escape(hints.explain("missing_mean"))):
        checks.check_loss_gradient(SummedMSE(), rng.standard_normal((5, 3)), rng.standard_normal((5, 3)),
                                   verbose=False)
    with pytest.raises(AssertionError, match=re.escape(hints.explain("sign_flip"))):
        checks.check_close("dX", -np.ones(4), np.ones(4))


def test_without_overflow_names_the_mistake_and_returns_the_value():
    naive_softmax = lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)  # noqa: E731
    with pytest.raises(AssertionError, match=re.escape(hints.explain("unstable_softmax"))):
        checks.without_overflow("unstable_softmax", "softmax", naive_softmax, np.array([[1000.0, 0.0]]))
    P = checks.without_overflow("unstable_softmax", "softmax", naive_softmax, np.zeros((1, 2)))
    assert P.shape == (1, 2)


def test_rule_out_passes_other_values_and_fails_the_mistaken_one():
    assert checks.rule_out("dropout_unscaled", "A", np.full(3, 4 / 3), np.ones(3)) is None
    assert checks.rule_out("dropout_unscaled", "A", np.ones(4), np.ones(3)) is None      # other shape
    with pytest.raises(AssertionError, match=re.escape(hints.explain("dropout_unscaled"))):
        checks.rule_out("dropout_unscaled", "A", np.ones(3), np.ones(3))


# the catalogue

def test_catalogue_has_at_least_15_hints_each_tested_and_for_real_exercises():
    assert len(hints.HINTS) >= 15
    tested = {case[0] for case in NOTEBOOK_CASES}
    assert tested == set(hints.HINTS), f"hints without a planted-mistake test: {set(hints.HINTS) - tested}"
    exercises = {grade_id for cells in EXERCISES.values() for grade_id in cells}
    for hint in hints.HINTS.values():
        assert hint.exercises and set(hint.exercises) <= exercises, hint.key
        assert hint.name and hint.sentence.endswith(".") and hint.recognised_by, hint.key
        assert hints.find(hints.explain(hint.key)) == [hint], f"{hint.key}'s name is part of another's"


def test_exercise_table_lists_the_graded_cells_of_every_release_notebook():
    assert list(EXERCISES) == list(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        path = RELEASE / assignment / f"{assignment}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        graded = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells
                  if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
                  and not c.metadata["nbgrader"].get("solution")]
        assert graded == list(EXERCISES[assignment]), assignment
        assert assignment_of(graded) == assignment
        assert identify(Path("renamed.ipynb"), notebook) == assignment
        assert identify(path, notebook) == assignment


def test_the_student_package_never_imports_the_instructors():
    for path in COURSE.glob("*.py"):
        assert not re.search(r"^\s*(from|import) autograder", path.read_text(), re.M), path.name


# the self-check, end to end

def _planted_notebook(folder, assignment, mutation=None):
    """A copy of the release folder of ``assignment`` in ``folder``, its notebook answered with
    the reference and ``mutation`` planted. Returns the notebook's path."""
    target = folder / assignment
    shutil.copytree(RELEASE / assignment, target)
    notebook = make_submission(assignment, "complete")
    if mutation:
        _mutate(notebook, *mutation)
    path = target / f"{assignment}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_self_check_command_reports_a_planted_mistake_with_its_hint(tmp_path):
    path = _planted_notebook(tmp_path, "04_backward", _planted("04_backward", "db averaged"))
    done = subprocess.run([sys.executable, "-m", "course", "check", str(path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("Linear.backward")]
    assert len(rows) == 1 and re.search(r"FAILED +0/3 +failed$", rows[0]), done.stdout
    assert f"hint:    {hints.HINTS['not_summed_over_batch'].name}:" in done.stdout
    assert re.search(r"numerical_gradient +passed +3/3 +passed", done.stdout)
    assert "grader's verdict: 9/12 points; 1 of 5 exercises failed" in done.stdout


@pytest.mark.slow
def test_self_check_passes_a_correct_notebook(tmp_path):
    assignment, rows, _ = check_notebook(_planted_notebook(tmp_path, "06_loss"))
    assert assignment == "06_loss"
    assert [row.grade_id for row in rows] == ["mean_square_error", "sigmoid_cross_entropy", "softmax",
                                              "softmax_cross_entropy"]
    assert [row.exercise for row in rows if not row.passed] == []
    assert sum(row.points for row in rows) == sum(row.max_points for row in rows) == 11


@pytest.mark.slow
def test_self_check_finds_an_unstable_softmax(tmp_path):
    path = _planted_notebook(tmp_path, "06_loss", _planted("06_loss", "row maximum"))
    _, rows, _ = check_notebook(path)
    failed = [row for row in rows if not row.passed]
    assert [row.grade_id for row in failed] == ["softmax"], failed
    assert failed[0].hint.startswith(hints.HINTS["unstable_softmax"].name), failed[0]
