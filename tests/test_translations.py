"""The Chinese edition from the one English source: the store's format, the checks of
``python -m autograder translations build --lang zh --check`` (missing, stale, orphan, code
that differs, translated locked cells), and the Chinese release against the English one."""

import json
import string

import nbformat
import pytest

from autograder.authoring import translation_store as store
from autograder.authoring import translations
from autograder.authoring.release import RELEASE, available_assignments
from autograder.authoring.sync import ROOT, SOURCE
from course.i18n import LOCALE, english_hash

ZH_RELEASE = ROOT / "i18n" / "zh" / "release"


def _source(assignment):
    return nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)


def _first(notebook, role):
    return next(cell for cell in notebook.cells if translations.cell_role(cell) == role)


def _problems(notebook, blocks):
    return translations.notebook_problems(notebook, blocks, "store.md")[0]


def _block(cell, text, english=None):
    return store.Block("cell", cell.id, english or english_hash(cell.source), text, 1)


# --- the store's format ------------------------------------------------------------------------

def test_store_block_is_the_text_between_headers_minus_one_newline():
    text = ("<!-- cell aaaa1111 en:0123456789abcdef -->\n# 标题\n\n正文\n\n"
            "<!-- cell bbbb2222 en:fedcba9876543210 -->\n最后一块\n")
    blocks = store.parse(text)
    assert blocks["aaaa1111"].text == "# 标题\n\n正文\n"
    assert blocks["aaaa1111"].english == "0123456789abcdef"
    assert blocks["bbbb2222"].text == "最后一块"


def test_store_refuses_a_cell_translated_twice_naming_both_lines():
    text = "<!-- cell aaaa1111 en:0123456789abcdef -->\na\n<!-- cell aaaa1111 en:0123456789abcdef -->\nb\n"
    with pytest.raises(store.StoreError, match="line 3.*twice.*line 1"):
        store.parse(text, "x.md")


def test_store_refuses_text_before_the_first_header():
    with pytest.raises(store.StoreError, match="line 1: text before the first block header"):
        store.parse("stray\n<!-- cell aaaa1111 en:0123456789abcdef -->\na\n")


# --- the checks on one notebook -----------------------------------------------------------------

def test_markdown_cell_without_translation_is_missing_with_the_header_to_paste():
    notebook = _source("01_data_prep")
    cell = _first(notebook, "markdown")
    missing = [p for p in _problems(notebook, {}) if p.key == cell.id]
    assert [p.kind for p in missing] == ["missing"]
    assert missing[0].detail == f"<!-- cell {cell.id} en:{english_hash(cell.source)} -->"


def test_translation_of_an_older_english_text_is_stale():
    notebook = _source("01_data_prep")
    cell = _first(notebook, "markdown")
    found = _problems(notebook, {cell.id: _block(cell, "旧的翻译", english="0" * 16)})
    assert [p.kind for p in found if p.key == cell.id] == ["stale"]


def test_translation_of_a_cell_that_is_gone_is_an_orphan():
    notebook = _source("01_data_prep")
    orphan = store.Block("cell", "deadbeef", "0" * 16, "没有这个单元格", 7)
    assert [p.kind for p in _problems(notebook, {"deadbeef": orphan}) if p.key == "deadbeef"] == ["orphan"]


def test_solution_cell_may_change_its_comments_and_docstrings_only():
    notebook = _source("01_data_prep")
    cell = _first(notebook, "solution")
    header, body = cell.source.split('"""', 2)[0], cell.source.split('"""', 2)[2]
    translated = f'{header}"""中文文档字符串。\n\n    多行。\n    """{body}'.replace("# ", "# 中文注释 ", 1)
    assert translated != cell.source
    assert not [p for p in _problems(notebook, {cell.id: _block(cell, translated)}) if p.key == cell.id]


def test_solution_cell_whose_code_changed_is_reported_with_the_first_differing_token():
    notebook = _source("01_data_prep")
    cell = _first(notebook, "solution")
    changed = cell.source.replace("dtype=int", "dtype=float", 1)
    found = [p for p in _problems(notebook, {cell.id: _block(cell, changed)}) if p.key == cell.id]
    assert [p.kind for p in found] == ["code differs"]
    assert "'float', expected 'int'" in found[0].detail


def test_solution_marker_moved_is_code_that_differs():
    notebook = _source("01_data_prep")
    cell = _first(notebook, "solution")
    lines = cell.source.splitlines()
    begin = next(i for i, line in enumerate(lines) if "BEGIN SOLUTION" in line)
    lines[begin], lines[begin + 1] = lines[begin + 1], lines[begin]
    found = [p for p in _problems(notebook, {cell.id: _block(cell, "\n".join(lines))}) if p.key == cell.id]
    assert [p.kind for p in found] == ["code differs"]


def test_an_unlocked_code_cell_may_have_its_comments_translated_and_nothing_else():
    notebook = _source("08_prediction")
    cell = _first(notebook, "code")
    assert "#" in cell.source
    assert not [p for p in _problems(notebook, {}) if p.key == cell.id]   # optional
    commented = _block(cell, cell.source.replace("#", "# 注释:", 1))
    assert not [p for p in _problems(notebook, {cell.id: commented}) if p.key == cell.id]
    changed = _block(cell, cell.source + "\nx = 1")
    found = [p for p in _problems(notebook, {cell.id: changed}) if p.key == cell.id]
    assert [p.kind for p in found] == ["code differs"]


def test_locked_cell_translated_is_reported():
    notebook = _source("01_data_prep")
    cell = _first(notebook, "fixed")
    commented = _block(cell, cell.source + "  # 注释")
    found = [p for p in _problems(notebook, {cell.id: commented}) if p.key == cell.id]
    assert [p.kind for p in found] == ["locked"]


def test_translated_notebook_carries_its_language_and_the_translated_sources():
    notebook = _source("01_data_prep")
    cell = _first(notebook, "markdown")
    translated = translations.translate_notebook(notebook, {cell.id: "# 中文"}, "zh")
    assert translated.metadata["course"]["language"] == "zh"
    assert next(c for c in translated.cells if c.id == cell.id).source == "# 中文"
    assert _source("01_data_prep").metadata.get("course") is None


# --- the store of the course itself -----------------------------------------------------------

@pytest.mark.parametrize("assignment", available_assignments())
def test_notebook_translation_is_complete_and_current(assignment):
    """Every markdown and solution cell of the notebook translated, for its current English,
    the code unchanged, no orphan. (02-08 come from the notebooks' translators.)"""
    problems = [p for p in translations.check("zh") if p.where.endswith(f"notebooks/{assignment}.md")]
    assert not problems, "\n".join(map(str, problems))


def test_messages_and_readme_translations_are_complete_and_current():
    problems = [p for p in translations.check("zh") if "/notebooks/" not in p.where]
    assert not problems, "\n".join(map(str, problems))


def test_every_message_translation_has_the_fields_of_its_english():
    english = translations.english_messages()
    table = json.loads((LOCALE / "zh.json").read_text(encoding="utf-8"))["messages"]
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}  # noqa: E731
    wrong = [key for key, entry in table.items() if fields(entry["text"]) != fields(english[key])]
    assert not wrong, f"translations whose {{fields}} differ from the English: {wrong}"


@pytest.mark.parametrize("assignment", translations.translated_assignments("zh"))
def test_chinese_release_grades_as_the_english_one(assignment):
    """Same cells in the same order; every code, test and solution cell's nbgrader metadata
    identical (a stub's checksum aside: nbgrader takes it from the gradebook at grading); the code
    of stubs and unlocked cells identical; every fixed cell byte-identical; the language in the
    metadata."""
    english = nbformat.read(RELEASE / assignment / f"{assignment}.ipynb", as_version=4)
    chinese = nbformat.read(ZH_RELEASE / assignment / f"{assignment}.ipynb", as_version=4)
    assert chinese.metadata.course.language == "zh"
    assert [(c.id, c.cell_type) for c in chinese.cells] == [(c.id, c.cell_type) for c in english.cells]
    for en, zh in zip(english.cells, chinese.cells):
        meta_en, meta_zh = dict(en.metadata.get("nbgrader", {})), dict(zh.metadata.get("nbgrader", {}))
        role = translations.cell_role(en)
        if role == "solution":
            meta_en.pop("checksum", None), meta_zh.pop("checksum", None)
        if role in ("solution", "code"):   # comments and docstrings may differ, the code may not
            assert translations.code_tokens(zh.source) == translations.code_tokens(en.source), en.id
        elif en.cell_type == "code" or meta_en:
            assert zh.source == en.source, f"fixed cell {en.id} differs"
        assert meta_zh == meta_en, f"cell {en.id}: nbgrader metadata differs"
        assert {k: v for k, v in zh.metadata.items() if k != "nbgrader"} == \
            {k: v for k, v in en.metadata.items() if k != "nbgrader"}, en.id


@pytest.mark.slow
def test_chinese_release_is_exactly_what_translations_build_makes(tmp_path):
    problems, fresh = translations.build_release("zh", tmp_path / "release", tmp_path / "source")
    assert not problems, "\n".join(map(str, problems))
    built = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ZH_RELEASE) for p in ZH_RELEASE.rglob("*") if p.is_file())
    assert built == committed
    different = [str(p) for p in built if (fresh / p).read_bytes() != (ZH_RELEASE / p).read_bytes()]
    assert not different, f"i18n/zh/release/ differs from `translations build --lang zh`: {different}"


# --- the Chinese student bundle -----------------------------------------------------------------

def test_chinese_bundle_holds_the_chinese_release_readme_and_messages(tmp_path):
    import zipfile

    from autograder.authoring.bundle import TOP, build_bundle, forbidden

    path, _ = build_bundle(tmp_path / "student-bundle-zh.zip", lang="zh")
    with zipfile.ZipFile(path) as archive:
        files = {name[len(TOP) + 1:]: archive.read(name) for name in archive.namelist()}
    for assignment in available_assignments():
        name = f"release/{assignment}/{assignment}.ipynb"
        chinese = assignment in translations.translated_assignments("zh")
        expected = (ZH_RELEASE if chinese else RELEASE) / assignment / f"{assignment}.ipynb"
        assert files[name] == expected.read_bytes(), name
    assert files["README.md"].decode().startswith("# 用 NumPy 从零实现神经网络")
    assert files["course/locale/zh.json"] == (LOCALE / "zh.json").read_bytes()
    assert not [n for n, data in files.items() if any(marker.encode() in data for marker in forbidden())]
