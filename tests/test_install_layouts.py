"""The hidden reference is out of reach under every install layout (issue 12, finding 2): the
course installed editable (the development environment), with a regular `pip install .` and
from a wheel, each into a fresh virtual environment. In each, the routes to the reference
work outside the sandbox, and a notebook that takes the reference by all of them, graded by
that environment's `python -m autograder grade`, gets nothing of it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_catalogue import ASSIGNMENT, FULL, REFERENCE_FINDER, REFERENCE_ROUTES, every_solution

from autograder.authoring.release import build_course_dir
from autograder.batch import sequential
from autograder.demo.samples import write_submissions

REPOSITORY = Path(__file__).resolve().parents[1]
PROJECT = ("pyproject.toml", "README.md", "course", "autograder")  # what `pip install .` reads
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not all(Path(p).exists() for p in ("/usr/bin/bwrap", "/usr/bin/prlimit", "/usr/bin/setpriv")),
    reason="the grading sandbox needs bubblewrap and util-linux (apt-get install bubblewrap)")]


def _pip(python, *args):
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-compile", *args], check=True,
                   timeout=1200, capture_output=True)


@pytest.fixture(scope="module", params=["editable", "regular", "wheel"])
def layout(request, tmp_path_factory):
    """(name, python): the interpreter of an environment with the course installed that way
    (one environment per layout per session)."""
    if request.param == "editable":
        return request.param, Path(sys.executable)
    folder = tmp_path_factory.mktemp(request.param)
    project = folder / "project"  # a clean copy: building writes build/ and *.egg-info into it
    project.mkdir()
    for name in PROJECT:
        if (REPOSITORY / name).is_dir():
            shutil.copytree(REPOSITORY / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPOSITORY / name, project / name)
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(folder / "venv")],
                   check=True, timeout=300)
    python = folder / "venv" / "bin" / "python"
    if request.param == "regular":
        _pip(python, str(project))
    else:
        subprocess.run([str(python), "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                        str(folder / "wheels"), str(project)], check=True, timeout=600, capture_output=True)
        _pip(python, *map(str, (folder / "wheels").glob("*.whl")))
    return request.param, python


def _run_env(python):
    return {**os.environ, "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_outside_the_sandbox_the_layout_exposes_the_reference(layout, tmp_path):
    name, python = layout
    where = subprocess.run([str(python), "-c", "import autograder; print(autograder.__path__[0])"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout.strip()
    assert ("site-packages" in where) == (name != "editable"), where
    found = subprocess.run([str(python), "-c", REFERENCE_FINDER], capture_output=True, text=True,
                           cwd=tmp_path, timeout=300)
    assert "('import', 'autograder.reference')" in found.stdout, found.stderr[-2000:]


def test_a_notebook_taking_the_reference_by_every_route_gets_nothing(layout, tmp_path):
    name, python = layout
    course_dir = tmp_path / "course"
    release = build_course_dir(course_dir, [ASSIGNMENT])
    write_submissions(course_dir, {"ada": "complete"}, [ASSIGNMENT], release_dir=release)
    folder = course_dir / "submitted" / "mallory" / ASSIGNMENT
    folder.mkdir(parents=True)
    every_solution(REFERENCE_ROUTES)(folder)
    result = subprocess.run([str(python), "-m", "autograder", "grade", ASSIGNMENT, "--course-dir",
                             str(course_dir), "--workers", "2", "--no-feedback"], env=_run_env(python),
                            capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"preflight: the reference solution of {ASSIGNMENT} scored {FULL}/{FULL}" in result.stdout
    totals = {s: sum(score for score, _ in cells.values()) for (s, _), cells in
              sequential.cell_scores(course_dir).items()}
    assert totals == {"ada": FULL, "mallory": 0}, name
    graded = (course_dir / "autograded" / "mallory" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "found []" in graded and "found [(" not in graded


def test_the_layout_holds_the_translations_and_the_judges(layout):
    """What the Chinese edition and the trusted verdict read at run time comes with the install:
    the shipped messages, the grader's hidden-test translations, every step's judges."""
    from autograder.judging.hidden_messages import hidden_translations
    from course.i18n import translations
    from course.judges import judges_of
    from course.registry import ASSIGNMENTS

    _, python = layout
    script = ("import json\n"
              "from autograder.judging.hidden_messages import hidden_translations\n"
              "from course.i18n import translations\n"
              "from course.judges import judges_of\n"
              "from course.registry import ASSIGNMENTS\n"
              "print(json.dumps([len(translations('zh')),"
              " {a: len(hidden_translations('zh', a)) for a in ASSIGNMENTS},"
              " {a: sorted(judges_of(a)) for a in ASSIGNMENTS}]))\n")
    result = subprocess.run([str(python), "-c", script], cwd="/", env=_run_env(python), capture_output=True,
                            text=True, timeout=120, check=True)
    expected = [len(translations("zh")), {a: len(hidden_translations("zh", a)) for a in ASSIGNMENTS},
                {a: sorted(judges_of(a)) for a in ASSIGNMENTS}]
    assert expected[0] > 0 and sum(expected[1].values()) > 0
    assert json.loads(result.stdout) == expected
