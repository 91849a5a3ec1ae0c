"""The student bundle: it holds the release, the course package, set-up files and a student
README, and no solution, hidden test or instructor file; unpacked on its own, with a fresh venv
installed from its own set-up files, its self-check passes a completed notebook and lists the
failures of an untouched one."""

import io
import json
import os
import re
import subprocess
import sys
import zipfile

import nbformat
import numpy as np
import pytest
import tomllib

from autograder.authoring.bundle import TOP, build_bundle, dependencies
from autograder.authoring.sync import ROOT, SOURCE, read_module
from autograder.demo.samples import make_submission
from course.judges import judges_of
from course.registry import ASSIGNMENTS, STEP_MODULES

REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(?P<body>.*?)### END \1", re.S)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path, _ = build_bundle(tmp_path_factory.mktemp("bundle") / "student-bundle.zip")
    with zipfile.ZipFile(path) as archive:
        files = {name[len(TOP) + 1:]: archive.read(name) for name in archive.namelist()}
    return path, files


def _meaningful(text):
    return {line.strip() for line in text.splitlines() if len(line.strip()) > 20}


def _given(assignment):
    """What students of ``assignment`` are meant to see: its source notebook outside the
    solution and hidden-test regions, and the earlier steps' code shipped beside it."""
    notebook = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    given = "\n".join(REGION.sub("", cell.source + "\n") for cell in notebook.cells)
    previous = SOURCE / assignment / "previous_steps.py"
    return given + (previous.read_text() if previous.exists() else "")


def _name(requirement):
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def test_bundle_holds_release_course_setup_and_readme_only(bundle):
    _, files = bundle
    tops = {name.split("/")[0] for name in files}
    assert tops == {"release", "course", "pyproject.toml", "environment.yml", "README.md"}
    for assignment in ASSIGNMENTS:
        assert f"release/{assignment}/{assignment}.ipynb" in files
    assert {"course/selfcheck.py", "course/checks.py", "course/hints.py", "course/probes/kernel.py",
            "course/probes/published.py", "course/judges/__init__.py", "course/judges/tools.py"} <= set(files)
    judges = {path.name for path in (ROOT / "course" / "judges").glob("*.py")}
    assert judges > {"__init__.py", "tools.py"}  # the self-check runs the grader's judges
    assert {f"course/judges/{name}" for name in judges} <= set(files)
    assert {f"course/probe_values/{assignment}.npz" for assignment in ASSIGNMENTS} <= set(files)
    assert not [n for n in files if n.startswith(("autograder/", "source/")) or "/reference/" in n]


def _text(name, data):
    """The text of a bundled file; of an .npz archive (the probe values), its text arrays'."""
    if name.endswith(".npz"):
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            return "\n".join(str(value) for key in archive.files if archive[key].dtype.kind == "U"
                             for value in archive[key].ravel())
    return data.decode()


def test_bundle_holds_no_solution_region_or_hidden_test(bundle):
    _, files = bundle
    for name, data in files.items():
        text = _text(name, data)
        for marker in ("### BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "### END SOLUTION"):
            assert marker not in text, f"{name} holds {marker}"
    for assignment in ASSIGNMENTS:
        notebook = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
        hidden = set()
        for cell in notebook.cells:
            for region in REGION.finditer(cell.source + "\n"):
                if region[1] == "HIDDEN TESTS":
                    hidden |= _meaningful(region["body"])
        hidden -= _meaningful(_given(assignment)) | _solution_lines()  # those: the test below
        # the notebooks and what ships beside them (course/ shares generic idioms with tests)
        leaked = {name: sorted(hidden & _meaningful(_text(name, data))) for name, data in files.items()
                  if not name.startswith("course/")}
        assert not {name: lines for name, lines in leaked.items() if lines}, assignment


def _solution_lines(assignment=None):
    """Lines of the solution regions of the reference blocks (of one step, or of all)."""
    lines = set()
    for step_assignment, step in STEP_MODULES.items():
        if assignment in (None, step_assignment):
            for block in read_module(step)[1].values():
                for region in REGION.finditer(block + "\n"):
                    lines |= _meaningful(region["body"])
    return lines


#: Lines shared by design with the course package: its own gradient check (course.checks)
#: perturbs an entry as notebook 04's numerical_gradient does, and the Layer base class
#: (course.framework) switches its own mode as Sequential.eval does for every layer.
SHARED_WITH_COURSE = {"x[index] = saved - eps", "self.training = False"}


def test_no_reference_solution_line_is_in_the_bundle(bundle):
    """A step's solution lines appear only in the previous_steps.py of later notebooks (the
    course's versions of the earlier steps, shipped by design); never in notebook 08's case."""
    _, files = bundle
    texts = {name: _meaningful(_text(name, data)) for name, data in files.items()}
    given = {assignment: _meaningful(_given(assignment)) for assignment in ASSIGNMENTS}
    checked = 0
    for index, assignment in enumerate(ASSIGNMENTS):
        secret = _solution_lines(assignment) - given[assignment]
        assert secret, f"{assignment}: no solution line to look for"
        later = {f"release/{b}/previous_steps.py" for b in ASSIGNMENTS[index + 1:]}
        for name, lines in texts.items():
            if name in later:
                continue
            folder = name.split("/")[1] if name.startswith("release/") else None
            allowed = SHARED_WITH_COURSE if name.startswith("course/") else given.get(folder, set())
            leaked = (secret - allowed) & lines
            assert not leaked, f"{name} holds solution lines of {assignment}: {sorted(leaked)}"
            checked += 1
    assert checked > 100


def test_bundle_setup_installs_the_course_and_its_dependencies_only(bundle):
    _, files = bundle
    project = tomllib.loads(files["pyproject.toml"].decode())
    assert project["project"]["dependencies"] == dependencies()
    assert project["tool"]["setuptools"]["packages"] == ["course", "course.judges", "course.probes"]
    packaged = {"course" + "".join(f".{part}" for part in name.split("/")[1:-1])
                for name in files if name.startswith("course/") and name.endswith("/__init__.py")}
    assert set(project["tool"]["setuptools"]["packages"]) == packaged
    assert project["tool"]["setuptools"]["package-data"] == {"course": ["probe_values/*.npz",
                                                                        "locale/*.json"]}
    names = {_name(r) for r in dependencies()}
    assert not names & {"pytest", "ruff", "dask", "psycopg"}
    conda = {_name(line[4:]) for line in files["environment.yml"].decode().splitlines()
             if re.match(r"^  - [A-Za-z][^:]*$", line)} - {"python", "pip", "conda-forge"}
    assert conda == names


def test_student_readme_walks_through_setup_notebooks_and_self_check(bundle):
    _, files = bundle
    readme = files["README.md"].decode()
    for text in ("pip install .", "conda env create -f environment.yml",
                 "release/01_data_prep/01_data_prep.ipynb", "USE_MY_OWN_CODE = True",
                 "python -m course check", "## 4. Fix, and check again"):
        assert text in readme, text
    assert "autograder" not in readme and "source/" not in readme


def _complete(folder, assignment, kind):
    release_dir = folder / "release"
    notebook = make_submission(assignment, kind, release_dir)
    nbformat.write(notebook, release_dir / assignment / f"{assignment}.ipynb")


@pytest.mark.slow
def test_unpacked_bundle_installs_in_a_fresh_venv_and_self_checks(bundle, tmp_path):
    path, _ = bundle
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / TOP
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    subprocess.run([sys.executable, "-m", "venv", str(folder / ".venv")], check=True)
    python = folder / ".venv" / "bin" / "python"
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "."], cwd=folder, env=env,
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    where = subprocess.run([str(python), "-c", "import course; print(course.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(folder / ".venv")), where.stdout
    judged = subprocess.run([str(python), "-c", "from course.judges import judges_of; from course.registry "
                             "import ASSIGNMENTS; print({a: sorted(judges_of(a)) for a in ASSIGNMENTS})"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert judged.stdout.strip() == str({a: sorted(judges_of(a)) for a in ASSIGNMENTS})  # every judge ships

    def check(assignment):
        return subprocess.run([str(python), "-m", "course", "check",
                               f"release/{assignment}/{assignment}.ipynb"],
                              cwd=folder, env=env, capture_output=True, text=True, timeout=600)

    untouched = check("05_update")
    assert untouched.returncode == 1, untouched.stdout + untouched.stderr
    assert untouched.stdout.count("FAILED") >= 2 and "NotImplementedError" in untouched.stdout

    _complete(folder, "05_update", "complete")
    completed = check("05_update")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "FAILED" not in completed.stdout and "every exercise passed" in completed.stdout

    # --json: one JSON object on stdout, nothing else, from the notebook's folder and from elsewhere
    def check_json(notebook, cwd):
        done = subprocess.run([str(python), "-m", "course", "check", str(notebook), "--json"], cwd=cwd,
                              env=env, capture_output=True, text=True, timeout=600)
        assert "WARNING" not in done.stderr, done.stderr       # ipykernel's transport warning
        return done.returncode, json.loads(done.stdout)

    code, report = check_json("05_update.ipynb", folder / "release" / "05_update")
    assert code == 0 and report == {
        "notebook": "05_update.ipynb", "assignment": "05_update", "passed": True,
        "exercises": [{"grade_id": "linear_parameters", "passed": True, "points": 2.0, "max_points": 2.0,
                       "message": "", "hint": ""},
                      {"grade_id": "linear_update", "passed": True, "points": 3.0, "max_points": 3.0,
                       "message": "", "hint": ""}]}
    stub = folder / "release" / "06_loss" / "06_loss.ipynb"
    code, report = check_json(stub, tmp_path)
    assert code == 1 and report["assignment"] == "06_loss" and report["passed"] is False
    assert [e["grade_id"] for e in report["exercises"]] == ["mean_square_error", "sigmoid_cross_entropy",
                                                            "softmax", "softmax_cross_entropy"]
    for exercise in report["exercises"]:
        assert not exercise["passed"] and exercise["points"] == 0 and exercise["max_points"] > 0
        assert "NotImplementedError" in exercise["message"] and exercise["hint"], exercise
