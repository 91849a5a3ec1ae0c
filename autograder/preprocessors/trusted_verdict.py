"""``TrustedVerdict``, right before nbgrader's ``SaveAutoGrades``: a test cell keeps its points only
when the grader's own re-check agrees.

It asks ``autograder.judging.judge.judge`` whether the student's code gave the right values on
the grader's own inputs (the probe cell's payload, read by ``SandboxedExecute``). A cell that
passed in the notebook but not in the probe loses its points (an error output saying why is
added, so the feedback shows it); numbers that test cells displayed (nbgrader would read them as
partial credit) are removed; output that repeats hidden test code is redacted. Every finding
goes to the submission's grading report (``autograder.judging.reports``).
"""

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import determine_grade

from autograder.judging import judge
from autograder.judging.reports import add_flags, read_report
from autograder.preprocessors.cells import course_dir_of, folders_of, hidden_test_lines, test_cells
from course.i18n import message, notebook_language, using
from course.registry import EXERCISES

# Errors that a notebook's own cells raise when they try what the sandbox forbids.
# (Timeouts and a stopped kernel are flagged once by SandboxedExecute.)
SUSPICIOUS = ("SystemExit", "MemoryError", "PermissionError", "OSError", "BlockingIOError")


def _mark_failed(cell, text):
    cell.outputs.append(new_output("error", ename="GraderCheckFailed", evalue=text,
                                   traceback=[f"GraderCheckFailed: {text}"]))


class TrustedVerdict(NbGraderPreprocessor):
    """Keep a test cell's points only when the grader's own probe agrees (autograde phase)."""

    def preprocess(self, nb, resources):
        course_dir = course_dir_of(self)
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
        verdicts = judge.judge(assignment, run["payload"], run["seed"]) if run.get("probe") else {}
        if run.get("probe") and run["payload"] is None:
            flags.append("the grader's probe could not read values from the kernel "
                         "(the kernel had stopped, or its output was taken over)")
        hidden = hidden_test_lines(folders_of(self), assignment, self.config)
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
