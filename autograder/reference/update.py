"""Reference solutions of notebook 05 (gradient update).

Each block after a ``# %% [name]`` line is the solution cell ``name`` of the source
notebook, written into it by ``python -m autograder sync``: edit solutions here only.
"""

from course.framework import add_to_class

from .backward import Linear

__all__ = ["Linear"]


# %% [linear_parameters]
@add_to_class(Linear)
def parameters(self):
    """Returns [(W, dW), (b, db)]: the layer's own arrays W: (in, out) and b: (out,), each
    with its gradient of the same shape (None before backward), in that order.
    """
    # A list of two tuples: the arrays themselves, not copies.
    ### BEGIN SOLUTION
    return [(self.W, self.dW), (self.b, self.db)]
    ### END SOLUTION


@add_to_class(Linear)
def zero_grad(self):
    """Forget the gradients: dW and db become None (W and b are left alone)."""
    # Two assignments.
    ### BEGIN SOLUTION
    self.dW = None
    self.db = None
    ### END SOLUTION


# %% [linear_update]
@add_to_class(Linear)
def update(self, lr):
    """One gradient-descent step, W <- W - lr dW and b <- b - lr db, then zero_grad().

    lr: the learning rate (float). W: (in, out) and b: (out,) keep their shapes;
    dW and db are None afterwards.
    """
    # Step against the gradient, scaled by lr, for both parameters; then clear the gradients.
    ### BEGIN SOLUTION
    self.W = self.W - lr * self.dW
    self.b = self.b - lr * self.db
    self.zero_grad()
    ### END SOLUTION
