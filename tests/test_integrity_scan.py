"""The in-kernel integrity scan (autograder.safety.integrity_scan) in a real kernel, after each
release notebook's setup cell: nothing to report for an untouched kernel (a finding there would
flag every student of the class), and a replaced check helper is reported."""

import uuid

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from autograder.authoring.release import RELEASE
from autograder.safety.integrity_scan import parse_scan_output, scan_cell_source
from course.registry import ASSIGNMENTS


def _run(client, code):
    """stdout of ``code`` executed in the kernel of ``client`` (errors fail the test)."""
    client.execute(code)
    text = []
    while True:
        message = client.get_iopub_msg(timeout=120)
        kind, content = message["msg_type"], message["content"]
        if kind == "stream" and content["name"] == "stdout":
            text.append(content["text"])
        elif kind == "error":
            pytest.fail(f"{content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle" and text is not None:
            if message["parent_header"].get("msg_type") == "execute_request":
                return "".join(text)


def _setup_cell(assignment):
    notebook = nbformat.read(RELEASE / assignment / f"{assignment}.ipynb", as_version=4)
    return next(cell.source for cell in notebook.cells
                if cell.metadata.get("nbgrader", {}).get("grade_id") == "setup")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [ASSIGNMENTS[0], ASSIGNMENTS[-1]])
def test_an_untouched_kernel_has_nothing_to_report_and_a_replaced_helper_is_found(assignment):
    manager, client = start_new_kernel(cwd=str(RELEASE / assignment))
    try:
        _run(client, _setup_cell(assignment))
        nonce = uuid.uuid4().hex
        assert parse_scan_output(_run(client, scan_cell_source(nonce)), nonce) == []
        _run(client, "import course.checks\ncourse.checks.check_close = lambda *args, **kwargs: None")
        nonce = uuid.uuid4().hex
        assert parse_scan_output(_run(client, scan_cell_source(nonce)), nonce) == [
            "course.checks.check_close was replaced"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
