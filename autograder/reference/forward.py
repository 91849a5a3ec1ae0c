"""Reference solutions of notebook 03 (forward propagation).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.
"""

import numpy as np

from course.framework import Layer, add_to_class

from .initialization import Linear

__all__ = ["Linear", "ReLU", "Sigmoid", "Tanh", "Identity", "Dropout", "tiny_net_forward"]


# %% [tiny_net_forward]
def tiny_net_forward(X, W1, W2):
    """The 3 -> 4 -> 1 network without biases: y = ReLU(X @ W1) @ W2.

    X: (N, 3), W1: (3, 4), W2: (4, 1). Returns y: (N, 1).
    """
    # Three lines, one per equation: Z1 = X W1 (N, 4), A1 = ReLU(Z1) (N, 4), y = A1 W2 (N, 1).
    ### BEGIN SOLUTION
    Z1 = X @ W1
    A1 = np.maximum(Z1, 0.0)
    return A1 @ W2
    ### END SOLUTION


# %% [linear_forward]
@add_to_class(Linear)
def forward(self, X):
    """X: (N, in_features). Returns Z = X @ W + b: (N, out_features).

    Keeps X: backward needs it for dW.
    """
    # Store the input on self (backward will need it), then return the affine map; b of
    # shape (out_features,) is added to every row by broadcasting.
    ### BEGIN SOLUTION
    self.X = X
    return X @ self.W + self.b
    ### END SOLUTION


# %% [activations_forward]
class ReLU(Layer):
    """A = max(Z, 0), element by element. Z and A: (N, D)."""

    def forward(self, Z):
        # Keep Z (backward needs to know where Z > 0); return a NEW array, leave Z unchanged.
        ### BEGIN SOLUTION
        self.Z = Z
        return np.maximum(Z, 0.0)
        ### END SOLUTION


class Tanh(Layer):
    """A = tanh(Z), element by element. Z, A: (N, D)."""

    def forward(self, Z):
        # Keep the output A (backward uses 1 - A**2); NumPy has tanh built in.
        ### BEGIN SOLUTION
        self.A = np.tanh(Z)
        return self.A
        ### END SOLUTION


class Identity(Layer):
    """A = Z: the output layer of a network whose loss takes raw scores (logits)."""

    def forward(self, Z):
        # Nothing to compute.
        ### BEGIN SOLUTION
        return Z
        ### END SOLUTION


# %% [sigmoid_forward]
class Sigmoid(Layer):
    """A = 1 / (1 + exp(-Z)), element by element, without overflow for large |Z|. Z, A: (N, D)."""

    def forward(self, Z):
        # Take exp only of numbers <= 0, so it never overflows: E = exp(-|Z|), then use the
        # form of the sigmoid written with E that fits each sign of Z (np.where picks per
        # entry). Keep the output A: backward uses A * (1 - A).
        ### BEGIN SOLUTION
        E = np.exp(-np.abs(Z))
        self.A = np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))
        return self.A
        ### END SOLUTION


# %% [dropout_forward]
class Dropout(Layer):
    """Inverted dropout: in training mode each unit is zeroed with probability p and the
    survivors are scaled by 1 / (1 - p), so the expected output equals the input; in
    evaluation mode (after .eval()) the layer lets its input through unchanged.

    X, A: (N, D). rng: a np.random.Generator (a fresh, unseeded one if None).
    """

    def __init__(self, p, rng=None):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"the drop probability p must be in [0, 1), got {p}")
        self.p = p
        self.rng = np.random.default_rng() if rng is None else rng

    def forward(self, X):
        # In training mode (self.training is True): a fresh mask of X's shape from self.rng,
        # 0 with probability p and 1 / (1 - p) otherwise; keep it (backward multiplies by the
        # same mask) and return X times it. In evaluation mode the mask is all ones.
        ### BEGIN SOLUTION
        if not self.training or self.p == 0.0:
            self.mask = np.ones_like(X)
        else:
            self.mask = (self.rng.random(X.shape) >= self.p) / (1.0 - self.p)
        return X * self.mask
        ### END SOLUTION

    def __repr__(self):
        return f"Dropout(p={self.p})"
