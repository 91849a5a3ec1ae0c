"""A best-effort look, from inside the kernel, for code that tampered with the grading.

``scan_cell_source(nonce)`` is a cell the grader runs after the notebook (before the probe
cell): it looks for replaced NumPy comparisons, check helpers or builtins, names of
``course.checks`` redefined in the notebook, error reporting switched off
(``sys.excepthook``, ``set_custom_exc``, ``showtraceback``), replaced output streams and
input hooks, and prints one line, the nonce and a JSON list of findings. A hostile notebook
can hide from it, so its findings only become flags in the grading report: scores never
depend on it (they depend on ``autograder.judging.judge``, checked outside the kernel).
"""

import json

from autograder.safety.safe_text import printable

SCAN = r'''
def _grader_scan():
    import builtins, inspect, sys, types
    import numpy
    import course.checks
    found = []
    shell = get_ipython()
    for name in ("allclose", "array_equal", "isclose", "all", "any", "abs", "max", "linalg"):
        value = getattr(numpy, name, None)
        module = getattr(value, "__module__", "") or getattr(value, "__name__", "")
        if value is None or not module.startswith("numpy"):
            found.append(f"numpy.{name} was replaced")
    for name in ("assert_allclose", "assert_array_equal", "assert_equal"):
        value = getattr(numpy.testing, name, None)
        if value is None or not (getattr(value, "__module__", "") or "").startswith("numpy"):
            found.append(f"numpy.testing.{name} was replaced")
    for name, value in vars(course.checks).items():
        if name.startswith("_") or not callable(value) or isinstance(value, type):
            continue
        if getattr(value, "__module__", None) not in ("course.checks", "course.hints", "course.i18n") and \
                not getattr(value, "__module__", "").startswith("numpy"):
            found.append(f"course.checks.{name} was replaced")
        here = shell.user_ns.get(name)
        if here is not None and callable(here) and here is not value and \
                getattr(here, "__module__", None) != getattr(value, "__module__", None):
            found.append(f"the check helper {name} was redefined in the notebook")
    for name in ("all", "any", "abs", "isinstance", "len", "float", "print", "max", "min", "sum",
                 "AssertionError", "Exception", "type", "__import__"):
        value = getattr(builtins, name, None)
        original = sys.modules["builtins"].__dict__.get(name)
        if not isinstance(value, (types.BuiltinFunctionType, type)) or value is not original:
            found.append(f"the builtin {name} was replaced")
    hook_module = getattr(sys.excepthook, "__module__", None) or ""
    if sys.excepthook is not sys.__excepthook__ and not hook_module.startswith(("IPython", "ipykernel")):
        found.append("sys.excepthook was replaced")
    if shell.custom_exceptions:
        found.append("error reporting was replaced (set_custom_exc)")
    if "showtraceback" in vars(shell) or type(shell).showtraceback.__module__ not in (
            "IPython.core.interactiveshell", "ipykernel.zmqshell"):
        found.append("error reporting was replaced (showtraceback)")
    for name in ("run_cell", "run_code", "run_ast_nodes"):
        if name in vars(shell):
            found.append(f"the shell's {name} was replaced")
    known = ("IPython", "ipykernel", "matplotlib", "matplotlib_inline", "ipywidgets", "course")
    for event, callbacks in shell.events.callbacks.items():
        for callback in callbacks:
            module = getattr(callback, "__module__", None) or ""
            if not module.startswith(known):
                found.append(f"a {event} hook was installed")
    if type(sys.stdout).__module__.split(".")[0] != "ipykernel":
        found.append("sys.stdout was replaced")
    return found
'''


def scan_cell_source(nonce):
    """The scan cell: prints ``nonce`` and a JSON list of findings on one line."""
    return (SCAN + f"\ntry:\n    _grader_found = _grader_scan()\nexcept Exception as _grader_error:\n"
            f"    _grader_found = ['the scan failed: ' + repr(_grader_error)[:200]]\n"
            f"print({nonce!r} + __import__('json').dumps(_grader_found))\n")


def parse_scan_output(text, nonce):
    """The findings printed after ``nonce`` (a list of sentences); None when there are none."""
    for line in reversed(text.splitlines()):
        if line.startswith(nonce):
            try:
                found = json.loads(line[len(nonce):])
            except ValueError:
                return None
            return [printable(f)[:300] for f in found][:20] if isinstance(found, list) else None
    return None
