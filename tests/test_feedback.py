"""Feedback students read, from real nbgrader runs on a graded class: nbgrader's feedback pages
show each failed test's message but no line of a hidden test (`nbgrader generate_feedback` with
the course's nbgrader_config.py, and the batch grader's feedback_and_export), and the batch
grader writes one summary page per student with scores, pass/fail, messages and links; graded
without figures (``c.SandboxedExecute.figures = False``), the class scores the same."""

import re
import shutil

import nbformat
import pytest
from bs4 import BeautifulSoup

from autograder.authoring.release import build_course_dir
from autograder.authoring.sync import SOURCE
from autograder.batch import grade, sequential
from autograder.demo.samples import make_submission

pytestmark = pytest.mark.slow

ASSIGNMENTS = ["01_data_prep", "05_update"]
REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(?P<body>.*?)### END \1", re.S)
NARROW_ONE_HOT = "def one_hot(y, num_classes):\n    return np.eye(y.max() + 1)[y]\n"  # ignores num_classes
HOSTILE = "<script>alert('graded')</script>"
HOSTILE_ONE_HOT = f"def one_hot(y, num_classes):\n    raise ValueError({HOSTILE!r})\n"
# only a hidden test asks for a class absent from the labels
HIDDEN_FAILURE = "one_hot([0, 0], 4) has shape (2, 1), expected (2, 4)"
CLASS = {"ada": "complete", "hedy": "complete", "linus": "buggy", "mallory": "complete"}
ONE_HOT = {"hedy": NARROW_ONE_HOT, "mallory": HOSTILE_ONE_HOT}


def _submit(course_dir, release_dir):
    for student, kind in CLASS.items():
        for assignment in ASSIGNMENTS:
            notebook = make_submission(assignment, kind, release_dir)
            for cell in notebook.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == "one_hot" and student in ONE_HOT:
                    cell.source = ONE_HOT[student]
            folder = course_dir / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(notebook, folder / f"{assignment}.ipynb")
            (folder / "timestamp.txt").write_text("2026-01-15 12:00:00.000000 UTC")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course directory whose class is graded (by the batch grader), no feedback yet."""
    course_dir = tmp_path_factory.mktemp("feedback") / "course"
    _submit(course_dir, build_course_dir(course_dir, ASSIGNMENTS))
    outcomes = grade.grade(course_dir, ASSIGNMENTS, workers=2, progress=False)
    assert len(outcomes) == len(CLASS) * len(ASSIGNMENTS) and all(o.ok for o in outcomes)
    return course_dir


def _copy(graded, tmp_path):
    return shutil.copytree(graded, tmp_path / "course")


def _hidden_lines(assignment):
    """Lines (over 20 characters) of the hidden tests of ``assignment`` that appear nowhere else
    in its source notebook or in the earlier steps' code shipped beside it."""
    notebook = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    given = "\n".join(REGION.sub("", cell.source + "\n") for cell in notebook.cells)
    previous = SOURCE / assignment / "previous_steps.py"
    given += previous.read_text() if previous.exists() else ""
    hidden = set()
    for cell in notebook.cells:
        for region in REGION.finditer(cell.source + "\n"):
            if region[1] == "HIDDEN TESTS":
                hidden |= {line.strip() for line in region["body"].splitlines() if len(line.strip()) > 20}
    return {line for line in hidden if line not in given}


def _text(path):
    return BeautifulSoup(path.read_text(), "html.parser").get_text()


def _leaks(course_dir):
    """{page: [hidden test lines it shows]} over every feedback page of the class."""
    leaks = {}
    for assignment in ASSIGNMENTS:
        hidden = _hidden_lines(assignment)
        assert len(hidden) > 10, f"{assignment}: too few hidden test lines to prove anything"
        pages = sorted(course_dir.glob(f"feedback/*/{assignment}/*.html"))
        assert len(pages) == len(CLASS), pages
        for page in pages:
            text = _text(page)
            shown = sorted(line for line in hidden if line in text)
            if shown:
                leaks[str(page.relative_to(course_dir))] = shown
    return leaks


def test_generate_feedback_shows_the_message_but_no_hidden_test(graded, tmp_path):
    course_dir = _copy(graded, tmp_path)
    sequential.generate_feedback(course_dir)  # `nbgrader generate_feedback "*" --force`
    text = _text(course_dir / "feedback" / "hedy" / "01_data_prep" / "01_data_prep.html")
    assert HIDDEN_FAILURE in text
    assert "one_hot: visible checks passed" in text  # the visible part is still shown
    assert not _leaks(course_dir)


def test_nbgraders_default_feedback_would_show_the_hidden_tests(graded, tmp_path):
    """The control: without the course's feedback block, the same command shows them."""
    course_dir = _copy(graded, tmp_path)
    config = course_dir / "nbgrader_config.py"
    text = config.read_text()
    start, end = text.index("# --- Feedback students read"), text.index("# --- end of the feedback block ---")
    config.write_text(text[:start] + text[end:])
    sequential.generate_feedback(course_dir)
    assert _leaks(course_dir)


def test_batch_feedback_writes_summary_pages_and_hides_hidden_tests(graded, tmp_path):
    course_dir = _copy(graded, tmp_path)
    grade.feedback_and_export(course_dir, ASSIGNMENTS)
    assert not _leaks(course_dir)
    assert (course_dir / "grades.csv").exists()
    pages = {p.parent.name: p for p in course_dir.glob("feedback/*/index.html")}
    assert sorted(pages) == sorted(CLASS)

    ada = BeautifulSoup(pages["ada"].read_text(), "html.parser")
    assert ada.find(id="total").get_text() == "Total: 18 / 18 points over 2 assignment(s)."
    assert not ada.select("tr.failed") and len(ada.select("tr.passed")) == 7  # 5 + 2 test cells
    for link in ada.select("#assignments a[href$='.html']"):
        assert (pages["ada"].parent / link["href"]).is_file(), link["href"]
    assert len(ada.select("#assignments a[href$='.html']")) == 2

    hedy = BeautifulSoup(pages["hedy"].read_text(), "html.parser")
    failed = {row.td.get_text(): row.select_one("td.message").get_text() for row in hedy.select("tr.failed")}
    assert failed == {"test_one_hot": f"AssertionError: {HIDDEN_FAILURE}"}
    assert "16 / 18" in hedy.find(id="total").get_text()

    linus = BeautifulSoup(pages["linus"].read_text(), "html.parser")
    assert {row.td.get_text() for row in linus.select("tr.failed")} == {
        "test_standardize", "test_iterate_minibatches", "test_linear_parameters", "test_linear_update"}
    assert all(row.select_one("td.message").get_text().startswith("AssertionError: ")
               for row in linus.select("tr.failed"))

    mallory = pages["mallory"].read_text()
    assert HOSTILE not in mallory and "&lt;script&gt;" in mallory
    assert BeautifulSoup(mallory, "html.parser").find("script") is None
    assert f"ValueError: {HOSTILE}" in _text(pages["mallory"])

    for page in pages.values():
        assert not [line for a in ASSIGNMENTS for line in _hidden_lines(a) if line in _text(page)]


def _outputs(course_dir):
    """{(student, assignment): (mime types of its outputs, their text/plain texts, how many
    outputs went to stderr)} over the autograded notebooks of ``course_dir``."""
    found = {}
    for path in sorted(course_dir.glob("autograded/*/*/*.ipynb")):
        kinds, texts, stderr = set(), [], 0
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                kinds |= set(output.get("data", {}))
                texts.append(output.get("data", {}).get("text/plain", ""))
                stderr += output.get("name") == "stderr"
        found[(path.parent.parent.name, path.parent.name)] = kinds, texts, stderr
    return found


def test_grading_without_figures_gives_the_same_scores_and_draws_none(graded, tmp_path):
    """``c.SandboxedExecute.figures = False`` (instructors' guide), in the batch grader and in
    plain ``nbgrader autograde``: every cell scores as with figures, no PNG is drawn (each figure
    is its text), and no more reaches stderr than with figures (plt.show() stays silent)."""
    with_figures = _outputs(graded)
    assert all("image/png" in kinds for kinds, _, _ in with_figures.values())  # the control
    batch, plain = _copy(graded, tmp_path / "batch"), _copy(graded, tmp_path / "plain")
    for course_dir in (batch, plain):
        with open(course_dir / "nbgrader_config.py", "a") as config:
            config.write("c.SandboxedExecute.figures = False\n")
    outcomes = grade.grade(batch, ASSIGNMENTS, workers=2, progress=False, resume=False)
    assert len(outcomes) == len(CLASS) * len(ASSIGNMENTS) and all(o.ok for o in outcomes)
    sequential.autograde(plain, "01_data_prep")  # plain nbgrader, its cold kernels
    scores = sequential.cell_scores(graded)
    assert sequential.cell_scores(batch) == scores and sequential.cell_scores(plain) == scores
    regraded = [(("batch", *key), found) for key, found in _outputs(batch).items()]
    regraded += [(("plain", *key), found) for key, found in _outputs(plain).items()
                 if key[1] == "01_data_prep"]
    assert len(regraded) == len(with_figures) + len(CLASS)
    for (grader, *key), (kinds, texts, stderr) in regraded:
        assert "image/png" not in kinds, (grader, key)
        assert any(text.startswith("<Figure size") for text in texts), (grader, key)
        assert stderr == with_figures[tuple(key)][2], (grader, key)
