"""Judges of notebook 08 (prediction): the three results and fixed_experiment.

The results' models are rebuilt with the trusted implementation (``t.model_problems``) and
evaluated on the grader's own copy of the data, so a model only counts for what it really
does. fixed_experiment's recorded call of ``train`` is replayed here with the trusted
implementation (about 0.3 s), so the kernel spends no time training. ``t`` is
``course.judges.tools.Tools``: the grader's holds the hidden reference, the self-check's the
course's versions of the earlier steps. The probes are in ``course/probes/prediction.py``.
"""

import numpy as np

from course.experiments import EXPERIMENTS
from course.i18n import message
from course.probes.compare import TOLERANCE, compare, relative_error
from course.probes.prediction import LOSSES, MAX_CALLS


def _trained_model_problems(got, prefix, task, t, bar):
    """Rebuild the transported model, check its accuracy on the trusted test set of ``task``
    against ``bar`` and the accuracy the notebook reported. Returns (problems, scores)."""
    problems, _, scores = t.model_problems(got, prefix, task, EXPERIMENTS[task]["architecture"])
    if problems:
        return problems, None
    y_test = t.task_data(task)[3]
    labels = t.reference_namespace()["labels_from_scores"](scores)
    own = np.count_nonzero(labels == y_test) / len(y_test)
    if own < bar:
        return [message("probe.prediction.below_bar", "{task}: the model gets {own:.1%} of the grader's "
                        "test points right, below {bar:.0%}", task=task, own=own, bar=bar)], scores
    reported = got.get(prefix + "reported accuracy")
    if reported is None or reported.shape != () or abs(float(reported) - own) >= 1e-12:
        return [message("probe.prediction.reported_accuracy", "{task}: the reported accuracy {reported} is "
                        "not the model's accuracy on the test set, {own:.4f}: compute it with predict and "
                        "accuracy", task=task, reported=float(reported) if reported is not None else None,
                        own=own)], scores
    return [], scores


def judge_results(got, want, t):
    """Every task's model, rebuilt with the reference, reaches the course's bar on the
    trusted test set and reported that accuracy; the disc set's loss fell under a quarter."""
    if not (got.get("results found") is not None and bool(got["results found"])):
        return [message("probe.prediction.no_results", "no results: the training cells of this section did "
                        "not finish")]
    for name, experiment in EXPERIMENTS.items():
        problems, _ = _trained_model_problems(got, f"{name}: ", name, t, experiment["bar"])
        if problems:
            return problems
    losses = got.get("disc: training losses")
    if losses is None or losses.ndim != 1 or len(losses) < 2 or not losses[-1] < 0.25 * losses[0]:
        return [message("probe.prediction.disc_loss", "the disc set's training loss should fall to under a "
                        "quarter of its start")]
    return []


#: The most mini-batch steps the judge replays over all the calls (buggy_experiment takes
#: 100 x 32 = 3200 in one call).
MAX_STEPS = 10_000


#: The loss, epochs and batch size of buggy_experiment, which fixed_experiment must keep.
BUGGY_LOSS, BUGGY_EPOCHS, BUGGY_BATCH_SIZE = "MeanSquareError", 100, 32


def _replay(got, t):
    """Train the recorded initial model with the reference, call after call, on the trusted
    training set: at most MAX_CALLS calls and MAX_STEPS mini-batch steps in all, checked before
    any training. Returns (model, losses); raises ValueError with the problem."""
    problems, model, _ = t.model_problems(got, "initial: ", "disc", EXPERIMENTS["disc"]["architecture"])
    if problems:
        raise ValueError(problems[0])
    X_train, reference = t.task_data("disc")[0], t.reference_namespace()
    calls = int(got["calls of train"])
    if calls > MAX_CALLS:
        raise ValueError(message("probe.prediction.calls", "fixed_experiment calls train {calls} times; "
                                 "the grader replays at most {most} calls: train one model, once",
                                 calls=calls, most=MAX_CALLS))
    settings = [_recorded_call(got, call, X_train, t) for call in range(calls)]
    for loss, _, epochs, batch_size, _, _ in settings:
        if loss != BUGGY_LOSS:
            raise ValueError(message("probe.prediction.keep_loss", "fixed_experiment trains with {loss}: "
                                     "keep buggy_experiment's loss, {buggy_loss} (MSE); its faults are "
                                     "elsewhere",
                                     loss=loss, buggy_loss=BUGGY_LOSS))
        if (epochs, batch_size) != (BUGGY_EPOCHS, BUGGY_BATCH_SIZE):
            raise ValueError(message("probe.prediction.keep_settings", "fixed_experiment trains {epochs:g} "
                                     "epochs of batches of {batch_size:g}: keep buggy_experiment's "
                                     "{buggy_epochs} epochs and batch size of {buggy_batch_size}",
                                     epochs=epochs, batch_size=batch_size, buggy_epochs=BUGGY_EPOCHS,
                                     buggy_batch_size=BUGGY_BATCH_SIZE))
    steps = sum(epochs * -(-len(X_train) // batch_size) for _, _, epochs, batch_size, _, _ in settings)
    if steps > MAX_STEPS:
        raise ValueError(message("probe.prediction.steps", "fixed_experiment trains {steps} mini-batch "
                                 "steps over its {calls} call(s) of train, more than the grader replays "
                                 "({most}): keep the epochs and batch size of buggy_experiment",
                                 steps=steps, calls=calls, most=MAX_STEPS))
    losses = []
    for loss, Y, epochs, batch_size, lr, seed in settings:
        with np.errstate(all="ignore"):
            history = reference["train"](model, reference[loss](), X_train, Y.astype(np.float64),
                                         epochs=int(epochs), batch_size=int(batch_size), lr=float(lr),
                                         seed=int(seed))
        losses += history["loss"]
    return model.eval(), np.array(losses)


def _recorded_call(got, call, X_train, t):
    """(loss, Y, epochs, batch_size, lr, seed) of recorded call ``call`` of train, checked;
    raises ValueError with the problem."""
    names = ("loss", "X", "Y", "epochs", "batch_size", "lr", "seed")
    setting = {name: got.get(f"call {call}: {name}") for name in names}
    X, Y, loss = setting["X"], setting["Y"], str(setting["loss"])
    if X is None or X.shape != X_train.shape or relative_error(X, X_train) >= TOLERANCE:
        raise ValueError(message("probe.prediction.X_train", "train was not given the X_train that "
                                 "fixed_experiment received"))
    if Y is None or Y.ndim != 2 or len(Y) != len(X_train) or Y.dtype.kind not in "iuf" \
            or not np.all(np.isfinite(Y)):
        raise ValueError(message("probe.prediction.targets", "the targets given to train should be an (N, "
                                 "C) array of numbers"))
    if loss not in LOSSES:
        raise ValueError(message("probe.prediction.loss_kind", "train was given a loss of kind {loss}",
                                 loss=loss))
    numbers = [setting[name] for name in ("epochs", "batch_size", "lr", "seed")]
    if any(number is None or number.shape != () or number.dtype.kind not in "iuf" for number in numbers):
        raise ValueError(message("probe.prediction.numbers", "train was not given numbers for epochs, "
                                 "batch_size, lr and seed"))
    epochs, batch_size, lr, seed = (number.item() for number in numbers)
    if not (int(epochs) == epochs >= 1 and int(batch_size) == batch_size >= 1 and np.isfinite(lr)):
        raise ValueError(message("probe.prediction.settings", "train was given epochs={epochs}, "
                                 "batch_size={batch_size}, lr={lr}", epochs=epochs, batch_size=batch_size,
                                 lr=lr))
    return loss, Y, epochs, batch_size, lr, seed


def judge_fixed_experiment(got, want, t):
    """The model of fixed_experiment, trained here with the reference from the recorded call
    of train (or transported trained), with buggy_experiment's epochs and batch size: four
    Linear layers of 2-25-25-25-2 whose units differ, a loss under 0.1 and under half its
    start, two outputs that move apart, at least 90% right on the trusted test and train sets
    with both classes predicted; and the accuracy it returned is that of the model it returned."""
    problems = compare(got, want, ["returns a tuple of three"])
    if problems:
        return problems
    bar = 0.0 if int(got["calls of train"]) else 0.90
    problems, scores = _trained_model_problems(got, "returned: ", "disc", t, bar)
    if problems:
        return problems
    if int(got["calls of train"]):
        if not bool(got["one model for every call"]):
            return [message("probe.prediction.one_model", "fixed_experiment trains more than one model: "
                            "train one and return it")]
        try:
            model, losses = _replay(got, t)
        except ValueError as error:
            return [str(error)]
    else:
        _, model, _ = t.model_problems(got, "returned: ", "disc")
        losses = got.get("returned: training losses")
    X_train, X_test, y_train, y_test = t.task_data("disc")
    with np.errstate(all="ignore"):
        scores = model.forward(X_test)
    for k, layer in enumerate([layer for layer in model.layers if hasattr(layer, "W")], start=1):
        if not np.ptp(layer.W, axis=1).max() > 0:
            return [message("probe.prediction.symmetric_units", "after training, every unit of Linear "
                            "layer {k} still has the same weights", k=k)]
    if losses is None or losses.ndim != 1 or len(losses) < 2 or not np.all(np.isfinite(losses)):
        return [message("probe.prediction.history", "the history should hold a finite training loss for "
                        "every epoch")]
    if not (losses[-1] < 0.1 and losses[-1] < 0.5 * losses[0]):
        return [message("probe.prediction.loss_falls", "the training loss only went from {first:.3f} to "
                        "{last:.3f}", first=losses[0], last=losses[-1])]
    spread = scores.std(axis=0)
    if not np.all(np.isfinite(scores)) or spread.min() <= 1e-6:
        return [message("probe.prediction.dead_output", "one output is the same for every test point: that "
                        "output learned nothing")]
    centred = scores - scores.mean(axis=0)
    if np.mean(centred[:, 0] * centred[:, 1]) / (spread[0] * spread[1]) >= -0.5:
        return [message("probe.prediction.one_hot_targets", "the two outputs rise and fall together: give "
                        "MSE one-hot targets of shape (N, 2)")]
    labels = np.argmax(scores, axis=1)
    if np.mean(labels == y_test) < 0.90:
        right = np.mean(labels == y_test)
        return [message("probe.prediction.test_accuracy", "the fixed model gets {right:.1%} of the test "
                        "points right: at least 90% expected", right=right)]
    if np.bincount(labels, minlength=2).min() < 0.3 * len(labels):
        return [message("probe.prediction.both_classes", "predictions per class {counts}: both classes "
                        "expected", counts=np.bincount(labels, minlength=2).tolist())]
    train_accuracy = np.mean(np.argmax(model.forward(X_train), axis=1) == y_train)
    if train_accuracy < 0.90:
        return [message("probe.prediction.train_accuracy", "training accuracy {accuracy:.1%}: at least 90% "
                        "expected", accuracy=train_accuracy)]
    return []


JUDGES = {
    "test_results": judge_results,
    "test_fixed_experiment": judge_fixed_experiment,
}
