"""The grader's side of the probes: the hidden reference's probe values and the helpers the
judges need from the reference.

The probes themselves (the probe cell, its parsing, the comparisons and the judges) are in
``course.probes``, which the self-check uses too; everything here needs ``autograder.reference``
and never reaches students. ``judge(assignment, payload, seed)`` runs the probes with ``seed``
on the reference in this process and judges the student's payload against them; custom judges
get ``TOOLS`` as their ``t`` argument: ``course.probes.compare``'s functions plus
``reference_namespace``, ``task_data``, ``rebuild`` and ``model_problems``.
"""

import base64
import functools
import types

import numpy as np

from course.probes import (
    MODULES,
    compare,
    kernel,
    parse_probe_output,
    probe_cell_source,
    probe_module,
    verdicts,
)

__all__ = ["probe_cell_source", "judge", "parse_probe_output", "MODULES", "TOOLS"]


@functools.lru_cache(maxsize=1)
def reference_namespace():
    """{name: object} of the hidden reference solution: every API name of the course."""
    import autograder.reference as reference
    from autograder.reference.prediction import fixed_experiment
    from course import experiments, framework

    names = {name: getattr(reference, name) for name in reference.__all__}
    names.update(
        fixed_experiment=fixed_experiment,
        Layer=framework.Layer,
        add_to_class=framework.add_to_class,
        EXPERIMENTS=experiments.EXPERIMENTS,
        load_task=experiments.load_task,
    )
    return names


@functools.cache
def task_data(name):
    """The trusted (X_train, X_test, y_train, y_test) of a task, made with the reference."""
    from course.experiments import load_task

    return load_task(name, reference_namespace())


def rebuild(kinds, weights):
    """A reference Sequential in evaluation mode from layer kinds and the Linear layers' weights.

    kinds: names such as ["Linear", "ReLU", "Linear", "Identity"] (Dropout counts as the
    identity in evaluation mode); weights: [W1, b1, W2, b2, ...] in layer order, W: (in, out).
    Raises ValueError when they do not fit together.
    """
    ns = reference_namespace()
    layers, remaining = [], list(weights)
    for kind in kinds:
        if kind == "Linear":
            if len(remaining) < 2:
                raise ValueError("fewer weight arrays than Linear layers")
            W, b = remaining.pop(0), remaining.pop(0)
            if W.ndim != 2 or b.shape != (W.shape[1],) or W.dtype.kind != "f" or b.dtype.kind != "f":
                raise ValueError(f"a Linear layer's W {W.shape} and b {b.shape} do not fit together")
            layer = ns["Linear"](W.shape[0], W.shape[1], rng=np.random.default_rng(0))
            layer.W, layer.b = W.astype(np.float64), b.astype(np.float64)
        elif kind in ("ReLU", "Sigmoid", "Tanh", "Identity"):
            layer = ns[kind]()
        elif kind == "Dropout":
            layer = ns["Identity"]()
        else:
            raise ValueError(
                f"a layer of kind {kind} (the grader knows Linear, ReLU, Sigmoid, Tanh, Identity and Dropout)"
            )
        layers.append(layer)
    if remaining:
        raise ValueError("more weight arrays than Linear layers")
    return ns["Sequential"](*layers).eval()


def model_problems(got, prefix, task, architecture=None):
    """Rebuild the model transported under ``prefix`` and return (problems, model, scores).

    ``got`` holds prefix + "kinds" (text array) and prefix + "w0", "w1", ... (the values
    of the model's parameters() in order). With ``architecture`` (a list of layer dicts as
    in EXPERIMENTS), the Linear layers must have its sizes. scores: the model's outputs on
    the trusted X_test of ``task``, computed here with the reference.
    """
    kinds = got.get(prefix + "kinds")
    if kinds is None:
        return [f"{prefix}model: not found"], None, None
    weights, i = [], 0
    while prefix + f"w{i}" in got:
        weights.append(got[prefix + f"w{i}"])
        i += 1
    try:
        model = rebuild([str(k) for k in kinds], weights)
    except ValueError as error:
        return [f"the model cannot be rebuilt: {error}"], None, None
    if architecture is not None:
        shapes = [w.shape for w in weights if w.ndim == 2]
        expected = [(spec["input_dim"], spec["output_dim"]) for spec in architecture]
        if shapes != expected:
            return [f"the model's weight matrices have shapes {shapes}, expected {expected}"], None, None
    X_test = task_data(task)[1]
    with np.errstate(all="ignore"):
        scores = model.forward(X_test)
    if not np.all(np.isfinite(scores)):
        return ["the model's outputs on the test set are not finite"], model, None
    return [], model, scores


#: What custom judges get as their ``t`` argument.
TOOLS = types.SimpleNamespace(
    **{name: getattr(compare, name) for name in compare.__all__},
    ON_OURS=compare.ON_OURS,
    reference_namespace=reference_namespace,
    task_data=task_data,
    rebuild=rebuild,
    model_problems=model_problems,
)


@functools.lru_cache(maxsize=32)
def _reference_results(assignment, seed):
    """The reference's probe values for (assignment, seed), through the same encoding."""
    module = probe_module(assignment)
    results = kernel.run_probes(module.PROBES, reference_namespace(), seed)
    failed = {gid: value for gid, value in results.items() if isinstance(value, str)}
    if failed:
        raise RuntimeError(f"the reference fails its own probes of {assignment}: {failed}")
    return compare.decode(base64.b64decode(kernel.encode(results)))


def judge(assignment, payload, seed):
    """{test cell grade_id: (agrees, message)} for every graded test cell of ``assignment``.

    payload: the bytes parse_probe_output returned (None when the kernel printed none):
    then every cell fails with a message saying why. The same probes run here on the
    reference with the same seed; values are compared by ``course.probes.verdicts``. Raises
    RuntimeError only when the reference fails its own probes (a bug of the grader, never of
    a student).
    """
    return verdicts(assignment, payload, _reference_results(assignment, seed), TOOLS)
