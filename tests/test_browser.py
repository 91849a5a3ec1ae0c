"""In a real browser (Debian's Chromium, driven by Playwright): JupyterLab 4 with nbgrader's
extensions runs a completed notebook and shows its checks' success messages and its plots, and
a feedback page from a real `nbgrader generate_feedback` run shows a failed hidden test's
message but none of the hidden test's code."""

import json
import re
import shutil

import nbformat
import pytest
from browser_session import chromium, jupyter_lab, needs_chromium

from autograder.authoring.release import RELEASE, build_course_dir
from autograder.authoring.sync import SOURCE
from autograder.batch import sequential
from autograder.demo.samples import make_submission

REGION = re.compile(r"### BEGIN HIDDEN TESTS\n(?P<body>.*?)### END HIDDEN TESTS", re.S)

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab on a free localhost port with a token, serving a temporary folder that holds
    notebook 07 completed with the reference solutions. Yields (base URL, token, folder)."""
    assignment = "07_modularization"
    folder = tmp_path / "work" / assignment
    shutil.copytree(RELEASE / assignment, folder)
    nbformat.write(make_submission(assignment, "complete"), folder / f"{assignment}.ipynb")
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell stays in the page (JupyterLab 4 otherwise detaches cells scrolled out of view)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    token = "course-browser-test-token"
    with jupyter_lab(tmp_path / "work", tmp_path / "jupyterlab.log", token=token, seconds=60,
                     extra_args=[f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
                                 f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]) as base:
        yield base, token, folder


def _visible_success_messages(assignment):
    text = (SOURCE / assignment / f"{assignment}.ipynb").read_text()
    names = re.findall(r'checks\.passed\(\\"([^\\]*)\\"\)', text)
    return [f"{name}: visible checks passed" for name in names]


def test_jupyterlab_runs_a_completed_notebook_with_checks_passing_and_plots(jupyterlab, browser):
    base, token, folder = jupyterlab
    messages = _visible_success_messages("07_modularization")
    notebook = nbformat.read(SOURCE / "07_modularization" / "07_modularization.ipynb", as_version=4)
    graded = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(messages) == len(graded) > 0   # one success message per graded test cell
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/lab/tree/07_modularization/07_modularization.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    # nbgrader's extensions are loaded: its menu is in the menu bar
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=30_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.locator(".jp-Notebook .jp-Cell").first.click()  # the notebook has the focus
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    outputs = page.locator(".jp-Notebook .jp-OutputArea-output")
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-Notebook .jp-InputPrompt').length > 0 && "
        "[...document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell .jp-InputPrompt')]"
        ".every(p => /\\[\\d+\\]/.test(p.textContent))", arg=0, timeout=240_000)
    text = page.locator(".jp-Notebook").inner_text()
    for message in messages:
        assert message in text, f"not shown: {message}"
    assert outputs.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".jp-Notebook .jp-OutputArea-output[data-mime-type*='error']").count() == 0
    images = page.locator(".jp-Notebook .jp-OutputArea-output img[src^='data:image/png']")
    assert images.count() >= 3  # the live loss curve, the disc set's curves, the batch-size comparison
    assert all(box and box["width"] > 100 and box["height"] > 100
               for box in (images.nth(k).bounding_box() for k in range(images.count())))


def _hidden_lines(assignment):
    source = (SOURCE / assignment / f"{assignment}.ipynb")
    notebook = nbformat.read(source, as_version=4)
    given = "\n".join(REGION.sub("", cell.source + "\n") for cell in notebook.cells)
    hidden = set()
    for cell in notebook.cells:
        for region in REGION.finditer(cell.source + "\n"):
            hidden |= {line.strip() for line in region["body"].splitlines() if len(line.strip()) > 20}
    return {line for line in hidden if line not in given}


def test_feedback_page_shows_the_failed_hidden_tests_message_and_no_hidden_code(browser, tmp_path):
    assignment = "01_data_prep"
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, [assignment])
    notebook = make_submission(assignment, "complete", release_dir)
    for cell in notebook.cells:
        # only a hidden test asks for a class absent from the labels
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "one_hot":
            cell.source = "def one_hot(y, num_classes):\n    return np.eye(y.max() + 1)[y]\n"
    folder = course_dir / "submitted" / "hedy" / assignment
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")
    sequential.autograde(course_dir)
    sequential.generate_feedback(course_dir)
    page_path = course_dir / "feedback" / "hedy" / assignment / f"{assignment}.html"

    page = browser.new_page()
    page.goto(page_path.as_uri())
    message = page.get_by_text("one_hot([0, 0], 4) has shape (2, 1), expected (2, 4)")
    assert message.count() == 1 and message.is_visible()
    assert page.get_by_text("one_hot: visible checks passed").first.is_visible()
    shown = page.locator("body").inner_text()
    hidden = _hidden_lines(assignment)
    assert len(hidden) > 10
    assert not sorted(line for line in hidden if line in shown)


LONG_MESSAGE = ("one_hot could not finish: " + "the labels were read one by one and every one of them was "
                "checked against the number of classes " * 4 + "x" * 300)


def _offline(page):
    """Abort every request of ``page`` that leaves this machine; returns the list of them."""
    blocked = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http://", "https://")) and url.split("/")[2].split(":")[0] not in (
                "127.0.0.1", "localhost"):
            blocked.append(url)
            return request_route.abort()
        return request_route.continue_()

    page.route("**/*", route)
    return blocked


def test_feedback_page_wraps_messages_shows_figures_and_typesets_math_offline(browser, tmp_path):
    assignment = "01_data_prep"
    course_dir = tmp_path / "course"
    release_dir = build_course_dir(course_dir, [assignment])
    notebook = make_submission(assignment, "complete", release_dir)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "one_hot":
            cell.source = f"def one_hot(y, num_classes):\n    raise ValueError({LONG_MESSAGE!r})\n"
    folder = course_dir / "submitted" / "hedy" / assignment
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")
    sequential.autograde(course_dir)
    sequential.generate_feedback(course_dir)
    page_path = course_dir / "feedback" / "hedy" / assignment / f"{assignment}.html"
    html = page_path.read_text()
    assert "cdnjs" not in html and not re.search(r"<script[^>]*src=.https?:", html)

    page = browser.new_page(viewport={"width": 1000, "height": 900})
    blocked = _offline(page)
    page.goto(page_path.as_uri())
    # MathJax (the copy beside the feedback pages) typeset the notebook's equations
    page.wait_for_function("window.MathJax && MathJax.Hub && document.querySelectorAll("
                           "'.MathJax, .MathJax_Display').length > 0", timeout=60_000)
    assert page.locator(".MathJax_Error").count() == 0
    assert page.locator(".MathJax").count() >= 5
    # the long failure message wraps inside its box, and the page does not scroll sideways
    box = page.locator("div.output_error pre, div.output_text pre").filter(has_text="could not finish").first
    assert box.is_visible()
    sizes = box.evaluate("e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().right]")
    assert sizes[0] <= sizes[1] + 1 and sizes[2] <= 1000, sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= 1000
    # the student's figures are images, loaded, not "<Figure size ... with 1 Axes>"
    images = page.locator("div.output_png img[src^='data:image/png']")
    assert images.count() >= 3
    assert all(images.nth(k).evaluate("i => i.complete && i.naturalWidth > 100")
               for k in range(images.count()))
    assert "<Figure size" not in page.locator("body").inner_text()
    page.screenshot(path=str(tmp_path / "feedback.png"), full_page=True)
    assert (tmp_path / "feedback.png").stat().st_size > 10_000
    assert blocked == []
