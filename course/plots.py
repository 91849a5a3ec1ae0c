"""Figures of the course: data, training curves, decision boundaries, confusion matrices
and histograms. Every function draws on ``ax`` when one is given (else on a new figure),
labels its axes, sets a title and returns the matplotlib Axes it drew on.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_dataset",
    "plot_history",
    "plot_decision_boundary",
    "plot_confusion_matrix",
    "plot_histograms",
    "show_digits",
]


def _axes(ax, figsize=(5, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_dataset(X, y, *, ax=None, title="Data set"):
    """Scatter plot of 2-D points coloured by class. X: (N, 2), y: (N,) int."""
    ax = _axes(ax)
    for label in np.unique(y):
        points = X[y == label]
        ax.scatter(points[:, 0], points[:, 1], s=12, alpha=0.8, label=f"class {label}")
    ax.set_xlabel("feature $x_1$")
    ax.set_ylabel("feature $x_2$")
    ax.set_title(title)
    ax.legend(loc="best")
    return ax


def plot_history(history, *, ax=None, title="Training"):
    """Loss per epoch (training, and validation if present); validation accuracy on a
    second y axis. history: {"loss": [...], optional "val_loss", "val_accuracy"}.
    """
    ax = _axes(ax, figsize=(6, 4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], label="training loss")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], label="validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    lines, labels = ax.get_legend_handles_labels()
    if "val_accuracy" in history:
        right = ax.twinx()
        right.plot(epochs, 100 * np.asarray(history["val_accuracy"]), color="tab:green",
                   label="validation accuracy")
        right.set_ylabel("validation accuracy (%)")
        more_lines, more_labels = right.get_legend_handles_labels()
        lines, labels = lines + more_lines, labels + more_labels
    ax.legend(lines, labels, loc="center right")
    return ax


def plot_decision_boundary(predict_labels, X, y, *, ax=None, title="Decision boundary",
                           resolution=200):
    """Colour the plane by the class a model predicts, with the data on top.

    predict_labels: function from points (M, 2) to labels (M,) int.
    X: (N, 2) the points to show, y: (N,) their true labels.
    """
    ax = _axes(ax)
    margin = 0.5
    x_min, x_max = X[:, 0].min() - margin, X[:, 0].max() + margin
    y_min, y_max = X[:, 1].min() - margin, X[:, 1].max() + margin
    grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, resolution),
                                 np.linspace(y_min, y_max, resolution))
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    labels = np.asarray(predict_labels(grid)).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, labels, alpha=0.25, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=10, cmap="coolwarm", edgecolors="k", linewidths=0.2)
    ax.set_xlabel("feature $x_1$")
    ax.set_ylabel("feature $x_2$")
    ax.set_title(title)
    return ax


def plot_confusion_matrix(matrix, *, class_names=None, ax=None, title="Confusion matrix"):
    """Show a (C, C) matrix of counts (rows: true class, columns: predicted class)."""
    matrix = np.asarray(matrix)
    ax = _axes(ax, figsize=(5, 5))
    image = ax.imshow(matrix, cmap="Blues")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="samples")
    names = class_names if class_names is not None else [str(c) for c in range(matrix.shape[0])]
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, column), count in np.ndenumerate(matrix):
        ax.text(column, row, str(count), ha="center", va="center", fontsize=8,
                color="white" if count > threshold else "black")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return ax


def plot_histograms(arrays, *, bins=40, title="Histograms", xlabel="value"):
    """One histogram per named array, side by side. arrays: {name: array of any shape}.
    Returns the array of Axes.
    """
    fig, axes = plt.subplots(1, len(arrays), figsize=(3.2 * len(arrays), 3), squeeze=False)
    for ax, (name, values) in zip(axes[0], arrays.items()):
        values = np.ravel(values)
        ax.hist(values, bins=bins, color="tab:blue", alpha=0.8)
        ax.set_title(f"{name}\nmean {values.mean():.2f}, std {values.std():.2f}", fontsize=9)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("count")
    fig.suptitle(title)
    fig.tight_layout()
    return axes[0]


def show_digits(X, y, *, count=10, predictions=None, title="Digits"):
    """Show the first ``count`` 8x8 digits. X: (N, 64), y: (N,); predictions: (N,) optional."""
    fig, axes = plt.subplots(1, count, figsize=(1.2 * count, 1.6))
    for n, ax in enumerate(axes):
        ax.imshow(X[n].reshape(8, 8), cmap="gray_r")
        caption = f"{y[n]}" if predictions is None else f"{y[n]}→{predictions[n]}"
        ax.set_title(caption, fontsize=9)
        ax.axis("off")
    fig.suptitle(title)
    return axes
