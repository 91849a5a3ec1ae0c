"""``MessageOnlyTracebacks``, for ``nbgrader generate_feedback``: the frames of a test cell's
traceback quote the test's code, hidden tests included, so only the error's message stays."""

from nbgrader.preprocessors import NbGraderPreprocessor


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
