"""The two pieces of plumbing that every layer of the course is built on.

``Layer`` is the base class of all layers: it gives the defaults that a layer without
parameters needs (``update`` does nothing, ``parameters`` is empty) and the training /
evaluation switch that dropout reads.

``add_to_class`` lets a notebook add one method to a class that an earlier notebook
defined, so that ``Linear`` can grow from ``__init__`` (notebook 02) to ``forward`` (03),
``backward`` (04) and ``update`` (05) without being written out again each time.
"""

__all__ = ["Layer", "add_to_class"]


def add_to_class(cls):
    """Decorator: attach the decorated function to ``cls`` as a method of the same name.

    Example::

        @add_to_class(Linear)
        def forward(self, X):
            ...
    """

    def attach(function):
        setattr(cls, function.__name__, function)
        return function

    return attach


class Layer:
    """Base class of every layer and of ``Sequential``.

    A layer maps an input ``X`` of shape (N, in_features) to an output of shape
    (N, out_features). Subclasses write ``forward`` and ``backward``; layers with
    parameters also write ``update``, ``parameters`` and ``zero_grad``.
    """

    training = True

    def forward(self, X):
        raise NotImplementedError(f"{type(self).__name__}.forward is not written yet")

    def backward(self, dA):
        raise NotImplementedError(f"{type(self).__name__}.backward is not written yet")

    def update(self, lr):
        """One gradient-descent step. A layer without parameters has nothing to do."""

    def parameters(self):
        """List of (value, gradient) pairs; empty for a layer without parameters."""
        return []

    def zero_grad(self):
        """Forget the gradients of the last backward pass (nothing to forget here)."""

    def train(self):
        """Switch to training mode (dropout drops units). Returns the layer."""
        self.training = True
        return self

    def eval(self):
        """Switch to evaluation mode (dropout lets everything through). Returns the layer."""
        self.training = False
        return self

    def __repr__(self):
        return f"{type(self).__name__}()"
