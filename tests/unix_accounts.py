"""Unix accounts, and a Python environment that every account can run, for tests that play a
whole class on one machine (nbgrader's exchange, JupyterHub).

nbgrader tells students apart by Unix user id, not by ``$USER``, so only a real account submits
as a student: accounts are made with ``useradd`` and removed with ``userdel`` (root only), and
commands run as an account through ``runuser`` with a clean login environment.

The Python running the tests may live where other accounts cannot read it (a home folder of
mode 0700), so the accounts get an environment of their own, as on a JupyterHub server: a venv
made with the system's ``python3`` in a world-readable temporary folder, with this repository
installed into it by ``pip install .`` (not editable, as in a server's image).
"""

import fcntl
import hashlib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path("/usr/bin/python3")
TOOLS = ("useradd", "userdel", "runuser", "chpasswd")

requires_root = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(tool) for tool in TOOLS) or not SYSTEM_PYTHON.exists(),
    reason="needs root (to create Unix accounts and run commands as them), useradd, runuser and "
           "/usr/bin/python3 with venv (CI runs as root)")


@dataclass(frozen=True)
class Account:
    """A Unix account made for one test: its login name, home folder (mode 0700) and ids."""

    name: str
    home: Path
    uid: int
    gid: int
    password: str


class Accounts:
    """Unix accounts with names unique to this run; ``remove()`` deletes them and their homes.

    Use as a context manager (or the ``unix_accounts`` fixture), so that they go even when the
    test fails.
    """

    def __init__(self):
        self.run_id = secrets.token_hex(3)
        self.made = []

    def create(self, role):
        """A new account named ``nn<role><run id>`` (role: a few lowercase letters and digits)."""
        name = f"nn{role}{self.run_id}"
        password = secrets.token_urlsafe(12)
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name],
                       check=True, capture_output=True, text=True)
        self.made.append(name)
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", check=True, capture_output=True, text=True)
        entry = pwd.getpwnam(name)
        home = Path(entry.pw_dir)
        os.chmod(home, 0o700)  # nbgrader keeps each student's submission secrets in the home folder
        return Account(name, home, entry.pw_uid, entry.pw_gid, password)

    def remove(self):
        errors = []
        for name in reversed(self.made):
            result = subprocess.run(["userdel", "--remove", "--force", name], capture_output=True, text=True)
            if result.returncode not in (0, 12):  # 12: the home folder could not be removed completely
                errors.append(f"userdel {name}: {result.stderr.strip()}")
        self.made.clear()
        if errors:
            raise RuntimeError("; ".join(errors))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def give(path, account):
    """Make ``path`` (a file or a folder, recursively) belong to ``account``."""
    path = Path(path)
    for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
        os.chown(item, account.uid, account.gid, follow_symlinks=False)


def login_environment(account, env_dir, extra=None):
    """The environment of a fresh login of ``account`` with the shared environment first on PATH."""
    env = {"HOME": str(account.home), "USER": account.name, "LOGNAME": account.name, "SHELL": "/bin/bash",
           "PATH": f"{Path(env_dir) / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    return {**env, **(extra or {})}


def run_as(account, args, env_dir, cwd=None, extra_env=None, check=True, timeout=600):
    """Run ``args`` as ``account`` (real uid and gid) in ``cwd`` (default: its home).

    Returns the CompletedProcess (text output captured). Raises AssertionError with the output
    when the command fails and ``check`` is set.
    """
    env = login_environment(account, env_dir, extra_env)
    command = ["runuser", "-u", account.name, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *args]
    result = subprocess.run(command, cwd=cwd or account.home, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} as {account.name} failed ({result.returncode}):\n"
                             f"{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    return result


def hub_requirement():
    """The ``jupyterhub`` requirement of the dev extras in pyproject.toml."""
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    return next(r for r in dev if r.lower().startswith("jupyterhub"))


def build_shared_env(target):
    """Make ``target`` a venv of the system's python3 with this repository and JupyterHub
    installed (``pip install .``), readable and runnable by every account."""
    target = Path(target)
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(target)], check=True, capture_output=True)
    result = subprocess.run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet",
                             "--disable-pip-version-check", str(ROOT), hub_requirement()],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip install of the shared environment failed:\n{result.stderr[-4000:]}")
    subprocess.run(["chmod", "-R", "a+rX", str(target)], check=True)


@contextmanager
def shared_env(run_root):
    """The shared environment of one test run, built once and shared by the run's pytest-xdist
    workers (``run_root``: a folder all the workers of the run see, named after the run).

    Yields the venv's folder. The last worker to leave removes it.
    """
    key = hashlib.sha256(str(Path(run_root).resolve()).encode()).hexdigest()[:12]
    base = Path(tempfile.gettempdir()) / f"nn-course-shared-env-{key}"
    lock_path = Path(run_root) / "shared-env.lock"
    users = Path(run_root) / "shared-env.users"
    me = users / f"{os.getpid()}"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (base / "ready").exists():
                if base.exists():
                    shutil.rmtree(base)
                base.mkdir(mode=0o755)
                os.chmod(base, 0o755)
                build_shared_env(base / "venv")
                (base / "ready").touch()
            users.mkdir(exist_ok=True)
            me.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    try:
        yield base / "venv"
    finally:
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                me.unlink(missing_ok=True)
                if not any(users.iterdir()):
                    shutil.rmtree(base, ignore_errors=True)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def world_readable_dir(prefix):
    """A new temporary folder that every account can enter and read (mode 0755)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o755)
    return path
