"""A progress bar for training loops (tqdm: a widget in Jupyter, text in a terminal).

Given the training history, the bar also shows the last epoch's loss, and a live loss curve
(``course.live.LiveLossPlot``) redraws under the cell while the network trains.
"""

from tqdm.auto import tqdm

from .live import LiveLossPlot

__all__ = ["progress_bar"]


def progress_bar(iterable, *, enabled=True, desc=None, total=None, history=None):
    """Wrap ``iterable`` in a progress bar, or return it unchanged when ``enabled`` is False.

    history: the dict a training loop appends to after each item (``{"loss": [...]}``, optional
    ``"val_loss"``): the bar then shows the latest loss and a live loss curve is drawn.

    Example::

        for epoch in progress_bar(range(epochs), desc="epochs", history=history):
            ...  # one epoch of training, then history["loss"].append(its loss)
    """
    if not enabled:
        return iterable
    bar = tqdm(iterable, desc=desc, total=total, leave=False)
    return bar if history is None else _watched(bar, history)


def _watched(bar, history):
    """Yield from ``bar``; after each item, show the history's latest loss and curve."""
    plot = LiveLossPlot()
    try:
        for item in bar:
            yield item
            if history.get("loss"):
                bar.set_postfix(loss=f"{history['loss'][-1]:.4g}", refresh=False)
                plot.update(history)
    finally:
        plot.close(history)
        bar.close()
