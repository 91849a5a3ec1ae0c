"""Probes: trusted code decides scores from values it checks itself.

Under nbgrader a test cell runs in the student's own kernel, so student code can make it
pass without solving anything (patch NumPy or the check functions, return objects whose
``__eq__`` is always True, hide errors). The probes close that hole:

1. After the student's notebook has run, the grader executes ONE extra cell in the same
   kernel, made by ``probe_cell_source(assignment, seed, nonce)``. It embeds the source of
   ``kernel.py`` and of the assignment's probe module (``data_prep.py`` ... ``prediction.py``),
   calls the student's API (the names in the kernel's ``globals()``) on fresh inputs drawn
   from ``seed``, and prints one line: ``nonce`` + base64 of an ``.npz`` archive (no pickles)
   holding every probe's values, or the error a probe raised.
2. Outside the sandbox, ``parse_probe_output(text, nonce)`` takes that line back, and
   ``autograder.judging.judge.judge(assignment, payload, seed)`` reads it with
   ``np.load(allow_pickle=False)``, runs the SAME probe functions with the SAME seed on the
   hidden reference (``autograder.reference``) in its own process, and compares the two with
   trusted code (``course.judges.verdicts`` and ``compare.py``): exact dtypes and shapes,
   relative error ||a - b|| / (||a|| + ||b||) below 1e-7 for floats, exact equality for
   integers, booleans and labels.

A test cell keeps its points only if nbgrader's own test passed AND its probe agrees.
Forging the probe output means computing the right values on inputs the student never saw,
which is what a correct solution does; spoofing inside the kernel gains nothing.

Each probe module ``course/probes/<step>.py`` holds only code that runs in the kernel (and,
the same, on the reference): ``PROBES = {grade_id: probe}``, one probe per graded test cell,
with ``probe(ns, rng) -> {key: value}`` (values: arrays, numbers, booleans, short text;
probes record exact types themselves where the contract demands one), and their helpers.
The cells whose contract allows several right answers (random draws in any order, a random
split, a trained model) are judged by properties instead of equality: their judges are in
``course/judges/<step>.py``, which never run in the kernel. ``compare.py`` (reading the
payload back, the comparisons) runs outside the kernel too.
"""

import base64
import binascii
import importlib
import re
from pathlib import Path

from course.registry import STEP_MODULES

from . import compare

__all__ = ["probe_cell_source", "parse_probe_output", "probe_module", "embedded_source", "MODULES"]

#: The probe module of each assignment (named as the reference module of the same step).
MODULES = STEP_MODULES
_HERE = Path(__file__).resolve().parent
_KERNEL_IMPORT = re.compile(r"^from \.kernel import [^\n(]*$", re.MULTILINE)


def probe_module(assignment):
    """The probe module of ``assignment`` (its PROBES)."""
    if assignment not in MODULES:
        raise ValueError(f"unknown assignment {assignment!r}: one of {', '.join(MODULES)}")
    return importlib.import_module(f"{__name__}.{MODULES[assignment]}")


def embedded_source(assignment):
    """The code the probe cell runs: kernel.py, then the assignment's probe module without
    its ``from .kernel import ...`` line (the names are already defined)."""
    probes = (_HERE / f"{MODULES[assignment]}.py").read_text()
    return (_HERE / "kernel.py").read_text() + "\n\n" + _KERNEL_IMPORT.sub("", probes)


def probe_cell_source(assignment, seed, nonce):
    """Python source of the probe cell of ``assignment``: runs every probe on globals() with
    inputs drawn from ``seed`` and prints exactly one line, ``nonce`` + base64 of an .npz
    archive of every probe's values. Imports only the standard library, NumPy and
    ``course``; never ``autograder``, which the sandboxed kernel cannot see."""
    probe_module(assignment)
    code = embedded_source(assignment)
    return (
        "def _grader_probe_cell():\n"
        "    import sys\n"
        "    env = {'__name__': 'grader_probes'}\n"
        f"    exec(compile({code!r}, '<grader probes>', 'exec'), env)\n"
        f"    line = env['encode'](env['run_probes'](env['PROBES'], globals(), {int(seed)}))\n"
        f"    sys.stdout.write('\\n' + {str(nonce)!r} + line + '\\n')\n"
        "    sys.stdout.flush()\n"
        "\n"
        "\n"
        "_grader_probe_cell()\n"
        "del _grader_probe_cell\n"
    )


def parse_probe_output(text, nonce):
    """The payload of the LAST line of ``text`` that starts with ``nonce``, base64-decoded;
    None when there is none or it is malformed or larger than compare.MAX_PAYLOAD."""
    if not text or not nonce:
        return None
    limit = compare.MAX_PAYLOAD * 4 // 3 + 8
    for line in reversed(text.splitlines()):
        if line.startswith(nonce):
            body = line[len(nonce) :].strip()
            if len(body) > limit:
                return None
            try:
                return base64.b64decode(body, validate=True)
            except (binascii.Error, ValueError):
                return None
    return None

