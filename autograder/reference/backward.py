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
    x: float64 array of any shape, e.g. (n,) or (N, D); changed in place one entry at a
       time and restored exactly before returning.
    eps: the step h.
    Returns grad: same shape as x, grad[i] = (f() with x[i] + eps  -  f() with x[i] - eps) / (2 eps).
    """
    # Visit every index of x (np.ndindex(x.shape) works for any number of dimensions): save
    # the entry, set it to saved + eps and call f, then saved - eps and call f, put the saved
    # value back, and store the central difference in grad at that index.
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
    """dZ: (N, out_features), the gradient of the loss with respect to Z = X @ W + b.

    Uses self.X: (N, in_features), kept by forward.
    Sets self.dW = X.T @ dZ: (in_features, out_features) and self.db = dZ summed over the
    batch: (out_features,). Returns dX = dZ @ W.T: (N, in_features).
    """
    # Three lines, one per formula; let the shapes guide the order of the factors.
    ### BEGIN SOLUTION
    self.dW = self.X.T @ dZ
    self.db = dZ.sum(axis=0)
    return dZ @ self.W.T
    ### END SOLUTION


# %% [relu_identity_backward]
@add_to_class(ReLU)
def backward(self, dA):
    """dA: (N, D). Returns dZ = dA * 1[Z > 0]: (N, D), with Z: (N, D) kept by forward as self.Z."""
    # The gradient goes through where the input was positive and is stopped elsewhere.
    ### BEGIN SOLUTION
    return dA * (self.Z > 0)
    ### END SOLUTION


@add_to_class(Identity)
def backward(self, dA):
    """dA: (N, D). Returns dZ = dA: (N, D)."""
    # The derivative of A = Z is 1.
    ### BEGIN SOLUTION
    return dA
    ### END SOLUTION


# %% [sigmoid_tanh_backward]
@add_to_class(Sigmoid)
def backward(self, dA):
    """dA: (N, D). Returns dZ = dA * A * (1 - A): (N, D), with A: (N, D) kept by forward as self.A."""
    # sigma'(Z) written with the output A only: no exp needed.
    ### BEGIN SOLUTION
    return dA * self.A * (1.0 - self.A)
    ### END SOLUTION


@add_to_class(Tanh)
def backward(self, dA):
    """dA: (N, D). Returns dZ = dA * (1 - A**2): (N, D), with A: (N, D) kept by forward as self.A."""
    # tanh'(Z) written with the output A only.
    ### BEGIN SOLUTION
    return dA * (1.0 - self.A**2)
    ### END SOLUTION


# %% [dropout_backward]
@add_to_class(Dropout)
def backward(self, dA):
    """dA: (N, D). Returns dX = dA * mask: (N, D), where mask: (N, D) is self.mask of the
    last forward (0 for a dropped unit, 1 / (1 - p) for a kept one; all ones in eval mode).
    """
    # Forward multiplied X by the mask, entry by entry: so does backward.
    ### BEGIN SOLUTION
    return dA * self.mask
    ### END SOLUTION
