"""The student bundle: ``python -m autograder bundle [--out build/student-bundle.zip]``.

One zip archive for students and self-learners, everything under one top folder:

- ``release/``: the student notebooks (and each one's ``previous_steps.py``);
- ``course/``: the package the notebooks import, with the self-check, its probes, its judges
  and the reference's probe values for the published seed (``course/probe_values/``, numbers only);
- ``pyproject.toml`` and ``environment.yml``: set-up with pip or conda, installing the course
  package and its dependencies only (the ``dependencies`` of this repository's pyproject.toml),
  and the kernels' configuration of the environment (``course/ipython_kernel_config.py``:
  ipykernel's warning about unencrypted TCP never reaches the student's screen);
- ``README.md``: the student's guide (``autograder/authoring/student_README.md``).

``--lang zh`` builds the Chinese edition's bundle (default ``build/student-bundle-zh.zip``): the
same files, with ``release/`` holding the Chinese release notebooks (``i18n/zh/release/``; a
notebook not yet translated comes in English) and the Chinese student README
(``i18n/zh/student_README.md``, English while its translation is missing or stale).

No solution, hidden test or reference: nothing from ``source/`` or ``autograder/`` goes in, and
the build fails if a file to be packed still holds a solution or hidden-test region marker.
"""

import zipfile
from pathlib import Path

import tomllib

from autograder.authoring import translations
from autograder.authoring.sync import ROOT
from course.i18n import DEFAULT, LANGUAGES

TOP = "nn-from-scratch"
DEFAULT_OUT = ROOT / "build" / "student-bundle.zip"
SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints"}
#: Installed into the environment's etc/ipython/, where every IPython kernel reads it.
KERNEL_CONFIG = "course/ipython_kernel_config.py"


def forbidden():
    """What no packed file may hold: the solution and hidden-test delimiters of the repository's
    nbgrader_config.py (``BEGIN SOLUTION``, ``END SOLUTION``, ``BEGIN HIDDEN TESTS``, ...)."""
    from autograder.nbgrader_markers import course_markers

    return course_markers().all


def dependencies():
    """The course package's own requirements, from this repository's pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def course_packages():
    """The ``course`` package and its subpackages (``course.judges``, ``course.probes``, ...), by
    their folders holding an ``__init__.py``."""
    folder = ROOT / "course"
    return ["course"] + sorted("course." + ".".join(path.parent.relative_to(folder).parts)
                               for path in folder.rglob("__init__.py")
                               if path.parent != folder and not SKIPPED_PARTS & set(path.parts))


def student_pyproject():
    """pyproject.toml of the bundle: the ``course`` package and its dependencies, nothing else."""
    listed = "".join(f'    "{requirement}",\n' for requirement in dependencies())
    packages = ", ".join(f'"{name}"' for name in course_packages())
    return ('# Set-up of the course for students: `pip install .` installs the `course` package\n'
            '# (data sets, checks, plots, the self-check) and what the notebooks need.\n'
            '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
            '[project]\nname = "nn-from-scratch-course"\nversion = "0.1.0"\n'
            'description = "Write a neural network from scratch in NumPy: eight Jupyter notebooks."\n'
            'readme = "README.md"\nrequires-python = ">=3.10"\n'
            f"dependencies = [\n{listed}]\n\n"
            f"[tool.setuptools]\npackages = [{packages}]\n\n"
            '[tool.setuptools.package-data]\ncourse = ["probe_values/*.npz", "locale/*.json"]\n\n'
            "# the kernels' configuration: no warning about unencrypted TCP on the student's screen\n"
            f'[tool.setuptools.data-files]\n"etc/ipython" = ["{KERNEL_CONFIG}"]\n')


def student_environment():
    """environment.yml of the bundle: the same packages as its pyproject.toml, from conda-forge."""
    listed = "".join(f"  - {requirement}\n" for requirement in dependencies())
    return ("# Conda set-up of the course (the same packages as pyproject.toml):\n"
            "#   conda env create -f environment.yml && conda activate nn-from-scratch\n"
            "name: nn-from-scratch\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n"
            f"{listed}  - pip:\n      - .\n")


def _files_under(folder, name):
    """{name/relative path: bytes} of the files under ``folder``, caches left out."""
    return {f"{name}/{path.relative_to(folder).as_posix()}": path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not SKIPPED_PARTS & set(path.parts) and path.suffix != ".pyc"}


def bundle_files(lang=DEFAULT):
    """{path inside the archive (under TOP/): bytes} of everything the bundle holds, in
    ``lang``: each translated release notebook's folder replaces the English one."""
    files = {**_files_under(ROOT / "release", "release"), **_files_under(ROOT / "course", "course")}
    if lang != DEFAULT:
        translated = ROOT / "i18n" / lang / "release"
        for assignment in translations.translated_assignments(lang):
            prefix = f"release/{assignment}/"
            files = {name: data for name, data in files.items() if not name.startswith(prefix)}
            files.update(_files_under(translated / assignment, f"release/{assignment}"))
    files["pyproject.toml"] = student_pyproject().encode()
    files["environment.yml"] = student_environment().encode()
    files["README.md"] = translations.readme(lang).encode()
    return files


def build_bundle(out=DEFAULT_OUT, lang=DEFAULT):
    """Write the archive to ``out``, in ``lang``. Returns (its path, the number of files)."""
    files = bundle_files(lang)
    for name, data in files.items():
        found = [marker for marker in forbidden() if marker.encode() in data]
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
    parser.add_argument("--out", type=Path, default=None, help="the archive to write "
                        "(default: build/student-bundle.zip, build/student-bundle-LANG.zip for --lang)")
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT, help="the language of the notebooks "
                        "and README (default: en)")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    out = options.out or (DEFAULT_OUT if options.lang == DEFAULT
                          else DEFAULT_OUT.with_name(f"student-bundle-{options.lang}.zip"))
    path, count = build_bundle(out, options.lang)
    print(f"student bundle: {path} ({count} files, {path.stat().st_size / 1e3:.0f} kB)")
    return 0
