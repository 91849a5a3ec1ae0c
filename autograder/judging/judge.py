"""The grader's side of the probes: the hidden reference's probe values and the helpers the
judges need from the reference.

The probes themselves (the probe cell, its parsing, the comparisons) are in ``course.probes``
and the judges in ``course.judges``, which the self-check uses too; everything here needs
``autograder.reference`` and never reaches students. ``judge(assignment, payload, seed)`` runs
the probes with ``seed`` on the reference in this process and judges the student's payload
against them; judges get ``TOOLS`` as their ``t`` argument (``course.judges.tools.Tools`` on
the reference).
"""

import base64
import functools
import importlib

from course.judges import verdicts
from course.judges.tools import Tools
from course.probes import MODULES, compare, kernel, parse_probe_output, probe_cell_source, probe_module
from course.registry import STEP_MODULES

__all__ = ["probe_cell_source", "judge", "parse_probe_output", "reference_results", "reference_payload",
           "MODULES", "TOOLS"]


@functools.lru_cache(maxsize=1)
def reference_namespace():
    """{name: object} of the hidden reference solution: every API name of the course."""
    import autograder.reference as reference
    from autograder.reference.prediction import fixed_experiment
    from course import experiments, framework

    names = {name: getattr(reference, name) for name in reference.__all__}
    for step in STEP_MODULES.values():  # an exercise added to a step module (autograder.authoring.exercise)
        module = importlib.import_module(f"autograder.reference.{step}")
        names.update({name: getattr(module, name) for name in module.__all__ if name not in names})
    names.update(
        fixed_experiment=fixed_experiment,
        Layer=framework.Layer,
        add_to_class=framework.add_to_class,
        EXPERIMENTS=experiments.EXPERIMENTS,
        load_task=experiments.load_task,
    )
    return names


#: What judges get as their ``t`` argument.
TOOLS = Tools(reference_namespace)


def reference_payload(assignment, seed):
    """bytes of the .npz archive of the reference's probe values for (assignment, seed), as
    the probe cell encodes a student's. Raises RuntimeError when the reference fails its own
    probes."""
    module = probe_module(assignment)
    results = kernel.run_probes(module.PROBES, reference_namespace(), seed)
    failed = {gid: value for gid, value in results.items() if isinstance(value, str)}
    if failed:
        raise RuntimeError(f"the reference fails its own probes of {assignment}: {failed}")
    return base64.b64decode(kernel.encode(results))


@functools.lru_cache(maxsize=32)
def reference_results(assignment, seed):
    """{grade_id: {key: array}}: the reference's probe values for (assignment, seed)."""
    return compare.decode(reference_payload(assignment, seed))


def judge(assignment, payload, seed):
    """{test cell grade_id: (agrees, message)} for every graded test cell of ``assignment``.

    payload: the bytes parse_probe_output returned (None when the kernel printed none):
    then every cell fails with a message saying why. The same probes run here on the
    reference with the same seed; values are compared by ``course.judges.verdicts``. Raises
    RuntimeError only when the reference fails its own probes (a bug of the grader, never of
    a student).
    """
    return verdicts(assignment, payload, reference_results(assignment, seed), TOOLS)
