"""A course server's set-up for tests that play a class on one machine: nbgrader's exchange
folder, the server-wide nbgrader configuration from deploy/, and the instructor's course
directory, as deploy/README.md describes them."""

import shutil

from unix_accounts import ROOT, give

from autograder.authoring.release import IGNORED

COURSE_ID = "nn-from-scratch"  # as in nbgrader_config.py and deploy/nbgrader_config.py


def make_exchange(folder):
    """nbgrader's exchange folder in ``folder``: writable by every account (mode 0777)."""
    exchange = folder / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    return exchange


def server_config(folder, exchange):
    """The environment every account's Jupyter needs: JUPYTER_CONFIG_PATH with the test's
    exchange folder first, then deploy/'s nbgrader_config.py (which a server installs as
    /etc/jupyter/nbgrader_config.py)."""
    site, local = folder / "site-config", folder / "local-config"
    site.mkdir()
    local.mkdir()
    shutil.copy(ROOT / "deploy" / "nbgrader_config.py", site / "nbgrader_config.py")
    (local / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.Exchange.root = {str(exchange)!r}\n")
    for path in (site, local, *site.iterdir(), *local.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return {"JUPYTER_CONFIG_PATH": f"{local}:{site}"}


def course_folder(instructor, assignments):
    """The instructor's course directory, ``~/course``: the repository's nbgrader_config.py and
    the source of ``assignments``, owned by the instructor."""
    course = instructor.home / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    for assignment in assignments:
        shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment, ignore=IGNORED)
    give(course, instructor)
    return course
