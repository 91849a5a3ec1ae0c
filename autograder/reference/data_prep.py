"""Reference solutions of notebook 01 (data preparation).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.
"""

import numpy as np

__all__ = [
    "one_hot",
    "standardize",
    "train_test_split",
    "iterate_minibatches",
    "generate_disc_set",
]


# %% [one_hot]
def one_hot(y, num_classes):
    """Turn integer labels into one-hot rows.

    y: (N,) integers in [0, num_classes).
    Returns Y: (N, num_classes) float64, Y[n, y[n]] = 1 and 0 elsewhere.
    """
    # Row y[n] of the identity matrix np.eye(num_classes) is exactly the one-hot row of y[n].
    ### BEGIN SOLUTION
    return np.eye(num_classes)[np.asarray(y, dtype=int)]
    ### END SOLUTION


# %% [standardize]
def standardize(X_train, X_test):
    """Scale every feature to mean 0 and standard deviation 1, using the train set only.

    X_train: (N_train, D), X_test: (N_test, D).
    Returns (X_train_scaled, X_test_scaled) with the same shapes. A constant feature
    (standard deviation 0) is only centred, never divided by zero.
    """
    # Mean and standard deviation per feature (axis 0) of X_train only; replace a std of 0
    # by 1; apply the same shift and scale to both sets.
    ### BEGIN SOLUTION
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std
    ### END SOLUTION


# %% [train_test_split]
def train_test_split(X, y, test_fraction=0.2, seed=0):
    """Shuffle the samples, then take the first ``test_fraction`` of them as the test set.

    X: (N, D), y: (N,) or (N, C). The same permutation is applied to both.
    Returns X_train (N - n_test, D), X_test (n_test, D), y_train, y_test,
    with n_test = round(test_fraction * N). The same seed gives the same split.
    """
    # Draw one permutation of 0..N-1 with np.random.default_rng(seed), take its first n_test
    # entries as test indices and the rest as train indices, and index X and y with them.
    ### BEGIN SOLUTION
    n_samples = X.shape[0]
    n_test = int(round(test_fraction * n_samples))
    order = np.random.default_rng(seed).permutation(n_samples)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]
    ### END SOLUTION


# %% [iterate_minibatches]
def iterate_minibatches(X, Y, batch_size, shuffle=True, rng=None):
    """Yield (X_batch, Y_batch) pairs that together cover every sample once.

    X: (N, D), Y: (N, C) or (N,). Each X_batch is (B, D) with B = batch_size, except the
    last one, which holds what is left (B <= batch_size). With shuffle=True one
    permutation, drawn from ``rng`` (a np.random.Generator; a fresh one if None), orders
    both X and Y, so rows stay paired.
    """
    # One order of the row indices (rng.permutation, or 0..N-1 without shuffle); walk through
    # it batch_size indices at a time and yield those rows of X and of Y.
    ### BEGIN SOLUTION
    n_samples = X.shape[0]
    if shuffle:
        rng = np.random.default_rng() if rng is None else rng
        order = rng.permutation(n_samples)
    else:
        order = np.arange(n_samples)
    for start in range(0, n_samples, batch_size):
        batch = order[start:start + batch_size]
        yield X[batch], Y[batch]
    ### END SOLUTION


# %% [generate_disc_set]
def generate_disc_set(n, seed=0):
    """Sample n points uniformly in the unit square and label the ones inside a disc.

    The disc is centred at (0.5, 0.5) with radius 1 / sqrt(2 pi), so it covers half of
    the square's area and the two classes are balanced.
    Returns X: (n, 2) float64 and y: (n,) int, 1 inside the disc and 0 outside.
    """
    # Uniform points from np.random.default_rng(seed); a point is inside when its squared
    # distance to the centre is below the squared radius.
    ### BEGIN SOLUTION
    X = np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, 2))
    radius = 1.0 / np.sqrt(2.0 * np.pi)
    inside = np.sum((X - 0.5) ** 2, axis=1) < radius**2
    return X, inside.astype(int)
    ### END SOLUTION
