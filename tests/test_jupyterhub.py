"""The course on a real JupyterHub, in a real browser: deploy/jupyterhub_config.py (PAM logins of
local Unix accounts, each user's JupyterLab started as that user) with nbgrader's extensions set
up as deploy/README.md says. A student logs in, fetches the assignment from the Assignment
List, opens it, runs a cell, saves and submits; the instructor logs in and sees the submission
in the formgrader. Screenshots go to the test's tmp folder.

The hub runs as root (it starts servers as other users), from the shared environment of
tests/unix_accounts.py, with configurable-http-proxy installed by npm into a temporary folder;
everything listens on 127.0.0.1 only and is stopped at the end.
"""

import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import nbformat
import pytest
from browser_session import chromium, free_port, needs_chromium, wait_until_up
from course_server import COURSE_ID, course_folder, make_exchange, server_config
from unix_accounts import ROOT, give, requires_root, run_as, world_readable_dir

ASSIGNMENT = "03_forward"
# nbgrader's extensions that only instructors get (deploy/README.md): off for the environment,
# on again in each instructor's own configuration.
INSTRUCTOR_LAB_EXTENSIONS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                             "@jupyter/nbgrader:course-list"]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader",
                                "nbgrader.server_extensions.course_list"]

pytestmark = [
    pytest.mark.slow,
    requires_root,
    needs_chromium,
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (configurable-http-proxy "
                       "comes from npm; Debian: apt-get install npm)"),
]


@pytest.fixture(scope="session")
def http_proxy(tmp_path_factory):
    """configurable-http-proxy, installed from npm into a temporary folder. Returns its command."""
    prefix = tmp_path_factory.mktemp("http-proxy")
    result = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix),
                             "configurable-http-proxy"], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"npm install configurable-http-proxy failed:\n{result.stderr[-3000:]}")
    return prefix / "node_modules" / ".bin" / "configurable-http-proxy"


def set_up_extensions(env_dir, instructor, config):
    """nbgrader's extensions as deploy/README.md sets them: the instructors' ones disabled (and
    not locked) for the environment, enabled again in the instructor's own configuration."""
    jupyter = str(Path(env_dir) / "bin" / "jupyter")
    subprocess.run([jupyter, "labextension", "disable", "--level=sys_prefix", *INSTRUCTOR_LAB_EXTENSIONS],
                   check=True, capture_output=True)
    # a second disable locks what was disabled, and no user could enable it again
    subprocess.run([jupyter, "labextension", "unlock", "--level=sys_prefix", *INSTRUCTOR_LAB_EXTENSIONS],
                   check=True, capture_output=True)
    subprocess.run([jupyter, "server", "extension", "disable", "--sys-prefix", *INSTRUCTOR_SERVER_EXTENSIONS],
                   check=True, capture_output=True)
    run_as(instructor, ["jupyter", "labextension", "enable", "--level=user", *INSTRUCTOR_LAB_EXTENSIONS],
           env_dir, extra_env=config)
    user_config = instructor.home / ".jupyter" / "jupyter_server_config.json"
    shutil.copy(ROOT / "deploy" / "instructor" / "jupyter_server_config.json", user_config)
    give(user_config, instructor)
    enabled = json.loads(user_config.read_text())["ServerApp"]["jpserver_extensions"]
    assert sorted(enabled) == sorted(INSTRUCTOR_SERVER_EXTENSIONS)


def hub_config(folder, proxy, port, instructor, student, config):
    """The test's jupyterhub_config.py: deploy/'s, with this run's ports, files and accounts."""
    deployed = ROOT / "deploy" / "jupyterhub_config.py"
    assert deployed.exists()  # load_subconfig would silently skip a missing file
    text = f"""c = get_config()  # noqa: F821
load_subconfig({str(deployed)!r})  # noqa: F821
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{str(proxy)!r}]
c.ConfigurableHTTPProxy.pid_file = {str(folder / "proxy.pid")!r}
c.JupyterHub.cookie_secret_file = {str(folder / "cookie_secret")!r}
c.JupyterHub.db_url = "sqlite:///{folder / "jupyterhub.sqlite"}"
c.Authenticator.allowed_users = {{{instructor.name!r}, {student.name!r}}}
c.Authenticator.admin_users = {{{instructor.name!r}}}
c.JupyterHub.load_groups = {{"formgrade-{COURSE_ID}": [{instructor.name!r}],
                            "nbgrader-{COURSE_ID}": [{student.name!r}]}}
c.Spawner.environment = {{**c.Spawner.environment, **{config!r}}}
"""
    path = folder / "jupyterhub_config.py"
    path.write_text(text)
    return path


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def _stop(server, accounts):
    """Stop the hub (it stops the users' servers and the proxy), then whatever the accounts still run."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    for account in accounts:
        left = subprocess.run(["pgrep", "-u", account.name], capture_output=True, text=True).stdout.split()
        for pid in left:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass


def log_in(context, url, account, shots, name):
    page = context.new_page()
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", account.name)
    page.fill("#password_input", account.password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{account.name}/lab"), timeout=180_000)
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=120_000)
    page.screenshot(path=shots / f"{name}-lab.png")
    return page


def nbgrader_menu_commands(page):
    """The commands of the items that the Nbgrader menu shows (a disabled extension's stay hidden)."""
    page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click()
    page.locator("#jp-mainmenu-nbgrader").wait_for()
    commands = page.locator("#jp-mainmenu-nbgrader li[data-command]").evaluate_all(
        "items => items.filter(item => getComputedStyle(item).display !== 'none')"
        ".map(item => item.dataset.command)")
    page.keyboard.press("Escape")
    return commands


def test_a_student_submits_on_jupyterhub_and_the_instructor_sees_it_in_the_formgrader(
        shared_env, unix_accounts, http_proxy, browser, tmp_path):
    tmp_root = world_readable_dir("nn-course-hub-")
    try:
        _run_the_hub(shared_env, unix_accounts, http_proxy, browser, tmp_root, tmp_path)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)


def _run_the_hub(env_dir, accounts, proxy, browser, tmp_root, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    exchange = make_exchange(tmp_root)
    config = server_config(tmp_root, exchange)
    instructor, student = accounts.create("teach"), accounts.create("stud")
    course = course_folder(instructor, [ASSIGNMENT])
    jupyter_dir = instructor.home / ".jupyter"
    jupyter_dir.mkdir()
    (jupyter_dir / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.root = {str(course)!r}\n")
    give(jupyter_dir, instructor)
    run_as(instructor, ["nbgrader", "generate_assignment", ASSIGNMENT], env_dir, cwd=course, extra_env=config)
    run_as(instructor, ["nbgrader", "release_assignment", ASSIGNMENT], env_dir, cwd=course, extra_env=config)
    set_up_extensions(env_dir, instructor, config)

    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config_file = hub_config(hub_dir, proxy, port, instructor, student, config)
    log_path = hub_dir / "jupyterhub.log"
    env = {"PATH": f"{Path(env_dir) / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": str(hub_dir)}
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(Path(env_dir) / "bin" / "jupyterhub"), "-f", str(config_file)],
                                  cwd=hub_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"{url}/hub/api", server, log_path, "JupyterHub")
        _student_fetches_runs_and_submits(browser, url, student, shots)
        inbound = list((exchange / COURSE_ID / "inbound").glob(f"{student.name}+{ASSIGNMENT}+*"))
        assert len(inbound) == 1 and inbound[0].stat().st_uid == student.uid  # submitted as the student
        saved = nbformat.read(inbound[0] / f"{ASSIGNMENT}.ipynb", as_version=4)
        assert [cell.execution_count for cell in saved.cells if cell.cell_type == "code"][0] == 1
        run_as(instructor, ["nbgrader", "collect", ASSIGNMENT], env_dir, cwd=course, extra_env=config)
        _instructor_sees_the_submission(browser, url, instructor, student, shots)
    finally:
        _stop(server, [instructor, student])
    assert not list(hub_dir.glob("proxy.pid")) or not _running(hub_dir / "proxy.pid")


def _running(pid_file):
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
        return True
    except (ProcessLookupError, ValueError):
        return False


def _select_the_first_code_cell(page, attempts=5):
    """Click the notebook's first code cell until it is the active one, in command mode. While
    the page still renders (math, a notification), the layout moves under a click, which can
    land on the next cell: the menu's "Run Selected Cell" would then run a markdown cell."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    first = page.locator(".jp-Notebook .jp-CodeCell").first
    for _ in range(attempts):
        first.click()
        page.keyboard.press("Escape")  # command mode: the cell is selected, not its editor
        try:
            page.wait_for_function("() => document.querySelector('.jp-Notebook .jp-CodeCell')"
                                   ".classList.contains('jp-mod-active')", timeout=5_000)
            return
        except PlaywrightTimeout:
            page.wait_for_timeout(1_000)
    raise AssertionError(f"the first code cell did not become the active cell in {attempts} clicks")


def _student_fetches_runs_and_submits(browser, url, student, shots):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = None
    try:
        page = log_in(context, url, student, shots, "student")
        commands = nbgrader_menu_commands(page)
        assert "nbgrader:open-assignment-list" in commands
        assert "nbgrader:open-formgrader" not in commands  # instructors only
        page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click()
        page.locator("#jp-mainmenu-nbgrader li[data-command='nbgrader:open-assignment-list']").click()
        released = page.locator("#released_assignments_list > .list_item")
        released.filter(has_text=ASSIGNMENT).first.wait_for(timeout=60_000)
        page.screenshot(path=shots / "student-assignment-list.png")
        released.filter(has_text=ASSIGNMENT).locator(".item_status button").click()
        fetched = page.locator("#fetched_assignments_list > .list_item").filter(has_text=ASSIGNMENT)
        fetched.first.wait_for(timeout=60_000)
        fetched.locator(f"a:text-is('{ASSIGNMENT}')").first.click()
        notebook_link = page.locator(f"#fetched_assignments_list .collapse.in a:text-is('{ASSIGNMENT}')")
        notebook_link.wait_for(timeout=30_000)
        page.screenshot(path=shots / "student-fetched.png")
        notebook_link.click()

        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        _select_the_first_code_cell(page)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name=re.compile(r"^Run Selected Cell")).first.click()
        page.wait_for_function(
            "() => /\\[\\d+\\]/.test(document.querySelector('.jp-Notebook .jp-CodeCell .jp-InputPrompt')"
            ".textContent)", timeout=240_000)
        page.keyboard.press("Control+s")
        page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                               timeout=30_000)
        page.screenshot(path=shots / "student-ran-a-cell.png")

        page.locator(".lm-TabBar-tab .lm-TabBar-tabLabel:text-is('Assignments')").click()
        fetched.locator(".item_status button:text-is('Submit')").click()
        submitted = page.locator("#submitted_assignments_list > .list_item").filter(has_text=ASSIGNMENT)
        submitted.first.wait_for(timeout=60_000)
        page.screenshot(path=shots / "student-submitted.png")
    except Exception:
        if page is not None:
            page.screenshot(path=shots / "student-failed.png")
        raise
    finally:
        context.close()


def _instructor_sees_the_submission(browser, url, instructor, student, shots):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = None
    try:
        page = log_in(context, url, instructor, shots, "instructor")
        assert "nbgrader:open-formgrader" in nbgrader_menu_commands(page)
        # JupyterHub >= 4.1 forbids the iframe the lab's Formgrader tab uses; nbgrader's docs
        # ("Formgrader with jupyterhub>=4.1") open the formgrader in a tab of its own.
        page.goto(f"{url}/user/{instructor.name}/formgrader/manage_submissions/{ASSIGNMENT}")
        row = page.locator("tr", has_text=student.name)
        row.first.wait_for(timeout=60_000)
        page.screenshot(path=shots / "instructor-formgrader.png")
        assert "needs autograding" in row.first.inner_text()  # collected, not graded yet
    except Exception:
        if page is not None:
            page.screenshot(path=shots / "instructor-failed.png")
        raise
    finally:
        context.close()
