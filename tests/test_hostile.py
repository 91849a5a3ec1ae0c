"""The hostile catalogue (tests/hostile_catalogue.py), graded for real: `python -m autograder
grade` in the bubblewrap sandbox, beside correct submissions; and plain `nbgrader autograde`
on a few of them, to show nbgrader's own command is protected too."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_catalogue import ASSIGNMENT, CATALOGUE, FULL

from autograder import grading, sandbox
from autograder.nbgrader_cli import environment
from autograder.release import build_course_dir
from autograder.samples import write_submissions
from autograder.verdict import read_report

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not all(Path(p).exists() for p in ("/usr/bin/bwrap", "/usr/bin/prlimit", "/usr/bin/setpriv")),
    reason="the grading sandbox needs bubblewrap and util-linux (apt-get install bubblewrap)")]

CONTROLS = {"ada": "complete", "alan": "alternative", "margaret": "untouched"}
# Short limits keep the catalogue quick: the same settings an instructor would write.
LIMITS = "\nc.SandboxedExecute.timeout = 15\nc.SandboxedExecute.notebook_timeout = 120\n"
TIMESTAMP = "2026-01-15 12:00:00.000000 UTC"


def _class(course_dir, entries):
    # 05's and 08's course files hold the 04 solutions: the course has them, its kernels must not
    release_dir = build_course_dir(course_dir, [ASSIGNMENT, "05_update", "08_prediction"])
    with open(course_dir / "nbgrader_config.py", "a") as config:
        config.write(LIMITS)
    write_submissions(course_dir, CONTROLS, [ASSIGNMENT], release_dir=release_dir)
    for entry in entries:
        folder = course_dir / "submitted" / entry.name / ASSIGNMENT
        folder.mkdir(parents=True)
        entry.build(folder)
        (folder / "timestamp.txt").write_text(TIMESTAMP)


def _fingerprints(course_dir):
    """{path: sha256} of the instructor's files (not what grading writes)."""
    watched = [course_dir / "nbgrader_config.py", *sorted((course_dir / "source").rglob("*")),
               *sorted((course_dir / "release").rglob("*")),
               *sorted((course_dir / "submitted" / "ada").rglob("*"))]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in watched if p.is_file()}


def _totals(course_dir):
    return {student: sum(score for score, _ in cells.values())
            for (student, _), cells in grading.cell_scores(course_dir).items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course_dir = tmp_path_factory.mktemp("hostile") / "course"
    _class(course_dir, CATALOGUE)
    before = _fingerprints(course_dir)
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--course-dir",
                             str(course_dir), "--workers", "2"], env=environment(), capture_output=True,
                            text=True, timeout=1500)
    return course_dir, result, before


def test_the_catalogue_has_at_least_25_submissions():
    assert len(CATALOGUE) >= 25 and len({e.name for e in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("entry", CATALOGUE, ids=[e.name for e in CATALOGUE])
def test_hostile_submission_gets_its_expected_score_and_flags(graded, entry):
    course_dir, result, _ = graded
    totals = _totals(course_dir)
    report = read_report(course_dir, entry.name, ASSIGNMENT)
    assert totals.get(entry.name) == entry.score, (entry.what, report["flags"])
    for phrase in entry.flags:
        assert any(phrase in flag for flag in report["flags"]), (phrase, report["flags"])
    assert entry.name in result.stdout or not report["flags"]  # flagged in the command's report


def test_correct_submissions_keep_full_marks_beside_hostile_ones(graded):
    course_dir, result, _ = graded
    totals = _totals(course_dir)
    assert totals["ada"] == FULL and totals["alan"] == FULL and totals["margaret"] == 0, result.stdout
    assert read_report(course_dir, "ada", ASSIGNMENT)["flags"] == []
    assert read_report(course_dir, "alan", ASSIGNMENT)["flags"] == []


def test_every_submission_is_graded_and_none_stops_the_run(graded):
    course_dir, result, _ = graded
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert set(_totals(course_dir)) == set(CONTROLS) | {e.name for e in CATALOGUE}
    assert "flagged" in result.stdout and (course_dir / "flags.csv").exists()


def test_no_instructor_file_changed_and_nothing_written_outside(graded):
    course_dir, _, before = graded
    assert _fingerprints(course_dir) == before
    assert not Path("/evil-outside.txt").exists()
    assert not Path("/usr/lib/python3/dist-packages/evil.py").exists()


def test_no_kernel_learned_the_course_directory_or_the_source_notebooks(graded):
    course_dir, result, _ = graded
    assert "preflight: the reference solution of 04_backward scored 12/12" in result.stdout
    graded_notebook = course_dir / "autograded" / "mount_leak" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = json.loads(graded_notebook.read_text())
    seen = json.dumps([cell.get("outputs", []) for cell in notebook["cells"]])
    assert "/proc/self/mountinfo" in seen  # what it read is in its outputs
    assert str(course_dir) not in seen and "/source/" not in seen


def test_sandbox_hides_course_files_and_network(tmp_path):
    """The kernel's own view, run through the same command line the grader uses."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    hidden = str(Path(__file__).resolve().parents[1] / "autograder")
    code = ("import os, socket\n"
            f"print(sorted(os.listdir('/')), os.path.exists({hidden!r}), os.path.exists('/etc/passwd'))\n"
            "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n    print('online')\n"
            "except OSError:\n    print('offline')\n")
    argv = sandbox.command([sys.executable, "-c", code], runtime, 1_234_567)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "False False" in out.stdout and "offline" in out.stdout


def test_plain_nbgrader_autograde_grades_in_the_sandbox_too(tmp_path):
    names = ("patch_numpy", "read_reference", "tamper_files", "hide_reply")
    entries = [e for e in CATALOGUE if e.name in names]
    course_dir = tmp_path / "course"
    _class(course_dir, entries)
    before = _fingerprints(course_dir)
    grading.autograde(course_dir, ASSIGNMENT)
    totals = _totals(course_dir)
    assert totals["ada"] == FULL and totals["alan"] == FULL
    for entry in entries:
        assert totals[entry.name] == entry.score, entry.name
    assert _fingerprints(course_dir) == before
