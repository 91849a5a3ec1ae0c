"""Reference solutions of notebook 02 (parameter initialisation).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.
"""

import numpy as np

from course.framework import Layer

__all__ = ["Linear", "initialize_parameters"]


# %% [linear_init]
class Linear(Layer):
    """Fully connected layer: Z = X @ W + b, with X: (N, in_features), Z: (N, out_features).

    W: (in_features, out_features), b: (out_features,).
    dW: (in_features, out_features) and db: (out_features,) hold the gradients of the loss
    once backward has run; they are None before.
    """

    def __init__(self, in_features, out_features, init="he", rng=None):
        """init: "he" (std sqrt(2 / in_features), for ReLU), "xavier" (std
        sqrt(2 / (in_features + out_features)), for tanh and sigmoid) or "zeros" (every
        weight 0: the symmetric start that fails).
        rng: a np.random.Generator to draw W from (a fresh, unseeded one if None).
        Sets self.W: (in_features, out_features) float64, self.b: (out_features,) zeros,
        self.dW = self.db = None.
        """
        # Make rng with np.random.default_rng() when it is None. Pick the standard deviation
        # that `init` asks for, draw W as that std times rng.standard_normal((in_features,
        # out_features)), make b zeros of shape (out_features,), set both gradients to None.
        ### BEGIN SOLUTION
        rng = np.random.default_rng() if rng is None else rng
        scales = {"he": np.sqrt(2.0 / in_features), "xavier": np.sqrt(2.0 / (in_features + out_features)),
                  "zeros": 0.0}
        if init not in scales:
            raise ValueError(f"init must be one of {sorted(scales)}, got {init!r}")
        self.W = scales[init] * rng.standard_normal((in_features, out_features))
        self.b = np.zeros(out_features)
        self.dW = None
        self.db = None
        ### END SOLUTION

    def __repr__(self):
        return f"Linear({self.W.shape[0]}, {self.W.shape[1]})"


# %% [initialize_parameters]
def initialize_parameters(layer_dims, seed=0):
    """He-initialised parameters of a fully connected network, as a dictionary.

    layer_dims: [d0, d1, ..., dL], the input size followed by each layer's size.
    Returns {"W1": (d0, d1), "b1": (d1,), ..., "WL": (d(L-1), dL), "bL": (dL,)}:
    weights drawn from N(0, 2 / d(l-1)) (He), biases zero, float64. The same seed gives the
    same parameters.
    """
    # One generator np.random.default_rng(seed) for the whole network; for l = 1 .. L draw
    # "Wl" of shape (d(l-1), dl) with He's standard deviation, and "bl" as zeros of shape (dl,).
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    parameters = {}
    for layer in range(1, len(layer_dims)):
        fan_in, fan_out = layer_dims[layer - 1], layer_dims[layer]
        parameters[f"W{layer}"] = np.sqrt(2.0 / fan_in) * rng.standard_normal((fan_in, fan_out))
        parameters[f"b{layer}"] = np.zeros(fan_out)
    return parameters
    ### END SOLUTION
