"""Student markup is inert in a real browser (Debian's Chromium, driven by Playwright): a
submission carrying a dozen markup vectors (tests/hostile_catalogue.py, "markup") is graded by
real `nbgrader autograde`, then its `nbgrader generate_feedback` page and the formgrader's view
of it (real JupyterLab with nbgrader's extension, logged in with a token) are opened. No
script of the student's runs, no page goes anywhere, no request leaves for another host,
and its text and PNG outputs still show. A control page, the same outputs exported by plain
nbconvert, shows that the checks do see a script that runs."""

import time
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from browser_session import LOCAL_HOSTS, chromium, jupyter_lab, needs_chromium
from hostile_catalogue import ASSIGNMENT, EVIL, MARKUP, PWNED
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.authoring.release import build_course_dir
from autograder.batch import sequential
from autograder.preprocessors.inert_markup import InertMarkup

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.skipif(not Path("/usr/bin/bwrap").exists(), reason="grading needs bubblewrap"),
]
# nbgrader's own page templates load MathJax from this CDN (not student markup); every other
# request to another host fails the test.
TEMPLATE_MATHJAX = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course directory in which mallory's markup submission was autograded and given feedback."""
    course_dir = tmp_path_factory.mktemp("markup") / "course"
    build_course_dir(course_dir, [ASSIGNMENT])
    folder = course_dir / "submitted" / "mallory" / ASSIGNMENT
    folder.mkdir(parents=True)
    MARKUP(folder)
    sequential.autograde(course_dir, ASSIGNMENT)
    sequential.generate_feedback(course_dir, ASSIGNMENT)
    return course_dir


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def _open(browser, url, screenshot):
    """Open ``url`` with every request to another host recorded (and refused), wait for
    scripts, refreshes and images, save a screenshot. Returns (page, requests elsewhere, dialogs)."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    elsewhere, dialogs = [], []

    def route(request_route):
        host = urllib.parse.urlsplit(request_route.request.url).hostname
        if request_route.request.url.startswith(("http://", "https://")) and host not in LOCAL_HOSTS:
            elsewhere.append(request_route.request.url)
            return request_route.abort()
        return request_route.continue_()

    page.route("**/*", route)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url, wait_until="load")
    time.sleep(3)  # a meta refresh, an onerror or a late script would have happened by now
    page.screenshot(path=str(screenshot), full_page=True)
    return page, elsewhere, dialogs


def _assert_inert(page, elsewhere, dialogs, url, title):
    assert page.url == url  # no refresh, no navigation
    assert page.evaluate(f"typeof {PWNED}") == "undefined"
    assert page.title() == title
    assert not dialogs
    assert [u for u in elsewhere if not u.startswith(TEMPLATE_MATHJAX)] == []
    for selector in ("iframe", "form[action*='evil']", "meta[http-equiv]", "a[href^='javascript']",
                     "svg script", "[style*='fixed']", "[onerror]", "[onload]", f"img[src^='{EVIL}']",
                     "body style"):
        assert page.locator(selector).count() == 0, selector
    assert page.evaluate("[...document.scripts].filter(s => s.textContent.includes('__pwned=')).length") == 0
    assert page.locator("body").is_visible()
    text = page.locator("body").inner_text()
    assert "plain text output: still shown <b>escaped</b>" in text  # text outputs still show
    assert "A student note." in text and f"<script>{PWNED}=10</script>" in text  # as text, escaped
    pngs = page.locator("img[src^='data:image/png;base64,']")
    assert pngs.count() >= 2 and all(pngs.nth(k).evaluate("i => i.naturalWidth > 50") for k in range(2))


def test_feedback_page_runs_no_student_markup_and_keeps_text_and_plots(graded, browser, tmp_path):
    page_path = graded / "feedback" / "mallory" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    page, elsewhere, dialogs = _open(browser, page_path.as_uri(), tmp_path / "feedback.png")
    _assert_inert(page, elsewhere, dialogs, page_path.as_uri(), ASSIGNMENT)


def _control_notebook():
    """Outputs as a kernel would record them for the markup vectors, not graded."""
    outputs = [new_output("display_data", data={"application/javascript": f"{PWNED}=1"}),
               new_output("display_data",
                          data={"text/html": f'<img src="{EVIL}/x.png" onerror="{PWNED}=2">'})]
    return new_notebook(cells=[new_markdown_cell(f"<img src=x onerror=\"{PWNED}=10\">"),
                               new_code_cell("x", outputs=outputs)])


def test_control_the_same_outputs_exported_by_plain_nbconvert_do_run(browser, tmp_path):
    """The checks above can fail: plain nbconvert runs these outputs; with InertMarkup they do not."""
    plain = tmp_path / "plain.html"
    plain.write_text(HTMLExporter().from_notebook_node(_control_notebook())[0])
    page, elsewhere, _ = _open(browser, plain.as_uri(), tmp_path / "plain.png")
    assert page.evaluate(f"typeof {PWNED}") == "number" and any(u.startswith(EVIL) for u in elsewhere)

    inert = tmp_path / "inert.html"
    exporter = HTMLExporter()
    exporter.register_preprocessor(InertMarkup(), enabled=True)
    inert.write_text(exporter.from_notebook_node(_control_notebook())[0])
    page, elsewhere, _ = _open(browser, inert.as_uri(), tmp_path / "inert.png")
    assert page.evaluate(f"typeof {PWNED}") == "undefined" and not any(u.startswith(EVIL) for u in elsewhere)


@pytest.fixture
def formgrader(graded, tmp_path):
    """JupyterLab with nbgrader's extensions serving the course directory. Yields (base, token)."""
    token = "course-markup-test-token"
    with jupyter_lab(graded, tmp_path / "jupyterlab.log", token=token) as base:
        yield base, token


def test_formgraders_view_of_the_submission_runs_no_student_markup(graded, formgrader, browser, tmp_path):
    from nbgrader.api import Gradebook

    base, token = formgrader
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "mallory").id
    login, _, _ = _open(browser, f"{base}/formgrader?token={token}", tmp_path / "formgrader-home.png")
    url = f"{base}/formgrader/submissions/{submission}/"
    page = login.context.new_page()
    elsewhere, dialogs = [], []
    page.route("**/*", lambda r: (elsewhere.append(r.request.url), r.abort())[1]
               if urllib.parse.urlsplit(r.request.url).hostname not in LOCAL_HOSTS
               and r.request.url.startswith("http") else r.continue_())
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url, wait_until="load")
    page.wait_for_selector("#notebook-container, .cell", timeout=60_000)
    time.sleep(3)
    page.screenshot(path=str(tmp_path / "formgrader-submission.png"), full_page=True)
    assert page.locator(".cell").count() > 10  # the submission itself is shown
    _assert_inert(page, elsewhere, dialogs, url, ASSIGNMENT)
    stored = graded / "autograded" / "mallory" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    stored = nbformat.read(stored, as_version=4)
    kinds = {mime for cell in stored.cells if cell.cell_type == "code" for output in cell.outputs
             for mime in output.get("data", {})}
    assert kinds <= {"text/plain", "image/png", "image/jpeg"}  # the stored graded notebook is inert too
