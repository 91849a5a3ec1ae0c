"""nbgrader configuration: the repository root is the course directory.

source/<assignment>/   instructor notebooks (solutions and hidden tests), one per step
release/<assignment>/  student notebooks, made by `python -m autograder release`
"""

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "nn-from-scratch"
c.CourseDirectory.root = "."

# The stub students see in place of a solution: the guide's "fill your code here" comment.
c.ClearSolutions.code_stub = {
    "python": '## Fill in your code here\nraise NotImplementedError("replace this line with your code")'
}
c.ClearSolutions.text_stub = "Write your answer here."

# Notebooks train small networks: give every cell time, but stop a runaway one.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# A student who deletes a test cell gets it back, and it is graded.
c.OverwriteCells.add_missing_cells = True

# --- Feedback students read: every test's message, never the code of hidden tests. ---
# nbgrader's feedback shows hidden tests by default (nbgrader issue #917). Here
# `nbgrader generate_feedback` (and the batch grader, which reads this file) first removes the
# hidden test regions from the test cells (nbgrader's own ClearHiddenTests), then cuts the
# traceback of a failed test cell, which quotes its code, down to its last line, the message.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor  # noqa: E402


class MessageOnlyTracebacks(NbGraderPreprocessor):  # (enabled by default, unlike nbconvert's)
    """In graded test cells, an error output's traceback becomes 'ErrorName: message'."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, MessageOnlyTracebacks,
                                    CSSHTMLHeaderPreprocessor]
# --- end of the feedback block ---
