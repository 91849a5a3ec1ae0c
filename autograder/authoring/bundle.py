"""The student bundle: ``python -m autograder bundle [--out build/student-bundle.zip]``.

One zip archive for students and self-learners, everything under one top folder:

- ``release/``: the student notebooks (and each one's ``previous_steps.py``);
- ``course/``: the package the notebooks import, with the self-check, its probes and the
  reference's probe values for the published seed (``course/probe_values/``, numbers only);
- ``pyproject.toml`` and ``environment.yml``: set-up with pip or conda, installing the course
  package and its dependencies only (the ``dependencies`` of this repository's pyproject.toml),
  and the kernels' configuration of the environment (``course/ipython_kernel_config.py``:
  ipykernel's warning about unencrypted TCP never reaches the student's screen);
- ``README.md``: the student's guide (``autograder/authoring/student_README.md``).

No solution, hidden test or reference: nothing from ``source/`` or ``autograder/`` goes in, and
the build fails if a file to be packed still holds a solution or hidden-test region marker.
"""

import zipfile
from pathlib import Path

import tomllib

from autograder.authoring.sync import ROOT

TOP = "nn-from-scratch"
DEFAULT_OUT = ROOT / "build" / "student-bundle.zip"
FORBIDDEN = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints"}
#: Installed into the environment's etc/ipython/, where every IPython kernel reads it.
KERNEL_CONFIG = "course/ipython_kernel_config.py"


def dependencies():
    """The course package's own requirements, from this repository's pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def student_pyproject():
    """pyproject.toml of the bundle: the ``course`` package and its dependencies, nothing else."""
    listed = "".join(f'    "{requirement}",\n' for requirement in dependencies())
    return ('# Set-up of the course for students: `pip install .` installs the `course` package\n'
            '# (data sets, checks, plots, the self-check) and what the notebooks need.\n'
            '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
            '[project]\nname = "nn-from-scratch-course"\nversion = "0.1.0"\n'
            'description = "Write a neural network from scratch in NumPy: eight Jupyter notebooks."\n'
            'readme = "README.md"\nrequires-python = ">=3.10"\n'
            f"dependencies = [\n{listed}]\n\n"
            '[tool.setuptools]\npackages = ["course", "course.probes"]\n\n'
            '[tool.setuptools.package-data]\ncourse = ["probe_values/*.npz"]\n\n'
            "# the kernels' configuration: no warning about unencrypted TCP on the student's screen\n"
            f'[tool.setuptools.data-files]\n"etc/ipython" = ["{KERNEL_CONFIG}"]\n')


def student_environment():
    """environment.yml of the bundle: the same packages as its pyproject.toml, from conda-forge."""
    listed = "".join(f"  - {requirement}\n" for requirement in dependencies())
    return ("# Conda set-up of the course (the same packages as pyproject.toml):\n"
            "#   conda env create -f environment.yml && conda activate nn-from-scratch\n"
            "name: nn-from-scratch\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n"
            f"{listed}  - pip:\n      - .\n")


def bundle_files():
    """{path inside the archive (under TOP/): bytes} of everything the bundle holds."""
    files = {}
    for folder in ("release", "course"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and not SKIPPED_PARTS & set(path.parts) and path.suffix != ".pyc":
                files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    files["pyproject.toml"] = student_pyproject().encode()
    files["environment.yml"] = student_environment().encode()
    files["README.md"] = (ROOT / "autograder" / "authoring" / "student_README.md").read_bytes()
    return files


def build_bundle(out=DEFAULT_OUT):
    """Write the archive to ``out``. Returns (its path, the number of files)."""
    files = bundle_files()
    for name, data in files.items():
        found = [marker for marker in FORBIDDEN if marker.encode() in data]
        if found:
            raise ValueError(f"{name} holds {found}: it must not reach students (regenerate release/)")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(f"{TOP}/{name}", data)
    return out, len(files)


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the archive to write "
                        "(default: build/student-bundle.zip)")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    path, count = build_bundle(options.out)
    print(f"student bundle: {path} ({count} files, {path.stat().st_size / 1e3:.0f} kB)")
    return 0
