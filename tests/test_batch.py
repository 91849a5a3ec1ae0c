"""The batch grader: the same grades as plain `nbgrader autograde`, resumable after a kill,
on a local Dask cluster, and against a real PostgreSQL gradebook."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.authoring.release import build_course_dir
from autograder.batch import grade, sequential
from autograder.demo.samples import write_submissions
from autograder.demo.synthetic_class import make_class
from autograder.judging.reports import read_report
from autograder.nbgrader_cli import environment

ASSIGNMENTS = ["01_data_prep", "05_update"]
CLASS = {"ada": "complete", "grace": "partial", "linus": "buggy", "margaret": "untouched"}
EXPECTED_TOTALS = {"ada": 18, "grace": 7, "linus": 7, "margaret": 0}  # 01 has 13 points, 05 has 5

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def class_dir(tmp_path_factory):
    """A course directory with the class submitted and nothing graded yet (copy it to use it)."""
    course_dir = tmp_path_factory.mktemp("class") / "course"
    release_dir = build_course_dir(course_dir, ASSIGNMENTS)
    write_submissions(course_dir, CLASS, ASSIGNMENTS, release_dir=release_dir)
    return course_dir


def _copy(class_dir, tmp_path, name="course"):
    target = tmp_path / name
    shutil.copytree(class_dir, target)
    return target


def _totals(scores):
    totals = {}
    for (student, _), cells in scores.items():
        totals[student] = totals.get(student, 0) + sum(score for score, _ in cells.values())
    return totals


def test_batch_gives_the_same_cell_scores_as_sequential_nbgrader(class_dir, tmp_path):
    one_by_one = _copy(class_dir, tmp_path, "sequential")
    parallel = _copy(class_dir, tmp_path, "parallel")
    sequential.autograde(one_by_one)
    outcomes = grade.grade(parallel, ASSIGNMENTS, workers=2, progress=False)
    assert len(outcomes) == len(CLASS) * len(ASSIGNMENTS) and all(o.ok for o in outcomes)
    assert sequential.cell_scores(parallel) == sequential.cell_scores(one_by_one)
    assert _totals(sequential.cell_scores(parallel)) == EXPECTED_TOTALS


def test_batch_command_resumes_after_a_kill_and_counts_nothing_twice(class_dir, tmp_path):
    course_dir = _copy(class_dir, tmp_path)
    command = [sys.executable, "-m", "autograder", "grade", *ASSIGNMENTS, "--course-dir", str(course_dir),
               "--workers", "1", "--no-feedback"]
    journal = course_dir / grade.JOURNAL
    first = subprocess.Popen(command, env=environment(), start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 2):
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)  # the driver and its workers, mid-class
    first.wait()
    graded_before = len(grade.read_journal(course_dir))
    assert 2 <= graded_before < len(CLASS) * len(ASSIGNMENTS), "the kill came too late to test anything"

    second = subprocess.run(command, env=environment(), capture_output=True, text=True)
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"graded {len(CLASS) * len(ASSIGNMENTS) - graded_before} submissions" in second.stdout
    scores = sequential.cell_scores(course_dir)
    assert len(scores) == len(CLASS) * len(ASSIGNMENTS)
    assert _totals(scores) == EXPECTED_TOTALS

    third = subprocess.run(command, env=environment(), capture_output=True, text=True)
    assert "graded 0 submissions" in third.stdout, "a finished class was graded again"


def test_batch_grades_a_changed_submission_again(class_dir, tmp_path):
    course_dir = _copy(class_dir, tmp_path)
    grade.grade(course_dir, ["01_data_prep"], workers=2, progress=False)
    untouched = course_dir / "submitted" / "margaret" / "01_data_prep" / "01_data_prep.ipynb"
    shutil.copy(course_dir / "submitted" / "ada" / "01_data_prep" / "01_data_prep.ipynb", untouched)
    os.utime(untouched, (time.time() + 5, time.time() + 5))
    outcomes = grade.grade(course_dir, ["01_data_prep"], workers=2, progress=False)
    assert [(o.student, o.assignment) for o in outcomes] == [("margaret", "01_data_prep")]
    assert _totals(sequential.cell_scores(course_dir))["margaret"] == 13


def test_batch_runs_on_a_local_dask_cluster(class_dir, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    course_dir = _copy(class_dir, tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        outcomes = grade.grade(course_dir, ASSIGNMENTS, scheduler=cluster.scheduler_address, progress=False)
    assert len(outcomes) == len(CLASS) * len(ASSIGNMENTS) and all(o.ok for o in outcomes)
    assert _totals(sequential.cell_scores(course_dir)) == EXPECTED_TOTALS


def test_batch_writes_to_a_postgresql_gradebook_with_several_workers(tmp_path):
    url = os.environ.get("COURSE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("set COURSE_TEST_POSTGRES_URL to a PostgreSQL database (.ci/run starts one)")
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:  # start from an empty database
        connection.execute(sqlalchemy.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
    engine.dispose()
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, ASSIGNMENTS, db_url=url)
    write_submissions(course_dir, CLASS, ASSIGNMENTS, release_dir=release_dir)
    outcomes = grade.grade(course_dir, ASSIGNMENTS, workers=2, db_url=url, progress=False)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    assert not (course_dir / "gradebook.db").exists(), "grades went to SQLite, not PostgreSQL"
    assert _totals(sequential.cell_scores(course_dir, db_url=url)) == EXPECTED_TOTALS
    csv_path = grade.feedback_and_export(course_dir, ASSIGNMENTS, db_url=url)
    assert len(csv_path.read_text().splitlines()) == 1 + len(CLASS) * len(ASSIGNMENTS)


def test_batch_survives_hostile_submissions_with_the_same_cell_scores(tmp_path):
    """An endless loop is interrupted at the cell timeout, SystemExit and a huge print are
    graded like any output: the batch grader finishes and agrees with nbgrader."""
    roll = {"ada": "complete", "eve": "hostile"}
    base = make_class(tmp_path / "base", roll, ["05_update"], timeout=5)
    one_by_one = _copy(base, tmp_path, "sequential")
    parallel = _copy(base, tmp_path, "parallel")
    sequential.autograde(one_by_one)
    outcomes = grade.grade(parallel, ["05_update"], workers=2, progress=False)
    assert len(outcomes) == 2 and all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert sequential.cell_scores(parallel) == sequential.cell_scores(one_by_one)
    assert _totals(sequential.cell_scores(parallel)) == {"ada": 5, "eve": 5}


# --- The trusted side: one submission's worker dying costs only that submission. ---

def _parent(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def _worker_grading_marker(driver, marker):
    """The pid of the worker process (a child of the driver's fork server) whose kernel runs
    ``marker`` (a command line), or None."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "cmdline").read_bytes().split(b"\0")[:2] != marker:
                continue
        except OSError:
            continue
        pid = int(entry.name)
        while pid not in (None, 0, 1):
            parent = _parent(pid)
            if parent is not None and _parent(parent) == driver:
                return pid
            pid = parent
    return None


def test_a_worker_killed_while_grading_one_submission_costs_only_that_submission(tmp_path):
    """A worker killed (as the kernel's OOM killer would) whenever it grades eve breaks its
    pool: the rest of the class is graded by new pools, and eve, killing even a pool of her
    own, is graded 0, flagged; the command exits 0 and exports everyone."""
    from nbformat.v4 import new_code_cell

    from autograder.demo.samples import make_submission, submit

    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, ["05_update"])
    write_submissions(course_dir, {"ada": "complete", "margaret": "untouched"}, ["05_update"],
                      release_dir=release_dir)
    notebook = make_submission("05_update", "complete", release_dir=release_dir)
    notebook.cells.append(new_code_cell("import subprocess, time\nsubprocess.Popen(['sleep', '4242'])\n"
                                        "time.sleep(30)\n"))
    submit(course_dir, "eve", "05_update", notebook)
    command = [sys.executable, "-m", "autograder", "grade", "05_update", "--course-dir", str(course_dir),
               "--workers", "2"]
    driver = subprocess.Popen(command, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    kills, deadline = 0, time.time() + 600
    while driver.poll() is None and time.time() < deadline:
        worker = _worker_grading_marker(driver.pid, [b"sleep", b"4242"])
        if worker is not None:
            os.kill(worker, signal.SIGKILL)
            kills += 1
            time.sleep(1)
        time.sleep(0.1)
    stdout, stderr = driver.communicate(timeout=60)
    assert driver.returncode == 0, stdout[-3000:] + stderr[-3000:]
    assert kills >= 2, "eve's worker was killed only once: she was never graded alone"
    totals = _totals(sequential.cell_scores(course_dir))
    assert totals == {"ada": 5, "margaret": 0, "eve": 0}, (totals, stdout)
    flags = read_report(course_dir, "eve", "05_update")["flags"]
    assert any("stopped the grader's worker process" in flag for flag in flags), flags
    assert "eve/05_update" in stdout
    exported = (course_dir / "grades.csv").read_text().splitlines()
    assert len(exported) == 1 + 3


def _worker_in_a_preflight(driver):
    """The pid of a worker process (a child of the driver's fork server) that holds a
    preflight's scratch gradebook open, or None."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or _parent(_parent(int(entry.name)) or 0) != driver:
            continue
        try:
            if any("/preflight-" in os.readlink(fd) and os.readlink(fd).endswith("gradebook.db")
                   for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:
            continue
    return None


def test_a_preflight_lost_with_its_worker_runs_again_on_the_next_pool(tmp_path):
    """A worker killed while it grades a preflight breaks the pool: that assignment's
    submissions wait for its preflight on the next pool, nothing is lost or graded 0, and the
    command exits 0 with every reference passed."""
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, ["05_update", "06_loss"])
    write_submissions(course_dir, {"ada": "complete", "grace": "complete"}, ["05_update", "06_loss"],
                      release_dir=release_dir)
    command = [sys.executable, "-m", "autograder", "grade", "05_update", "06_loss", "--course-dir",
               str(course_dir), "--workers", "2", "--no-feedback"]
    driver = subprocess.Popen(command, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    killed, deadline = False, time.time() + 600
    while driver.poll() is None and not killed and time.time() < deadline:
        worker = _worker_in_a_preflight(driver.pid)
        if worker is not None:
            os.kill(worker, signal.SIGKILL)
            killed = True
        time.sleep(0.05)
    stdout, stderr = driver.communicate(timeout=900)
    assert killed, "no worker was seen grading a preflight"
    assert driver.returncode == 0, stdout[-3000:] + stderr[-3000:]
    assert "preflight: the reference solution of 05_update scored 5/5" in stdout
    assert "preflight: the reference solution of 06_loss scored 11/11" in stdout
    assert _totals(sequential.cell_scores(course_dir)) == {"ada": 16, "grace": 16}, stdout
