"""A Chinese notebook hands in as the same assignment: real ``nbgrader autograde`` (every kernel
in the sandbox, every score re-checked) gives a completed Chinese notebook exactly the English
one's scores per cell, a wrong one the English wrong one's, with its feedback in Chinese (the
hidden tests' own messages too); the self-check reports on a Chinese notebook in Chinese."""

import json
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.authoring.release import build_course_dir
from autograder.authoring.sync import ROOT
from autograder.authoring.translations import translated_assignments
from autograder.batch import sequential
from autograder.demo.samples import make_submission, submit

ZH_RELEASE = ROOT / "i18n" / "zh" / "release"
ASSIGNMENT = "01_data_prep"
CJK = re.compile(r"[\u4e00-\u9fff]")


#: A disc a little too large: every visible check of generate_disc_set passes (about half the
#: points inside, the centre inside), the hidden test's own assert fails on the border points.
WIDE_DISC = ("radius = 1.0 / np.sqrt(2.0 * np.pi)", "radius = 0.42")
HIDDEN_FAILURE = {"en": "points labelled wrongly, e.g. X[", "zh": "个点的标签错了，例如 X["}


def _wide_disc(release):
    """A complete submission whose generate_disc_set fails only a hidden test."""
    notebook = make_submission(ASSIGNMENT, "complete", release)
    cell = next(c for c in notebook.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "generate_disc_set")
    assert WIDE_DISC[0] in cell.source
    cell.source = cell.source.replace(*WIDE_DISC)
    return notebook


def _failed_messages(notebook):
    """{test cell grade_id: [error texts]} of the test cells with an error output."""
    found = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            errors = [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]
            if errors:
                found[meta["grade_id"]] = errors
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    assert ASSIGNMENT in translated_assignments("zh")
    course_dir = tmp_path_factory.mktemp("i18n") / "course"
    release_dir = build_course_dir(course_dir, [ASSIGNMENT])
    for student, kind, release in (("en", "complete", release_dir), ("zh", "complete", ZH_RELEASE),
                                   ("enbugs", "bugs:0", release_dir), ("zhbugs", "bugs:0", ZH_RELEASE)):
        submit(course_dir, student, ASSIGNMENT, make_submission(ASSIGNMENT, kind, release))
    submit(course_dir, "enhidden", ASSIGNMENT, _wide_disc(release_dir))
    submit(course_dir, "zhhidden", ASSIGNMENT, _wide_disc(ZH_RELEASE))
    sequential.autograde(course_dir, ASSIGNMENT)
    sequential.generate_feedback(course_dir, ASSIGNMENT)
    return course_dir, sequential.cell_scores(course_dir)


def _autograded(course_dir, student):
    path = course_dir / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return nbformat.read(path, as_version=4)


@pytest.mark.slow
def test_completed_chinese_notebook_grades_exactly_like_the_english_one(graded):
    _, scores = graded
    english, chinese = scores[("en", ASSIGNMENT)], scores[("zh", ASSIGNMENT)]
    assert chinese == english
    assert all(score == maximum for score, maximum in chinese.values())


@pytest.mark.slow
def test_wrong_chinese_notebook_loses_the_points_the_english_one_loses(graded):
    _, scores = graded
    english, chinese = scores[("enbugs", ASSIGNMENT)], scores[("zhbugs", ASSIGNMENT)]
    assert chinese == english
    assert any(score < maximum for score, maximum in chinese.values())


@pytest.mark.slow
def test_wrong_chinese_notebook_gets_its_feedback_in_chinese(graded):
    course_dir, _ = graded
    chinese = _failed_messages(_autograded(course_dir, "zhbugs"))
    english = _failed_messages(_autograded(course_dir, "enbugs"))
    assert chinese and set(chinese) == set(english)
    for grade_id, errors in chinese.items():
        # the grader's re-check is in Chinese; so is every check of the course library and every
        # test cell's own message (checks.message)
        verdicts = [text for text in errors if text.startswith("GraderCheckFailed")]
        assert verdicts and all(CJK.search(text) for text in verdicts), f"{grade_id}: {errors}"
        assert any(CJK.search(text) for text in errors if text not in verdicts) or \
            errors[0] in english[grade_id], f"{grade_id}: {errors}"
        assert not any(CJK.search(text) for text in english[grade_id]), f"{grade_id}: {english[grade_id]}"
    page = (course_dir / "feedback" / "zhbugs" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text("utf-8")
    first = next(iter(chinese.values()))[0].split(": ", 1)[1][:20]
    assert first in page


@pytest.mark.slow
def test_hidden_test_failure_of_a_chinese_submission_is_reported_in_chinese(graded):
    """The hidden part's own assert message: in Chinese for the Chinese submission (its
    translation reaches the grading kernel from the grader's table, it is not shipped), in
    English for the English one; the same scores."""
    course_dir, scores = graded
    assert scores[("zhhidden", ASSIGNMENT)] == scores[("enhidden", ASSIGNMENT)]
    lost = {grade_id for grade_id, (score, maximum) in scores[("zhhidden", ASSIGNMENT)].items()
            if score < maximum}
    assert lost == {"test_generate_disc_set"}
    for student, lang in (("zhhidden", "zh"), ("enhidden", "en")):
        errors = _failed_messages(_autograded(course_dir, student))["test_generate_disc_set"]
        assert any(HIDDEN_FAILURE[lang] in text for text in errors), errors
        page = (course_dir / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text("utf-8")
        assert HIDDEN_FAILURE[lang] in page
    english = _failed_messages(_autograded(course_dir, "enhidden"))["test_generate_disc_set"]
    assert not any(CJK.search(text) for text in english), english


@pytest.mark.slow
def test_self_check_of_a_chinese_notebook_reports_in_chinese(tmp_path):
    folder = tmp_path / ASSIGNMENT
    folder.mkdir()
    path = folder / f"{ASSIGNMENT}.ipynb"
    nbformat.write(make_submission(ASSIGNMENT, "bugs:0", ZH_RELEASE), path)
    result = subprocess.run([sys.executable, "-m", "course", "check", str(path), "--json"],
                            capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    failed = [e for e in report["exercises"] if not e["passed"]]
    assert result.returncode == 1 and failed
    # every hint is the course's, so Chinese; a message is the failing check's
    assert all(CJK.search(e["hint"]) for e in failed), failed
    assert any(CJK.search(e["message"]) for e in failed), failed
    text = subprocess.run([sys.executable, "-m", "course", "check", str(path)], capture_output=True,
                          text=True, timeout=600).stdout
    assert "课程自测" in text and "评分结果" in text


@pytest.mark.slow
def test_batch_grader_gives_a_chinese_notebook_the_same_scores_and_chinese_feedback(graded, tmp_path):
    """``python -m autograder grade``'s kernels are started before the notebook is known (warm,
    forked): the language reaches them all the same."""
    from autograder.batch import grade

    _, scores = graded
    course_dir = tmp_path / "course"
    build_course_dir(course_dir, [ASSIGNMENT])
    submit(course_dir, "zhbugs", ASSIGNMENT, make_submission(ASSIGNMENT, "bugs:0", ZH_RELEASE))
    submit(course_dir, "zhhidden", ASSIGNMENT, _wide_disc(ZH_RELEASE))
    outcomes = grade.grade(course_dir, [ASSIGNMENT], workers=1, progress=False)
    assert [o for o in outcomes if not o.ok] == []
    for student in ("zhbugs", "zhhidden"):
        assert sequential.cell_scores(course_dir)[(student, ASSIGNMENT)] == scores[(student, ASSIGNMENT)]
    failed = _failed_messages(_autograded(course_dir, "zhbugs"))
    assert failed and all(any(CJK.search(text) for text in errors) for errors in failed.values()), failed
    hidden = _failed_messages(_autograded(course_dir, "zhhidden"))["test_generate_disc_set"]
    assert any(HIDDEN_FAILURE["zh"] in text for text in hidden), hidden
