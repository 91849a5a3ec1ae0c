"""Probes of notebook 07 (modularisation): Sequential, its update / parameters / modes,
build_model, labels_from_scores and train; then the dictionary view: forward_propagation,
backward_propagation, update_parameters and fit_parameters.

A model's forward and backward have one right answer: compared with the reference's.
build_model may draw its weights in any correct way and train may shuffle in any correct
way, so their judges (``course/judges/modularization.py``) check properties: the layers, the
scales, reproducibility; the keys of the history, one update per mini-batch, the modes, a
loss that falls, a last validation that matches the final weights. The four functions of the
dictionary view have one right answer each: compared with the reference's.
backward_propagation gets a cache made by the checker's own forward, and fit_parameters runs
on the checker's own three steps (checks.using_course_steps), so that each is judged alone.
"""

import numpy as np

from course.checks import using_course_steps
from course.framework import Layer

from .kernel import layer_kind, linear


def _linears(ns, rng, sizes):
    """Linear layers of the given (in, out) sizes with the probe's own weights."""
    return [linear(ns, rng.standard_normal(size), rng.standard_normal(size[1])) for size in sizes]


def probe_sequential(ns, rng):
    """Sequential(Linear(5, 6), ReLU, Linear(6, 4), Sigmoid, Linear(4, 3), Identity): scores
    (N, 3), dX (N, 5) and every dW, db, for N = 7 and 1; a Sequential inside a Sequential."""
    values = {}
    for n in (7, 1):
        linears = _linears(ns, rng, [(5, 6), (6, 4), (4, 3)])
        model = ns["Sequential"](
            linears[0], ns["ReLU"](), linears[1], ns["Sigmoid"](), linears[2], ns["Identity"]()
        )
        values[f"Sequential.forward on a batch of {n}"] = model.forward(rng.standard_normal((n, 5)))
        values[f"Sequential.backward's dX on a batch of {n}"] = model.backward(rng.standard_normal((n, 3)))
        for index, layer in enumerate(linears, start=1):
            values[f"dW of Linear {index} after Sequential.backward, batch of {n}"] = layer.dW
            values[f"db of Linear {index} after Sequential.backward, batch of {n}"] = layer.db
    inner, outer = _linears(ns, rng, [(4, 5), (5, 2)])
    nested = ns["Sequential"](ns["Sequential"](inner, ns["Tanh"]()), outer)
    values["forward of Sequential(Sequential(Linear, Tanh), Linear)"] = nested.forward(
        rng.standard_normal((6, 4))
    )
    values["backward of Sequential(Sequential(Linear, Tanh), Linear)"] = nested.backward(
        rng.standard_normal((6, 2))
    )
    values["dW of the inner Linear of the nested Sequential"] = inner.dW
    return values


def probe_sequential_update_and_modes(ns, rng):
    """parameters() of three Linear layers (6 pairs, in layer order), update(lr), zero_grad(),
    and the training flags of every layer and of the model after eval() and train(), which
    return the model."""
    values = {}
    linears = _linears(ns, rng, [(5, 3), (3, 6), (6, 2)])
    model = ns["Sequential"](
        linears[0],
        ns["Tanh"](),
        ns["Dropout"](0.2, rng=np.random.default_rng(0)),
        linears[1],
        ns["Sigmoid"](),
        linears[2],
    )
    for layer in linears:
        layer.dW, layer.db = rng.standard_normal(layer.W.shape), rng.standard_normal(layer.b.shape)
    pairs = [tuple(pair) for pair in model.parameters()]
    values["number of pairs in parameters()"] = len(pairs)
    for index, (value, gradient) in enumerate(pairs):  # copies of arrays: update may change them in place
        values[f"parameters()[{index}]'s value"] = value.copy() if isinstance(value, np.ndarray) else value
        values[f"parameters()[{index}]'s gradient"] = gradient.copy() if isinstance(gradient, np.ndarray) \
            else gradient
    model.update(0.05)
    for index, layer in enumerate(linears, start=1):
        values[f"W of Linear {index} after update(0.05)"] = layer.W
        values[f"b of Linear {index} after update(0.05)"] = layer.b
        layer.dW, layer.db = rng.standard_normal(layer.W.shape), rng.standard_normal(layer.b.shape)
    model.zero_grad()
    values["every gradient is None after zero_grad()"] = all(
        layer.dW is None and layer.db is None for layer in linears
    )
    values["number of pairs of a model without parameters"] = len(
        ns["Sequential"](ns["ReLU"](), ns["Tanh"]()).parameters()
    )
    for step, switch in enumerate(("eval", "train", "eval")):
        returned = getattr(model, switch)()
        values[f"training flags after step {step}, model.{switch}()"] = [
            bool(layer.training) for layer in model.layers
        ]
        values[f"the model's own flag after step {step}, model.{switch}()"] = bool(model.training)
        values[f"model.{switch}() returns the model (step {step})"] = returned is model
    return values


#: The architecture of the build_model probe: two 6 x 6 ReLU layers must differ.
ARCHITECTURE = [
    {"input_dim": 4, "output_dim": 6, "activation": "tanh"},
    {"input_dim": 6, "output_dim": 6, "activation": "relu"},
    {"input_dim": 6, "output_dim": 6, "activation": "relu"},
    {"input_dim": 6, "output_dim": 3, "activation": "sigmoid"},
    {"input_dim": 3, "output_dim": 1, "activation": "identity"},
]
#: Wide layers to measure the scales, one before each activation: (architecture, expected
#: std of each W). At least 4800 weights each, so a correct std is within 1.05 by 5 standard errors.
WIDE = (
    [
        {"input_dim": 120, "output_dim": 80, "activation": "relu"},
        {"input_dim": 80, "output_dim": 60, "activation": "tanh"},
        {"input_dim": 60, "output_dim": 100, "activation": "sigmoid"},
        {"input_dim": 100, "output_dim": 80, "activation": "identity"},
    ],
    [np.sqrt(2 / 120), np.sqrt(2 / 140), np.sqrt(2 / 160), np.sqrt(2 / 180)],
)


def _model_weights(model):
    """The W of every Linear layer of a built model, in order (layers[0], [2], ...)."""
    return [layer.W for layer in model.layers[::2]]


def probe_build_model(ns, rng):
    """build_model(architecture, seed): the layers in order, the shapes, zero biases, the
    same weights for the same seed, He before ReLU and Xavier otherwise, ValueError for an
    unknown activation."""
    values, seed = {}, int(rng.integers(1000))
    model = ns["build_model"](ARCHITECTURE, seed=seed)
    values["the kinds of the layers"] = [layer_kind(ns, layer) for layer in model.layers]
    distinct = {id(layer) for layer in model.layers}
    values["every layer of the model is an object of its own"] = len(distinct) == len(model.layers)
    for index, layer in enumerate(model.layers[::2], start=1):
        values[f"W of Linear {index}"], values[f"b of Linear {index}"] = layer.W, layer.b
    for index, W in enumerate(_model_weights(ns["build_model"](ARCHITECTURE, seed=seed)), start=1):
        values[f"W of Linear {index}, same seed again"] = W
    values["W of Linear 1, another seed"] = ns["build_model"](ARCHITECTURE, seed=seed + 1).layers[0].W
    for index, W in enumerate(_model_weights(ns["build_model"](WIDE[0], seed=seed)), start=1):
        values[f"W of wide Linear {index}"] = W
    try:
        ns["build_model"]([{"input_dim": 2, "output_dim": 3, "activation": "softplus"}])
        values["ValueError for the activation 'softplus'"] = False
    except ValueError:
        values["ValueError for the activation 'softplus'"] = True
    return values


def probe_labels_from_scores(ns, rng):
    """labels_from_scores: argmax of (9, 4) scores, z > 0 of (11, 1) logits, labels of one-hot
    and of 0/1 targets, a batch of one; (N,) integers."""
    labels = ns["labels_from_scores"]
    y = rng.integers(0, 5, 8)
    return {
        "labels of (9, 4) scores": labels(rng.standard_normal((9, 4))),
        "labels of (11, 1) logits": labels(rng.standard_normal((11, 1))),
        "labels of one-hot targets": labels(np.eye(5)[y]),
        "labels of 0/1 targets (N, 1)": labels(y[:, None] % 2 * 1.0),
        "labels of a batch of one": labels(np.array([[0.2, -1.0]])),
    }


#: The most forward calls a Spy writes down (the probe's loops make at most 18).
MAX_RECORDS = 1000
class Then(Layer):
    """The probe's own model for ``train``: ``first``, then ``second``, each asked to update and to
    switch mode, so that train's probe does not depend on the notebook's Sequential (another
    exercise). Longer models nest: ``chain(a, b, c)`` is ``Then(Then(a, b), c)``."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    def forward(self, X):
        return self.second.forward(self.first.forward(X))

    def backward(self, dA):
        return self.first.backward(self.second.backward(dA))

    def update(self, lr):
        self.first.update(lr)
        self.second.update(lr)

    def parameters(self):
        return self.first.parameters() + self.second.parameters()

    def zero_grad(self):
        self.first.zero_grad()
        self.second.zero_grad()

    def train(self):
        self.training = True
        self.first.train()
        self.second.train()
        return self

    def eval(self):
        self.training = False
        self.first.eval()
        self.second.eval()
        return self


class Through(Layer):
    """Lets its input and its gradient through unchanged."""

    def forward(self, X):
        return X

    def backward(self, dA):
        return dA


def chain(first, *rest):
    """The probe's model of ``first`` and the ``rest`` one after the other (one layer: itself,
    then a Through, so that the model is never the bare layer)."""
    model = Then(first, Through())
    for layer in rest:
        model = Then(model, layer)
    return model


def _labels(scores):
    """The probe's own labels_from_scores: argmax of each row, or z > 0 for one column."""
    scores = np.asarray(scores)
    return (scores[:, 0] > 0).astype(int) if scores.shape[1] == 1 else np.argmax(scores, axis=1)


class Spy(Layer):
    """Lets its input through and writes down what the training loop did: the number of
    update calls, and for the first MAX_RECORDS forward calls their training flag, batch size
    and mean of column 0 (a loop that calls forward more often fails on its count anyway)."""

    def __init__(self):
        self.updates, self.flags, self.sizes, self.means = 0, [], [], []

    def forward(self, X):
        if len(self.flags) >= MAX_RECORDS:
            return X
        self.flags.append(bool(self.training))
        self.sizes.append(int(X.shape[0]))
        self.means.append(float(np.mean(X[:, 0])))
        return X

    def backward(self, dA):
        return dA

    def update(self, lr):
        self.updates += 1


def _blobs(rng, n):
    """Two separated Gaussian blobs: X (n, 2) and targets (n, 1) in {0, 1}."""
    y = rng.integers(0, 2, n)
    return rng.normal(0.0, 0.6, (n, 2)) + np.where(y[:, None] == 1, 1.5, -1.5), y[:, None].astype(float)


def _record_history(values, label, history):
    """The keys of a history dict, and each list as floats, with whether all were floats."""
    values[f"{label}: keys"] = sorted(str(key) for key in history)
    for key, entries in history.items():
        entries = list(entries)
        values[f"{label}: {key} are floats"] = all(isinstance(entry, float) for entry in entries)
        values[f"{label}: {key}"] = [float(entry) for entry in entries]


def probe_train(ns, rng):
    """train(model, loss_fn, X, Y, epochs=..., batch_size=..., lr=..., seed=..., X_val, Y_val):
    the history, one update per mini-batch with the last partial batch, training mode for
    mini-batches and evaluation mode for validation, the mean loss over the samples,
    reproducible for a seed, a new batch order every epoch, and a last validation that matches
    the final weights. The models are the probe's own chain, and train's labels_from_scores is
    the probe's own for the call, so that only train itself is judged."""
    train, Identity, values = ns["train"], ns["Identity"], {}
    home = getattr(train, "__globals__", {})
    saved = home.get("labels_from_scores")
    if "labels_from_scores" in home:  # train's validation accuracy must not depend on that exercise
        home["labels_from_scores"] = _labels
    try:
        _probe_train(ns, rng, train, Identity, values)
    finally:
        if "labels_from_scores" in home:
            home["labels_from_scores"] = saved
    return values


def _probe_train(ns, rng, train, Identity, values):
    """probe_train's work, with the probe's own chain for a model."""
    X_tr, Y_tr = _blobs(rng, 60)
    X_va, Y_va = _blobs(rng, 20)
    model = chain(linear(ns, 0.1 * rng.standard_normal((2, 1)), np.zeros(1)), Identity())
    _record_history(
        values,
        "blobs",
        train(
            model,
            ns["SigmoidCrossEntropy"](),
            X_tr,
            Y_tr,
            epochs=15,
            batch_size=8,
            lr=0.5,
            X_val=X_va,
            Y_val=Y_va,
        ),
    )
    X_23, Y_23 = _blobs(rng, 23)
    for label, epochs, batch_size, validation in (
        ("batches of 5", 3, 5, True),
        ("batches of 30", 4, 30, False),
    ):
        spy = Spy()
        model = chain(spy, linear(ns, 0.1 * rng.standard_normal((2, 1)), np.zeros(1)), Identity())
        extra = {"X_val": X_va + 100.0, "Y_val": Y_va} if validation else {}
        history = train(
            model,
            ns["SigmoidCrossEntropy"](),
            X_23,
            Y_23,
            epochs=epochs,
            batch_size=batch_size,
            lr=0.01,
            **extra,
        )
        values[f"{label}: keys"] = sorted(str(key) for key in history)
        values[f"{label}: updates"] = spy.updates
        values[f"{label}: forward batch sizes"] = spy.sizes
        values[f"{label}: forward training flags"] = spy.flags
        values[f"{label}: forward input means"] = spy.means
    X, Y = rng.standard_normal((23, 3)), rng.standard_normal((23, 2)) * np.linspace(0.2, 3.0, 23)[:, None]
    history = train(
        chain(linear(ns, rng.standard_normal((3, 2)), rng.standard_normal(2))),
        ns["MeanSquareError"](),
        X,
        Y,
        epochs=2,
        batch_size=5,
        lr=0.0,
        seed=1,
    )
    values["history['loss'] of a model that does not change (lr = 0)"] = [float(v) for v in history["loss"]]
    weights = (
        rng.standard_normal((2, 4)),
        rng.standard_normal(4),
        rng.standard_normal((4, 1)),
        rng.standard_normal(1),
    )
    for label, seed in (("seed 3", 3), ("seed 3 again", 3), ("seed 4", 4)):
        first = linear(ns, weights[0], weights[1])
        model = chain(first, ns["Tanh"](), linear(ns, weights[2], weights[3]), Identity())
        history = train(
            model,
            ns["SigmoidCrossEntropy"](),
            X_tr,
            Y_tr,
            epochs=5,
            batch_size=7,
            lr=0.3,
            seed=seed,
            X_val=X_va,
            Y_val=Y_va,
        )
        values[f"{label}: losses"] = [float(v) for v in history["loss"]]
        values[f"{label}: W after training"] = first.W
    centres = np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])
    labels_tr, labels_va = rng.integers(0, 3, 45), rng.integers(0, 3, 13)
    X3_va = centres[labels_va] + rng.normal(0, 1.0, (13, 2))
    values["three classes: X_val"], values["three classes: labels_val"] = X3_va, labels_va
    layer = linear(ns, rng.standard_normal((2, 3)), np.zeros(3))
    history = train(
        chain(layer),
        ns["SoftmaxCrossEntropy"](),
        centres[labels_tr] + rng.normal(0, 1.0, (45, 2)),
        np.eye(3)[labels_tr],
        epochs=3,
        batch_size=10,
        lr=0.2,
        X_val=X3_va,
        Y_val=np.eye(3)[labels_va],
    )
    values["three classes: last val_loss"] = float(history["val_loss"][-1])
    values["three classes: last val_accuracy"] = float(history["val_accuracy"][-1])
    values["three classes: final W"], values["three classes: final b"] = layer.W, layer.b


#: The networks of the dictionary probes: (layer_dims, N), one layer to four layers.
NETWORKS = [((5, 7, 4, 3), 6), ((3, 2), 1), ((2, 6, 6, 6, 1), 9)]


def _parameters(rng, layer_dims):
    """{"W1": (d0, d1), "b1": (d1,), ...} drawn from ``rng`` (biases not zero, so that they count)."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.standard_normal((layer_dims[l - 1], layer_dims[l]))
        parameters[f"b{l}"] = 0.5 * rng.standard_normal(layer_dims[l])
    return parameters


def _cache_keys(n_layers):
    """The keys forward_propagation's cache must hold for an L-layer network."""
    keys = ["A0"]
    for l in range(1, n_layers + 1):
        keys += [f"Z{l}", f"A{l}"] if l < n_layers else [f"Z{l}"]
    return keys


def _unchanged(before, after):
    """Whether the dict of arrays ``after`` still holds exactly the values of ``before``."""
    return sorted(before) == sorted(after) and all(np.array_equal(before[k], after[k]) for k in before)


def probe_forward_propagation(ns, rng):
    """forward_propagation(X, parameters) on networks of one to four layers: the scores (N, dL),
    every key the cache must hold (extra keys are allowed), and X and parameters unchanged."""
    values = {}
    for layer_dims, n in NETWORKS:
        label = f"network {'-'.join(map(str, layer_dims))}, N = {n}"
        parameters, X = _parameters(rng, layer_dims), rng.standard_normal((n, layer_dims[0]))
        kept = {key: value.copy() for key, value in parameters.items()}
        X_kept = X.copy()
        scores, cache = ns["forward_propagation"](X, parameters)
        values[f"{label}: scores"] = scores
        for key in _cache_keys(len(layer_dims) - 1):
            if key in cache:
                values[f"{label}: cache[{key!r}]"] = cache[key]
        unchanged = _unchanged(kept, parameters) and np.array_equal(X, X_kept)
        values[f"{label}: X and parameters unchanged"] = unchanged
    return values


def probe_backward_propagation(ns, rng):
    """backward_propagation(dscores, parameters, cache), the cache made by the checker's own
    forward: every dW{l} and db{l}, and the arguments unchanged."""
    forward, values = using_course_steps.STEPS["forward_propagation"], {}
    for layer_dims, n in NETWORKS:
        label = f"network {'-'.join(map(str, layer_dims))}, N = {n}"
        parameters, X = _parameters(rng, layer_dims), rng.standard_normal((n, layer_dims[0]))
        _, cache = forward(X, parameters)
        dscores = rng.standard_normal((n, layer_dims[-1])) / n
        kept = [{key: value.copy() for key, value in d.items()} for d in (parameters, cache)]
        grads = ns["backward_propagation"](dscores, parameters, cache)
        for l in range(1, len(layer_dims)):
            for name in (f"dW{l}", f"db{l}"):
                if name in grads:
                    values[f"{label}: grads[{name!r}]"] = grads[name]
        values[f"{label}: the keys of grads"] = sorted(str(key) for key in grads)
        values[f"{label}: parameters and cache unchanged"] = (_unchanged(kept[0], parameters)
                                                              and _unchanged(kept[1], cache))
    return values


def probe_update_parameters(ns, rng):
    """update_parameters(parameters, grads, learning_rate): every new value, the keys, a dict,
    and the parameters argument unchanged."""
    values = {}
    for layer_dims, learning_rate in (((4, 5, 3), 0.1), ((2, 3, 3, 1), 0.7)):
        label = f"network {'-'.join(map(str, layer_dims))}, learning_rate {learning_rate}"
        parameters = _parameters(rng, layer_dims)
        # in the order backward_propagation makes them (dWL, dbL, ..., dW1, db1): matched by name
        grads = {f"d{key}": rng.standard_normal(value.shape) for key, value in reversed(parameters.items())}
        kept = {key: value.copy() for key, value in parameters.items()}
        updated = ns["update_parameters"](parameters, grads, learning_rate)
        values[f"{label}: returns a dict"] = isinstance(updated, dict)
        values[f"{label}: the keys"] = sorted(str(key) for key in updated)
        for key in parameters:
            if key in updated:
                values[f"{label}: {key}"] = updated[key]
        values[f"{label}: the parameters argument unchanged"] = _unchanged(kept, parameters)
    return values


def _fit_runs(seed):
    """The fit_parameters probe's calls: (label, runs, seed)."""
    return (("12 runs", 12, seed), ("another seed", 3, seed + 1), ("0 runs", 0, seed))


def probe_fit_parameters(ns, rng):
    """fit_parameters(X_train, Y_train, layer_dims, runs, learning_rate, seed) on three blobs,
    with the checker's own forward, backward and update: the learned parameters, the losses
    (floats, one per run, each before its step), another seed, and runs = 0."""
    values, seed = {}, int(rng.integers(1, 1000))
    centres = np.array([[0.0, 2.5, 0.0, 1.0], [2.5, 0.0, 1.0, 0.0], [-2.5, -2.5, 0.0, 0.0]])
    labels = rng.integers(0, 3, 30)
    X, Y = centres[labels] + rng.normal(0.0, 1.0, (30, 4)), np.eye(3)[labels]
    fit = ns["fit_parameters"]
    with using_course_steps(fit):
        for label, runs, this_seed in _fit_runs(seed):
            parameters, losses = fit(X, Y, [4, 8, 3], runs, 0.5, seed=this_seed)
            values[f"{label}: the keys of parameters"] = sorted(str(key) for key in parameters)
            for key in ("W1", "b1", "W2", "b2"):
                if key in parameters:
                    values[f"{label}: {key}"] = parameters[key]
            losses = list(losses)
            values[f"{label}: losses are floats"] = all(isinstance(loss, float) for loss in losses)
            values[f"{label}: losses"] = np.array([float(loss) for loss in losses], dtype=np.float64)
    return values


PROBES = {
    "test_sequential": probe_sequential,
    "test_sequential_update_and_modes": probe_sequential_update_and_modes,
    "test_build_model": probe_build_model,
    "test_labels_from_scores": probe_labels_from_scores,
    "test_train": probe_train,
    "test_forward_propagation": probe_forward_propagation,
    "test_backward_propagation": probe_backward_propagation,
    "test_update_parameters": probe_update_parameters,
    "test_fit_parameters": probe_fit_parameters,
}
