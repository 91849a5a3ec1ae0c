"""The translations of the hidden tests' messages, kept on the grader's side.

A test cell's hidden part (between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``)
writes its sentences as keyed messages like the visible part, but their translations would
tell a student what the hidden tests check: ``python -m autograder translations build``
writes them to ``autograder/locale/<lang>.json`` (never to ``course/locale/``, which is
shipped), grouped by notebook, and the grader hands a notebook's own to the kernel that
grades it (``course.i18n.add_translations``, sent by ``SandboxedExecute.prepare_kernel``).
"""

import functools
import json
from pathlib import Path

__all__ = ["LOCALE", "hidden_translations", "kernel_code"]

#: Where the generated tables of the hidden tests' translations are (``<lang>.json``).
LOCALE = Path(__file__).resolve().parent.parent / "locale"


@functools.cache
def _table(lang):
    try:
        return json.loads((LOCALE / f"{lang}.json").read_text(encoding="utf-8"))["notebooks"]
    except (OSError, ValueError, KeyError):
        return {}


def hidden_translations(lang, assignment):
    """{key: {"en": hash of the English translated, "text": translation}} of the hidden tests
    of ``assignment`` (e.g. "01_data_prep") in ``lang``; {} when there are none."""
    return dict(_table(lang).get(assignment, {}))


def kernel_code(lang, assignment):
    """The Python a grading kernel runs to read the hidden tests of ``assignment`` in
    ``lang``, or "" when there is nothing to add."""
    table = hidden_translations(lang, assignment)
    if not table:
        return ""
    return (f"import course.i18n as _i18n; _i18n.add_translations({lang!r}, {table!r}); del _i18n")
