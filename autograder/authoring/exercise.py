"""Add, rename or remove an exercise: ``python -m autograder exercise add|rename|remove``.

    python -m autograder exercise add 06_loss log_softmax --points 1
    python -m autograder exercise rename 06_loss log_softmax stable_log_softmax
    python -m autograder exercise remove 06_loss stable_log_softmax

An exercise NAME of an assignment spans (``autograder.authoring.anatomy``): the reference block
``[NAME]`` in ``autograder/reference/<step>.py`` (and ``NAME`` in its ``__all__``); in
``source/<assignment>/<assignment>.ipynb`` a markdown heading "**Exercise k (P points).**", the
solution cell ``NAME`` and the graded test cell ``test_NAME`` worth P points, and the notebook's
"**Points.** N in all: ..." line; the registry entry ``test_NAME`` (``course/exercises.py``); the
probe ``probe_NAME`` in ``course/probes/<step>.py``'s ``PROBES`` and the judge ``judge_NAME`` in
``course/judges/<step>.py``'s ``JUDGES`` (the module is made when the step has no judge yet, and
deleted when its last judge goes). ``add`` writes every piece, the ones only the instructor can
write as skeletons marked ``TODO(instructor)``: ``python -m autograder release`` refuses, listing
them, until each is filled in (docs/instructors/exercises.md says how). ``rename`` and ``remove``
change every piece. Each ends with ``sync`` of the assignment, so the solution cell holds the block.
"""

import re
import sys

import nbformat

from autograder.authoring import registry
from autograder.authoring.anatomy import SKELETON, graded_cells
from autograder.authoring.sync import (
    ALL_LIST,
    REFERENCE,
    ROOT,
    notebook_path,
    read_module,
    sync,
)
from autograder.nbgrader_markers import course_markers, marker_line
from course.registry import STEP_MODULES

PROBES_DIR = ROOT / "course" / "probes"
JUDGES_DIR = ROOT / "course" / "judges"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEADING = re.compile(r"\*\*Exercise (\d+) \((\d+) points?\)\.?\*\*")
TOTAL = re.compile(r"(\*\*Points\.\*\* )(\d+)( in all:)(.*?)\.(\s|$)", re.S)


class ExerciseError(ValueError):
    """A command that cannot be carried out; the message says why."""


def add_arguments(parser):
    commands = parser.add_subparsers(dest="action", required=True, metavar="add|rename|remove")
    add = commands.add_parser("add", help="write every piece of a new exercise (skeletons marked TODO)")
    add.add_argument("assignment", help="e.g. 06_loss")
    add.add_argument("name", help="what the student writes, e.g. log_softmax (the solution cell's grade_id)")
    add.add_argument("--points", type=int, default=1, help="the test cell's points (default: 1)")
    rename = commands.add_parser("rename", help="rename an exercise in every piece")
    rename.add_argument("assignment")
    rename.add_argument("old")
    rename.add_argument("new")
    remove = commands.add_parser("remove", help="remove an exercise from every piece")
    remove.add_argument("assignment")
    remove.add_argument("name")


# ----------------------------------------------------------------------------- text helpers
def _plural(points):
    return f"{points} point{'s' if points != 1 else ''}"


def _edit_all(text, edit):
    """``text`` (a module) with ``edit`` applied to the body of its ``__all__`` list (the text
    between the brackets), so that the list keeps the module's own layout."""
    match = ALL_LIST.search(text)
    return text[:match.start("names")] + edit(match["names"], text[match.start():match.start("names")]) \
        + text[match.end("names"):]


def _add_to_all(text, name):
    """``text`` with ``"name"`` after the last entry of its ``__all__``: on the last line while it
    fits in 110 characters, else on a new line indented as the list's entries."""
    def edit(body, opening):
        entries = body.rstrip().rstrip(",")
        trailer = body[len(entries):]
        last_line = (opening + entries).rsplit("\n", 1)[-1]
        if len(last_line) + len(f', "{name}"]') <= 110:
            return f'{entries}, "{name}"{trailer}'
        indent = " " * len(opening) if "\n" not in entries.strip() else \
            re.match(r"\s*", entries.rsplit("\n", 1)[-1]).group()
        return f'{entries},\n{indent}"{name}"{trailer}'
    return _edit_all(text, edit)


def _remove_from_all(text, name):
    """``text`` without ``"name"`` (and the separator before it, or after it when it is first)
    in its ``__all__``: the inverse of _add_to_all."""
    quoted = re.escape(f'"{name}"')
    return _edit_all(text, lambda body, _: re.sub(rf",\s*{quoted}|{quoted},?\s*", "", body, count=1))


def _rename_in_all(text, old, new):
    """``text`` with ``"old"`` replaced by ``"new"`` in its ``__all__``."""
    return _edit_all(text, lambda body, _: body.replace(f'"{old}"', f'"{new}"', 1))


def _dict_lines(text, variable):
    """(start, end) line indexes of the entries of the top-level ``variable = {...}`` literal, or None."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if line == f"{variable} = {{":
            end = next(i for i in range(start + 1, len(lines)) if lines[i] == "}")
            return start + 1, end
    return None


def _add_entry(text, variable, key, value):
    """``text`` with ``"key": value`` in its ``variable = {...}`` literal (made when missing)."""
    span = _dict_lines(text, variable)
    lines = text.splitlines()
    if span is None:
        if re.search(rf"^{variable} = \{{\}}$", text, re.M):
            text = re.sub(rf"^{variable} = \{{\}}$", f"{variable} = {{\n}}", text, flags=re.M)
            return _add_entry(text, variable, key, value)
        return text.rstrip("\n") + f'\n\n\n{variable} = {{\n    "{key}": {value},\n}}\n'
    lines.insert(span[1], f'    "{key}": {value},')
    return "\n".join(lines) + "\n"


def _drop_entry(text, variable, key):
    span = _dict_lines(text, variable)
    if span is None:
        return text
    lines = text.splitlines()
    lines = [line for i, line in enumerate(lines) if not (span[0] <= i < span[1] and
                                                          line.strip().startswith(f'"{key}":'))]
    return "\n".join(lines) + "\n"


def _drop_function(text, name):
    """``text`` without the top-level ``def name(...)`` (to the next top-level line)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(f"def {name}(")), None)
    if start is None:
        return text
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t)"):
        end += 1
    kept = lines[:start] + lines[end:]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(kept)) + "\n"


def _insert_before_dict(text, variable, code):
    """``text`` with ``code`` (a function) placed before the ``variable = {`` literal (or at the end)."""
    marker = f"\n{variable} = {{"
    if marker in text:
        head, tail = text.split(marker, 1)
        return head.rstrip("\n") + f"\n\n\n{code.strip()}\n\n" + marker + tail
    return text.rstrip("\n") + f"\n\n\n{code.strip()}\n"


# ----------------------------------------------------------------------------- skeletons
def reference_block(name):
    return f'''# %% [{name}]
def {name}(X):
    """{SKELETON}: what {name} computes, and the shape of every array.

    X: (N, D) ... Returns: (N, D) ...
    """
    # {SKELETON}: the one-line comment that tells the student what to fill in
    {marker_line(course_markers().begin_solution)}
    raise NotImplementedError("{SKELETON}: the reference solution of {name}")
    {marker_line(course_markers().end_solution)}'''


def probe_skeleton(name):
    return f'''def probe_{name}(ns, rng):
    """{SKELETON}: call {name} on fresh inputs drawn from ``rng``
    (non-square shapes, edge cases) and return {{label: value}} (arrays, numbers, booleans, short
    text). The grader runs the same probe with the same rng on the reference and compares the
    values (course/probes/__init__.py).

    ns: the student's names (``ns["{name}"]``); rng: a numpy Generator.
    """
    raise NotImplementedError("{SKELETON}: the probe of {name}")'''


def judge_skeleton(name):
    return f'''def judge_{name}(got, want, t):
    """{SKELETON}: only when several answers are right (random draws, a trained model): return
    [problem sentences] about the student's values ``got`` against the reference's ``want``
    (import course.probes.compare's functions and course.i18n.message; ``t``: the helpers that
    need the reference, course.judges.tools.Tools). When one answer is right, delete this judge
    and its line in JUDGES: the values are then compared with the reference's.
    """
    raise NotImplementedError("{SKELETON}: the judge of {name}")'''


def judge_module_header(assignment):
    """The start of a new judge module: its docstring (the instructor adds the imports)."""
    return (f'"""Judges of notebook {assignment}: the cells whose values have several right answers.\n\n'
            f'The probes that make the values are in ``course/probes/{STEP_MODULES[assignment]}.py``.\n'
            '"""\n')


def test_cell_source(name):
    return (f"# {SKELETON}: the visible checks of {name} (course.checks: check_shape, check_close, ...),\n"
            f"# then fresh inputs between the hidden-test markers; end with a print, never a bare value.\n"
            f'raise NotImplementedError("{SKELETON}: the test of {name}")\n'
            f"{marker_line(course_markers().begin_hidden_tests)}\n{marker_line(course_markers().end_hidden_tests)}")


def _nbgrader(grade_id, solution, points=None):
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


# ----------------------------------------------------------------------------- the pieces
def _check_names(assignment, *names):
    if assignment not in STEP_MODULES:
        raise ExerciseError(f"there is no assignment {assignment!r} (one of {', '.join(STEP_MODULES)})")
    for name in names:
        if not IDENTIFIER.match(name):
            raise ExerciseError(f"{name!r} is not a Python name (letters, digits and _, not first a digit)")
    return STEP_MODULES[assignment]


def _read_notebook(assignment):
    return nbformat.read(notebook_path(assignment), as_version=4)


def _write_notebook(assignment, notebook):
    notebook_path(assignment).write_text(nbformat.writes(notebook) + "\n")


def _points_line(notebook, change):
    """Apply ``change(total, items) -> (total, items)`` to the notebook's "**Points.**" line."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and TOTAL.search(cell.source):
            def rewrite(match):
                total, items = change(int(match[2]), match[4])
                return f"{match[1]}{total}{match[3]}{items}.{match[5]}"
            cell.source = TOTAL.sub(rewrite, cell.source, count=1)
            return


def add(assignment, name, points):
    """Write every piece of the exercise ``name`` (worth ``points``) of ``assignment``."""
    step = _check_names(assignment, name)
    if points < 1:
        raise ExerciseError("--points must be at least 1")
    test_id = f"test_{name}"
    notebook = _read_notebook(assignment)
    solutions, tests = graded_cells(notebook)
    _, blocks = read_module(step)
    taken = [what for what, there in ((name, blocks), (name, solutions), (test_id, tests)) if what in there]
    if taken:
        raise ExerciseError(f"{assignment} already has {taken[0]}: choose another name, or `exercise "
                            f"remove` it")
    # the reference block, and the name in the module's __all__
    module = REFERENCE / f"{step}.py"
    text = module.read_text().rstrip("\n") + "\n\n\n" + reference_block(name) + "\n"
    module.write_text(_add_to_all(text, name))
    # the notebook: heading, solution cell, test cell after the last graded cell; the points line
    number = 1 + sum(len(HEADING.findall(c.source)) for c in notebook.cells if c.cell_type == "markdown")
    last = max(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id")
               in tests) if tests else len(notebook.cells) - 1
    cells = [
        nbformat.v4.new_markdown_cell(f"**Exercise {number} ({_plural(points)}).** Write `{name}`. "
                                      f"{SKELETON}: the math first, with the shape of every array."),
        nbformat.v4.new_code_cell(reference_block(name), metadata=_nbgrader(name, True)),
        nbformat.v4.new_code_cell(test_cell_source(name), metadata=_nbgrader(test_id, False, points)),
    ]
    notebook.cells[last + 1:last + 1] = cells
    _points_line(notebook, lambda total, items: (total + points, f"{items.rstrip()}, `{name}` {points}"))
    _write_notebook(assignment, notebook)
    # the registry entry, the probe and the judge
    registry.register(assignment, test_id, name, f"{SKELETON}: a general hint for a failure of {name}.")
    probes = PROBES_DIR / f"{step}.py"
    text = _insert_before_dict(probes.read_text(), "PROBES", probe_skeleton(name))
    probes.write_text(_add_entry(text, "PROBES", test_id, f"probe_{name}"))
    judges = JUDGES_DIR / f"{step}.py"
    text = judges.read_text() if judges.exists() else judge_module_header(assignment)
    text = _insert_before_dict(text, "JUDGES", judge_skeleton(name))
    judges.write_text(_add_entry(text, "JUDGES", test_id, f"judge_{name}"))
    sync()
    return [module, notebook_path(assignment), registry.REGISTRY, probes, judges]


def rename(assignment, old, new):
    """Rename the exercise ``old`` of ``assignment`` to ``new`` in every piece."""
    step = _check_names(assignment, old, new)
    word = re.compile(rf"\b{re.escape(old)}\b")
    _, blocks = read_module(step)
    if old not in blocks:
        raise ExerciseError(f"autograder/reference/{step}.py has no block [{old}]")
    if new in blocks:
        raise ExerciseError(f"autograder/reference/{step}.py already has a block [{new}]")
    module = REFERENCE / f"{step}.py"
    text = module.read_text()
    start = text.index(f"# %% [{old}]")
    end = text.find("\n# %% [", start + 1)
    end = len(text) if end < 0 else end
    text = text[:start] + word.sub(new, text[start:end]) + text[end:]
    module.write_text(_rename_in_all(text, old, new))
    notebook = _read_notebook(assignment)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == old:
            meta["grade_id"] = new
        elif meta.get("grade_id") == f"test_{old}":
            meta["grade_id"] = f"test_{new}"
            cell.source = word.sub(new, cell.source)
        elif cell.cell_type == "markdown":
            cell.source = cell.source.replace(f"`{old}`", f"`{new}`")
    _write_notebook(assignment, notebook)
    registry.rename(assignment, f"test_{old}", f"test_{new}", old, new)
    probes, judges = PROBES_DIR / f"{step}.py", JUDGES_DIR / f"{step}.py"
    for path, prefix in ((probes, "probe_"), (judges, "judge_")):
        if not path.exists():
            continue
        text = re.sub(rf"\b{prefix}{re.escape(old)}\b", f"{prefix}{new}", path.read_text())
        text = text.replace(f'"test_{old}":', f'"test_{new}":').replace(f'ns["{old}"]', f'ns["{new}"]')
        path.write_text(text)
    sync()
    others = [path for folder in (REFERENCE, PROBES_DIR, JUDGES_DIR) for path in sorted(folder.glob("*.py"))]
    elsewhere = [str(p.relative_to(ROOT)) for p in others
                 if p not in (module, probes, judges) and word.search(p.read_text())]
    return elsewhere


def remove(assignment, name):
    """Remove the exercise ``name`` of ``assignment`` from every piece."""
    step = _check_names(assignment, name)
    _, blocks = read_module(step)
    notebook = _read_notebook(assignment)
    solutions, tests = graded_cells(notebook)
    if name not in blocks and name not in solutions:
        raise ExerciseError(f"{assignment} has no exercise {name!r} (its solution cells: "
                            f"{', '.join(solutions)})")
    module = REFERENCE / f"{step}.py"
    text = module.read_text()
    if name in blocks:
        start = text.index(f"# %% [{name}]")
        end = text.find("\n# %% [", start + 1)
        text = text[:start].rstrip("\n") + ("\n" if end < 0 else "\n\n\n" + text[end + 1:])
    module.write_text(_remove_from_all(text, name))
    test_id, points, removed_number = f"test_{name}", 0, None
    kept = []
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == test_id:
            points = cell.metadata["nbgrader"].get("points", 0)
            continue
        if grade_id == name:
            heading = kept[-1] if kept and kept[-1].cell_type == "markdown" else None
            found = HEADING.search(heading.source) if heading is not None else None
            if found:
                removed_number = int(found[1])
                paragraphs = [p for p in heading.source.split("\n\n") if not HEADING.search(p)]
                heading.source = "\n\n".join(paragraphs)
                if not heading.source.strip():
                    kept.pop()
            continue
        kept.append(cell)
    notebook.cells = kept
    if removed_number is not None:
        def renumber(m):
            later = int(m[1]) > removed_number
            return m[0].replace(f"Exercise {m[1]} ", f"Exercise {int(m[1]) - 1} ") if later else m[0]
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = HEADING.sub(renumber, cell.source)
    item = re.compile(rf",?\s*`{re.escape(name)}` \d+")
    _points_line(notebook, lambda total, items: (total - points, item.sub("", items, count=1)))
    _write_notebook(assignment, notebook)
    registry.unregister(assignment, test_id)
    probes = PROBES_DIR / f"{step}.py"
    probes.write_text(_drop_function(_drop_entry(probes.read_text(), "PROBES", test_id), f"probe_{name}"))
    judges = JUDGES_DIR / f"{step}.py"
    if judges.exists():
        text = _drop_function(_drop_entry(judges.read_text(), "JUDGES", test_id), f"judge_{name}")
        text = re.sub(r"\n+JUDGES = \{\n\}\n", "\n", text)  # no judge left: the same as no JUDGES
        if text == judge_module_header(assignment):   # the module add made, now empty
            judges.unlink()
        else:
            judges.write_text(text)
    sync()


NEXT_STEPS = """next, for {name} (docs/instructors/exercises.md):
  1. autograder/reference/{step}.py, block [{name}]: the signature, docstring and solution;
  2. source/{assignment}/{assignment}.ipynb: the exercise's text, and its test cell test_{name};
  3. course/probes/{step}.py: probe_{name}; course/judges/{step}.py: judge_{name}, or delete it;
  4. course/exercises.py: the general hint of test_{name};
  then `python -m autograder release` (it lists what is still marked {todo}) and
  `python -m autograder probe-values` (the self-check's values)."""


def run(args):
    try:
        if args.action == "add":
            changed = add(args.assignment, args.name, args.points)
            for path in changed:
                print(f"wrote {path.relative_to(ROOT)}")
            print(NEXT_STEPS.format(name=args.name, assignment=args.assignment,
                                    step=STEP_MODULES[args.assignment], todo=SKELETON))
        elif args.action == "rename":
            elsewhere = rename(args.assignment, args.old, args.new)
            print(f"renamed {args.old} to {args.new} in {args.assignment}")
            if elsewhere:
                print(f"{args.old} also appears in {', '.join(elsewhere)}: change those uses by hand")
        else:
            remove(args.assignment, args.name)
            print(f"removed {args.name} from {args.assignment}")
    except ExerciseError as error:
        print(f"exercise {args.action}: {error}", file=sys.stderr)
        return 2
    return 0
