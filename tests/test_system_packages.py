"""``scripts/system-packages``, the first step of ``make demo`` and ``make test``: with every
package present it passes; with one missing and no way to install it, it stops with one line that
says what to run (no traceback, nothing else started)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "system-packages"

needs_root = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                                reason="hiding a system program needs root and unshare")


def _run(job, hide=(), user=None):
    """Run the script for ``job`` in a mount namespace where the programs ``hide`` are covered by
    /dev/null (not executable), as ``user`` (None: the current user)."""
    covers = "".join(f"mount --bind /dev/null {path}; " for path in hide)
    run_as = f"runuser -u {user} -- " if user else ""
    command = f"{covers}cd /; {run_as}{SCRIPT} {job}"
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", command],
                          capture_output=True, text=True, timeout=120)


@needs_root
def test_demo_passes_when_every_package_is_there():
    if not Path("/usr/bin/bwrap").exists():
        pytest.skip("bubblewrap is not installed here")
    result = _run("demo")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@needs_root
@pytest.mark.parametrize("job", ["demo", "test"])
def test_a_missing_sandbox_stops_with_one_line_naming_the_command(job):
    if not Path("/usr/bin/bwrap").exists():
        pytest.skip("bubblewrap is not installed here")
    result = _run(job, hide=["/usr/bin/bwrap"], user="nobody")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "sudo apt-get install" in lines[0] and "bubblewrap" in lines[0]
    assert f"make {job} again" in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


@needs_root
def test_without_apt_get_it_names_the_package_for_any_package_manager():
    if not Path("/usr/bin/bwrap").exists():
        pytest.skip("bubblewrap is not installed here")
    hide = ["/usr/bin/bwrap", shutil.which("apt-get")]
    result = _run("demo", hide=hide)
    assert result.returncode == 1
    assert result.stderr.strip() == ("make demo needs bubblewrap for the grading sandbox: install them "
                                     "with your system's package manager, then make demo again.")


def test_an_unknown_job_is_a_usage_error():
    result = subprocess.run([str(SCRIPT), "lint"], capture_output=True, text=True)
    assert result.returncode == 2 and "usage" in result.stderr
