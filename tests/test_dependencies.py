"""Every third-party module that the installed packages (``course``, ``autograder``) import is a
declared dependency, and the packages whose private methods are overridden are pinned to a minor
version that the installed one satisfies. Imports are read with ``ast``, not run."""

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
INSTALLED_PACKAGES = ("course", "autograder")
# Imported only by code that needs the extra (grading on a Dask cluster): ``[cluster]``.
EXTRAS = ("cluster",)
PINNED = ("nbclient", "jupyter-client")


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(path):
    """The top-level names of the absolute imports of the Python file at ``path``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _third_party_imports():
    """{top-level module name: [files importing it]} of the installed packages' third-party imports."""
    found = {}
    for package in INSTALLED_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in _imports(path) - set(sys.stdlib_module_names) - set(INSTALLED_PACKAGES):
                found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def _requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for extra in EXTRAS for r in project["optional-dependencies"][extra]]
    return [Requirement(r) for r in project["dependencies"] + extras]


def test_every_third_party_import_of_the_installed_packages_is_a_declared_dependency():
    declared = {_canonical(r.name) for r in _requirements()}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {}
    for name, files in _third_party_imports().items():
        owners = {_canonical(d) for d in distributions.get(name, [name])}
        if not owners & declared:
            undeclared[name] = files
    assert not undeclared, f"imported but not in pyproject.toml's dependencies: {undeclared}"


def test_the_import_reader_sees_the_imports_it_must_check():
    found = _third_party_imports()
    assert {"numpy", "nbgrader", "nbclient", "jupyter_client", "zmq"} <= set(found)
    assert "benchmarks" not in found and "psutil" not in found


def test_packages_with_overridden_private_methods_are_pinned_to_the_installed_minor_version():
    requirements = {_canonical(r.name): r for r in _requirements()}
    for name in PINNED:
        specifier = requirements[name].specifier
        upper = [s for s in specifier if s.operator == "<"]
        assert upper, f"{name} has no upper bound"
        installed = importlib.metadata.version(name)
        assert specifier.contains(installed), f"{name} {installed} is outside {specifier}"
        major, minor = (int(part) for part in upper[0].version.split(".")[:2])
        assert (major, minor - 1) == tuple(int(p) for p in installed.split(".")[:2]), \
            f"{name}: the pin {specifier} is not the installed minor version {installed}"


def test_benchmarks_are_not_installed():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert not any(pattern.startswith("benchmarks") for pattern in include["include"])
