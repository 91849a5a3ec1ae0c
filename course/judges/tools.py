"""What judges get as their ``t`` argument: the helpers that need a trusted implementation of
the course (to rebuild a model, make a task's data, train).

``Tools(namespace)`` takes a function returning {name: object} of that implementation: the
grader passes the hidden reference (``autograder.judging.judge.TOOLS``), the self-check the course's
versions of the earlier steps shipped beside the notebook (``previous_steps.py``), which are the
reference's own code for those steps. The namespace is loaded on first use only.
"""

import functools

import numpy as np

from course.experiments import load_task
from course.i18n import message

__all__ = ["Tools"]


class Tools:
    """reference_namespace, task_data, rebuild and model_problems, computed with the
    implementation ``namespace()`` returns."""

    def __init__(self, namespace):
        self._namespace = namespace
        self.task_data = functools.cache(self._task_data)

    def reference_namespace(self):
        """{name: object} of the trusted implementation."""
        return self._namespace()

    def _task_data(self, name):
        """The trusted (X_train, X_test, y_train, y_test) of a task."""
        return load_task(name, self.reference_namespace())

    def rebuild(self, kinds, weights):
        """A trusted Sequential in evaluation mode from layer kinds and the Linear layers' weights.

        kinds: names such as ["Linear", "ReLU", "Linear", "Identity"] (Dropout counts as the
        identity in evaluation mode); weights: [W1, b1, W2, b2, ...] in layer order, W: (in, out).
        Raises ValueError when they do not fit together.
        """
        ns = self.reference_namespace()
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
                    f"a layer of kind {kind} (the grader knows Linear, ReLU, Sigmoid, Tanh, Identity and "
                    "Dropout)"
                )
            layers.append(layer)
        if remaining:
            raise ValueError("more weight arrays than Linear layers")
        return ns["Sequential"](*layers).eval()

    def model_problems(self, got, prefix, task, architecture=None):
        """Rebuild the model transported under ``prefix`` and return (problems, model, scores).

        ``got`` holds prefix + "kinds" (text array) and prefix + "w0", "w1", ... (the values
        of the model's parameters() in order). With ``architecture`` (a list of layer dicts as
        in EXPERIMENTS), the Linear layers must have its sizes. scores: (N_test, C) outputs of
        the model on the trusted X_test of ``task``, computed with the trusted implementation.
        """
        kinds = got.get(prefix + "kinds")
        if kinds is None:
            problem = message("probe.tools.model_not_found", "{prefix}model: not found", prefix=prefix)
            return [problem], None, None
        weights, i = [], 0
        while prefix + f"w{i}" in got:
            weights.append(got[prefix + f"w{i}"])
            i += 1
        try:
            model = self.rebuild([str(k) for k in kinds], weights)
        except ValueError as error:
            return [message("probe.tools.model_not_rebuilt", "the model cannot be rebuilt: {error}",
                            error=error)], None, None
        if architecture is not None:
            shapes = [w.shape for w in weights if w.ndim == 2]
            expected = [(spec["input_dim"], spec["output_dim"]) for spec in architecture]
            if shapes != expected:
                problem = message("probe.tools.model_shapes", "the model's weight matrices have shapes "
                                  "{shapes}, expected {expected}", shapes=shapes, expected=expected)
                return [problem], None, None
        X_test = self.task_data(task)[1]
        with np.errstate(all="ignore"):
            scores = model.forward(X_test)
        if not np.all(np.isfinite(scores)):
            return [message("probe.tools.model_not_finite", "the model's outputs on the test set are not "
                            "finite")], model, None
        return [], model, scores
