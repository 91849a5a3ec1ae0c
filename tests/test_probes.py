"""The probes: every graded cell agrees for correct code, disagrees for planted bugs and for
spoofing, and a bad payload or a failing probe fails cleanly.

A notebook's namespace is built as the kernel builds it: the setup cell (which loads the
earlier steps from previous_steps.py), then the solution cells in order. Notebook 08's
training cell is replaced by the same training done once per test run, with each variant's
own predict and accuracy applied to the trained models.
"""

import ast
import base64
import contextlib
import functools
import io
import os
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.authoring.sync import SOURCE
from autograder.demo.samples import alternative_rounds, alternative_solutions, planted_bugs
from autograder.judging import judge
from course.judges import judges_of
from course.probes import compare, embedded_source, kernel
from course.registry import ASSIGNMENTS, EXERCISES

SEED = 20260115
NONCE = "probe-7f3a:"
#: Planted bugs no probe can see by design, with the reason: none so far.
UNDETECTABLE = {}


@contextlib.contextmanager
def _inside(folder):
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def _code_cells(assignment):
    notebook = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@functools.lru_cache(maxsize=1)
def _trained_results():
    """The models and histories of notebook 08's training cell (trained once)."""
    ns = namespace("08_prediction", train=False)
    cell = next(
        c
        for c in _code_cells("08_prediction")
        if c.metadata.get("nbgrader", {}).get("grade_id") == "train_three_tasks"
    )
    with contextlib.redirect_stdout(io.StringIO()):
        exec(cell.source, ns)
    return {
        name: {key: entry[key] for key in ("model", "history", "X_test", "y_test")}
        for name, entry in ns["results"].items()
    }


def namespace(assignment, replacements=None, train=True):
    """globals() of the notebook after its setup cell and its solution cells, each solution
    replaced by ``replacements[grade_id]`` when given."""
    ns = {"__name__": "__main__"}
    with _inside(SOURCE / assignment), contextlib.redirect_stdout(io.StringIO()):
        for cell in _code_cells(assignment):
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if meta.get("solution"):
                exec(compile((replacements or {}).get(grade_id, cell.source), grade_id, "exec"), ns)
            elif grade_id in ("setup", "task_helpers"):
                exec(compile(cell.source, grade_id, "exec"), ns)
    if assignment == "08_prediction" and train:
        ns["results"] = {}
        for name, entry in _trained_results().items():
            y_pred = ns["predict"](entry["model"], entry["X_test"])
            ns["results"][name] = {
                **entry,
                "y_pred": y_pred,
                "accuracy": ns["accuracy"](y_pred, entry["y_test"]),
            }
    return ns


def run_cell(assignment, ns):
    """Exec the probe cell in ``ns``; returns everything it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(judge.probe_cell_source(assignment, SEED, NONCE), ns)
    return out.getvalue()


def verdicts(assignment, ns):
    return judge.judge(assignment, judge.parse_probe_output(run_cell(assignment, ns), NONCE), SEED)


def disagreeing(result):
    return {grade_id: message for grade_id, (agrees, message) in result.items() if not agrees}


def _bugged(bug):
    cell = next(
        c
        for c in _code_cells(bug.assignment)
        if c.metadata.get("nbgrader", {}).get("grade_id") == bug.grade_id
    )
    return {bug.grade_id: bug.apply(cell.source)}


# --- coverage and the cell's source --------------------------------------------------------


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_cell_has_exactly_one_probe(assignment):
    module = judge.probe_module(assignment)
    assert list(module.PROBES) == list(EXERCISES[assignment])
    assert set(judges_of(assignment)) <= set(module.PROBES)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_probe_cell_embeds_the_probes_and_no_judge(assignment):
    """The kernel gets kernel.py and the probe module without its ``from .kernel import`` line;
    the judges (course/judges/) stay outside."""
    code = embedded_source(assignment)
    assert "from .kernel import" not in code and "def run_probes(" in code
    assert all(f"def {probe.__name__}(" in code for probe in judge.probe_module(assignment).PROBES.values())
    assert "JUDGES" not in code and "def judge_" not in code
    assert "JUDGES" not in judge.probe_cell_source(assignment, 1, "n:")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_probe_cell_imports_only_the_standard_library_numpy_and_course(assignment):
    allowed = {
        "numpy",
        "course",
        "base64",
        "contextlib",
        "io",
        "signal",
        "threading",
        "warnings",
        "zlib",
        "sys",
    }
    cell = ast.parse(judge.probe_cell_source(assignment, 1, "n:"))
    code = next(
        node.args[0].value
        for node in ast.walk(cell)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "compile"
    )
    for tree in (cell, ast.parse(code)):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0 and node.module.split(".")[0] in allowed, ast.dump(node)
            elif isinstance(node, ast.Import):
                assert all(alias.name.split(".")[0] in allowed for alias in node.names), ast.dump(node)


# --- correct code agrees -------------------------------------------------------------------


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_solutions_agree_with_every_probe(assignment):
    assert disagreeing(verdicts(assignment, namespace(assignment))) == {}


ROUNDS = [(assignment, r) for assignment in ASSIGNMENTS for r in range(alternative_rounds(assignment))]


@pytest.mark.parametrize("assignment, round_", ROUNDS, ids=lambda value: str(value))
def test_differently_written_solutions_agree_with_every_probe(assignment, round_):
    alternatives = alternative_solutions(assignment, round_)
    assert alternatives
    assert disagreeing(verdicts(assignment, namespace(assignment, alternatives))) == {}


@pytest.mark.parametrize("seed", [0, 1, 987654321])
def test_random_cells_agree_for_other_seeds(seed):
    for assignment in ("01_data_prep", "02_init", "03_forward", "04_backward", "07_modularization"):
        for round_ in range(alternative_rounds(assignment)):
            ns = namespace(assignment, alternative_solutions(assignment, round_))
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(judge.probe_cell_source(assignment, seed, NONCE), ns)
            result = judge.judge(assignment, judge.parse_probe_output(out.getvalue(), NONCE), seed)
            assert disagreeing(result) == {}, (assignment, round_)


# --- wrong code disagrees ------------------------------------------------------------------


@pytest.mark.parametrize("bug", planted_bugs(), ids=lambda bug: f"{bug.assignment}:{bug.description[:40]}")
def test_planted_bug_makes_exactly_its_cells_disagree(bug):
    result = disagreeing(verdicts(bug.assignment, namespace(bug.assignment, _bugged(bug))))
    expected = set(bug.fails) - set(UNDETECTABLE.get(bug.description, ()))
    assert expected <= set(result), (bug.description, result)
    assert set(result) <= set(bug.fails), f"{bug.description}: other exercises fail too: {result}"
    for grade_id in expected:
        assert result[grade_id].startswith(EXERCISES[bug.assignment][grade_id][0] + ":")
        assert "grader's own inputs" in result[grade_id]


def test_messages_say_what_differs_and_by_how_much():
    bug = next(b for b in planted_bugs("04_backward") if "db averaged" in b.description)
    message = disagreeing(verdicts("04_backward", namespace("04_backward", _bugged(bug))))[
        "test_linear_backward"
    ]
    assert message.startswith("Linear.backward: db of Linear(")
    assert "differs from the expected values on the grader's own inputs (relative error" in message


# --- spoofing ------------------------------------------------------------------------------


class AlwaysEqual:
    """What a spoofing solution returns: equal to everything, an array of zeros to NumPy."""

    def __eq__(self, other):
        return True

    __hash__ = None

    def __array__(self, dtype=None, copy=None):
        return np.zeros((2, 2))

    def __float__(self):
        return 0.0


@contextlib.contextmanager
def patched(*patches):
    """Set attributes (object, name, value) and restore them afterwards: the kernel's damage
    must not reach the trusted judge, which in real grading runs in another process."""
    saved = [(target, name, getattr(target, name)) for target, name, _ in patches]
    for target, name, value in patches:
        setattr(target, name, value)
    try:
        yield
    finally:
        for target, name, value in saved:
            setattr(target, name, value)


def test_objects_equal_to_everything_do_not_pass():
    ns = namespace("06_loss")
    ns["softmax"] = lambda Z: AlwaysEqual()
    ns["MeanSquareError"] = type(
        "MeanSquareError",
        (),
        {"forward": lambda self, y, y_hat: AlwaysEqual(), "backward": lambda self: AlwaysEqual()},
    )
    result = disagreeing(verdicts("06_loss", ns))
    assert set(result) == {"test_softmax", "test_mean_square_error"}
    assert "got a AlwaysEqual" in result["test_softmax"]


def test_ndarray_subclasses_and_lists_do_not_pass():
    class Loose(np.ndarray):
        def __eq__(self, other):
            return np.ones(np.shape(other), dtype=bool)

    ns = namespace("01_data_prep")
    correct = ns["one_hot"]
    ns["one_hot"] = lambda y, c: correct(y, c).view(Loose)
    ns["standardize"] = lambda a, b: tuple(x.tolist() for x in (a, b))
    assert set(disagreeing(verdicts("01_data_prep", ns))) == {"test_one_hot", "test_standardize"}


def test_patched_numpy_and_checks_do_not_help_wrong_code():
    import course.checks

    always = lambda *a, **k: True  # noqa: E731
    nothing = lambda *a, **k: None  # noqa: E731
    for bug in planted_bugs("06_loss") + planted_bugs("04_backward"):
        ns = namespace(bug.assignment, _bugged(bug))
        with patched(
            (np, "allclose", always),
            (np, "array_equal", always),
            (np, "isclose", always),
            (np.testing, "assert_allclose", nothing),
            (course.checks, "check_close", nothing),
            (course.checks, "check_layer_gradients", nothing),
        ):
            text = run_cell(bug.assignment, ns)
        result = judge.judge(bug.assignment, judge.parse_probe_output(text, NONCE), SEED)
        assert set(bug.fails) <= set(disagreeing(result)), bug.description


def test_a_probe_that_raises_fails_only_its_own_cell():
    ns = namespace("01_data_prep")

    def broken(*args, **kwargs):
        raise RuntimeError("not today")

    ns["standardize"] = broken
    result = disagreeing(verdicts("01_data_prep", ns))
    assert list(result) == ["test_standardize"]
    assert "RuntimeError: not today" in result["test_standardize"]


def test_missing_names_and_exits_fail_cleanly():
    ns = namespace("08_prediction")
    del ns["confusion_matrix"]
    ns["accuracy"] = lambda *a: exit(3)
    result = disagreeing(verdicts("08_prediction", ns))
    assert {"test_confusion_matrix", "test_accuracy"} <= set(result)
    assert "confusion_matrix is not defined in the notebook" in result["test_confusion_matrix"]
    assert "test_predict" not in result


def test_an_endless_loop_is_stopped_and_fails_alone(monkeypatch):
    monkeypatch.setattr(kernel, "PROBE_SECONDS", 0.5)
    ns = namespace("01_data_prep")

    def forever(*args, **kwargs):
        while True:
            try:
                time.sleep(0.01)
            except Exception:
                pass

    ns["one_hot"] = forever
    started = time.perf_counter()
    results = kernel.run_probes(judge.probe_module("01_data_prep").PROBES, ns, SEED, seconds=0.5)
    assert time.perf_counter() - started < 5
    assert results["test_one_hot"].startswith("ProbeTimeout")
    assert all(isinstance(values, dict) for grade_id, values in results.items() if grade_id != "test_one_hot")


# --- payloads ------------------------------------------------------------------------------


def _all_fail_with(result, words):
    assert set(result) == set(EXERCISES["05_update"])
    assert all(not agrees and words in message for agrees, message in result.values()), result


def test_no_payload_fails_every_cell_with_a_reason():
    _all_fail_with(judge.judge("05_update", None, SEED), "printed no probe output")


def test_truncated_payload_fails_every_cell_cleanly():
    payload = judge.parse_probe_output(run_cell("05_update", namespace("05_update")), NONCE)
    _all_fail_with(judge.judge("05_update", payload[: len(payload) // 2], SEED), "cannot be read")
    _all_fail_with(judge.judge("05_update", b"not an archive", SEED), "cannot be read")


def test_pickled_objects_are_refused():
    buffer = io.BytesIO()
    np.savez(
        buffer,
        index=np.array(["test_linear_update\tx"]),
        errors=np.array([], dtype=str),
        a0=np.array([AlwaysEqual()], dtype=object),
    )
    _all_fail_with(judge.judge("05_update", buffer.getvalue(), SEED), "cannot be read")


def test_a_payload_of_the_wrong_layout_is_refused():
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.zeros(3))
    _all_fail_with(judge.judge("05_update", buffer.getvalue(), SEED), "malformed")


def test_parse_takes_the_last_line_with_the_nonce():
    first, last = base64.b64encode(b"first").decode(), base64.b64encode(b"last").decode()
    text = f"noise\n{NONCE}{first}\nmore noise {NONCE}x\n{NONCE}{last}\ntrailing\n"
    assert judge.parse_probe_output(text, NONCE) == b"last"
    assert judge.parse_probe_output("nothing here", NONCE) is None
    assert judge.parse_probe_output(f"{NONCE}@@not base64@@", NONCE) is None
    assert judge.parse_probe_output(None, NONCE) is None


def test_parse_refuses_an_oversized_line(monkeypatch):
    monkeypatch.setattr(compare, "MAX_PAYLOAD", 30)
    assert judge.parse_probe_output(NONCE + base64.b64encode(b"x" * 100).decode(), NONCE) is None


def test_a_probe_line_printed_after_partial_output_still_parses():
    ns = namespace("05_update")
    text = "a line without its end" + run_cell("05_update", ns)
    assert disagreeing(judge.judge("05_update", judge.parse_probe_output(text, NONCE), SEED)) == {}


# --- the judge's comparisons ---------------------------------------------------------------


def test_compare_checks_dtype_shape_and_relative_error():
    want = np.array([1.0, 2.0, 3.0])
    assert compare.compare_key("v", want * (1 + 1e-9), want) is None
    assert "relative error" in compare.compare_key("v", want * 1.01, want)
    assert "dtype float32" in compare.compare_key("v", want.astype(np.float32), want)
    assert "shape (3, 1)" in compare.compare_key("v", want[:, None], want)
    assert "inf or nan" in compare.compare_key("v", np.array([1.0, np.inf, 3.0]), want)
    assert compare.compare_key("n", np.array([1, 2], dtype=np.int32), np.array([1, 2])) is None
    assert compare.compare_key("n", np.array([True, False]), np.array([1, 0])) is not None
    nudged = want.copy()
    nudged[0] = np.nextafter(nudged[0], 2.0)
    assert compare.compare_key("v", nudged, want) is None
    assert "1 entries differ" in compare.compare_key(kernel.exact("x"), nudged, want)


# --- a real kernel -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_probe_cell_in_a_real_kernel_after_the_notebook(assignment, capsys):
    """The probe cell runs after the reference notebook without an error and the judge agrees.
    Its time in the kernel and the judge's are printed (a figure, not a bar: machines here are
    shared, so speed belongs in the benchmarks)."""
    from course.execution import run

    notebook = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import time as _t\n_probe_started = _t.perf_counter()\n"
            + judge.probe_cell_source(assignment, SEED, NONCE)
            + "print('probe seconds', round(_t.perf_counter() - _probe_started, 3))"
        )
    )
    run(notebook, Path(SOURCE / assignment).resolve(), timeout=180)
    text = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
    assert [o for o in notebook.cells[-1].outputs if o.output_type == "error"] == []
    started = time.perf_counter()
    result = judge.judge(assignment, judge.parse_probe_output(text, NONCE), SEED)
    judged = time.perf_counter() - started
    assert disagreeing(result) == {}
    seconds = float(text.rsplit("probe seconds", 1)[1])
    with capsys.disabled():
        print(
            f"\n{assignment}: probe cell {seconds:.3f} s in the kernel, judge {judged:.3f} s, "
            f"payload {len(judge.parse_probe_output(text, NONCE))} bytes"
        )


# --- fixed_experiment: recorded settings, trained outside ----------------------------------

OWN_LOOP = '''
def fixed_experiment(X_train, X_test, y_train, y_test):
    Y_train, loss_fn = one_hot(y_train, 2), MeanSquareError()
    model = build_model(EXPERIMENTS["disc"]["architecture"])
    rng, losses = np.random.default_rng(0), []
    for _ in range(100):
        total = 0.0
        for X_batch, Y_batch in iterate_minibatches(X_train, Y_train, 32, rng=rng):
            total += loss_fn.forward(Y_batch, model.forward(X_batch)) * len(X_batch)
            model.backward(loss_fn.backward())
            model.update(0.05)
        losses.append(total / len(X_train))
    return model, {"loss": losses}, accuracy(predict(model, X_test), y_test)
'''


def test_buggy_experiment_handed_in_as_the_fix_disagrees():
    buggy = next(c.source for c in _code_cells("08_prediction")
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "buggy_experiment")
    source = buggy.split("\ndisc_data")[0].replace("def buggy_experiment", "def fixed_experiment")
    result = disagreeing(verdicts("08_prediction", namespace("08_prediction", {"fixed_experiment": source})))
    assert list(result) == ["test_fixed_experiment"]


def test_fixed_experiment_with_its_own_training_loop_agrees():
    ns = namespace("08_prediction", {"fixed_experiment": OWN_LOOP})
    assert disagreeing(verdicts("08_prediction", ns)) == {}


def test_the_probe_cell_of_notebook_08_does_not_train():
    ns = namespace("08_prediction")
    started = time.perf_counter()
    run_cell("08_prediction", ns)
    assert time.perf_counter() - started < 0.5
    assert ns["train"].__name__ == "train", "the notebook's train is put back after the probe"
