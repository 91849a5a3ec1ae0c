"""The two command lines, ``python -m autograder`` and ``python -m course``: every command's
``--help`` prints its help and changes nothing, and an unknown option is argparse's error (exit 2).

Every command runs in one child process (each command's module is imported once: importing all of
them in a process apiece takes minutes on a busy machine); ``python -m`` itself is run for the lists
of commands and for one command of each CLI.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import course.__main__
from autograder.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
CLIS = {"autograder": COMMANDS, "course": course.__main__.COMMANDS}
# the positional arguments a command requires, so that only the unknown option is wrong
REQUIRED = {"grade": ["all"], "check": ["release/01_data_prep/01_data_prep.ipynb"],
            "translations": ["build", "--lang", "zh"], "rehearse": ["05_update"],
            "exercise": ["add", "06_loss", "log_softmax", "--points", "1"]}
CALLS = [(package, name) for package, commands in CLIS.items() for name in commands]

RUN_EVERY_COMMAND = textwrap.dedent("""
    import contextlib, io, json, sys
    import course.__main__
    from autograder.cli import COMMANDS
    from course.cli import main

    results = {}
    for package, commands in (("autograder", COMMANDS), ("course", course.__main__.COMMANDS)):
        for name in commands:
            for kind, argv in (("help", [name, "--help"]),
                               ("unknown", [name, *REQUIRED.get(name, []), "--no-such-option"])):
                out, err = io.StringIO(), io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    try:
                        code = main(f"python -m {package}", "", commands, argv)
                    except SystemExit as stop:
                        code = stop.code
                results[f"{package} {name} {kind}"] = [code, out.getvalue(), err.getvalue()]
    print(json.dumps(results))
""")


def _git_status():
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def every_command():
    """{"<package> <command> help|unknown": [exit code, stdout, stderr]}, and whether the
    repository's ``git status`` was the same after all of them as before."""
    before = _git_status()
    result = subprocess.run([sys.executable, "-c", f"REQUIRED = {REQUIRED!r}\n{RUN_EVERY_COMMAND}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1]), _git_status() == before


@pytest.mark.parametrize("package, name", CALLS, ids=[f"{p} {n}" for p, n in CALLS])
def test_help_of_every_command_prints_its_usage_and_exits_0(every_command, package, name):
    code, out, err = every_command[0][f"{package} {name} help"]
    assert code == 0, err
    assert out.startswith(f"usage: python -m {package} {name}"), out[:300]
    assert err == ""


@pytest.mark.parametrize("package, name", CALLS, ids=[f"{p} {n}" for p, n in CALLS])
def test_an_unknown_option_of_every_command_exits_2_with_argparse_message(every_command, package, name):
    code, _, err = every_command[0][f"{package} {name} unknown"]
    assert code == 2
    assert "unrecognized arguments: --no-such-option" in err and "Traceback" not in err


def test_help_and_unknown_options_change_nothing_in_the_repository(every_command):
    assert every_command[1], "a command's --help or an unknown option changed the repository's files"


@pytest.mark.parametrize("package", list(CLIS))
def test_python_m_lists_every_command(package):
    result = subprocess.run([sys.executable, "-m", package, "--help"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0
    assert all(name in result.stdout for name in CLIS[package])


@pytest.mark.parametrize("package, name", [("autograder", "sync"), ("course", "check")])
def test_python_m_command_help_only_prints(package, name):
    before = _git_status()
    result = subprocess.run([sys.executable, "-m", package, name, "--help"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0 and result.stdout.startswith(f"usage: python -m {package} {name}")
    assert _git_status() == before


@pytest.mark.parametrize("package", list(CLIS))
def test_an_unknown_command_is_an_error(package):
    result = subprocess.run([sys.executable, "-m", package, "no-such-command"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 2 and "invalid choice: 'no-such-command'" in result.stderr
