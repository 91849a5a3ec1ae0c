"""Reference solutions of notebook 07 (modularisation: a model and its training loop, then the
same network in the methodology's dictionary view: parameters, cache and grads).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.
"""

import numpy as np

from course.framework import Layer, add_to_class
from course.progress import progress_bar

from .data_prep import iterate_minibatches
from .forward import Identity, ReLU, Sigmoid, Tanh
from .initialization import initialize_parameters
from .loss import SoftmaxCrossEntropy
from .update import Linear

__all__ = ["Sequential", "build_model", "labels_from_scores", "train",
           "forward_propagation", "backward_propagation", "update_parameters", "fit_parameters"]


# %% [sequential]
class Sequential(Layer):
    """A model as a list of layers, applied one after the other.

    forward(X): X (N, in_features) -> scores (N, out_features) of the last layer.
    backward(dA): dA (N, out_features), the gradient of the loss with respect to the
    scores -> dX (N, in_features), through the layers in reverse order.
    """

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, X):
        # each layer's output is the next layer's input
        ### BEGIN SOLUTION
        for layer in self.layers:
            X = layer.forward(X)
        return X
        ### END SOLUTION

    def backward(self, dA):
        # the same chain, last layer first: each backward returns the next dA
        ### BEGIN SOLUTION
        for layer in reversed(self.layers):
            dA = layer.backward(dA)
        return dA
        ### END SOLUTION

    def __repr__(self):
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential(\n{inner}\n)"


# %% [sequential_update_and_modes]
@add_to_class(Sequential)
def update(self, lr):
    """One gradient-descent step of every layer (each layer knows its own parameters)."""
    ### BEGIN SOLUTION
    for layer in self.layers:
        layer.update(lr)
    ### END SOLUTION


@add_to_class(Sequential)
def parameters(self):
    """Every layer's (value, gradient) pairs, in layer order, in one flat list."""
    ### BEGIN SOLUTION
    return [pair for layer in self.layers for pair in layer.parameters()]
    ### END SOLUTION


@add_to_class(Sequential)
def zero_grad(self):
    """Forget the gradients of every layer."""
    ### BEGIN SOLUTION
    for layer in self.layers:
        layer.zero_grad()
    ### END SOLUTION


@add_to_class(Sequential)
def train(self):
    """Training mode for the model and every layer (dropout drops). Returns the model."""
    ### BEGIN SOLUTION
    self.training = True
    for layer in self.layers:
        layer.train()
    return self
    ### END SOLUTION


@add_to_class(Sequential)
def eval(self):
    """Evaluation mode for the model and every layer (dropout lets all through). Returns the model."""
    ### BEGIN SOLUTION
    self.training = False
    for layer in self.layers:
        layer.eval()
    return self
    ### END SOLUTION


# %% [build_model]
ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "identity": Identity}


def build_model(architecture, seed=0):
    """Build a Sequential model from a list of layer descriptions.

    architecture: list of dicts {"input_dim": int, "output_dim": int, "activation": str},
    one per Linear layer, activation one of "relu", "sigmoid", "tanh", "identity".
    Each dict becomes Linear(input_dim, output_dim) followed by its activation layer.
    Weights: He scale before ReLU, Xavier otherwise, all drawn from one
    np.random.default_rng(seed), so the same seed builds the same model.
    Raises ValueError for an activation name that is not in ACTIVATIONS.
    """
    # one generator for the whole model; for each dict: a Linear (init "he" before a ReLU,
    # "xavier" otherwise, rng=...) and then an instance of ACTIVATIONS[its activation]
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    layers = []
    for spec in architecture:
        activation = spec["activation"]
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}: use one of {sorted(ACTIVATIONS)}")
        init = "he" if activation == "relu" else "xavier"
        layers.append(Linear(spec["input_dim"], spec["output_dim"], init=init, rng=rng))
        layers.append(ACTIVATIONS[activation]())
    return Sequential(*layers)
    ### END SOLUTION


# %% [labels_from_scores]
def labels_from_scores(scores):
    """Class labels from a network's outputs or from targets.

    scores: (N, C) with C >= 2: the label of a row is the index of its largest entry;
    (N, 1): one logit (or a 0/1 target) per row, label 1 where it is > 0.
    Returns labels: (N,) int.
    """
    # two cases, told apart by the number of columns: np.argmax along axis 1, or a comparison with 0
    ### BEGIN SOLUTION
    if scores.shape[1] == 1:
        return (scores[:, 0] > 0).astype(int)
    return np.argmax(scores, axis=1)
    ### END SOLUTION


# %% [train]
def train(model, loss_fn, X, Y, *, epochs, batch_size, lr, seed=0, X_val=None, Y_val=None,
          progress=False):
    """Mini-batch gradient descent, the training loop of the guide.

    X: (N, D) inputs, Y: (N, C) targets (one-hot, or (N, 1) for one logit).
    One generator np.random.default_rng(seed) for the whole run shuffles every epoch's
    mini-batches (iterate_minibatches, the last partial batch included). Each epoch puts
    the model in training mode, then for every mini-batch: forward, loss, backward,
    model.update(lr).
    X_val: (M, D), Y_val: (M, C), optional: evaluated in eval mode after each epoch.
    progress: show a progress bar over the epochs and a live loss curve
    (progress_bar(..., enabled=progress, history=history)).
    Returns the history: {"loss": [mean training loss over each epoch's N samples]} plus,
    with validation data only, "val_loss" and "val_accuracy" (fractions in [0, 1]).
    """
    # the epoch's loss is the mean over its N samples: weight each batch's mean by its size;
    # validation: model.eval(), one forward, the loss, and labels_from_scores for the accuracy
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    history = {"loss": []}
    if X_val is not None:
        history["val_loss"], history["val_accuracy"] = [], []
    for _ in progress_bar(range(epochs), enabled=progress, desc="epochs", history=history):
        model.train()
        total_loss = 0.0
        for X_batch, Y_batch in iterate_minibatches(X, Y, batch_size, shuffle=True, rng=rng):
            scores = model.forward(X_batch)
            total_loss += loss_fn.forward(Y_batch, scores) * X_batch.shape[0]
            model.backward(loss_fn.backward())
            model.update(lr)
        history["loss"].append(total_loss / X.shape[0])
        if X_val is not None:
            model.eval()
            scores = model.forward(X_val)
            history["val_loss"].append(loss_fn.forward(Y_val, scores))
            correct = labels_from_scores(scores) == labels_from_scores(Y_val)
            history["val_accuracy"].append(float(np.mean(correct)))
    return history
    ### END SOLUTION


# %% [forward_propagation]
def forward_propagation(X, parameters):
    """The forward pass of a fully connected network kept as a dictionary of parameters.

    X: (N, d0). parameters: {"W1": (d0, d1), "b1": (d1,), ..., "WL": (d(L-1), dL), "bL": (dL,)},
    as initialize_parameters returns it; L = len(parameters) // 2.
    Layer l computes Z{l} = A{l-1} @ W{l} + b{l}: (N, dl), with A0 = X; the hidden layers
    (l < L) apply ReLU, A{l} = max(Z{l}, 0): (N, dl); the output layer is linear.
    Returns (scores, cache): scores = Z{L}: (N, dL), and cache = {"A0": X, "Z1", "A1", ...,
    "Z(L-1)", "A(L-1)", "ZL"}, everything backward_propagation needs.
    """
    # A = X; for l = 1 .. L: Z = A @ W{l} + b{l} into the cache, and for l < L also A = ReLU(Z)
    ### BEGIN SOLUTION
    n_layers = len(parameters) // 2
    cache = {"A0": X}
    A = X
    for layer in range(1, n_layers + 1):
        Z = A @ parameters[f"W{layer}"] + parameters[f"b{layer}"]
        cache[f"Z{layer}"] = Z
        if layer < n_layers:
            A = np.maximum(Z, 0.0)
            cache[f"A{layer}"] = A
    return Z, cache
    ### END SOLUTION


# %% [backward_propagation]
def backward_propagation(dscores, parameters, cache):
    """The backward pass of forward_propagation, layer L down to layer 1.

    dscores: (N, dL), the gradient of the loss with respect to the scores Z{L} (the loss's
    backward: its 1/N is already inside). parameters: as for forward_propagation. cache: the
    cache forward_propagation returned for the same parameters.
    With dZ = dL/dZ{l}: (N, dl), dW{l} = A{l-1}.T @ dZ: (d(l-1), dl) and db{l} = dZ summed over
    the samples: (dl,); below a hidden layer, dZ of layer l-1 is (dZ @ W{l}.T) * (Z{l-1} > 0).
    Returns grads = {"dW1": (d0, d1), "db1": (d1,), ..., "dWL", "dbL"}, the shapes of the parameters.
    """
    # start from dZ = dscores; for l = L .. 1: dW{l}, db{l}, then (above layer 1) the next dZ
    ### BEGIN SOLUTION
    n_layers = len(parameters) // 2
    grads = {}
    dZ = dscores
    for layer in range(n_layers, 0, -1):
        grads[f"dW{layer}"] = cache[f"A{layer - 1}"].T @ dZ
        grads[f"db{layer}"] = dZ.sum(axis=0)
        if layer > 1:
            dZ = (dZ @ parameters[f"W{layer}"].T) * (cache[f"Z{layer - 1}"] > 0)
    return grads
    ### END SOLUTION


# %% [update_parameters]
def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step on every parameter: W{l} - learning_rate * dW{l}, b{l} -
    learning_rate * db{l}.

    parameters: {"W1": (d0, d1), "b1": (d1,), ...}; grads: {"dW1": (d0, d1), "db1": (d1,), ...}.
    Returns a NEW dictionary with the same keys and shapes; parameters is left unchanged.
    """
    # one new dictionary: the gradient of "W1" is grads["dW1"]
    ### BEGIN SOLUTION
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()}
    ### END SOLUTION


# %% [fit_parameters]
def fit_parameters(X_train, Y_train, layer_dims, runs, learning_rate, seed=0):
    """The methodology's "model modularisation": every step above in one function.

    X_train: (N, d0); Y_train: (N, dL) one-hot targets; layer_dims: [d0, d1, ..., dL].
    Starts from initialize_parameters(layer_dims, seed) and makes `runs` full-batch
    gradient-descent steps on the softmax cross-entropy (SoftmaxCrossEntropy of notebook 06):
    forward_propagation, the loss, backward_propagation of the loss's gradient,
    update_parameters.
    Returns (parameters, losses): the learned parameters (shapes as initialize_parameters'),
    and losses, a list of `runs` floats, the loss before each step.
    """
    # one loss object; in each run: forward, record the loss, backward from loss_fn.backward(), update
    ### BEGIN SOLUTION
    parameters = initialize_parameters(layer_dims, seed)
    loss_fn = SoftmaxCrossEntropy()
    losses = []
    for _ in range(runs):
        scores, cache = forward_propagation(X_train, parameters)
        losses.append(loss_fn.forward(Y_train, scores))
        grads = backward_propagation(loss_fn.backward(), parameters, cache)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, losses
    ### END SOLUTION
