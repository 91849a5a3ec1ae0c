"""The hostile catalogue (tests/hostile_catalogue.py), graded for real: `python -m autograder
grade` in the bubblewrap sandbox, beside correct submissions; and plain `nbgrader autograde`
on a few of them, to show nbgrader's own command is protected too."""

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from hostile_catalogue import ASSIGNMENT, CATALOGUE, FULL

from autograder.authoring.release import build_course_dir
from autograder.batch import grade, sequential
from autograder.demo.samples import write_submissions
from autograder.judging.reports import read_report
from autograder.kernels import sandbox
from autograder.nbgrader_cli import environment

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
            for (student, _), cells in sequential.cell_scores(course_dir).items()}


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


STOPPED = [e for e in CATALOGUE if any("kernel stopped" in phrase for phrase in e.flags)]


@pytest.mark.parametrize("entry", STOPPED, ids=[e.name for e in STOPPED])
def test_a_stopped_kernel_is_not_reported_as_oversized_messages(graded, entry):
    """A kernel that stops closes its connections, as ZeroMQ does for a message over the
    limit: the report says it stopped, and claims no large message it never sent."""
    course_dir, _, _ = graded
    flags = read_report(course_dir, entry.name, ASSIGNMENT)["flags"]
    assert any("kernel stopped" in flag for flag in flags), flags
    assert not any("sent messages over" in flag for flag in flags), flags


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
    sequential.autograde(course_dir, ASSIGNMENT)
    totals = _totals(course_dir)
    assert totals["ada"] == FULL and totals["alan"] == FULL
    for entry in entries:
        assert totals[entry.name] == entry.score, entry.name
    assert _fingerprints(course_dir) == before


# --- The trusted side: the class is graded whatever one submission holds, within a memory
# limit, and nothing from a submission reaches the terminal or a spreadsheet as code. ---

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _csv_rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def test_no_control_character_or_formula_reaches_the_terminal_or_a_csv_file(graded):
    course_dir, result, _ = graded
    assert "\\x1b[2J" in result.stdout  # the escape_error and escape_file_name flags, escaped
    assert not CONTROL_CHARACTERS.search(result.stdout)
    for name in ("flags.csv", "grades.csv"):
        rows = _csv_rows(course_dir / name)
        cells = [cell for row in rows for cell in row]
        assert not any(CONTROL_CHARACTERS.search(cell) for cell in cells), name
        assert not any(cell.startswith(("=", "+", "@")) or cell.startswith("-") and not _number(cell)
                       for cell in cells), name
    students = [row[3] for row in _csv_rows(course_dir / "grades.csv")[1:]]
    assert "'=1+2" in students and "=1+2" not in students


def _number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_plain_nbgrader_export_neutralises_formulas(graded, tmp_path):
    course_dir, _, _ = graded
    path = sequential.export_grades(course_dir, "plain-export.csv")
    rows = _csv_rows(path)
    assert rows[0][:4] == ["assignment", "duedate", "timestamp", "student_id"]
    # the class's other assignments have a release and no submission
    graded_rows = [row for row in rows[1:] if row[0] == ASSIGNMENT]
    students = [row[3] for row in graded_rows]
    assert "'=1+2" in students and "ada" in students
    assert len(graded_rows) == len(CONTROLS) + len(CATALOGUE)


def test_plain_nbgrader_refuses_links_and_source_copies_and_survives_broken_metadata(tmp_path):
    """Plain `nbgrader autograde` has no intake: RecordTampering refuses what intake refuses,
    and the feedback of a refused submission shows the release, not the solutions."""
    names = ("symlinked_folder", "hard_link", "source_copy", "hidden_marker", "nbgrader_null",
             "grade_id_list")
    entries = [e for e in CATALOGUE if e.name in names]
    course_dir = tmp_path / "course"
    _class(course_dir, entries)
    result = sequential.autograde(course_dir, ASSIGNMENT)
    totals = _totals(course_dir)
    assert totals["ada"] == FULL and totals["alan"] == FULL, result.stdout[-2000:]
    for entry in entries:
        report = read_report(course_dir, entry.name, ASSIGNMENT)
        assert totals[entry.name] == entry.score, (entry.name, report["flags"])
        for phrase in entry.flags:
            assert any(phrase in flag for flag in report["flags"]), (entry.name, phrase, report["flags"])
    graded_copy = (course_dir / "autograded" / "source_copy" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "END SOLUTION" not in graded_copy  # the release ran (nbgrader puts hidden tests back itself)


def _memory_cgroup(name, limit):
    """A memory cgroup under this process's own, limited to ``limit`` bytes (cgroup v1 or v2).
    Returns (folder, peak file) or None when this machine does not let us make one."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            base, limit_file, peak_file = Path("/sys/fs/cgroup/memory"), "memory.limit_in_bytes", \
                "memory.max_usage_in_bytes"
        elif number == "0" and Path("/sys/fs/cgroup/cgroup.controllers").exists():
            base, limit_file, peak_file = Path("/sys/fs/cgroup"), "memory.max", "memory.peak"
        else:
            continue
        folder = base / path.lstrip("/") / name
        try:
            folder.mkdir()
            (folder / limit_file).write_text(str(limit))
            if (folder / "memory.swappiness").exists():
                (folder / "memory.swappiness").write_text("0")
        except OSError:
            if folder.exists():
                folder.rmdir()
            continue
        if (folder / peak_file).exists():
            return folder, folder / peak_file
        folder.rmdir()
    return None


def _run_in_cgroup(folder, command, cwd=None):
    procs = str(folder / "cgroup.procs")

    def join():
        with open(procs, "w") as handle:
            handle.write(str(os.getpid()))

    return subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=1500,
                          preexec_fn=join)


def _remove_cgroup(folder):
    for _ in range(50):
        try:
            folder.rmdir()
            return
        except OSError:
            time.sleep(0.2)


MEMORY_LIMIT = 3 * 1024**3
MEMORY_ATTACKS = ("forged_bzip2", "forged_deflate", "forged_header", "iopub_flood")


@pytest.mark.parametrize("grader", ["grade", "nbgrader autograde"])
def test_the_grader_stays_within_a_memory_limit_whatever_the_submissions_send(tmp_path, grader):
    """Finding 4: a forged probe line declaring 4 GB (bzip2, DEFLATE, an .npy header) and 100
    signed IOPub messages of 100 MiB, graded with correct submissions beside them, by the
    whole grading process tree inside a memory cgroup of 3 GiB: every submission graded,
    nobody killed, and the tree's peak memory printed."""
    entries = [e for e in CATALOGUE if e.name in MEMORY_ATTACKS]
    course_dir = tmp_path / "course"
    _class(course_dir, entries)
    made = _memory_cgroup(f"grading-test-{os.getpid()}-{grader.split()[0]}", MEMORY_LIMIT)
    if made is None:
        pytest.skip("no memory cgroup can be made here (needs root and a memory controller)")
    folder, peak_file = made
    command = [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--course-dir", str(course_dir),
               "--workers", "2"] if grader == "grade" else \
        [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"]
    start = time.perf_counter()
    try:
        result = _run_in_cgroup(folder, command, cwd=course_dir)
        peak = int(peak_file.read_text())
        oom_kills = (folder / "memory.oom_control").read_text() if (folder / "memory.oom_control").exists() \
            else (folder / "memory.events").read_text()
    finally:
        _remove_cgroup(folder)
    seconds = time.perf_counter() - start
    print(f"\n{grader}: {len(entries) + len(CONTROLS)} submissions in {seconds:.1f} s, peak memory of the "
          f"grading process tree {peak / 2**20:.0f} MiB (limit {MEMORY_LIMIT / 2**20:.0f} MiB)")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "oom_kill 0" in oom_kills or "oom_kill" not in oom_kills, oom_kills
    assert peak < MEMORY_LIMIT
    totals = _totals(course_dir)
    assert totals["ada"] == FULL and totals["alan"] == FULL and totals["margaret"] == 0
    for entry in entries:
        report = read_report(course_dir, entry.name, ASSIGNMENT)
        assert totals[entry.name] == entry.score, (entry.name, report["flags"])
        for phrase in entry.flags:
            assert any(phrase in flag for flag in report["flags"]), (entry.name, phrase, report["flags"])


REPLAY_AMPLIFIER = '''def fixed_experiment(X_train, X_test, y_train, y_test):
    Y_train = one_hot(y_train, 2)
    model = build_model(EXPERIMENTS["disc"]["architecture"], seed=0)
    calls = 500 if getattr(train, "__name__", "") == "recording_train" else 1  # only the grader's probe
    for _ in range(calls):
        history = train(model, MeanSquareError(), X_train, Y_train, epochs=100, batch_size=32, lr=0.05,
                        seed=0)
    return model, history, accuracy(predict(model, X_test), y_test)
'''


def test_replay_amplification_fails_fast_with_a_clear_message(tmp_path):
    """Finding 9: a fixed_experiment that calls the grader's recorded train 500 times (each
    call a full training the judge would replay) loses that exercise's points, with the
    reason, in seconds, in both graders; the rest of the notebook keeps its points."""
    from autograder.demo.samples import make_submission, submit
    from autograder.preprocessors.cells import test_cells

    assignment = "08_prediction"
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, [assignment])  # the course's own time limits: 08 trains
    write_submissions(course_dir, {"ada": "complete"}, [assignment], release_dir=release_dir)
    notebook = make_submission(assignment, "complete", release_dir=release_dir)
    where = next(i for i, c in enumerate(notebook.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "fixed_experiment")
    notebook.cells.insert(where + 1, nbformat.v4.new_code_cell(REPLAY_AMPLIFIER))
    submit(course_dir, "eve", assignment, notebook)
    release = nbformat.read(release_dir / assignment / f"{assignment}.ipynb", as_version=4)
    points = {grade_id: cell.metadata["nbgrader"]["points"] for grade_id, cell in test_cells(release)}
    full, lost = sum(points.values()), points["test_fixed_experiment"]
    for grader in ("grade", "nbgrader autograde"):
        start = time.perf_counter()
        if grader == "grade":
            result = subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, "--course-dir",
                                     str(course_dir), "--workers", "2", "--restart", "--no-feedback"],
                                    env=environment(), capture_output=True, text=True, timeout=900)
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        else:
            sequential.autograde(course_dir, assignment)
        seconds = time.perf_counter() - start
        totals = _totals(course_dir)
        flags = read_report(course_dir, "eve", assignment)["flags"]
        print(f"\n{grader}: the class of 2 with the 500-call fixed_experiment graded in {seconds:.1f} s")
        assert totals["ada"] == full and totals["eve"] == full - lost, flags
        assert any("more than 10 times" in flag for flag in flags), flags
        if grader == "grade":  # each submission's own time: the machine's load moves both alike
            journal = grade.read_journal(course_dir)
            eve, ada = journal[("eve", assignment)].seconds, journal[("ada", assignment)].seconds
            print(f"grade: eve (500 calls) {eve:.1f} s, ada (the reference) {ada:.1f} s")
            assert eve < 2 * ada + 30
