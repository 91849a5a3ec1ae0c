"""The test cells' own sentences are keyed messages: every assert message, raise and print of a
locked test cell of the source notebooks is a ``checks.message`` (or another ``checks``
helper), so that it is translated; a visible part's translation ships with the course
package, a hidden part's stays with the grader and reaches only the kernel that grades."""

import ast
import json
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from autograder.authoring.release import available_assignments
from autograder.authoring.sync import ROOT, SOURCE
from autograder.authoring.translations import english_messages, hidden_keys, message_problems
from autograder.demo.samples import make_submission
from autograder.judging import hidden_messages
from course import i18n
from course.i18n import LOCALE

ZH_RELEASE = ROOT / "i18n" / "zh" / "release"


def _test_cells(source=SOURCE):
    """[(assignment, grade_id, cell source)] of the locked test cells of the source notebooks."""
    cells = []
    for assignment in available_assignments():
        notebook = nbformat.read(source / assignment / f"{assignment}.ipynb", as_version=4)
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                cells.append((assignment, meta["grade_id"], cell.source))
    return cells


def _literal_parts(node):
    """The string literals and f-strings a message expression is made of (``+`` followed)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_parts(node.left) + _literal_parts(node.right)
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return [node]
    return []


def untranslatable_texts(source):
    """[(line, text)] of the assert messages, raise arguments and print arguments of Python
    ``source`` written as string literals or f-strings rather than keyed messages."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert) and node.msg is not None:
            texts = [node.msg]
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            texts = node.exc.args
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            texts = node.args
        else:
            continue
        found += [(part.lineno, ast.unparse(part)) for text in texts for part in _literal_parts(text)]
    return found


def test_every_sentence_of_a_test_cell_is_a_keyed_message():
    cells = _test_cells()
    assert len(cells) >= 30
    written = {f"{assignment} {grade_id} line {line}": text for assignment, grade_id, source in cells
               for line, text in untranslatable_texts(source)}
    assert not written, "write these with checks.message(\"test.<grade_id>.<what>\", ...): " \
        + json.dumps(written, indent=1, ensure_ascii=False)


def test_the_guard_finds_literal_messages():
    source = ('assert x, "plain"\nassert y, f"got {y}"\nassert z, "the " + checks.mistake("k")\n'
              'raise AssertionError(f"{e}")\nprint("one_hot: visible checks passed")\n'
              'assert w, checks.message("test.a.b", "fine {v}", v=w)\nchecks.passed("one_hot")\n')
    assert [line for line, _ in untranslatable_texts(source)] == [1, 2, 3, 4, 5]


def test_test_cell_keys_are_named_after_their_cell():
    for assignment, grade_id, source in _test_cells():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "message":
                key = node.args[0].value
                assert key.startswith(f"test.{grade_id.removeprefix('test_')}."), (assignment, key)


def _shipped():
    return json.loads((LOCALE / "zh.json").read_text(encoding="utf-8"))["messages"]


def _hidden():
    """{key: English} of the messages only hidden parts use, and the Chinese translations of
    them that tell something: longer than a phrase, and not a sentence the course package
    ships anyway (its probes say some of the same things)."""
    english = english_messages()
    keys = set().union(*hidden_keys().values())
    _, usable = message_problems("zh")
    shipped = [entry["text"] for entry in _shipped().values()]
    secret = {usable[key].text for key in keys if len(usable[key].text) > 12}
    return {key: english[key] for key in keys}, {t for t in secret if not any(t in s for s in shipped)}


def test_hidden_tests_translations_are_not_in_the_shipped_table():
    hidden, chinese = _hidden()
    assert len(hidden) > 50
    shipped = _shipped()
    assert not set(shipped) & set(hidden)
    assert len(chinese) > 40
    text = (LOCALE / "zh.json").read_text(encoding="utf-8")
    assert not [t for t in chinese if json.dumps(t, ensure_ascii=False) in text]
    assert "test.one_hot.one_hot_return" in shipped  # a visible part's message ships
    graders = json.loads((hidden_messages.LOCALE / "zh.json").read_text(encoding="utf-8"))["notebooks"]
    assert set().union(*map(set, graders.values())) == set(hidden)


def test_chinese_bundle_holds_no_hidden_test_key_or_text(tmp_path):
    out = tmp_path / "student-bundle-zh.zip"
    subprocess.run([sys.executable, "-m", "autograder", "bundle", "--lang", "zh", "--out", str(out)],
                   check=True, capture_output=True, timeout=300)
    hidden, chinese = _hidden()
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        texts = {name: archive.read(name).decode("utf-8", "replace") for name in names}
    assert any(name.endswith("course/locale/zh.json") for name in names)
    assert not [name for name in names if "autograder" in name]
    needles = set(hidden) | chinese
    leaked = {name: sorted(n for n in needles if re.search(re.escape(n) + r"(?!\w)", text))
              for name, text in texts.items()}
    assert not {name: found for name, found in leaked.items() if found}


def test_translations_handed_to_a_process_are_used_for_their_english(monkeypatch):
    """What SandboxedExecute runs in the grading kernel: the notebook's hidden translations."""
    monkeypatch.setattr(i18n, "_added", {})
    key, english = "test.train_test_split.same_seed_give", "the same seed must give the same split"
    assert i18n.message(key, english, lang="zh") == english
    exec(hidden_messages.kernel_code("zh", "01_data_prep"), {})
    assert i18n.message(key, english, lang="zh") == "相同的种子必须给出相同的划分"
    assert i18n.message(key, "another text", lang="zh") == "another text"
    assert hidden_messages.kernel_code("en", "01_data_prep") == ""


@pytest.mark.slow
def test_visible_assert_of_a_chinese_notebook_fails_in_chinese(tmp_path):
    """A kernel started for the Chinese notebook (Jupyter Server's JPY_SESSION_NAME) runs its
    cells: one_hot returning integers fails the test cell's own assert, in Chinese."""
    folder = tmp_path / "01_data_prep"
    shutil.copytree(ZH_RELEASE / "01_data_prep", folder)
    notebook = make_submission("01_data_prep", "complete", ZH_RELEASE)
    path = folder / "01_data_prep.ipynb"
    nbformat.write(notebook, path)
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(folder),
                                       env={"JPY_SESSION_NAME": str(path), "PATH": "/usr/bin:/bin"})
    try:
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            source = cell.source
            if grade_id == "one_hot":
                source += "\n_floats = one_hot\none_hot = lambda y, c: _floats(y, c).astype(int)"
            outputs = []
            client.execute_interactive(source, output_hook=outputs.append, timeout=120)
            errors = [o["content"]["evalue"] for o in outputs if o["msg_type"] == "error"]
            if grade_id == "test_one_hot":
                break
            assert not errors, (grade_id, errors)
        assert errors == ["one_hot 应返回 float64（浮点网络的目标值），却得到 int64"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
