"""Write the registry of exercises: ``course/exercises.py``'s ``EXERCISES``.

``{assignment: {test cell grade_id: (what the student writes, general hint)}}`` is Python
source kept by hand; the exercise command (``autograder.authoring.exercise``) changes it only
through these functions, which edit the one entry's line and nothing else.
"""

import re

from autograder.authoring.sync import ROOT

REGISTRY = ROOT / "course" / "exercises.py"


def _quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _assignment_span(lines, assignment):
    """(first, last) line indexes of the body of ``assignment``'s dictionary in EXERCISES."""
    opening = f'    "{assignment}": {{'
    start = lines.index(opening) + 1
    end = next(i for i in range(start, len(lines)) if lines[i] == "    },")
    return start, end


def _entry_lines(lines, start, end, grade_id):
    """The line indexes of the entry ``grade_id`` (its first line and its continuation lines)."""
    first = next((i for i in range(start, end) if lines[i].startswith(f'        "{grade_id}": (')), None)
    if first is None:
        return []
    last = first
    while not lines[last].rstrip().endswith("),"):
        last += 1
    return list(range(first, last + 1))


def register(assignment, grade_id, what, hint):
    """Add the entry ``grade_id: (what, hint)`` at the end of ``assignment``'s exercises."""
    lines = REGISTRY.read_text().splitlines()
    start, end = _assignment_span(lines, assignment)
    if _entry_lines(lines, start, end, grade_id):
        raise ValueError(f"course/exercises.py already lists {grade_id} in {assignment}")
    lines.insert(end, f'        "{grade_id}": ({_quoted(what)},\n{" " * 12}{_quoted(hint)}),')
    REGISTRY.write_text("\n".join(lines) + "\n")


def unregister(assignment, grade_id):
    """Remove the entry ``grade_id`` of ``assignment`` (nothing when there is none)."""
    lines = REGISTRY.read_text().splitlines()
    start, end = _assignment_span(lines, assignment)
    for index in reversed(_entry_lines(lines, start, end, grade_id)):
        del lines[index]
    REGISTRY.write_text("\n".join(lines) + "\n")


def rename(assignment, old, new, old_name, new_name):
    """Rename the entry ``old`` to ``new``; ``old_name`` becomes ``new_name`` in its text."""
    lines = REGISTRY.read_text().splitlines()
    start, end = _assignment_span(lines, assignment)
    for index in _entry_lines(lines, start, end, old):
        line = lines[index].replace(f'"{old}": (', f'"{new}": (', 1)
        lines[index] = re.sub(rf"\b{re.escape(old_name)}\b", new_name, line)
    REGISTRY.write_text("\n".join(lines) + "\n")
