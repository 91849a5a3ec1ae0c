"""The conda and pip routes install the same packages."""

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement):
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pip_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_name(r) for r in requirements}


def _conda_packages():
    names, in_dependencies = set(), False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_dependencies = True
        elif in_dependencies and re.match(r"^  - [A-Za-z][^:]*$", line):
            names.add(_name(line[4:]))
    return names - {"python", "pip"}


def test_environment_yml_and_pyproject_name_the_same_packages():
    assert _conda_packages() == _pip_packages()


def test_package_lists_are_not_empty():
    assert {"numpy", "nbgrader", "pytest", "matplotlib", "jupyterlab"} <= _pip_packages()
