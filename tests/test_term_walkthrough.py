"""docs/instructors/term.md, run: every ```bash block of the page, in order, in a fresh clone.

A block marked ```bash expect-error must fail with one sentence on stderr (no traceback). Two
substitutions only: ``COURSE_REPOSITORY`` is a repository holding this checkout's working tree
(tests/fresh_clone.py), and the set-up uses the environment the tests run in: ``make setup`` is
left out and ``PATH`` starts with that environment's ``bin`` instead of ``.venv/bin``. The page's
last block (removing the rehearsal) runs after the checks of
what the term left: the late penalty in the gradebook and in grades.csv, the due dates, the
status of every row.
"""

import csv
import os
import re
import subprocess

import pytest
from fresh_clone import ROOT, VENV, source_repository

pytestmark = pytest.mark.slow

PAGE = ROOT / "docs" / "instructors" / "term.md"
BLOCK = re.compile(r"^```bash( expect-error)?\n(.*?)^```", re.S | re.M)


def blocks():
    """[(expect_error, code)] of the page's bash blocks, ``make setup`` substituted."""
    found = []
    for expect_error, code in BLOCK.findall(PAGE.read_text()):
        code = re.sub(r"^make setup\b.*$", "", code, flags=re.M)
        code = code.replace('export PATH="$PWD/.venv/bin:$PATH"', 'export PATH="$VENV_UNDER_TEST/bin:$PATH"')
        found.append((bool(expect_error), code))
    return found


def script(page_blocks, errors):
    """One bash script running ``page_blocks``; an expect-error block's output goes to
    ``errors``/N.out and N.err, and its success ends the script."""
    lines = ["set -euo pipefail"]
    for number, (expect_error, code) in enumerate(page_blocks):
        lines.append(f"echo '--- block {number}' >&2")
        if expect_error:
            lines.append(f"if {{\n{code}\n}} > '{errors}/{number}.out' 2> '{errors}/{number}.err'; then\n"
                         f"  echo 'block {number} succeeded; the page says it fails' >&2; exit 97\nfi")
        else:
            lines.append(f"{{\n{code}\n}}")
    return "\n".join(lines) + "\n"


def run(code, cwd, env):
    result = subprocess.run(["bash", "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    return result


def _rows(path):
    with open(path, newline="") as handle:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(handle)}


def test_the_term_page_runs_from_clone_to_final_grades(tmp_path):
    from nbgrader.api import Gradebook

    page_blocks = blocks()
    assert sum(expect for expect, _ in page_blocks) == 1 and len(page_blocks) >= 8
    env = dict(os.environ, COURSE_REPOSITORY=str(source_repository(tmp_path / "repository")),
               VENV_UNDER_TEST=str(VENV))
    env.pop("PYTHONPATH", None)
    errors = tmp_path / "errors"
    errors.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    run(script(page_blocks[:-1], errors), work, env)
    course = work / "my-course"

    (failed,) = errors.glob("*.err")
    said = [line for line in failed.read_text().splitlines() if line.strip()]
    assert len(said) == 1 and "Traceback" not in failed.read_text(), said
    assert said[0].startswith("cannot grade 05_update: the gradebook") and \
        "run `python -m autograder release`" in said[0], said

    rows = _rows(course / "grades.csv")
    ontime, late = rows[("05_update", "rehearsal-ontime")], rows[("05_update", "rehearsal-late")]
    untouched = rows[("05_update", "rehearsal-untouched")]
    assert ontime["duedate"] == late["duedate"] == "2027-02-15 23:59:00"
    assert (ontime["status"], float(ontime["score"]), float(ontime["late_submission_penalty"])) == \
        ("on time", 5.0, 0.0)
    assert ontime["timestamp"] == "2027-02-15 22:59:00" and late["timestamp"] == "2027-02-17 00:59:00"
    # 25 hours late: two started days at 10% of the 5 points each
    assert (late["status"], float(late["raw_score"]), float(late["late_submission_penalty"]),
            float(late["score"])) == ("late", 5.0, 1.0, 4.0)
    assert (untouched["status"], float(untouched["score"])) == ("on time", 0.0)
    unsubmitted = rows[("02_init", "rehearsal-late")]
    assert (unsubmitted["status"], unsubmitted["raw_score"], unsubmitted["score"], unsubmitted["timestamp"],
            unsubmitted["duedate"]) == ("not submitted", "", "", "", "")
    assert rows[("01_data_prep", "rehearsal-late")]["duedate"] == "2027-01-18 23:59:00"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission("05_update", "rehearsal-late")
        assert submission.total_seconds_late == 25 * 3600
        assert (submission.score, submission.late_submission_penalty) == (5.0, 1.0)  # raw score, penalty
        assert gradebook.find_submission("05_update", "rehearsal-ontime").late_submission_penalty == 0.0

    run(f"export PATH={VENV / 'bin'}:$PATH\n{page_blocks[-1][1]}", course, env)
    assert not list((course / "submitted").glob("rehearsal-*/05_update"))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert not [s.id for s in gradebook.students if s.id.startswith("rehearsal-")]
