"""The sandbox that grading kernels run in: bubblewrap, resource limits, an unprivileged user.

nbgrader runs a student's notebook in a kernel started with the grader's own rights, in the
grader's process tree, in the course directory. Here every grading kernel is started instead
through three standard tools (bubblewrap and util-linux's ``prlimit`` and ``setpriv``):

    prlimit --cpu --as --nproc --fsize --nofile --core -- \
      bwrap --unshare-pid --unshare-net --unshare-ipc --unshare-uts --die-with-parent \
            --cap-drop ALL (except setuid/setgid, used once by setpriv) \
            [read-only: /usr, the Python installation, the environment] \
            [hidden in it: the autograder package and its install records] \
            [read-only at /opt/course-package/course: the course package the grader imports] \
            [size-limited tmpfs: /tmp, /dev/shm and /home/student] \
            [read-only copies: the graded assignment's course files in /home/student/<assignment>/] \
            [the kernel's connection folder, read-only once the kernel is up] -- \
        setpriv --reuid UID --regid UID --clear-groups -- python -m ipykernel_launcher -f ...

What the kernel sees: the operating system's programs and libraries, the Python
installation and its packages, the student package ``course/``, the course's own files of
the assignment being graded (``previous_steps.py``, the same as in ``release/``: the files
nbgrader copies beside a submission) and empty scratch folders. Not there at all: any other
assignment's files, ``source/``, ``autograder/`` (the reference and the hidden tests, hidden
wherever it is installed: an editable install, ``pip install .`` or a wheel),
``nbgrader_config.py``, the gradebook, the submissions (its own notebook included: cells
reach the kernel as messages), every home folder, and the host path of the course directory
(the course files are copies, the course package sits at a path of its own). No network
(its own empty network namespace), no other process (its own PID namespace), a user id of
its own that owns no file (so the process limit counts only this kernel), and limits on CPU
time, memory, processes, file size and open files. Everything it can write is a size-limited
tmpfs: the root of the sandbox and ``/dev`` are read-only, and its connection folder (Unix
sockets to the grader) becomes read-only once the kernel is up.
"""

import importlib.metadata
import importlib.util
import os
import random
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager, KernelManager

from autograder.kernels import cgroups

__all__ = ["Limits", "SandboxUnavailable", "check_available", "command", "zygote_command",
           "environment", "course_files", "stage", "course_package", "hidden_paths",
           "SandboxedKernelManager", "AsyncSandboxedKernelManager", "HOME"]

HOME = "/home/student"  # the kernel's home and working folders, inside the sandbox
PACKAGES = "/opt/course-package"  # inside the sandbox: holds the course package, on sys.path
MPLCONFIGDIR = "/tmp/matplotlib"  # matplotlib's folder, in the /tmp scratch (font list read-only)
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits of one grading kernel (one notebook)."""

    cpu_seconds: int = 600            # CPU time of the whole kernel: all of its cells
    memory_bytes: int = 4096 * MiB    # address space of each process
    processes: int = 128              # processes and threads of the kernel's own user
    file_bytes: int = 64 * MiB        # largest file it may write
    open_files: int = 256
    scratch_bytes: int = 128 * MiB    # each of its writable folders, /tmp and the home folder


class SandboxUnavailable(RuntimeError):
    """The machine cannot run the sandbox (bubblewrap missing, or namespaces refused)."""


def _tool(name):
    path = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    if path is None:
        raise SandboxUnavailable(
            f"'{name}' is not installed: the grading sandbox needs bubblewrap and util-linux "
            "(Debian/Ubuntu: apt-get install bubblewrap util-linux). To grade without a "
            "sandbox, which lets student code read the hidden tests, set "
            "c.SandboxedExecute.sandbox = False in nbgrader_config.py.")
    return path


def check_available():
    """Raise SandboxUnavailable with the fix when a tool is missing."""
    for name in ("bwrap", "prlimit", "setpriv"):
        _tool(name)


def course_files(course):
    """{assignment: [paths]} for every assignment in ``source/`` (the source folder nbgrader's
    configuration names): its non-notebook files (what nbgrader copies beside every submission,
    e.g. previous_steps.py; maybe none). ``course``: a course directory, or its CourseFolders (an
    nbgrader preprocessor's, ``autograder.course_folders``). A kernel gets copies of the files
    of the assignment it grades only (``stage``)."""
    from autograder.course_folders import CourseFolders

    folders = course if isinstance(course, CourseFolders) else CourseFolders.of_course(course)
    return {assignment: [p for p in sorted(folder.iterdir())
                         if p.is_file() and not p.is_symlink() and p.suffix != ".ipynb"]
            for assignment, folder in folders.assignment_folders("source")}


@dataclass(frozen=True)
class View:
    """What the sandbox shows besides the environment: read-only copies of course files
    ({assignment: [host paths]}, each at /home/student/<assignment>/), of matplotlib's font
    list (in MPLCONFIGDIR) and of the course package (at PACKAGES/course)."""

    files: dict
    fonts: tuple = ()
    course: str = None  # None: the grader's own course package, bound where it lies

    def only(self, assignment):
        """The view of a kernel grading ``assignment``: its own course files only."""
        return View({assignment: self.files.get(assignment, [])}, self.fonts, self.course)


def stage(files, folder):
    """A View of read-only copies, made in ``folder`` (created here), of the course files
    ``files`` ({assignment: [paths]}), of the grader's matplotlib font list and of the course
    package it imports. The sandbox binds the copies, so no host path of the course directory
    (or of a repository holding the course package) appears in a kernel's mount table."""
    import matplotlib
    import matplotlib.font_manager  # noqa: F401  (builds the font list when missing)

    folder = Path(folder)
    fonts = folder / "matplotlib"
    fonts.mkdir(parents=True)
    for path in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
        shutil.copyfile(path, fonts / path.name)
    staged = {}
    for assignment, paths in files.items():
        (folder / "files" / assignment).mkdir(parents=True)
        staged[assignment] = []
        for path in paths:
            copy = folder / "files" / assignment / Path(path).name
            shutil.copyfile(path, copy)
            staged[assignment].append(copy)
    shutil.copytree(course_package(), folder / "course", ignore=shutil.ignore_patterns("__pycache__"))
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o444)
    return View(staged, tuple(sorted(fonts.iterdir())), str(folder / "course"))


@cache
def course_package():
    """The folder of the ``course`` package that the grader's own Python imports (so the
    kernel runs the same course code, whichever course directory is graded). Found through
    one of its modules: a folder named ``course`` on the path (an nbgrader course directory
    called so) is a namespace package to importlib, never the course package."""
    try:
        spec = importlib.util.find_spec("course.previous")
    except ImportError:
        spec = None
    folder = Path(spec.origin).resolve().parent if spec is not None and spec.origin else None
    if folder is None or not (folder / "__init__.py").is_file():
        raise SandboxUnavailable("the grader's Python environment cannot import the `course` package: "
                                 "install the course in it (pip install -e . in the repository)")
    return folder


def _readable_roots():
    """Host folders the kernel sees at their own paths, read-only: Python and its environment."""
    return sorted({str(Path(sys.base_prefix).resolve()), str(Path(sys.prefix).resolve())})


def _inside(path, roots):
    return any(path == Path(root) or Path(root) in path.parents for root in roots)


@cache
def hidden_paths():
    """Host paths inside the readable roots that the kernel must not see: the ``autograder``
    package wherever it is installed (found by importlib, not by assuming a layout), its
    distribution's install records (``.dist-info``/``.egg-info``, ``.pth`` and ``__editable__``
    finder files, their compiled copies) and any site file that names the package's folder
    (an egg-link, an ``easy-install.pth``). Returns (folders, files), sorted."""
    roots = _readable_roots()
    spec = importlib.util.find_spec("autograder")
    package = Path(list(spec.submodule_search_locations)[0]).resolve() if spec else None
    course = course_package()
    folders, files = set(), set()

    def hide(path):
        path = Path(path)
        if not path.exists() or not _inside(path.resolve(), roots) or path.resolve() == course:
            return
        (folders if path.is_dir() else files).add(str(path.resolve()))

    if package is not None:
        hide(package)
    names = set(importlib.metadata.packages_distributions().get("autograder", []))
    for dist in importlib.metadata.distributions():
        if dist.metadata["Name"] not in names:
            continue
        base = Path(dist.locate_file(""))
        for entry in dist.files or []:
            parts = Path(entry).parts
            if parts and parts[0] not in ("..", "__pycache__"):
                hide(base / parts[0])  # a top-level folder or file of the distribution
            elif parts and parts[0] == "__pycache__":
                hide(base / entry)
        if getattr(dist, "_path", None) is not None:
            hide(dist._path)  # the .dist-info or .egg-info folder itself
    sites = {Path(p).resolve() for p in sys.path if p and _inside(Path(p).resolve(), roots)}
    if package is not None and package.parent not in sites:  # installed from a folder: what names it
        for site in sites:
            if not site.is_dir():
                continue
            for path in [*site.glob("*.pth"), *site.glob("*.egg-link"), *site.glob("__editable__*"),
                         *site.glob("__pycache__/__editable__*")]:
                try:
                    text = path.read_bytes()
                except OSError:
                    continue
                if os.fsencode(str(package.parent)) in text:
                    hide(path)
    return sorted(folders), sorted(files)


def _with_parents(paths):
    """Every folder above ``paths`` (not the root), parents first: made 0755 in the sandbox."""
    parents = set()
    for path in paths:
        for parent in Path(path).parents:
            if str(parent) != "/":
                parents.add(str(parent))
    return sorted(parents, key=lambda p: (p.count("/"), p))


def _prlimit(limits):
    prlimit = [_tool("prlimit"), f"--cpu={limits.cpu_seconds}", f"--as={limits.memory_bytes}",
               f"--fsize={limits.file_bytes}", f"--nofile={limits.open_files}", "--core=0"]
    if os.geteuid() == 0:  # the process limit counts the kernel's own user id (root is exempt from it)
        prlimit.append(f"--nproc={limits.processes}")
    return prlimit


def environment():
    """The environment of a grading kernel: nothing of the grader's own."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "PYTHONPATH": PACKAGES,
        "HOME": HOME, "LANG": "C.UTF-8", "MPLCONFIGDIR": MPLCONFIGDIR,
        "PYTHONDONTWRITEBYTECODE": "1", "NBGRADER_EXECUTION": "autograde",
        "JPY_PARENT_PID": "1",  # its parent is the sandbox's init: no parent polling
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }


def _bwrap(runtime_dir, *, limits, view, workdir, capabilities):
    """bubblewrap's arguments: the file-system view, namespaces and environment of the sandbox
    (see the module docstring), keeping ``capabilities`` when the grader is root."""
    bwrap = [_tool("bwrap"), "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
             "--unshare-cgroup-try", "--die-with-parent"]
    if os.geteuid() == 0:
        bwrap += ["--cap-drop", "ALL"]
        for capability in capabilities:
            bwrap += ["--cap-add", capability]
    else:
        bwrap += ["--unshare-user"]
    bwrap += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin"):
        if Path("/", name).is_symlink():
            bwrap += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        elif Path("/", name).is_dir():
            bwrap += ["--ro-bind", f"/{name}", f"/{name}"]
    for name in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"):
        bwrap += ["--ro-bind-try", name, name]
    # The scratch folders first: what is bound later (the environment, the course, the
    # connection folder) stays visible even when it lives under /tmp or /home.
    bwrap += ["--proc", "/proc", "--dev", "/dev",
              "--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", "/dev/shm",
              "--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", "/tmp",
              "--perms", "0755", "--dir", "/home",
              "--perms", "0777", "--size", str(limits.scratch_bytes), "--tmpfs", HOME]
    roots = _readable_roots()
    for parent in _with_parents([*roots, str(runtime_dir), f"{PACKAGES}/course"]):
        if parent not in ("/tmp", "/usr", "/home", HOME):
            bwrap += ["--perms", "0755", "--dir", parent]
    for root in roots:
        bwrap += ["--ro-bind", root, root]
    folders, files = hidden_paths()
    for folder in folders:  # an empty folder that nobody can open or write
        bwrap += ["--perms", "0000", "--size", "4096", "--tmpfs", folder, "--remount-ro", folder]
    for path in files:
        bwrap += ["--ro-bind", "/dev/null", path]
    bwrap += ["--ro-bind", view.course or str(course_package()), f"{PACKAGES}/course"]
    bwrap += ["--perms", "0777", "--dir", MPLCONFIGDIR]
    for path in view.fonts:
        bwrap += ["--ro-bind", str(path), f"{MPLCONFIGDIR}/{Path(path).name}"]
    for assignment, paths in view.files.items():
        bwrap += ["--perms", "0777", "--dir", f"{HOME}/{assignment}"]
        for path in paths:
            bwrap += ["--ro-bind", str(path), f"{HOME}/{assignment}/{Path(path).name}"]
    if workdir != HOME and workdir.rsplit("/", 1)[-1] not in view.files:
        bwrap += ["--perms", "0777", "--dir", workdir]
    bwrap += ["--bind", str(runtime_dir), str(runtime_dir),
              "--remount-ro", "/dev", "--remount-ro", "/",  # writable: the scratch tmpfs only
              "--chdir", workdir, "--clearenv"]
    for name, value in environment().items():
        bwrap += ["--setenv", name, value]
    return bwrap


def _launch(bwrap, folder):
    """bubblewrap started with its options read from a file in ``folder`` (a folder of the
    grader's that the sandbox does not show): its command line, which the processes in the
    sandbox can read in /proc/1/cmdline, then names no host path but the connection folder."""
    fd, path = tempfile.mkstemp(prefix="bwrap-", suffix=".args", dir=folder)
    with os.fdopen(fd, "wb") as out:
        out.write(b"".join(os.fsencode(arg) + b"\0" for arg in bwrap[1:]))
    return ["/bin/sh", "-c", f'exec {shlex.quote(bwrap[0])} --args 3 "$@" 3<"$0"', path]


def command(kernel_argv, runtime_dir, uid, *, limits=Limits(), view=View({}), workdir=HOME, folder=None):
    """The full command line that starts ``kernel_argv`` inside the sandbox.

    runtime_dir: the kernel's connection folder (connection file and sockets), visible at the
        same path inside. uid: the unprivileged user id the kernel runs as (when the grader is
        root). view: the staged course files (``stage``), each assignment's bound read-only
        into /home/student/<assignment>/ (give a kernel its own assignment's only:
        ``View.only``). workdir: the kernel's working folder inside. folder: a folder of the
        grader's for bubblewrap's options (``_launch``); without it they are on the command line.
    """
    bwrap = _bwrap(runtime_dir, limits=limits, view=view, workdir=workdir,
                   capabilities=("CAP_SETUID", "CAP_SETGID"))  # used once, by setpriv
    setpriv = []
    if os.geteuid() == 0:
        setpriv = [_tool("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                   "--inh-caps=-all", "--bounding-set=-all", "--"]
    bwrap = _launch(bwrap, folder) if folder else bwrap
    return [*_prlimit(limits), "--", *bwrap, "--", *setpriv, *kernel_argv]


ZYGOTE_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_KILL")


def zygote_command(zygote_argv, runtime_root, folder, *, limits=Limits(), view=View({})):
    """The command line that starts the zygote of grading kernels (``autograder.kernels.zygote``)
    in the same sandbox as a kernel's, as root with only the capabilities that it needs to
    give each forked kernel namespaces of its own; every kernel drops them. runtime_root: the
    folder of the kernels' connection folders. view: every assignment's course files (each
    forked kernel keeps its own assignment's only). folder: as for ``command``. Needs a
    grader running as root."""
    if os.geteuid() != 0:
        raise SandboxUnavailable("the zygote of grading kernels needs a grader running as root")
    bwrap = _bwrap(runtime_root, limits=limits, view=view, workdir=HOME, capabilities=ZYGOTE_CAPABILITIES)
    return [*_launch(bwrap, folder), "--", *zygote_argv]


class _SandboxMixin:
    """A kernel manager that starts its kernel inside the sandbox (see the module docstring).

    Set ``files`` ({assignment: [paths]}: the course files of the assignment it grades only)
    and ``workdir`` before starting the kernel.
    """

    limits = Limits()
    files = None
    workdir = HOME
    staging = None
    group_limits = cgroups.KERNEL_LIMITS  # the kernel's control group (autograder.kernels.cgroups)
    cgroup = None

    def _prepare_runtime(self):
        if getattr(self, "runtime_dir", None):
            return
        self.uid = random.randint(200_000, 2_000_000)  # a user of its own, owning no file
        self.runtime_dir = self._new_runtime_dir()
        self.kernel_spec.interrupt_mode = "message"  # a signal would reach bwrap, not the kernel
        self.transport = "ipc"
        self.ip = str(self.runtime_dir / "socket")
        self.connection_file = str(self.runtime_dir / "connection.json")

    def _new_runtime_dir(self):
        return Path(tempfile.mkdtemp(prefix="grading-kernel-"))

    def _hand_over_runtime(self):
        """The connection folder, made by the grader, now belongs to the kernel's user, who
        makes its sockets there; the connection file stays the grader's, readable by the
        kernel's group only (it holds the key that signs messages)."""
        if os.geteuid() == 0:
            os.chown(self.runtime_dir, self.uid, self.uid)
            connection = Path(self.connection_file)
            if connection.exists():
                os.chown(connection, 0, self.uid)
                connection.chmod(0o640)

    def format_kernel_cmd(self, extra_arguments=None):
        argv = super().format_kernel_cmd(extra_arguments)
        self._hand_over_runtime()
        if self.staging is None:
            self.staging = Path(tempfile.mkdtemp(prefix="grading-files-"))
            self.view = stage(self.files or {}, self.staging / "view")
        return self._in_group(command(argv, self.runtime_dir, self.uid, limits=self.limits, view=self.view,
                                      workdir=self.workdir, folder=self.staging))

    def _in_group(self, argv):
        """``argv`` entering a new control group of the kernel's own (autograder.kernels.cgroups)."""
        self.cgroup = cgroups.new_group("kernel", self.group_limits, self.log)
        return cgroups.enter_command(self.cgroup, argv)

    def seal(self):
        """Once the kernel has made its sockets: no more writing to its connection folder."""
        os.chown(self.runtime_dir, 0 if os.geteuid() == 0 else os.geteuid(), -1)
        os.chmod(self.runtime_dir, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)

    def remove_runtime(self):
        if self.cgroup is not None:  # every process the kernel left behind ends with its group
            self.cgroup.remove()
            self.cgroup = None
        for folder in (getattr(self, "runtime_dir", None), self.staging):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)


def quiet(kw):
    """The kernel's own stdout and stderr go nowhere: a hostile kernel cannot flood the
    grader's terminal or log (what its cells print still arrives as messages)."""
    kw.setdefault("stdout", subprocess.DEVNULL)
    kw.setdefault("stderr", subprocess.DEVNULL)
    return kw


class SandboxedKernelManager(_SandboxMixin, KernelManager):
    """jupyter_client's KernelManager, kernel in the sandbox (for the batch grader's pool)."""

    def start_kernel(self, **kw):
        self._prepare_runtime()
        return super().start_kernel(**quiet(kw))

    def shutdown_kernel(self, now=False, restart=False):
        try:
            return super().shutdown_kernel(now=now, restart=restart)
        finally:
            self.remove_runtime()


class AsyncSandboxedKernelManager(_SandboxMixin, AsyncKernelManager):
    """jupyter_client's AsyncKernelManager, kernel in the sandbox (for nbgrader's Execute)."""

    async def _async_start_kernel(self, **kw):
        self._prepare_runtime()
        return await super()._async_start_kernel(**quiet(kw))

    start_kernel = _async_start_kernel

    async def _async_shutdown_kernel(self, now=False, restart=False):
        try:
            return await super()._async_shutdown_kernel(now=now, restart=restart)
        finally:
            self.remove_runtime()

    shutdown_kernel = _async_shutdown_kernel
