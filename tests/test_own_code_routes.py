"""USE_MY_OWN_CODE wherever a student runs a notebook, from a fresh unzipped student bundle set
up as its README says: a kernel that JupyterLab's server starts for the notebook, `jupyter
nbconvert --execute` and `jupyter execute` called from the notebook's folder, its parent and
`/`, and the self-check. Each route runs notebook 02 with the switch at its default and
switched on by the line the notebook documents; the student's notebook 01 prints a marker when
it runs, so the output tells whose code ran (the runs of the set-up cell alone also print the
module their ``one_hot`` came from)."""

import json
import os
import subprocess
import sys
import urllib.request
import zipfile

import nbformat
import pytest
from browser_session import jupyter_lab

from autograder.authoring.bundle import TOP, build_bundle
from autograder.demo.samples import make_submission

pytestmark = pytest.mark.slow

MARKER = "running the student's own 01_data_prep"
SWITCH_OFF, SWITCH_ON = "USE_MY_OWN_CODE = False", "USE_MY_OWN_CODE = True"
TCP_WARNING = "without encryption"
#: The last cell of a set-up-only run: where the earlier notebook's code came from
#: ("previous_steps" by default, "my_previous_steps" with USE_MY_OWN_CODE = True).
WHOSE_CODE = "print('one_hot from', one_hot.__module__)"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The unzipped bundle with its own venv (README: `python3 -m venv .venv`, `pip install .`),
    notebooks 01 and 02 completed. Yields (bundle folder, the venv's bin folder, environment)."""
    tmp = tmp_path_factory.mktemp("routes")
    path, _ = build_bundle(tmp / "student-bundle.zip")
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp)
    folder = tmp / TOP
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "NBGRADER_EXECUTION", "JPY_SESSION_NAME")}
    subprocess.run([sys.executable, "-m", "venv", str(folder / ".venv")], check=True)
    bin_dir = folder / ".venv" / "bin"
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
    install = subprocess.run([str(bin_dir / "pip"), "install", "--quiet", "."], cwd=folder, env=env,
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    release = folder / "release"
    first = make_submission("01_data_prep", "complete", release)
    cell = next(c for c in first.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "one_hot")
    cell.source += f"\n\nprint({MARKER!r})\n"
    nbformat.write(first, release / "01_data_prep" / "01_data_prep.ipynb")
    for assignment in ("02_init", "03_forward"):
        nbformat.write(make_submission(assignment, "complete", release),
                       release / assignment / f"{assignment}.ipynb")
    return folder, bin_dir, env


def _switched(folder, own, assignment="02_init"):
    """A notebook with the documented switch at its default, or turned on; returns its path."""
    path = folder / "release" / assignment / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    setup = next(c for c in notebook.cells if SWITCH_OFF in c.source or SWITCH_ON in c.source)
    setup.source = setup.source.replace(SWITCH_OFF, SWITCH_ON) if own else setup.source.replace(SWITCH_ON,
                                                                                                SWITCH_OFF)
    nbformat.write(notebook, path)
    return path


def _setup_only(path):
    """A copy of the notebook at ``path``, in its folder: its cells up to the set-up cell, then
    WHOSE_CODE. A route decides the kernel's working folder and the front end's notebook path,
    which only the set-up cell reads (``course.previous.notebook_folder``): the rest of the
    notebook runs the same on every route, so one route per tool runs the notebook itself."""
    notebook = nbformat.read(path, as_version=4)
    setup = next(i for i, c in enumerate(notebook.cells) if "USE_MY_OWN_CODE =" in c.source)
    notebook.cells = notebook.cells[:setup + 1] + [nbformat.v4.new_code_cell(WHOSE_CODE)]
    copy = path.with_name("setup-only.ipynb")
    nbformat.write(notebook, copy)
    return copy


def _errors_and_text(notebook):
    errors = [f"{o.ename}: {o.evalue}" for c in notebook.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    return errors, text


@pytest.mark.parametrize("own", [False, True], ids=["default", "own code"])
@pytest.mark.parametrize("where", ["notebook folder", "its parent", "/"])
@pytest.mark.parametrize("tool", ["nbconvert", "execute"])
def test_command_line_execution_finds_the_earlier_notebooks_from_any_folder(bundle, tmp_path, tool, where,
                                                                           own):
    folder, bin_dir, env = bundle
    whole = where == "notebook folder"  # the notebook itself, as a student runs it
    path = _switched(folder, own) if whole else _setup_only(_switched(folder, own))
    cwd = {"notebook folder": path.parent, "its parent": path.parent.parent, "/": "/"}[where]
    argument = os.path.relpath(path, cwd)
    out = tmp_path / "executed.ipynb"
    if tool == "nbconvert":
        command = [str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute", argument,
                   "--output", str(out)]
    else:
        command = [str(bin_dir / "jupyter"), "execute", argument, f"--output={out}"]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    errors, text = _errors_and_text(nbformat.read(out, as_version=4))
    assert not errors
    assert (MARKER in text) == own
    if not whole:
        assert f"one_hot from {'my_previous_steps' if own else 'previous_steps'}" in text
    assert TCP_WARNING not in done.stderr       # the bundle's kernel configuration drops it


@pytest.mark.parametrize("own", [False, True], ids=["default", "own code"])
def test_self_check_runs_on_the_earlier_notebooks_it_is_told_to(bundle, own):
    folder, bin_dir, env = bundle
    path = _switched(folder, own)
    for cwd, argument in ((folder, "release/02_init/02_init.ipynb"), ("/", str(path))):
        done = subprocess.run([str(bin_dir / "python"), "-m", "course", "check", argument], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "FAILED" not in done.stdout and TCP_WARNING not in done.stderr + done.stdout


def test_self_check_shows_why_the_earlier_notebooks_could_not_be_used(bundle):
    folder, bin_dir, env = bundle
    _switched(folder, True, "03_forward")
    earlier = folder / "release" / "02_init" / "02_init.ipynb"
    hidden = earlier.with_name("elsewhere.ipynb")
    earlier.rename(hidden)
    try:
        done = subprocess.run([str(bin_dir / "python"), "-m", "course", "check",
                               "release/03_forward/03_forward.ipynb"],
                              cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    finally:
        hidden.rename(earlier)
    assert done.returncode == 1, done.stdout
    messages = [line.split("message:")[1].strip() for line in done.stdout.splitlines() if "message:" in line]
    assert messages, done.stdout                    # Linear.forward needs Linear from 02
    for message in messages:
        assert message.startswith("FileNotFoundError: USE_MY_OWN_CODE = True needs your notebook 02_init")


def _run_in_server_kernel(base, token, runtime, notebook_path, code):
    """Start a kernel the way JupyterLab does when it opens ``notebook_path`` (a session of the
    server), run ``code`` in it over the kernel's own connection file, return (stdout, errors)."""
    from jupyter_client import BlockingKernelClient

    request = urllib.request.Request(
        f"{base}/api/sessions?token={token}", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"path": notebook_path, "type": "notebook", "name": notebook_path.split("/")[-1],
                         "kernel": {"name": "python3"}}).encode())
    session = json.load(urllib.request.urlopen(request, timeout=60))
    kernel_id = session["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel_id}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        client.kernel_info()
        client.get_shell_msg(timeout=90)          # the kernel answers: it is up
        outputs, errors = [], []

        def collect(message):
            content = message["content"]
            if message["msg_type"] == "stream":
                outputs.append(content["text"])
            elif message["msg_type"] == "error":
                errors.append(f"{content['ename']}: {content['evalue']}")

        client.execute_interactive(code, timeout=120, output_hook=collect)
        return "".join(outputs), errors
    finally:
        client.stop_channels()
        urllib.request.urlopen(urllib.request.Request(
            f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE"), timeout=30)


@pytest.mark.parametrize("own", [False, True], ids=["default", "own code"])
def test_jupyterlab_kernel_finds_the_earlier_notebooks(bundle, tmp_path, own):
    folder, bin_dir, env = bundle
    path = _switched(folder, own)
    setup = next(c.source for c in nbformat.read(path, as_version=4).cells if "USE_MY_OWN_CODE =" in c.source)
    token = "own-code-route-token"
    runtime = tmp_path / "runtime"
    # as the student README says: `jupyter lab release/...` from the bundle's folder
    with jupyter_lab(folder, tmp_path / "jupyterlab.log", token=token, jupyter=bin_dir / "jupyter",
                     env={**env, "JUPYTER_RUNTIME_DIR": str(runtime)},
                     extra_args=[f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
                                 f"--LabApp.user_settings_dir={tmp_path / 'settings'}"]) as base:
        text, errors = _run_in_server_kernel(base, token, runtime, "release/02_init/02_init.ipynb",
                                             setup + "\nprint(Linear.__module__ if 'Linear' in dir() "
                                             "else one_hot.__module__)")
    assert not errors
    assert (MARKER in text) == own
    assert ("my_previous_steps" in text) == own and ("previous_steps" in text)
