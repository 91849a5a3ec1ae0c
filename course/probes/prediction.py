"""Probes of notebook 08 (prediction): predict, accuracy, confusion_matrix, the three results
and fixed_experiment.

predict, accuracy and confusion_matrix have one right answer: compared with the reference's.
The results come from the notebook's ``results`` (its training cells ran before the
probe): the probe transports the trained models themselves (layer kinds and weights) and
the judge (``course/judges/prediction.py``) rebuilds them with the reference and evaluates
them on the grader's own copy of the data, so a model only counts for what it really does.
fixed_experiment is called with ``train`` replaced by a recorder: the settings of its call
(initial model, loss, targets, epochs, batch size, learning rate, seed) are transported,
and the judge trains them with the reference (about 0.3 s), so the kernel spends no time
training.
"""

import numpy as np

from course.experiments import EXPERIMENTS, load_task
from course.i18n import message

from .kernel import layer_kind, linear


def probe_predict(ns, rng):
    """predict(model, X) -> (N,) int labels in a NumPy array: argmax in evaluation mode (a Dropout
    layer in the model), the same labels twice, two scores per row, one logit, scores of +-1000."""
    predict, Sequential, Identity, values = ns["predict"], ns["Sequential"], ns["Identity"], {}
    net = Sequential(
        linear(ns, rng.standard_normal((5, 7)), rng.standard_normal(7)),
        ns["ReLU"](),
        ns["Dropout"](0.5, rng=np.random.default_rng(1)),
        linear(ns, rng.standard_normal((7, 3)), rng.standard_normal(3)),
    )
    X = rng.standard_normal((11, 5))
    net.train()
    labels = predict(net, X)
    values["predict returns a NumPy array"] = isinstance(labels, np.ndarray)
    values["predict for 11 samples and 3 classes (a model with dropout)"] = labels
    net.train()
    values["predict called again"] = predict(net, X)
    values["predict with two scores per row"] = predict(Sequential(Identity()), rng.standard_normal((9, 2)))
    logit = Sequential(linear(ns, rng.standard_normal((4, 1)), rng.standard_normal(1)))
    values["predict for one logit"] = predict(logit, rng.standard_normal((13, 4)))
    values["predict for one logit, one sample"] = predict(logit, rng.standard_normal((1, 4)))
    values["predict for scores of +-1000"] = predict(
        Sequential(Identity()), np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    )
    values["predict for logits of +-1000"] = predict(Sequential(Identity()), np.array([[1000.0], [-1000.0]]))
    return values


def _raises(function, *args):
    """'ValueError', 'another error' or 'nothing': what function(*args) raised."""
    try:
        function(*args)
    except ValueError:
        return "ValueError"
    except Exception:
        return "another error"
    return "nothing"


def probe_accuracy(ns, rng):
    """accuracy(y_pred, y_true) -> float: 28 right of 37, all right, all wrong, a batch of
    one; ValueError for (N,) against (N, 1) either way round and for (1,) against (N,)."""
    accuracy, values = ns["accuracy"], {}
    y_true = rng.integers(0, 4, 37)
    y_pred = y_true.copy()
    flip = rng.choice(37, size=9, replace=False)
    y_pred[flip] = (y_pred[flip] + 1) % 4
    value = accuracy(y_pred, y_true)
    values["accuracy returns a float"] = isinstance(value, float)
    values["accuracy with 28 right out of 37"] = float(value)
    values["accuracy when all are right"] = float(accuracy(y_true, y_true))
    values["accuracy when all are wrong"] = float(accuracy((y_true + 1) % 4, y_true))
    values["accuracy of a batch of one"] = float(accuracy(np.array([3]), np.array([3])))
    values["accuracy((N,), (N, 1)) raised"] = _raises(accuracy, y_pred, y_true[:, None])
    values["accuracy((N, 1), (N,)) raised"] = _raises(accuracy, y_pred[:, None], y_true)
    values["accuracy((1,), (N,)) raised"] = _raises(accuracy, y_pred[:1], y_true)  # same ndim, other shape
    return values


def probe_confusion_matrix(ns, rng):
    """confusion_matrix(y_true, y_pred, C) -> (C, C) int counts, rows = true class: 53
    samples of 6 classes (one absent, pairs repeated), and one sample."""
    y_true, y_pred = rng.integers(0, 5, 53), rng.integers(0, 5, 53)
    y_pred[:20] = y_true[:20]
    return {
        "confusion_matrix for 6 classes": ns["confusion_matrix"](y_true, y_pred, 6),
        "confusion_matrix of one sample of class 2 predicted as 1": ns["confusion_matrix"](
            np.array([2]), np.array([1]), 3
        ),
    }


def _record_model(values, prefix, model, ns):
    """A model's layer kinds (by the notebook's classes) and the values of its parameters(), in order."""
    values[prefix + "kinds"] = [layer_kind(ns, layer) for layer in model.layers]
    for index, (value, _) in enumerate(model.parameters()):
        values[prefix + f"w{index}"] = value


def probe_results(ns, rng):
    """The notebook's ``results``: each task's trained model (kinds and weights), the
    accuracy it reported, and the disc set's training losses."""
    results = ns.get("results")
    values = {"results found": isinstance(results, dict)}
    if isinstance(results, dict):
        for name in EXPERIMENTS:
            entry = results[name]
            _record_model(values, f"{name}: ", entry["model"], ns)
            values[f"{name}: reported accuracy"] = float(entry["accuracy"])
        values["disc: training losses"] = [float(v) for v in results["disc"]["history"]["loss"]]
    return values


#: The losses a recorded call of train may use, by the notebook's class names.
LOSSES = ("MeanSquareError", "SigmoidCrossEntropy", "SoftmaxCrossEntropy")
#: The most calls of train that fixed_experiment may make: the judge replays every one.
MAX_CALLS = 10


def probe_fixed_experiment(ns, rng):
    """fixed_experiment(*load_task("disc", globals())) with ``train`` replaced, for the call,
    by a recorder: each call's model (kinds and initial weights), loss, X, Y and settings
    are transported and the judge trains outside with the reference, so the kernel spends
    no time training. A fixed_experiment that trains without calling train is run as it is
    and its trained model transported instead."""
    fixed = ns["fixed_experiment"]
    home, values, models, calls = fixed.__globals__, {}, [], [0]

    def recording_train(model, loss_fn, X, Y, **settings):
        calls[0] += 1
        if len(models) >= MAX_CALLS:  # past the bound: nothing more is recorded or replayed
            raise RuntimeError(message("probe.prediction.too_many_calls", "fixed_experiment called train "
                                       "more than {most} times (the grader replays at most {most} calls): "
                                       "train one model, once", most=MAX_CALLS))
        prefix = f"call {len(models)}: "
        if not models:
            _record_model(values, "initial: ", model, ns)
        values[prefix + "loss"] = layer_kind(ns, loss_fn, LOSSES)
        values[prefix + "X"], values[prefix + "Y"] = X, Y
        for name in ("epochs", "batch_size", "lr"):
            values[prefix + name] = settings.get(name)
        values[prefix + "seed"] = settings.get("seed", 0)
        models.append(model)
        return {"loss": [float("nan")]}

    saved = home.get("train")
    home["train"] = recording_train
    try:
        outcome = fixed(*load_task("disc", ns))
    finally:
        home["train"] = saved
    values["calls of train"] = calls[0]
    values["one model for every call"] = all(model is models[0] for model in models)
    values["returns a tuple of three"] = isinstance(outcome, tuple) and len(outcome) == 3
    model, history, accuracy = outcome
    _record_model(values, "returned: ", model, ns)
    if not models:
        values["returned: training losses"] = [float(v) for v in history["loss"]]
    values["returned: reported accuracy"] = float(accuracy)
    return values


PROBES = {
    "test_predict": probe_predict,
    "test_accuracy": probe_accuracy,
    "test_confusion_matrix": probe_confusion_matrix,
    "test_results": probe_results,
    "test_fixed_experiment": probe_fixed_experiment,
}
