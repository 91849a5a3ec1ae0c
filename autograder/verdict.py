"""Trusted decisions about a submission: tampering found before grading, the probes' verdict
after it, and the grading report of each submission.

nbgrader scores a test cell from the outputs the student's own kernel produced, which student
code can fake. Two preprocessors make the scores trustworthy:

- ``RecordTampering`` (first of nbgrader's sanitize steps) compares the submitted notebook with
  the release notebook in the course directory and records edited, deleted, duplicated,
  reordered or re-labelled test cells, and symlinks or stray files in the submission. nbgrader
  then restores the test cells (``OverwriteCells``); the record stays.
- ``TrustedVerdict`` (right before ``SaveAutoGrades``) asks ``autograder.probes.judge`` whether
  the student's code gave the right values on the grader's own inputs, and keeps a test
  cell's points only if it did. A cell that passed in the notebook but not in the probe loses
  its points (an error output saying why is added, so the feedback shows it); numbers that
  test cells displayed (nbgrader would read them as partial credit) are removed; output that
  repeats hidden test code is redacted.

Every finding is written to ``grading_reports/<student>/<assignment>.json`` in the course
directory (outside every sandbox), which ``python -m autograder grade`` prints and exports.
"""

import json
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import determine_grade, is_grade, is_solution

from course.exercises import EXERCISES
from course.i18n import message, notebook_language, using

from . import intake, probes
from .intake import nbgrader_metadata
from .safe_text import printable

REPORTS = "grading_reports"
# What nbgrader itself adds to every submission (`nbgrader submit`, `collect`): not the student's files.
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")
# Errors that a notebook's own cells raise when they try what the sandbox forbids.
# (Timeouts and a stopped kernel are flagged once by SandboxedExecute.)
SUSPICIOUS = ("SystemExit", "MemoryError", "PermissionError", "OSError", "BlockingIOError")


# --- reports -------------------------------------------------------------------------------

def report_path(course_dir, student, assignment):
    return Path(course_dir, REPORTS, student, f"{assignment}.json")


def read_report(course_dir, student, assignment):
    path = report_path(course_dir, student, assignment)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"student": student, "assignment": assignment, "flags": []}


def write_report(course_dir, report):
    path = report_path(course_dir, report["student"], report["assignment"])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(report, indent=1))
    os.replace(temporary, path)


def add_flags(course_dir, student, assignment, flags, fresh=False, **fields):
    """Add ``flags`` (sentences, control characters escaped here) to the report of a
    submission; ``fresh`` starts it anew."""
    report = {"student": student, "assignment": assignment, "flags": []} if fresh else \
        read_report(course_dir, student, assignment)
    flags = [printable(f) for f in flags]
    report["flags"] = report["flags"] + [f for f in flags if f not in report["flags"]]
    report.update(fields)
    write_report(course_dir, report)
    return report


def all_reports(course_dir):
    """Every grading report of the course, sorted by student and assignment."""
    reports = []
    for path in sorted(Path(course_dir, REPORTS).glob("*/*.json")):
        try:
            reports.append(json.loads(path.read_text()))
        except ValueError:
            continue
    return reports


# --- helpers -------------------------------------------------------------------------------

def test_cells(notebook):
    """[(grade_id, cell)] of the autograded test cells, in notebook order."""
    return [(nbgrader_metadata(c).get("grade_id"), c) for c in notebook.cells
            if c.get("cell_type") == "code" and nbgrader_metadata(c).get("grade")
            and not nbgrader_metadata(c).get("solution")]


def _course_dir(preprocessor):
    return Path(CourseDirectory(config=preprocessor.config).root).resolve()


def _release_notebook(course_dir, assignment, notebook_name):
    path = Path(course_dir, "release", assignment, f"{notebook_name}.ipynb")
    return nbformat.read(path, as_version=4) if path.exists() else None


def hidden_test_lines(course_dir, assignment):
    """The distinctive lines of the hidden tests of ``assignment`` (from source/)."""
    lines = set()
    for path in Path(course_dir, "source", assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif inside and len(line.strip()) >= 16:
                    lines.add(line.strip())
    return lines


# --- before grading ------------------------------------------------------------------------

def _graded_order(notebook, other):
    """The grade_ids of ``notebook`` that ``other`` has too, in ``notebook``'s order, once each."""
    def ids(nb):
        return [_grade_id(c) for c in nb.cells]
    common = set(ids(other))
    return list(dict.fromkeys(g for g in ids(notebook) if g is not None and g in common))


def _grade_id(cell):
    """The cell's grade_id when it is a non-empty string, else None."""
    grade_id = nbgrader_metadata(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) and grade_id else None


def _drop_broken_metadata(nb, flags):
    """Keep the first cell of each grade_id; later copies, and nbgrader metadata that is not a
    dictionary or has no grade_id (or one that is not text), lose their nbgrader metadata
    (nbgrader's own steps would crash on them). A cell whose metadata is not a dictionary
    gets an empty one."""
    seen = set()
    for index, cell in enumerate(nb.cells):
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = nbformat.NotebookNode()
            flags.append(f"cell {index} had metadata that is not a dictionary: ignored")
            continue
        if "nbgrader" not in cell.metadata:
            continue
        grade_id = _grade_id(cell)
        if grade_id is None or grade_id in seen:
            del cell.metadata["nbgrader"]
            if grade_id is None:
                flags.append(f"cell {index} had nbgrader metadata without a valid grade_id: ignored")
        else:
            seen.add(grade_id)


def _restore_metadata(nb, release, flags):
    """Give every cell the release's nbgrader metadata for its grade_id (nbgrader's own steps
    crash on relabelled cells); a grade_id the release does not have is dropped."""
    originals = {_grade_id(c): c for c in release.cells if _grade_id(c)}
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        original = originals.get(meta["grade_id"])
        if original is None:
            del cell.metadata["nbgrader"]
            flags.append(f"cell {index} carried an unknown grade_id {meta['grade_id']!r}: ignored")
        elif meta != original.metadata["nbgrader"] or cell.cell_type != original.cell_type:
            cell.metadata["nbgrader"] = json.loads(json.dumps(original.metadata["nbgrader"]))
            if cell.cell_type != original.cell_type:
                cell.cell_type = original.cell_type
                cell.pop("attachments", None)
                if cell.cell_type == "code":
                    cell.setdefault("outputs", [])
                    cell.setdefault("execution_count", None)
                else:
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)


class RecordTampering(NbGraderPreprocessor):
    """Record what the submission changed about its test cells and folder (sanitize phase).

    A submission that must not be graded at all (a symbolic link at any level of its folder,
    a hard link, a copy of the instructor's source notebook: ``autograder.intake``), or one
    this check fails on, is refused: its cells are replaced by the release notebook's, so
    nothing of it runs or reaches the feedback, and ``TrustedVerdict`` fails every test cell."""

    def preprocess(self, nb, resources):
        course_dir = _course_dir(self)
        info = resources["nbgrader"]
        student, assignment, name = info["student"], info["assignment"], info["notebook"]
        try:
            refused = intake.folder_problems(course_dir, student, assignment)
            refused += [p for p in [intake.marker_problem(nb.cells, self.config)] if p]
            if not refused:
                flags = self._record(nb, course_dir, student, assignment, name)
                add_flags(course_dir, student, assignment, flags, fresh=True)
                return nb, resources
        except Exception as error:  # nothing about one submission stops the grading of others
            refused = [f"the grader could not check it ({type(error).__name__}: {str(error)[:200]})"]
        release = _release_notebook(course_dir, assignment, name)
        nb.cells = release.cells if release is not None else []
        reason = "; ".join(refused)
        add_flags(course_dir, student, assignment, [f"refused: {p}: graded 0" for p in refused], fresh=True,
                  refused=printable(reason))
        return nb, resources

    def _record(self, nb, course_dir, student, assignment, name):
        flags = []
        release = _release_notebook(course_dir, assignment, name)
        if release is not None:
            expected = test_cells(release)
            expected_source = dict(expected)
            seen = {}
            for cell in nb.cells:
                grade_id = _grade_id(cell)
                if grade_id in expected_source:
                    seen.setdefault(grade_id, []).append(cell)
            for grade_id, original in expected:
                found = seen.get(grade_id, [])
                if not found:
                    flags.append(f"test cell {grade_id} was deleted (the grader restored it)")
                    continue
                if len(found) > 1:
                    flags.append(f"test cell {grade_id} appears {len(found)} times")
                cell = found[0]
                if cell.get("cell_type") != "code" or not is_grade(cell) or is_solution(cell) or \
                        cell.metadata["nbgrader"] != original.metadata["nbgrader"]:
                    flags.append(f"test cell {grade_id} had its nbgrader metadata changed")
                if cell.get("source") != original.source:
                    flags.append(f"test cell {grade_id} was edited (the grader restored it)")
            if _graded_order(nb, release) != _graded_order(release, nb):
                flags.append("exercise or test cells were moved out of their order")
        folder = Path(course_dir, "submitted", student, assignment)
        source = Path(course_dir, "source", assignment)
        allowed = {f"{name}.ipynb"} | ({p.name for p in source.iterdir() if p.suffix != ".ipynb"}
                                       if source.is_dir() else set())
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            relative = path.relative_to(folder)
            if path.is_file() and str(relative) not in allowed and relative.suffix != ".ipynb" \
                    and not relative.name.startswith(".") and relative.name not in NBGRADER_FILES:
                flags.append(f"the submission holds an extra file, {relative} (never seen by the kernel)")
        _drop_broken_metadata(nb, flags)
        if release is not None:
            _restore_metadata(nb, release, flags)
        return flags


# --- feedback ------------------------------------------------------------------------------

class MessageOnlyTracebacks(NbGraderPreprocessor):
    """In graded test cells, an error output's traceback becomes 'ErrorName: message' (the
    frames quote the test's code, hidden tests included). For ``nbgrader generate_feedback``."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


# --- after grading -------------------------------------------------------------------------

def _mark_failed(cell, message):
    cell.outputs.append(new_output("error", ename="GraderCheckFailed", evalue=message,
                                   traceback=[f"GraderCheckFailed: {message}"]))


class TrustedVerdict(NbGraderPreprocessor):
    """Keep a test cell's points only when the grader's own probe agrees (autograde phase)."""

    def preprocess(self, nb, resources):
        course_dir = _course_dir(self)
        info = resources["nbgrader"]
        student, assignment = info["student"], info["assignment"]
        with using(notebook_language(nb)):   # feedback lines in the submitted notebook's language
            return self._preprocess(nb, resources, course_dir, student, assignment)

    def _preprocess(self, nb, resources, course_dir, student, assignment):
        refused = read_report(course_dir, student, assignment).get("refused")
        if not refused:
            try:
                return self._verdict(nb, resources, course_dir, student, assignment)
            except Exception as error:  # nothing about one submission stops the grading of others
                refused = f"the grader's verdict failed ({type(error).__name__}: {str(error)[:200]})"
                add_flags(course_dir, student, assignment, [f"{refused}: graded 0"])
        for _, cell in test_cells(nb):
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") != "execute_result"]
            _mark_failed(cell, message("verdict.not_graded", "not graded: {reason}", reason=refused))
        return nb, resources

    def _verdict(self, nb, resources, course_dir, student, assignment):
        run = resources.get("autograder") or {"flags": ["the notebook was not run by SandboxedExecute"],
                                              "payload": None, "seed": 0, "probe": True}
        flags = list(run["flags"])
        verdicts = probes.judge(assignment, run["payload"], run["seed"]) if run.get("probe") else {}
        if run.get("probe") and run["payload"] is None:
            flags.append("the grader's probe could not read values from the kernel "
                         "(the kernel had stopped, or its output was taken over)")
        hidden = hidden_test_lines(course_dir, assignment)
        cells = test_cells(nb)
        for grade_id, cell in cells:
            shown = [o for o in cell.outputs if o.output_type == "execute_result"]
            if shown:
                flags.append(f"test cell {grade_id} displayed a value, which nbgrader would read as a "
                             "score: removed")
                cell.outputs = [o for o in cell.outputs if o.output_type != "execute_result"]
            if not run.get("probe"):
                continue
            agrees, text = verdicts.get(grade_id, (False, message("verdict.no_recheck", "the grader has no "
                                                                  "re-check for this cell")))
            if agrees:
                continue
            score, max_score = determine_grade(cell)
            if score is not None and score >= max_score:
                flags.append(f"test cell {grade_id} passed in the notebook but not the grader's own "
                             f"re-check: {text}")
            _mark_failed(cell, message("verdict.recheck_failed", "the grader's re-check on its own inputs "
                                       "failed: {text}", text=text))
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if self._redact(cell, hidden):
                flags.append(f"cell {index} printed hidden test code: redacted")
            for output in cell.get("outputs", []):
                if output.output_type == "error" and output.get("ename") in SUSPICIOUS:
                    evalue = str(output.get("evalue"))[:120]
                    flags.append(f"cell {index} stopped with {output.ename}: {evalue}")
        known = set(EXERCISES.get(assignment, {}))
        missing = known - {g for g, _ in cells}
        if missing:
            flags.append(f"test cells missing after grading: {', '.join(sorted(missing))}")
        add_flags(course_dir, student, assignment, flags, sandbox=run.get("sandbox", True))
        return nb, resources

    @staticmethod
    def _redact(cell, hidden):
        redacted = False
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts = [output.get("text", "")]
            elif output.output_type == "error":  # the interpreter's traceback frames are not the student's
                texts = [output.get("evalue", "")]
            else:
                texts = [str(v) for v in output.get("data", {}).values()]
            if any(line in text for text in texts for line in hidden):
                redacted = True
                if output.output_type == "stream":
                    output.text = "[redacted by the grader: this output repeated hidden test code]\n"
                elif output.output_type == "error":
                    output.evalue = "[redacted]"
                    output.traceback = ["[redacted by the grader]"]
                else:
                    output.data = {"text/plain": "[redacted by the grader]"}
        return redacted
