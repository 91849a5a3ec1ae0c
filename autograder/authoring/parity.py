"""``python -m autograder parity [ASSIGNMENT...] [--workers N]``: the visible checks, the
self-check and the grader, side by side on every sample case.

The cases are the sample data (``sample_data/``): every planted bug (``planted_bugs.json``,
each naming the test cells it must fail) and every differently written correct solution
(``alternative_solutions.json``). Exercises are independent, so several bugs of DIFFERENT
exercises whose failing cells do not overlap share one notebook, and the alternatives of a
notebook share one too: a few notebooks per assignment instead of one per case.

Each notebook is run twice, in parallel:

- by the self-check (``course.selfcheck.check_notebook``, as ``python -m course check`` runs it,
  in a copy of the release folder): its run gives the *visible checks* (the test cells as a
  student runs them) and the *self-check*'s verdict;
- by the *grader*: the batch grader (``python -m autograder grade``: nbgrader autograde with
  the course's config, hidden tests and probes with secret seeds) in a fresh course directory.

A bug is caught when the test cell of its own exercise fails; an alternative passes when the
test cell of its exercise passes. The agreement counts, over every test cell of every notebook,
the cells where the self-check's pass/fail is the grader's. The grader's verdicts must also be
explained by the planted bugs alone: a notebook loses the points of exactly the test cells its
bugs name (``PlantedBug.fails``: a bug in ``forward`` may cost the training cell too), an
alternative none. Printed per assignment, with every disagreement, bug missed by the grader,
alternative it fails and verdict the bugs do not explain listed below the table.
"""

import asyncio
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.authoring.release import build_course_dir
from autograder.authoring.sync import all_blocks, without_markers
from autograder.batch import grade, sequential
from autograder.demo.samples import (
    alternative_rounds,
    alternative_solutions,
    bug_groups,
    planted_bugs,
    solution_ids,
    submit,
)
from course.cli import assignment_name
from course.registry import ASSIGNMENTS
from course.selfcheck import check_notebook, exercise_ids

SIDES = ("visible", "selfcheck", "grader")


@dataclass
class Case:
    """One notebook of the parity run: the reference with some solution cells replaced.

    answers: {solution grade_id: source}; bugs: the PlantedBugs in it; alternatives: the
    solution grade_ids that hold an alternative solution.
    """

    name: str
    assignment: str
    answers: dict
    bugs: list = field(default_factory=list)
    alternatives: list = field(default_factory=list)


def cases(assignment):
    """The notebooks of ``assignment``: its planted bugs in the groups of ``samples.bug_groups``
    (no two bugs share a solution cell or a failing test cell), then one notebook per round of
    its alternatives (``samples.alternative_solutions(assignment, round)``)."""
    bugs, reference = planted_bugs(assignment), all_blocks()
    found = []
    for index, group in enumerate(bug_groups(assignment)):
        members = [bugs[k] for k in group]
        answers = {bug.grade_id: without_markers(bug.apply(reference[bug.grade_id])) for bug in members}
        found.append(Case(f"{assignment[:2]}-bugs{index}", assignment, answers, bugs=members))
    for index in range(alternative_rounds(assignment)):
        answers = alternative_solutions(assignment, index)
        found.append(Case(f"{assignment[:2]}-alternatives{index}", assignment, answers,
                          alternatives=list(answers)))
    return found


def notebook_of(case, release_dir):
    """The release notebook of the case's assignment, every solution cell answered with the
    reference except the case's own answers."""
    notebook = nbformat.read(Path(release_dir) / case.assignment / f"{case.assignment}.ipynb", as_version=4)
    reference = all_blocks()
    answers = {**{gid: without_markers(reference[gid]) for gid in solution_ids(notebook)}, **case.answers}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = answers[meta["grade_id"]]
    return notebook


def _self_check(case, notebook, release_dir, folder, timeout):
    """{test grade_id: (visible passed, self-check passed)} of the case, run by the self-check."""
    target = Path(folder) / case.name / case.assignment
    shutil.copytree(Path(release_dir) / case.assignment, target)
    path = target / f"{case.assignment}.ipynb"
    nbformat.write(notebook, path)
    try:
        _, rows, _ = check_notebook(path, timeout=timeout)
    finally:
        _close_event_loop()
    return {row.test: (row.visible_passed, row.passed) for row in rows}


def _close_event_loop():
    """Close the event loop the kernel client made for this worker thread (the next run in the
    thread makes a new one): left to the garbage collector, its sockets would be reported as
    unclosed."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:  # none was made
        return
    if not loop.is_running():
        loop.close()


def _grade(all_cases, notebooks, release_dir, course_dir, workers):
    """{case name: {test grade_id: passed}} from the batch grader on every case at once."""
    for case in all_cases:
        submit(course_dir, case.name, case.assignment, notebooks[case.name])
    assignments = sorted({case.assignment for case in all_cases})
    outcomes = grade.grade(course_dir, assignments, workers=workers, resume=False, progress=False)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise RuntimeError(f"the grader failed on {len(failed)} notebooks, the first {failed[0].student}: "
                           f"{failed[0].error[-3000:]}")
    scores = sequential.cell_scores(course_dir)
    return {case.name: {gid: score >= maximum
                        for gid, (score, maximum) in scores[(case.name, case.assignment)].items()}
            for case in all_cases}


def measure(assignments=ASSIGNMENTS, *, workers=2, timeout=120, progress=print):
    """Run every case of ``assignments`` on the three sides. Returns the figures:
    {assignment: {"bugs", "alternatives", "cells": counts; "caught", "passed": {side: count};
    "agree": count; "missed", "failed", "disagree", "elsewhere": [text]}}."""
    all_cases = [case for assignment in assignments for case in cases(assignment)]
    with tempfile.TemporaryDirectory(prefix="parity-") as work:
        course_dir = Path(work, "course")
        release_dir = build_course_dir(course_dir, list(assignments))
        notebooks = {case.name: notebook_of(case, release_dir) for case in all_cases}
        progress(f"parity: {len(all_cases)} notebooks ({sum(len(c.bugs) for c in all_cases)} planted bugs, "
                 f"{sum(len(c.alternatives) for c in all_cases)} alternatives), each run by the self-check "
                 "and by the grader, in parallel")
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1 + workers) as pool:
            graded = pool.submit(_grade, all_cases, notebooks, release_dir, course_dir, workers)
            checked = {case.name: pool.submit(_self_check, case, notebooks[case.name], release_dir,
                                              Path(work, "selfcheck"), timeout)
                       for case in all_cases}
            checked = {name: future.result() for name, future in checked.items()}
            graded = graded.result()
        progress(f"parity: ran in {time.perf_counter() - start:.0f} s")
    ids = {name: exercise_ids(notebook) for name, notebook in notebooks.items()}
    return {assignment: _figures([c for c in all_cases if c.assignment == assignment], ids, checked, graded)
            for assignment in assignments}


def _empty_figures():
    return {"bugs": 0, "alternatives": 0, "cells": 0, "agree": 0, "caught": dict.fromkeys(SIDES, 0),
            "passed": dict.fromkeys(SIDES, 0), "missed": [], "failed": [], "disagree": [], "elsewhere": []}


def unexplained(case, graded_cells):
    """[text] of the grader's verdicts on ``case`` that its bugs do not explain: a test cell that
    loses points though none of the case's bugs names it (for an alternative solution: any cell
    that loses points), or a cell a bug names (``PlantedBug.fails``) that keeps them.
    graded_cells: {test grade_id: passed}."""
    named = set().union(*(bug.fails for bug in case.bugs))
    failed = {cell for cell, passed in graded_cells.items() if not passed}
    problems = [f"{case.name}: {cell} loses points, though no bug of the case names it"
                for cell in sorted(failed - named)]
    problems += [f"{case.name}: {cell} keeps its points, though "
                 + "; ".join(bug.description for bug in case.bugs if cell in bug.fails) + " should cost them"
                 for cell in sorted(named - failed)]
    return problems


def _figures(assignment_cases, all_ids, checked, graded):
    """The figures of one assignment's cases (see measure)."""
    figures = _empty_figures()
    for case in assignment_cases:
        figures["elsewhere"] += unexplained(case, graded[case.name])
        ids = all_ids[case.name]
        tests = {exercise: test for test, exercise in ids.items()}
        outcome = {test: dict(zip(SIDES, (*checked[case.name].get(test, (False, False)),
                                            graded[case.name].get(test, False))))
                   for test in ids}
        for test, sides in outcome.items():
            figures["cells"] += 1
            if sides["selfcheck"] == sides["grader"]:
                figures["agree"] += 1
            else:
                figures["disagree"].append(f"{case.name}: {test}: self-check "
                                           f"{'passes' if sides['selfcheck'] else 'fails'}, grader "
                                           f"{'passes' if sides['grader'] else 'fails'}")
        for bug in case.bugs:
            figures["bugs"] += 1
            for side in SIDES:
                caught = not outcome[tests[bug.grade_id]][side]
                figures["caught"][side] += caught
                if not caught and side == "grader":
                    figures["missed"].append(f"{case.name}: {bug.grade_id}: {bug.description}")
        for grade_id in case.alternatives:
            figures["alternatives"] += 1
            for side in SIDES:
                passed = outcome[tests[grade_id]][side]
                figures["passed"][side] += passed
                if not passed and side == "grader":
                    figures["failed"].append(f"{case.name}: the alternative {grade_id}")
    return figures


def totals(figures):
    """The figures of every assignment added up (the same keys as one assignment's)."""
    total = _empty_figures()
    for one in figures.values():
        for key, value in one.items():
            if isinstance(value, dict):
                for side in SIDES:
                    total[key][side] += value[side]
            else:
                total[key] += value
    return total


def format_table(figures):
    """The figures as text: one row per assignment and a total, then every problem."""
    header = (f"{'notebook':<18} {'bugs':>4}  {'caught: visible':>15} {'self-check':>10} {'grader':>7}  "
              f"{'alternatives':>12}  {'passed: visible':>15} {'self-check':>10} {'grader':>7}  "
              f"{'self-check = grader':>19}")
    lines = [header, "-" * len(header)]
    for name, one in [*figures.items(), ("total", totals(figures))]:
        caught = [f"{one['caught'][side]}/{one['bugs']}" for side in SIDES]
        passed = [f"{one['passed'][side]}/{one['alternatives']}" for side in SIDES]
        lines.append(f"{name:<18} {one['bugs']:>4}  {caught[0]:>15} {caught[1]:>10} {caught[2]:>7}  "
                     f"{one['alternatives']:>12}  {passed[0]:>15} {passed[1]:>10} {passed[2]:>7}  "
                     f"{one['agree']:>11}/{one['cells']} cells")
    total = totals(figures)
    for title, key in (("the grader misses", "missed"), ("the grader fails", "failed"),
                       ("the self-check disagrees with the grader", "disagree"),
                       ("the grader's verdicts the planted bugs do not explain", "elsewhere")):
        if total[key]:
            lines += ["", f"{title}:"] + [f"  {line}" for line in total[key]]
    return "\n".join(lines)


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("assignments", nargs="*", type=assignment_name,
                        help="assignment names (default: all)")
    parser.add_argument("--workers", type=int, default=2, help="grader processes and self-check kernels "
                        "at a time (default 2)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per cell (default 120)")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    figures = measure(options.assignments or ASSIGNMENTS, workers=options.workers, timeout=options.timeout)
    print(format_table(figures))
    total = totals(figures)
    return 0 if not (total["missed"] or total["failed"] or total["disagree"] or total["elsewhere"]) else 1
