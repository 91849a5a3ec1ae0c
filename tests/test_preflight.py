"""Preflight (autograder/judging/preflight.py), for real: a broken grading set-up stops both graders
with one message before the gradebook is touched, `--no-preflight` shows the silent zero it
prevents, and a course directory that is not the environment's own still grades correct
work in full (finding 11 of issue 12)."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring.release import build_course_dir
from autograder.batch import sequential
from autograder.demo.samples import write_submissions
from autograder.nbgrader_cli import environment

REPOSITORY = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not all(Path(p).exists() for p in ("/usr/bin/bwrap", "/usr/bin/prlimit", "/usr/bin/setpriv")),
    reason="the grading sandbox needs bubblewrap and util-linux (apt-get install bubblewrap)")]


def _state(course_dir):
    """What grading would change: the gradebook's bytes and nbgrader's output folders."""
    gradebook = (course_dir / "gradebook.db").read_bytes()
    return (hashlib.sha256(gradebook).hexdigest(),
            sorted(str(p.relative_to(course_dir)) for p in course_dir.glob("autograded/**/*")),
            (course_dir / "batch_journal.jsonl").exists())


@pytest.fixture
def broken_course(tmp_path):
    """A course directory whose 05_update has lost its previous_steps.py: every correct
    submission would score 0."""
    course_dir = tmp_path / "course"
    release = build_course_dir(course_dir, ["05_update"])
    write_submissions(course_dir, {"ada": "complete"}, ["05_update"], release_dir=release)
    (course_dir / "source" / "05_update" / "previous_steps.py").unlink()
    return course_dir


def _grade(course_dir, *options, cwd=None):
    return subprocess.run([sys.executable, "-m", "autograder", "grade", "05_update", "--course-dir",
                           str(course_dir), "--workers", "1", "--no-feedback", *options],
                          env=environment(), capture_output=True, text=True, timeout=900, cwd=cwd)


def test_a_broken_set_up_stops_the_batch_grader_before_the_gradebook(broken_course):
    before = _state(broken_course)
    result = _grade(broken_course)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "preflight: the reference solution of 05_update scored 0/" in message[0]
    assert "previous_steps.py" in message[0] and "--no-preflight" in message[0]
    assert _state(broken_course) == before


def test_plain_nbgrader_autograde_stops_too(broken_course):
    before = _state(broken_course)
    result = sequential.nbgrader("autograde", "05_update", "--force", course_dir=broken_course, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "preflight: the reference solution of 05_update scored 0/" in output
    assert "previous_steps.py" in output
    assert "Traceback" not in output
    assert _state(broken_course) == before


def test_without_preflight_the_same_set_up_gives_a_silent_zero(broken_course):
    result = _grade(broken_course, "--no-preflight")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "preflight" not in result.stdout + result.stderr
    totals = {s: sum(score for score, _ in cells.values()) for (s, _), cells in
              sequential.cell_scores(broken_course).items()}
    assert totals == {"ada": 0}  # a correct submission, graded 0: what the preflight stops


def test_a_new_terms_copy_of_the_course_grades_correct_work_in_full(tmp_path):
    """A copy of the repository graded with the environment of the original (whose editable
    install points elsewhere): the kernel runs the course package the grader imports."""
    course_dir = tmp_path / "new-term"
    release = build_course_dir(course_dir, ["05_update"])
    for package in ("course", "autograder"):
        shutil.copytree(REPOSITORY / package, course_dir / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    write_submissions(course_dir, {"ada": "complete"}, ["05_update"], release_dir=release)
    result = _grade(".", cwd=course_dir)  # `python -m autograder` there imports its own copies
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "preflight: the reference solution of 05_update scored 5/5" in result.stdout
    totals = {s: sum(score for score, _ in cells.values()) for (s, _), cells in
              sequential.cell_scores(course_dir).items()}
    assert totals == {"ada": 5}


def test_a_failing_preflight_holds_back_its_own_assignment_only(tmp_path):
    """Each assignment's submissions are handed out once its own reference passed: 05_update's
    preflight fails, so nothing of 05_update is graded; 06_loss, whose reference passed, is
    graded in full or not at all; the command ends with 05_update's cause."""
    course_dir = tmp_path / "course"
    release = build_course_dir(course_dir, ["05_update", "06_loss"])
    write_submissions(course_dir, {"ada": "complete"}, ["05_update", "06_loss"], release_dir=release)
    (course_dir / "source" / "05_update" / "previous_steps.py").unlink()
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", "05_update", "06_loss",
                             "--course-dir", str(course_dir), "--workers", "2", "--no-feedback"],
                            env=environment(), capture_output=True, text=True, timeout=900)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "preflight: the reference solution of 05_update scored 0/" in message[0]
    assert "previous_steps.py" in message[0]
    assert not (course_dir / "autograded" / "ada" / "05_update").exists()
    scores = sequential.cell_scores(course_dir)
    assert ("ada", "05_update") not in scores
    journal = course_dir / "batch_journal.jsonl"
    journaled = journal.read_text() if journal.exists() else ""
    assert "05_update" not in journaled
    if ("ada", "06_loss") in scores:  # graded before the failure was known: in full, and journaled
        assert sum(score for score, _ in scores[("ada", "06_loss")].values()) == 11
        assert '"06_loss"' in journaled


def test_the_batch_preflight_grades_with_the_courses_own_warm_kernels(tmp_path):
    """``check(..., warm=True)``, as the grade command's workers run it: the scratch course takes
    its kernels from the pool of the course directory itself, the pool that then grades the
    submissions, and makes no pool of its own."""
    course_dir = tmp_path / "course"
    build_course_dir(course_dir, ["06_loss"])
    probe = ("import json, sys\n"
             "from autograder.judging import preflight\n"
             "from autograder.kernels import warm_pool\n"
             "result = preflight.check(sys.argv[1], '06_loss', warm=True)\n"
             "print(json.dumps({'score': [result.score, result.max_score], 'cause': result.cause,\n"
             "                  'pools': sorted(key[0] for key in warm_pool._POOLS)}))\n")
    result = subprocess.run([sys.executable, "-c", probe, str(course_dir)], env=environment(),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["score"] == [11, 11], seen["cause"]
    assert seen["pools"] == [str(course_dir.resolve())]
