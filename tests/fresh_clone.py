"""A fresh clone of this repository as it is now, for tests that follow the instructor's steps.

``source_repository`` makes a git repository whose one commit holds this checkout's working tree
(committed and uncommitted changes, untracked files that git does not ignore), so that ``git
clone`` of it is what a clone of the repository will be once the work is committed.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent  # the environment the tests run in


def _git(*args, cwd, **kwargs):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, **kwargs)


def source_repository(target):
    """A git repository at ``target`` holding the working tree of this checkout. Returns its path."""
    _git("clone", "--quiet", "--no-hardlinks", str(ROOT), str(target), cwd=ROOT)
    diff = _git("diff", "HEAD", "--binary", cwd=ROOT).stdout
    if diff:
        subprocess.run(["git", "apply", "--whitespace=nowarn"], cwd=target, input=diff, check=True)
    untracked = _git("ls-files", "--others", "--exclude-standard", "-z", cwd=ROOT).stdout.split(b"\0")
    for name in filter(None, untracked):
        destination = Path(target, name.decode())
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(Path(ROOT, name.decode()).read_bytes())
    _git("add", "--all", cwd=target)
    _git("-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "--quiet", "--allow-empty",
         "-m", "the working tree under test", cwd=target)
    return Path(target)
