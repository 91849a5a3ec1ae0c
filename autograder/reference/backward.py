"""Reference solutions of notebook 04 (backward propagation).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.
"""

import numpy as np

from course.framework import add_to_class

from .forward import Dropout, Identity, Linear, ReLU, Sigmoid, Tanh

__all__ = ["Linear", "ReLU", "Sigmoid", "Tanh", "Identity", "Dropout", "numerical_gradient"]


# %% [numerical_gradient]
def numerical_gradient(f, x, eps=1e-6):
    """Central finite differences of a scalar function with respect to an array.

    f: a function of no arguments that returns a float and reads x.
    x: array of any shape (float64), changed in place one entry at a time and restored.
    Returns grad: same shape as x, grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).
    """
    ### BEGIN SOLUTION
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f()
        x[index] = saved - eps
        f_minus = f()
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2.0 * eps)
    return grad
    ### END SOLUTION


# %% [linear_backward]
@add_to_class(Linear)
def backward(self, dZ):
    """dZ: (N, out_features), the gradient of the loss with respect to Z.

    Sets self.dW: (in_features, out_features) and self.db: (out_features,).
    Returns dX: (N, in_features).
    """
    ### BEGIN SOLUTION
    self.dW = self.X.T @ dZ
    self.db = dZ.sum(axis=0)
    return dZ @ self.W.T
    ### END SOLUTION


# %% [activations_backward]
@add_to_class(ReLU)
def backward(self, dA):
    """dA: (N, D). Returns dZ = dA * 1[Z > 0]: (N, D)."""
    ### BEGIN SOLUTION
    return dA * (self.Z > 0)
    ### END SOLUTION


@add_to_class(Sigmoid)
def backward(self, dA):
    """dA: (N, D). Returns dZ = dA * A * (1 - A): (N, D)."""
    ### BEGIN SOLUTION
    return dA * self.A * (1.0 - self.A)
    ### END SOLUTION


@add_to_class(Tanh)
def backward(self, dA):
    """dA: (N, D). Returns dZ = dA * (1 - A**2): (N, D)."""
    ### BEGIN SOLUTION
    return dA * (1.0 - self.A**2)
    ### END SOLUTION


@add_to_class(Identity)
def backward(self, dA):
    """dA: (N, D). Returns dZ = dA: (N, D)."""
    ### BEGIN SOLUTION
    return dA
    ### END SOLUTION


# %% [dropout_backward]
@add_to_class(Dropout)
def backward(self, dA):
    """dA: (N, D). Returns dX = dA * mask: (N, D), the same mask as the last forward."""
    ### BEGIN SOLUTION
    return dA * self.mask
    ### END SOLUTION
