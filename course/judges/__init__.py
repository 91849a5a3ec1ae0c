"""Judges: trusted code that decides whether a probe's values are right when several answers are.

A probe (``course.probes``) runs in the student's kernel and sends its values back; outside the
kernel they are compared with the reference's values for the same seed. Most exercises have one
right answer, so ``course.probes.compare.compare`` checks every value against the reference's.
For the exercises whose contract allows several right answers (random draws in any order, a
random split, a trained model) a judge checks properties of the student's values instead.

``course/judges/<step>.py`` holds ``JUDGES = {grade_id: judge}`` for the steps that have any,
with ``judge(got, want, t) -> [problem]``: ``got`` and ``want`` the student's and the reference's
values ({key: array}), the problems sentences in the feedback's language (``course.i18n``), none
when the values are right. ``t`` (``course.judges.tools.Tools``) holds the helpers that need a
trusted implementation of the course (rebuild a model, make a task's data); the grader gives the
hidden reference (``autograder.judging.judge.TOOLS``), the self-check the course's versions of
the earlier steps.

``verdicts`` runs the judges, and ``compare`` for the cells without one: in the grader's own
process (``autograder.judging.judge.judge``) and in the student's self-check
(``python -m course check``, ``course.selfcheck``). A judge never runs in the student's kernel:
the probe cell embeds ``course/probes/kernel.py`` and the step's probe module only, so a judge
imports freely (``course.probes.compare``, the probe module's constants).
"""

import importlib
import importlib.util

from course.i18n import message
from course.probes import compare
from course.registry import EXERCISES, STEP_MODULES

__all__ = ["module_name", "judges_of", "verdicts"]


def module_name(assignment):
    """The name of the judge module of ``assignment`` (it exists only for steps with judges)."""
    return f"{__name__}.{STEP_MODULES[assignment]}"


def judges_of(assignment):
    """{test cell grade_id: judge} of ``assignment``: its module's ``JUDGES``, {} when the step
    has no judge module (every value of it has one right answer)."""
    if assignment not in STEP_MODULES:
        raise ValueError(f"unknown assignment {assignment!r}: one of {', '.join(STEP_MODULES)}")
    name = module_name(assignment)
    if importlib.util.find_spec(name) is None:
        return {}
    return getattr(importlib.import_module(name), "JUDGES", {})


def verdicts(assignment, payload, reference, tools):
    """{test cell grade_id: (agrees, message)} for every graded test cell of ``assignment``.

    payload: the bytes parse_probe_output returned (None when the kernel printed none):
    then every cell fails with a message saying why. reference: {grade_id: {key: array}},
    the reference's probe values for the same seed; values are compared by compare.compare
    or the cell's judge (``judges_of``), which gets ``tools`` as its ``t``.
    """
    judges = judges_of(assignment)
    try:
        student = compare.decode(payload)
    except compare.PayloadError as error:
        student = {grade_id: str(error) for grade_id in EXERCISES[assignment]}
    result = {}
    for grade_id, (what, _) in EXERCISES[assignment].items():
        got, want = student.get(grade_id), reference[grade_id]
        if got is None:
            result[grade_id] = (False, message("probe.no_result", "{what}: no probe result came back from "
                                               "the notebook", what=what))
            continue
        if isinstance(got, str):
            result[grade_id] = (False, message("probe.raised", "{what}: failed{where}: {error}", what=what,
                                               where=compare.on_ours(), error=got))
            continue
        custom = judges.get(grade_id)
        try:
            problems = custom(got, want, tools) if custom else compare.compare(got, want)
        except Exception as error:  # a malformed value that slipped past the checks: the student's
            problems = [message("probe.unreadable", "its values could not be checked ({kind}: {error})",
                                kind=type(error).__name__, error=error)]
        if problems:
            more = message("probe.more", " (and {count} more problems)", count=len(problems) - 1) \
                if len(problems) > 1 else ""
            where = "" if compare.on_ours() in problems[0] else compare.on_ours()
            result[grade_id] = (False, message("probe.problem", "{what}: {problem}{where}{more}", what=what,
                                               problem=problems[0], where=where, more=more))
        else:
            result[grade_id] = (True, message("probe.agrees", "{what}: agrees with the reference{where}",
                                              what=what, where=compare.on_ours()))
    return result
