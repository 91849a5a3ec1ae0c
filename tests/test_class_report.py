"""The class report (`python -m autograder report`) of a sample class graded for real: scores,
pass rates per exercise, named mistakes counted, flagged, late and missing submissions, and the
similarity report (copydetect), which must rank copies first and leave independent work alone."""

import base64
import copy
import csv
import io
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbgrader.api import Gradebook

from autograder.authoring.release import RELEASE, build_course_dir
from autograder.batch import grade, sequential, similarity
from autograder.demo.samples import make_submission, submit

ASSIGNMENT = "01_data_prep"
HOSTILE = "<script>alert('graded')</script>"

#: Correct solutions written independently of both the reference and the "alternative" kind.
INDEPENDENT = {
    "one_hot": '''def one_hot(y, num_classes):
    labels = np.asarray(y).astype(int)
    out = np.zeros((labels.size, num_classes), dtype=np.float64)
    out[np.arange(labels.size), labels] = 1.0
    return out
''',
    "standardize": '''def standardize(X_train, X_test):
    centre = X_train.sum(axis=0) / X_train.shape[0]
    spread = np.sqrt(((X_train - centre) ** 2).mean(axis=0))
    spread = np.where(spread == 0, 1.0, spread)
    scale = lambda data: (data - centre) / spread
    return scale(X_train), scale(X_test)
''',
    "train_test_split": '''def train_test_split(X, y, test_fraction=0.2, seed=0):
    shuffled = np.random.default_rng(seed).permutation(X.shape[0])
    cut = int(round(X.shape[0] * test_fraction))
    X_test, y_test = X[shuffled[:cut]], y[shuffled[:cut]]
    X_train, y_train = X[shuffled[cut:]], y[shuffled[cut:]]
    return X_train, X_test, y_train, y_test
''',
    "iterate_minibatches": '''def iterate_minibatches(X, Y, batch_size, shuffle=True, rng=None):
    N = len(X)
    if not shuffle:
        order = np.arange(N)
    else:
        generator = rng if rng is not None else np.random.default_rng()
        order = generator.permutation(N)
    stops = list(range(batch_size, N, batch_size)) + [N]
    start = 0
    for stop in stops:
        yield X[order[start:stop]], Y[order[start:stop]]
        start = stop
''',
    "generate_disc_set": '''def generate_disc_set(n, seed=0):
    points = np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, 2))
    dx, dy = points[:, 0] - 0.5, points[:, 1] - 0.5
    labels = (dx * dx + dy * dy < 1.0 / (2.0 * np.pi)).astype(int)
    return points, labels
''',
}
#: The "alternative" solutions with their variables renamed (parameters kept).
RENAMES = {"label": "cls", "mu": "centre", "sd": "scale", "rng": "gen", "idx": "perm", "n_test": "cut",
           "Xs": "X_mixed", "Ys": "Y_mixed", "i": "pos", "d": "dist"}


def _answered(kind, release_dir, replacements=None, rename=None):
    notebook = make_submission(ASSIGNMENT, kind, release_dir)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        if replacements and grade_id in replacements:
            cell.source = replacements[grade_id]
        for old, new in (rename or {}).items():
            cell.source = re.sub(rf"\b{old}\b", new, cell.source)
    return notebook


def sample_class(release_dir):
    """{student: notebook}: copies (identical, renamed), independent correct work, the reference,
    two students with the same planted bugs, half done, untouched, and a hostile one."""
    alternative = _answered("alternative", release_dir)
    return {
        "ada": _answered("complete", release_dir),
        "alan": alternative,
        "bea": copy.deepcopy(alternative),
        "carl": _answered("alternative", release_dir, rename=RENAMES),
        "dora": _answered("complete", release_dir, INDEPENDENT),
        "linus": _answered("buggy", release_dir),
        "lina": _answered("buggy", release_dir),
        "grace": _answered("partial", release_dir),
        "margaret": _answered("untouched", release_dir),
        "mallory": _answered("complete", release_dir, {
            "one_hot": f"def one_hot(y, num_classes):\n    raise PermissionError({HOSTILE!r})\n"}),
    }


COPIES = {("alan", "bea"), ("alan", "carl"), ("bea", "carl")}


def test_similarity_ranks_identical_and_renamed_copies_first_and_leaves_independent_work(tmp_path):
    shutil.copytree(RELEASE / ASSIGNMENT, tmp_path / "release" / ASSIGNMENT)
    for student, notebook in sample_class(RELEASE).items():
        submit(tmp_path, student, ASSIGNMENT, notebook)
    pairs = similarity.similar_pairs(tmp_path, ASSIGNMENT)
    look = {(p.first, p.second) for p in pairs if p.look_here}
    assert look == COPIES
    assert {(p.first, p.second) for p in pairs[:3]} == COPIES
    share = {(p.first, p.second): p.similarity for p in pairs}
    assert share[("alan", "bea")] == (1.0, 1.0)
    assert min(share[("alan", "carl")]) > 0.9 and min(share[("bea", "carl")]) > 0.9
    # the reference is boilerplate: a submission of it shares nothing with anyone
    assert not [p for p in pairs if "ada" in (p.first, p.second)]
    others = [p for p in pairs if (p.first, p.second) not in COPIES]
    assert all(min(p.similarity) < similarity.THRESHOLD or p.shared_tokens < similarity.MIN_TOKENS
               for p in others)
    independent = [p for p in pairs if "dora" in (p.first, p.second)]
    assert all(max(p.similarity) < 0.3 for p in independent), [(p.first, p.second, p.similarity)
                                                               for p in independent]


def test_report_help_only_prints(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograder", "report", "--help"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("usage: python -m autograder report")
    assert list(tmp_path.iterdir()) == []


def test_report_without_a_gradebook_says_so_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograder", "report", "--course-dir", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "no gradebook" in result.stderr


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The sample class graded by the batch grader, with a due date, a late submission and a
    student of the gradebook who submitted nothing; then the report written by its command."""
    from datetime import datetime

    course_dir = tmp_path_factory.mktemp("report") / "course"
    release_dir = build_course_dir(course_dir, [ASSIGNMENT])
    for student, notebook in sample_class(release_dir).items():
        submit(course_dir, student, ASSIGNMENT, notebook)
    (course_dir / "submitted" / "grace" / ASSIGNMENT / "timestamp.txt").write_text(
        "2026-01-17 09:00:00.000000 UTC")
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=datetime(2026, 1, 16, 12, 0, 0))
        gradebook.update_or_create_student("hedy", first_name="Hedy", last_name="Lamarr")
    outcomes = grade.grade(course_dir, [ASSIGNMENT], workers=2, progress=False)
    assert len(outcomes) == 10 and all(o.ok for o in outcomes)
    out = course_dir / "report"
    result = subprocess.run([sys.executable, "-m", "autograder", "report", "--course-dir", str(course_dir),
                             "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return course_dir, out


def _page(out):
    return BeautifulSoup((out / "class_report.html").read_text(), "html.parser")


@pytest.mark.slow
def test_report_pass_rates_match_the_gradebook(graded):
    course_dir, out = graded
    scores = sequential.cell_scores(course_dir)
    rows = list(csv.DictReader((out / "class_report.csv").read_text().splitlines()))
    assert {r["exercise"] for r in rows} == {g for cells in scores.values() for g in cells}
    for row in rows:
        cells = [cells[row["exercise"]] for cells in scores.values()]
        assert int(row["submissions"]) == len(cells) == 10
        assert int(row["full_points"]) == sum(s >= m for s, m in cells)
    by_id = {r["exercise"]: r for r in rows}
    assert int(by_id["test_one_hot"]["full_points"]) == 8  # all but margaret (untouched) and mallory
    # the planted bugs of linus and lina are named mistakes, counted once per submission
    assert by_id["test_standardize"]["named_mistakes"] == "test_statistics (2)"
    assert by_id["test_iterate_minibatches"]["named_mistakes"].startswith("partial_batch_dropped (2)")


@pytest.mark.slow
def test_report_page_shows_figures_attention_lists_and_look_here_pairs(graded):
    import matplotlib.image

    _, out = graded
    page = _page(out)
    images = page.select("img[src^='data:image/png;base64,']")
    assert {img["id"] for img in images} == {"figure-scores", "figure-pass-rates", "figure-mistakes"}
    for img in images:
        picture = matplotlib.image.imread(io.BytesIO(base64.b64decode(img["src"].split(",", 1)[1])))
        assert picture.shape[0] > 200 and picture.shape[1] > 300 and img["alt"]
    assert "mallory" in page.select_one("#flagged").get_text()
    assert [td.get_text() for td in page.select("#late td")][:2] == ["grace", ASSIGNMENT]
    assert [td.get_text() for td in page.select("#missing td")] == ["hedy", ASSIGNMENT]
    pairs = [tr.select("td")[1].get_text() for tr in page.select("#look-here tr")[1:]]
    assert sorted(pairs) == ["alan and bea", "alan and carl", "bea and carl"]
    text = page.get_text().lower()
    assert "look here" in text and "cheat" not in text and "plagiar" not in text
    rows = list(csv.DictReader((out / "similarity.csv").read_text().splitlines()))
    assert {(r["student_a"], r["student_b"]) for r in rows[:3]} == COPIES
    assert all(r["look_here"] == "no" for r in rows[3:])


@pytest.mark.slow
def test_batch_grader_keeps_the_students_figures(graded):
    """The zygote's kernels render PNG figures too (the feedback shows them)."""
    course_dir, _ = graded
    notebook = nbformat.read(course_dir / "autograded" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    assert not [o for o in outputs if "<Figure size" in str(o.get("data", {}).get("text/plain", ""))
                and "image/png" not in o.get("data", {})]


@pytest.mark.slow
def test_report_escapes_what_came_from_submissions(graded):
    _, out = graded
    html = (out / "class_report.html").read_text()
    assert HOSTILE not in html and "<script" not in html
    assert "&lt;script&gt;alert(" in html  # the flag is shown, as text
