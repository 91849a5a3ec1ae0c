"""Reference solutions of notebook 06 (loss functions).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.

Every loss follows the guide's order: ``forward(y, y_hat)`` takes the targets first and
the network's output second, returns the mean loss over the batch as a float and keeps
what ``backward()`` needs; ``backward()`` returns dL/dy_hat with the shape of y_hat.
"""

import numpy as np

from .forward import Sigmoid

__all__ = ["MeanSquareError", "SigmoidCrossEntropy", "SoftmaxCrossEntropy", "softmax"]


# %% [mean_square_error]
class MeanSquareError:
    """L = mean over all entries of (y_hat - y)**2, as PyTorch's MSELoss.

    y, y_hat: (N, C). backward returns dL/dy_hat = 2 (y_hat - y) / (N C): (N, C).
    """

    def forward(self, y, y_hat):
        ### BEGIN SOLUTION
        self.diff = y_hat - y
        return float(np.mean(self.diff**2))
        ### END SOLUTION

    def backward(self):
        ### BEGIN SOLUTION
        return 2.0 * self.diff / self.diff.size
        ### END SOLUTION


# %% [sigmoid_cross_entropy]
class SigmoidCrossEntropy:
    """Binary cross-entropy on logits, as PyTorch's BCEWithLogitsLoss.

    y: (N, 1) targets in {0, 1}; y_hat: (N, 1) logits z.
    L = mean of  max(z, 0) - z y + log(1 + exp(-|z|)),  which equals
    -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))] without overflow.
    backward returns dL/dz = (sigmoid(z) - y) / N: (N, 1).
    """

    def forward(self, y, y_hat):
        ### BEGIN SOLUTION
        self.y, self.z = y, y_hat
        losses = np.maximum(y_hat, 0.0) - y_hat * y + np.log1p(np.exp(-np.abs(y_hat)))
        return float(np.mean(losses))
        ### END SOLUTION

    def backward(self):
        ### BEGIN SOLUTION
        return (Sigmoid().forward(self.z) - self.y) / self.z.size
        ### END SOLUTION


# %% [softmax]
def softmax(Z):
    """Row-wise softmax, stable for any size of Z.

    Z: (N, C) scores. Returns P: (N, C), each row positive and summing to 1.
    Subtracting each row's maximum first changes nothing mathematically but keeps
    exp from overflowing.
    """
    ### BEGIN SOLUTION
    shifted = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)
    ### END SOLUTION


# %% [softmax_cross_entropy]
class SoftmaxCrossEntropy:
    """Softmax followed by cross-entropy, as PyTorch's CrossEntropyLoss (mean).

    y: (N, C) one-hot targets; y_hat: (N, C) logits.
    L = -(1 / N) sum_n sum_c y[n, c] log softmax(y_hat)[n, c], where the log of the
    softmax is computed as shifted - log(sum(exp(shifted))) so that it never takes log(0).
    backward returns dL/dy_hat = (softmax(y_hat) - y) / N: (N, C).
    """

    def forward(self, y, y_hat):
        ### BEGIN SOLUTION
        self.y = y
        shifted = y_hat - y_hat.max(axis=1, keepdims=True)
        log_P = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.P = np.exp(log_P)
        return float(-np.sum(y * log_P) / y.shape[0])
        ### END SOLUTION

    def backward(self):
        ### BEGIN SOLUTION
        return (self.P - self.y) / self.y.shape[0]
        ### END SOLUTION
