"""``python -m course check PATH.ipynb [--timeout S] [--json]``: the self-check's command
(``course.selfcheck`` does the work)."""

import contextlib
import sys
from pathlib import Path

import nbformat

from . import i18n
from .cli import UsageError
from .selfcheck import as_json, check_notebook, format_report


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.description = "run a notebook and give the grader's verdict on it, exercise by exercise"
    parser.add_argument("notebook", type=Path, help="the notebook to check (PATH.ipynb)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per cell (default 120)")
    parser.add_argument("--json", action="store_true", help="print one JSON object, nothing else")


def run(args):
    """Check ``args.notebook`` and print the report: exit code 0 when every exercise passed, else 1."""
    if not args.notebook.is_file():
        raise UsageError(f"no notebook at {args.notebook}")
    try:
        # whatever the kernel machinery prints goes to stderr: stdout carries the report only
        with contextlib.redirect_stdout(sys.stderr):
            assignment, rows, seconds = check_notebook(args.notebook, timeout=args.timeout)
    except (ValueError, FileNotFoundError) as error:
        raise UsageError(str(error)) from None
    with i18n.using(i18n.language(nbformat.read(args.notebook, as_version=4))):
        report = as_json(args.notebook, assignment, rows) if args.json \
            else format_report(args.notebook, assignment, rows, seconds)
    print(report)
    return 0 if all(row.passed for row in rows) else 1
