"""One way to start the real things the browser tests drive: Debian's Chromium (through
Playwright) and a Jupyter server (JupyterLab with nbgrader's extensions, or JupyterHub), each
on a free localhost port, waited for, and stopped at the end with its log kept for the message."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = ("127.0.0.1", "localhost")

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=(
    "Chromium is not installed at /usr/bin/chromium (Debian: apt-get install chromium; "
    "scripts/system-packages test does it)"))


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def chromium():
    """A headless Chromium (Playwright's Browser), closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def lab_environment(base=None):
    """``base`` (default: os.environ) with this environment's bin first on PATH and nothing that
    tells the course it is being graded or run without a front end."""
    base = dict(os.environ if base is None else base)
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
    base.pop("NBGRADER_EXECUTION", None)
    base.pop("COURSE_NONINTERACTIVE", None)
    return base


def wait_until_up(url, server, log_path, what, seconds=90):
    """Wait until ``url`` answers; raise with the end of the server's log if it stops first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"{what} did not start:\n" + Path(log_path).read_text()[-4000:]) from None
            time.sleep(0.5)


def stop(server, seconds=20):
    """SIGTERM, then SIGKILL after ``seconds``."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextlib.contextmanager
def server(command, *, cwd, env, log_path, ready_path, what, seconds=90):
    """Run ``command`` (a server listening on 127.0.0.1) with its output in ``log_path``; yield the
    process once ``ready_path`` (a full URL) answers; stop it at the end."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(ready_path, process, log_path, what, seconds)
        yield process
    finally:
        stop(process)


@contextlib.contextmanager
def jupyter_lab(root_dir, log_path, *, token, jupyter=None, cwd=None, env=None, extra_args=(), seconds=90):
    """JupyterLab serving ``root_dir`` on a free port with ``token``; yields its base URL.

    jupyter: the ``jupyter`` command to run (default: this environment's, ``python -m jupyter``);
    env: the server's whole environment (default: ``lab_environment()``)."""
    port = free_port()
    command = [str(jupyter)] if jupyter else [sys.executable, "-m", "jupyter"]
    command += ["lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
                f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}", *extra_args]
    base = f"http://127.0.0.1:{port}"
    env = lab_environment() if env is None else env
    with server(command, cwd=cwd or root_dir, env=env, log_path=log_path,
                ready_path=f"{base}/api/status?token={token}", what="JupyterLab", seconds=seconds):
        yield base
