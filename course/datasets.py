"""The data sets of the course, from scikit-learn's bundled data (nothing is downloaded).

The constants below are the sizes, noise levels and seeds every notebook uses, so that the
figures in the notebooks, the tests and the README are the same numbers.

The disc set of notebook 01 is not here: writing ``generate_disc_set`` is an exercise.
"""

import numpy as np
from sklearn.datasets import load_digits, make_moons

__all__ = [
    "MOONS_SAMPLES", "MOONS_NOISE", "MOONS_SEED",
    "DISC_TRAIN_SAMPLES", "DISC_TEST_SAMPLES", "DISC_TRAIN_SEED", "DISC_TEST_SEED",
    "TEST_FRACTION", "SPLIT_SEED",
    "two_moons", "digits",
]

MOONS_SAMPLES = 1000
MOONS_NOISE = 0.2
MOONS_SEED = 0

DISC_TRAIN_SAMPLES = 1000
DISC_TEST_SAMPLES = 1000
DISC_TRAIN_SEED = 1
DISC_TEST_SEED = 2

TEST_FRACTION = 0.2
SPLIT_SEED = 42


def two_moons(n_samples=MOONS_SAMPLES, noise=MOONS_NOISE, seed=MOONS_SEED):
    """Two interleaving half circles with Gaussian noise.

    Returns X: (n_samples, 2) float64 and y: (n_samples,) int in {0, 1}.
    """
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return X.astype(np.float64), y.astype(int)


def digits():
    """The 1797 handwritten digits of scikit-learn, 8x8 pixels with values 0..16.

    Returns X: (1797, 64) float64, pixel values divided by 16 so they lie in [0, 1],
    and y: (1797,) int in 0..9. Row n reshaped to (8, 8) is the n-th image.
    """
    data = load_digits()
    return data.data.astype(np.float64) / 16.0, data.target.astype(int)
