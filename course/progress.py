"""A progress bar for training loops (tqdm: a widget in Jupyter, text in a terminal)."""

from tqdm.auto import tqdm

__all__ = ["progress_bar"]


def progress_bar(iterable, *, enabled=True, desc=None, total=None):
    """Wrap ``iterable`` in a progress bar, or return it unchanged when ``enabled`` is False.

    Example::

        for epoch in progress_bar(range(epochs), desc="epochs"):
            ...
    """
    if not enabled:
        return iterable
    return tqdm(iterable, desc=desc, total=total, leave=False)
