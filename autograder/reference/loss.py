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
    """L = mean over all N * C entries of (y_hat - y)**2, as PyTorch's MSELoss.

    forward(y, y_hat): y targets (N, C), y_hat outputs (N, C). Returns L, a float.
    backward(): returns dL/dy_hat = 2 (y_hat - y) / (N C), shape (N, C).
    """

    def forward(self, y, y_hat):
        # keep what backward needs, then return the mean of the squared differences as a float
        ### BEGIN SOLUTION
        self.diff = y_hat - y
        return float(np.mean(self.diff**2))
        ### END SOLUTION

    def backward(self):
        # the derivative of the mean: every entry gets 2 (y_hat - y) divided by the number of entries
        ### BEGIN SOLUTION
        return 2.0 * self.diff / self.diff.size
        ### END SOLUTION


# %% [sigmoid_cross_entropy]
class SigmoidCrossEntropy:
    """Binary cross-entropy on logits, as PyTorch's BCEWithLogitsLoss.

    forward(y, y_hat): y targets in {0, 1} (N, 1); y_hat logits z (N, 1). Returns the mean
    over the batch of  max(z, 0) - z y + log(1 + exp(-|z|)),  which equals
    -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))] without overflow. A float.
    backward(): returns dL/dz = (sigmoid(z) - y) / N, shape (N, 1).
    """

    def forward(self, y, y_hat):
        # the stable formula of the notebook; np.log1p(t) is log(1 + t), exact for tiny t
        ### BEGIN SOLUTION
        self.y, self.z = y, y_hat
        losses = np.maximum(y_hat, 0.0) - y_hat * y + np.log1p(np.exp(-np.abs(y_hat)))
        return float(np.mean(losses))
        ### END SOLUTION

    def backward(self):
        # (sigmoid(z) - y) / N, with a sigmoid that does not overflow (notebook 03 wrote one)
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
    # shift each row by its maximum (keepdims=True keeps the (N, 1) shape), exponentiate, normalise
    ### BEGIN SOLUTION
    shifted = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)
    ### END SOLUTION


# %% [softmax_cross_entropy]
class SoftmaxCrossEntropy:
    """Softmax followed by cross-entropy, as PyTorch's CrossEntropyLoss (mean).

    forward(y, y_hat): y one-hot targets (N, C); y_hat logits Z (N, C). Returns
    L = -(1 / N) sum_n sum_c y[n, c] log softmax(Z)[n, c], a float, with the log of the
    softmax computed by log-sum-exp, (Z - m) - log(sum(exp(Z - m))) with m the row maximum,
    so that it never takes log(0).
    backward(): returns dL/dZ = (softmax(Z) - y) / N, shape (N, C).
    """

    def forward(self, y, y_hat):
        # log P by the log-sum-exp trick (not np.log(softmax(...))), then the mean over the batch;
        # keep the probabilities P and the targets for backward
        ### BEGIN SOLUTION
        self.y = y
        shifted = y_hat - y_hat.max(axis=1, keepdims=True)
        log_P = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.P = np.exp(log_P)
        return float(-np.sum(y * log_P) / y.shape[0])
        ### END SOLUTION

    def backward(self):
        # softmax and cross-entropy together have the simple gradient (P - y) / N
        ### BEGIN SOLUTION
        return (self.P - self.y) / self.y.shape[0]
        ### END SOLUTION
