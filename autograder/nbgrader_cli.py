"""Run nbgrader's own command line in a course directory.

nbgrader starts helper executables by name (``alembic`` when it creates a gradebook,
``jupyter`` kernels), so every call puts this environment's ``bin`` first on PATH. Its
command line takes seconds to import: callers pass glob patterns ("*") so one call does
every assignment or student at once.
"""

import os
import subprocess
import sys
from pathlib import Path


def environment():
    """os.environ with the running interpreter's bin folder first on PATH."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def nbgrader(*args, course_dir, check=True):
    """Run ``nbgrader ARGS`` in ``course_dir``. Returns the CompletedProcess (output captured).

    Raises RuntimeError with nbgrader's log when it fails and ``check`` is set.
    """
    command = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(command, cwd=course_dir, env=environment(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}")
    return result
