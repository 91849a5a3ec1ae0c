"""Messages in the notebook's language (course.i18n): how the language is found, that a
translation is used only for the English it translates, and that a kernel started for a
Chinese notebook, with the same code, speaks Chinese."""

import json

import nbformat
import numpy as np
import pytest
from jupyter_client.manager import start_new_kernel

from course import checks, hints, i18n
from course.i18n import message

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
