"""``RecordTampering``, the first of nbgrader's sanitize steps: what a submission changed about its
test cells and folder, recorded before nbgrader restores the test cells.

nbgrader scores a test cell from the outputs the student's own kernel produced, which student
code can fake; this step and ``TrustedVerdict`` (``trusted_verdict``) make the scores trustworthy.
``RecordTampering`` compares the submitted notebook with the release notebook in the course
directory and records edited, deleted, duplicated, reordered or re-labelled test cells, and
symlinks or stray files in the submission (``autograder.judging.reports``). nbgrader then
restores the test cells (``OverwriteCells``); the record stays.
"""

import json

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution

from autograder.batch import intake
from autograder.judging.reports import add_flags
from autograder.preprocessors.cells import (
    course_dir_of,
    folders_of,
    grade_id_of,
    release_notebook,
    test_cells,
)
from autograder.safety.safe_text import printable

# What nbgrader itself adds to every submission (`nbgrader submit`, `collect`): not the student's files.
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")


def _graded_order(notebook, other):
    """The grade_ids of ``notebook`` that ``other`` has too, in ``notebook``'s order, once each."""
    def ids(nb):
        return [grade_id_of(c) for c in nb.cells]
    common = set(ids(other))
    return list(dict.fromkeys(g for g in ids(notebook) if g is not None and g in common))


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
        grade_id = grade_id_of(cell)
        if grade_id is None or grade_id in seen:
            del cell.metadata["nbgrader"]
            if grade_id is None:
                flags.append(f"cell {index} had nbgrader metadata without a valid grade_id: ignored")
        else:
            seen.add(grade_id)


def _restore_metadata(nb, release, flags):
    """Give every cell the release's nbgrader metadata for its grade_id (nbgrader's own steps
    crash on relabelled cells); a grade_id the release does not have is dropped."""
    originals = {grade_id_of(c): c for c in release.cells if grade_id_of(c)}
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
    a hard link, a copy of the instructor's source notebook: ``autograder.batch.intake``), or one
    this check fails on, is refused: its cells are replaced by the release notebook's, so
    nothing of it runs or reaches the feedback, and ``TrustedVerdict`` fails every test cell."""

    def preprocess(self, nb, resources):
        folders, course_dir = folders_of(self), course_dir_of(self)
        info = resources["nbgrader"]
        student, assignment, name = info["student"], info["assignment"], info["notebook"]
        try:
            refused = intake.folder_problems(folders, student, assignment)
            refused += [p for p in [intake.marker_problem(nb.cells, self.config)] if p]
            if not refused:
                flags = self._record(nb, folders, student, assignment, name)
                add_flags(course_dir, student, assignment, flags, fresh=True)
                return nb, resources
        except Exception as error:  # nothing about one submission stops the grading of others
            refused = [f"the grader could not check it ({type(error).__name__}: {str(error)[:200]})"]
        release = release_notebook(folders, assignment, name)
        nb.cells = release.cells if release is not None else []
        reason = "; ".join(refused)
        add_flags(course_dir, student, assignment, [f"refused: {p}: graded 0" for p in refused], fresh=True,
                  refused=printable(reason))
        return nb, resources

    def _record(self, nb, folders, student, assignment, name):
        flags = []
        release = release_notebook(folders, assignment, name)
        if release is not None:
            expected = test_cells(release)
            expected_source = dict(expected)
            seen = {}
            for cell in nb.cells:
                grade_id = grade_id_of(cell)
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
        folder = folders.path("submitted", student, assignment)
        source = folders.assignment_path("source", assignment)
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
