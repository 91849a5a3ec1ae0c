"""Messages in the notebook's language (course.i18n): how the language is found, that a
translation is used only for the English it translates, and that a kernel started for a
Chinese notebook, with the same code, speaks Chinese."""

import json

import nbformat
import numpy as np
import pytest
from jupyter_client.manager import start_new_kernel

from autograder.judging import judge
from course import checks, hints, i18n
from course.i18n import message
from course.judges import backward, forward, initialization, modularization, prediction
from course.probes import compare, update
from course.probes.kernel import exact

ZH_NOTEBOOK = {"metadata": {"course": {"language": "zh"}}, "cells": [], "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def no_language(monkeypatch):
    monkeypatch.delenv("COURSE_LANGUAGE", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)


def _shape_failure():
    with pytest.raises(AssertionError) as failure:
        checks.check_shape("dW", np.zeros((3, 4)), (4, 3))
    return str(failure.value)


def test_english_by_default(no_language):
    assert i18n.language() == "en"
    assert _shape_failure().startswith("dW has shape (3, 4), expected (4, 3) (transposed). Likely mistake: "
                                       "transposed weights.")


def test_course_language_variable_gives_chinese_checks_and_hints(no_language, monkeypatch):
    monkeypatch.setenv("COURSE_LANGUAGE", "zh")
    assert _shape_failure().startswith("dW 的形状为 (3, 4)，应为 (4, 3)（转置了）。可能的错误：权重转置了。")


def test_unknown_language_falls_back_to_english(no_language, monkeypatch):
    monkeypatch.setenv("COURSE_LANGUAGE", "klingon")
    assert i18n.language() == "en"


def test_notebook_metadata_names_the_language_and_using_overrides_it(no_language):
    assert i18n.language(nbformat.from_dict(ZH_NOTEBOOK)) == "zh"
    assert i18n.language(nbformat.v4.new_notebook()) == "en"
    with i18n.using("en"):
        assert i18n.language(nbformat.from_dict(ZH_NOTEBOOK)) == "en"


def test_jupyter_session_notebook_gives_the_language(no_language, monkeypatch, tmp_path):
    path = tmp_path / "01_data_prep.ipynb"
    path.write_text(json.dumps(ZH_NOTEBOOK))
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    assert i18n.language() == "zh"


def test_translation_of_another_english_text_is_not_used():
    assert message("check.shape_mismatch", "{name} has shape {shape}, expected {expected}", lang="zh",
                   name="W", shape=(1,), expected=(2,)) == "W 的形状为 (1,)，应为 (2,)"
    assert message("check.shape_mismatch", "{name} is shaped {shape}, not {expected}", lang="zh",
                   name="W", shape=(1,), expected=(2,)) == "W is shaped (1,), not (2,)"


def test_hints_are_found_in_either_language():
    english = hints.explain("sign_flip")
    with i18n.using("zh"):
        chinese = hints.explain("sign_flip")
    assert chinese.startswith("可能的错误：符号反了。")
    assert [h.key for h in hints.find(english)] == [h.key for h in hints.find(chinese)] == ["sign_flip"]


def test_kernel_started_for_a_chinese_notebook_reports_in_chinese(tmp_path):
    """Jupyter Server names the notebook in JPY_SESSION_NAME; the kernel reads its metadata."""
    path = tmp_path / "01_data_prep.ipynb"
    path.write_text(json.dumps(ZH_NOTEBOOK))
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path),
                                       env={"JPY_SESSION_NAME": str(path), "PATH": "/usr/bin:/bin"})
    try:
        outputs = []
        client.execute_interactive("import numpy as np\nfrom course import checks\n"
                                   "checks.check_shape('dW', np.zeros((3, 4)), (4, 3))",
                                   output_hook=outputs.append, timeout=60)
        errors = [o["content"]["evalue"] for o in outputs if o["msg_type"] == "error"]
        assert errors and errors[0].startswith("dW 的形状为 (3, 4)，应为 (4, 3)")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_every_chinese_hint_is_found_alone_from_its_own_message():
    with i18n.using("zh"):
        wrong = [hint.key for hint in hints.HINTS.values() if hints.find(hints.explain(hint.key)) != [hint]]
    assert not wrong, f"hints whose Chinese name is part of another's: {wrong}"


# The grader's re-check of notebooks 02-08 in the notebook's language: a wrong value judged
# directly (no kernel, no nbgrader) with the tools the grader passes, in both languages.

def _in_both_languages(judged):
    """{lang: first problem} of ``judged()`` under each language."""
    problems = {}
    for lang in ("en", "zh"):
        with i18n.using(lang):
            problems[lang] = judged()[0]
    return problems


def _masked(rng, X, p):
    """X * mask / (1 - p) with a fraction p of the entries of X: (n, d) dropped."""
    return X * (rng.random(X.shape) >= p) / (1 - p)


def test_initialization_judge_reports_nonzero_zeros_init_in_the_notebooks_language():
    key = "Linear(7, 3, init='zeros').W"
    got, want = {key: np.ones((7, 3))}, {key: np.zeros((7, 3))}
    problems = _in_both_languages(lambda: initialization.judge_linear_init(got, want, judge.TOOLS))
    assert problems == {"en": f"{key} should be all zeros", "zh": f"{key} 应当全为零"}


def test_forward_judge_reports_a_repeated_dropout_mask_in_the_notebooks_language():
    rng = np.random.default_rng(0)
    got, want = {}, {}
    for p, shape in forward.DROPOUT_CASES:
        X = rng.uniform(0.5, 1.5, shape)
        want[exact(f"X after Dropout({p}).forward")] = got[exact(f"X after Dropout({p}).forward")] = X
        A = _masked(rng, X, p)   # one mask for every call: the same mask twice
        for label in ("forward(X)", "forward(X) again", "forward(X), same seed",
                      "forward(X) back in training mode"):
            got[f"Dropout({p}).{label}"] = A
    problems = _in_both_languages(lambda: forward.judge_dropout_forward(got, want, judge.TOOLS))
    assert problems == {"en": "two calls gave the same mask: draw a new one at every forward",
                        "zh": "两次调用给出了相同的掩码：每次 forward 都要抽取新的掩码"}


def test_backward_judge_reports_a_missing_dropout_gradient_in_the_notebooks_language():
    rng = np.random.default_rng(1)
    p, shape = backward.DROPOUT_CASES[0]
    name = f"Dropout({p}), shape {shape}"
    X, dA = rng.uniform(0.5, 1.5, shape), rng.standard_normal(shape)
    want = {f"X of {name}": X, f"dA of {name}": dA}
    got = dict(want, **{f"A of {name}": _masked(rng, X, p)})   # no dX
    problems = _in_both_languages(lambda: backward.judge_dropout_backward(got, want, judge.TOOLS))
    assert problems == {"en": f"dX of {name} should be a float64 array of shape {shape}",
                        "zh": f"{name} 的 dX 应为形状为 {shape} 的 float64 数组"}


def test_update_probe_reports_parameters_that_are_not_pairs_in_the_notebooks_language():
    reference = judge.reference_namespace()

    class FlatLinear(reference["Linear"]):
        def parameters(self):   # a list of arrays instead of (value, gradient) pairs
            return [self.W, self.b]

    def probed():
        with pytest.raises(ValueError) as failure:
            update.probe_linear_parameters(dict(reference, Linear=FlatLinear), np.random.default_rng(2))
        return [str(failure.value)]

    assert _in_both_languages(probed) == {
        "en": "every entry of parameters() should be a (value, gradient) pair",
        "zh": "parameters() 的每一项都应是一个（值, 梯度）对",
    }


def test_loss_values_that_differ_are_reported_in_the_notebooks_language():
    """Notebook 06 has no judge of its own: its values are judged by compare, keyed alike."""
    want = judge.reference_results("06_loss", 3)["test_mean_square_error"]
    key = "MeanSquareError.backward() on a (7, 3) batch"
    got = dict(want, **{key: 2 * want[key]})
    problems = _in_both_languages(lambda: compare.compare(got, want))
    assert problems == {"en": f"{key} differs from the expected values on the grader's own inputs "
                              "(relative error 0.33)",
                        "zh": f"{key}（在评分程序自己的输入上）与期望值不同（相对误差 0.33）"}


def test_modularization_judge_reports_a_missing_weight_in_the_notebooks_language():
    want = {f"W of Linear {index}": np.zeros((spec["input_dim"], spec["output_dim"]))
            for index, spec in enumerate(modularization.ARCHITECTURE, start=1)}
    problems = _in_both_languages(lambda: modularization.judge_build_model({}, want, judge.TOOLS))
    assert problems == {"en": "W of Linear 1 should be a float64 array of shape (4, 6)",
                        "zh": "Linear 1 的 W 应为形状为 (4, 6) 的 float64 数组"}


def test_prediction_judge_reports_missing_results_in_the_notebooks_language():
    got = {"results found": np.array(False)}   # the training cells did not finish
    problems = _in_both_languages(lambda: prediction.judge_results(got, {}, judge.TOOLS))
    assert problems == {"en": "no results: the training cells of this section did not finish",
                        "zh": "没有 results：本节的训练单元格没有运行完"}
