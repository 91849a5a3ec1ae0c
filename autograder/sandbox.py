"""The sandbox that grading kernels run in: bubblewrap, resource limits, an unprivileged user.

nbgrader runs a student's notebook in a kernel started with the grader's own rights, in the
grader's process tree, in the course directory. Here every grading kernel is started instead
through three standard tools (bubblewrap and util-linux's ``prlimit`` and ``setpriv``):

    prlimit --cpu --as --nproc --fsize --nofile --core -- \
      bwrap --unshare-pid --unshare-net --unshare-ipc --unshare-uts --die-with-parent \
            --cap-drop ALL (except setuid/setgid, used once by setpriv) \
            [read-only: /usr, the Python installation, the environment, course/] \
            [size-limited tmpfs: /tmp and /home/student] \
            [read-only: each assignment's course files at /home/student/<assignment>/] \
            [the kernel's connection folder] -- \
        setpriv --reuid UID --regid UID --clear-groups -- python -m ipykernel_launcher -f ...

What the kernel sees: the operating system's programs and libraries, the Python
installation and its packages, the student package ``course/``, the course's own files of
each assignment (``previous_steps.py``, the same as in ``release/``) and empty scratch
folders. Not there at all: ``source/``, ``autograder/`` (the reference and the hidden
tests), ``nbgrader_config.py``, the gradebook, the submissions (its own notebook included:
cells reach the kernel as messages), every home folder. No network (its own empty network
namespace), no other process (its own PID namespace), a user id of its own that owns no file
(so the process limit counts only this kernel), and limits on CPU time, memory, processes,
file size and open files. The kernel talks to the grader over Unix sockets in a folder of
its own, which becomes read-only once the kernel is up.
"""

import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager, KernelManager

from . import cgroups

__all__ = ["Limits", "SandboxUnavailable", "check_available", "command", "zygote_command",
           "environment", "course_files",
           "SandboxedKernelManager", "AsyncSandboxedKernelManager", "HOME"]

HOME = "/home/student"  # the kernel's home and working folders, inside the sandbox
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


def course_files(course_dir):
    """{assignment: [paths]} for every assignment in ``source/``: its non-notebook files
    (what nbgrader copies beside every submission, e.g. previous_steps.py; maybe none)."""
    return {folder.name: [p for p in sorted(folder.iterdir())
                          if p.is_file() and not p.is_symlink() and p.suffix != ".ipynb"]
            for folder in sorted(Path(course_dir, "source").glob("*/"))}


def _readable_roots():
    """Host folders the kernel needs, read-only: Python, its environment, the course package."""
    # course/ sits beside this package (in the repository and when installed); found by path,
    # since `import course` from a folder that holds a course directory finds that instead.
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(__file__).resolve().parents[1] / "course"}
    return sorted(str(p) for p in roots)


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


def environment(runtime_dir):
    """The environment of a grading kernel: nothing of the grader's own."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": HOME, "LANG": "C.UTF-8", "MPLCONFIGDIR": f"{runtime_dir}/matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1", "NBGRADER_EXECUTION": "autograde",
        "JPY_PARENT_PID": "1",  # its parent is the sandbox's init: no parent polling
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }


def _bwrap(runtime_dir, *, limits, files, workdir, capabilities):
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
    for parent in _with_parents([*roots, str(runtime_dir)]):
        if parent not in ("/tmp", "/usr", "/home", HOME):
            bwrap += ["--perms", "0755", "--dir", parent]
    for root in roots:
        bwrap += ["--ro-bind", root, root]
    for assignment, paths in files.items():
        bwrap += ["--perms", "0777", "--dir", f"{HOME}/{assignment}"]
        for path in paths:
            bwrap += ["--ro-bind", str(path), f"{HOME}/{assignment}/{Path(path).name}"]
    if workdir != HOME and workdir.rsplit("/", 1)[-1] not in files:
        bwrap += ["--perms", "0777", "--dir", workdir]
    bwrap += ["--bind", str(runtime_dir), str(runtime_dir), "--chdir", workdir, "--clearenv"]
    for name, value in environment(runtime_dir).items():
        bwrap += ["--setenv", name, value]
    return bwrap


def command(kernel_argv, runtime_dir, uid, *, limits=Limits(), files=None, workdir=HOME):
    """The full command line that starts ``kernel_argv`` inside the sandbox.

    runtime_dir: the kernel's connection folder (connection file and sockets), visible at the
        same path inside. uid: the unprivileged user id the kernel runs as (when the grader is
        root). files: {assignment: [host paths]}, bound read-only into
        /home/student/<assignment>/. workdir: the kernel's working folder inside.
    """
    bwrap = _bwrap(runtime_dir, limits=limits, files=files or {}, workdir=workdir,
                   capabilities=("CAP_SETUID", "CAP_SETGID"))  # used once, by setpriv
    setpriv = []
    if os.geteuid() == 0:
        setpriv = [_tool("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                   "--inh-caps=-all", "--bounding-set=-all", "--"]
    return [*_prlimit(limits), "--", *bwrap, "--", *setpriv, *kernel_argv]


ZYGOTE_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_KILL")


def zygote_command(zygote_argv, runtime_root, *, limits=Limits(), files=None):
    """The command line that starts the fork server of grading kernels (``autograder.zygote``)
    in the same sandbox as a kernel's, as root with only the capabilities that it needs to
    give each forked kernel namespaces of its own; every kernel drops them. runtime_root: the
    folder of the kernels' connection folders. Needs a grader running as root."""
    if os.geteuid() != 0:
        raise SandboxUnavailable("the fork server of grading kernels needs a grader running as root")
    return [*_bwrap(runtime_root, limits=limits, files=files or {}, workdir=HOME,
                    capabilities=ZYGOTE_CAPABILITIES), "--", *zygote_argv]


def copy_matplotlib_cache(folder):
    """A copy of the grader's own matplotlib cache (its font list, built once) in ``folder``,
    a kernel's MPLCONFIGDIR: no kernel builds the font list again."""
    import matplotlib
    import matplotlib.font_manager  # noqa: F401  (builds the font list when missing)

    shutil.copytree(matplotlib.get_cachedir(), folder, ignore=shutil.ignore_patterns("*.lock", "tex.cache"))


class _SandboxMixin:
    """A kernel manager that starts its kernel inside the sandbox (see the module docstring).

    Set ``files`` ({assignment: [paths]}) and ``workdir`` before starting the kernel.
    """

    limits = Limits()
    files = None
    workdir = HOME
    group_limits = cgroups.KERNEL_LIMITS  # the kernel's control group (autograder.cgroups)
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
        copy_matplotlib_cache(self.runtime_dir / "matplotlib")

    def _new_runtime_dir(self):
        return Path(tempfile.mkdtemp(prefix="grading-kernel-"))

    def _hand_over_runtime(self):
        """The connection folder, written by the grader, now belongs to the kernel's user."""
        if os.geteuid() == 0:
            for path in [self.runtime_dir, *self.runtime_dir.rglob("*")]:
                os.chown(path, self.uid, self.uid, follow_symlinks=False)

    def format_kernel_cmd(self, extra_arguments=None):
        argv = super().format_kernel_cmd(extra_arguments)
        self._hand_over_runtime()
        return self._in_group(command(argv, self.runtime_dir, self.uid, limits=self.limits, files=self.files,
                                      workdir=self.workdir))

    def _in_group(self, argv):
        """``argv`` entering a new control group of the kernel's own (autograder.cgroups)."""
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
        if getattr(self, "runtime_dir", None):
            shutil.rmtree(self.runtime_dir, ignore_errors=True)


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
