"""Grading kernels forked from a warmed-up process in the sandbox, each in a sandbox of its own.

``ZygoteClient`` starts ``autograder.kernels.zygote`` once, in the bubblewrap sandbox of
``autograder.kernels.sandbox``, and asks it for a kernel per notebook. ``ForkedKernelManager`` is
jupyter_client's ``KernelManager`` for such a kernel: ``ForkProvisioner`` launches it through
the zygote instead of a new process, and ``ForkedKernel`` stands for its process (poll,
wait, signals), so that nbgrader's Execute drives it like any other kernel.

A forked kernel starts in about a tenth of the CPU time of a new one: the imports were done
once, in the zygote. The zygote needs a grader running as root (it makes each kernel's
namespaces); elsewhere the batch grader starts every kernel with bubblewrap as before.
"""

import json
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict
from multiprocessing.util import Finalize
from pathlib import Path

from jupyter_client.manager import KernelManager
from jupyter_client.provisioning import LocalProvisioner

from autograder.kernels import cgroups, sandbox, zygote

# What the zygote imports once for all its kernels: the kernel itself, and every module that
# the notebooks, the probe cell and the integrity scan import. Loading a module early changes
# nothing a notebook can observe but time (and sys.modules).
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "pdb",
           "sqlite3", "IPython.display",
           "matplotlib_inline.backend_inline", "numpy", "matplotlib", "matplotlib.pyplot", "threadpoolctl",
           "course", "course.checks", "course.plots", "course.framework", "course.previous",
           "course.progress", "course.experiments", "course.datasets", "sklearn.neural_network",
           "sklearn.exceptions", "base64", "contextlib", "inspect", "io", "json", "zlib")
START_TIMEOUT = 120  # seconds for the zygote's imports
ANSWER_TIMEOUT = 60  # seconds for a kernel's fork and isolation


class ZygoteError(RuntimeError):
    """The zygote could not start a kernel."""


class ZygoteUnavailable(ZygoteError):
    """The zygote itself did not start."""


class ZygoteClient:
    """One zygote in the sandbox, started on first use. Thread-safe.

    files: {assignment: [host paths]}, every assignment's course files (``sandbox.course_files``):
    the zygote sees copies of them all, each kernel its own assignment's only. limits: every
    kernel's. Start it from a thread that outlives it: bubblewrap's --die-with-parent follows
    the thread that started the zygote.
    """

    def __init__(self, files, limits=None, preload=PRELOAD):
        self.files, self.limits, self.preload = files, limits or sandbox.Limits(), preload
        self.root = Path(tempfile.mkdtemp(prefix="grading-kernels-"))
        self.root.chmod(0o755)  # each kernel, under a user id of its own, reaches its own folder
        self.staging = Path(tempfile.mkdtemp(prefix="grading-files-"))
        self.view = sandbox.stage(files, self.staging / "view")
        self._process = None
        self.group, self._resident = None, set()  # the zygote's control group, its own processes
        self.not_preloaded = []  # modules the zygote could not import
        self._lock = threading.Lock()
        # At exit: multiprocessing's workers end with os._exit, without atexit, but they run
        # its finalizers (and so does every other process, at exit).
        Finalize(self, self.close, exitpriority=10)

    # --- the zygote ----------------------------------------------------------------------

    def _start(self):
        self._stop()  # one that ended
        argv = sandbox.zygote_command(
            [sys.executable, "-c", Path(zygote.__file__).read_text(), json.dumps({"preload": self.preload})],
            self.root, self.staging, limits=self.limits, view=self.view)
        self.group = cgroups.new_group("zygote", cgroups.KERNEL_LIMITS)
        self._process = subprocess.Popen(cgroups.enter_command(self.group, argv), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                         bufsize=1)
        try:
            answer = self._receive(START_TIMEOUT)
        except ZygoteError as error:
            raise ZygoteUnavailable(str(error)) from error
        if answer.get("ready") is not True:
            self._stop()
            raise ZygoteUnavailable(f"the zygote did not start: {answer.get('error')}")
        self.not_preloaded = answer["not_preloaded"]
        if self.group is not None:
            self._resident = self.group.pids()  # bubblewrap and the zygote: the rest are new kernels

    def _alive(self):
        return self._process is not None and self._process.poll() is None

    def _receive(self, timeout):
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self._stop()
                raise ZygoteError(f"the zygote did not answer within {timeout} s")
        line = self._process.stdout.readline()
        if not line:
            self._stop()
            raise ZygoteError("the zygote stopped")
        return json.loads(line)

    def _ask(self, request, timeout=ANSWER_TIMEOUT):
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        return self._receive(timeout)

    def _stop(self):
        if self.group is not None:
            self.group.remove()
            self.group = None
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            for pipe in (self._process.stdin, self._process.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass  # unflushed input for a zygote that is gone

    def close(self):
        """Stop the zygote (and every kernel it started); remove the connection folders."""
        with self._lock:
            if self._alive():
                self._process.stdin.close()  # the zygote kills its kernels and ends
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            self._stop()
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.staging, ignore_errors=True)

    # --- kernels -------------------------------------------------------------------------

    def new_runtime_dir(self):
        """A connection folder for the next kernel, inside the folder the zygote sees."""
        return Path(tempfile.mkdtemp(prefix="kernel-", dir=self.root))

    def spawn(self, argv, runtime_dir, uid, workdir, group=None):
        """Fork a kernel running ``ipykernel`` with ``argv`` (``-f CONNECTION_FILE ...``), with
        the user id ``uid``, working in ``workdir`` (a path inside the sandbox: the folder
        /home/student/<assignment> of the assignment it grades, whose course files it keeps), moved
        into the control group ``group`` (if any) before any code is sent to it."""
        request = {"op": "spawn", "argv": list(argv), "runtime_dir": str(runtime_dir), "uid": uid,
                   "workdir": workdir, "home": sandbox.HOME, "env": sandbox.environment(),
                   "limits": asdict(self.limits)}
        with self._lock:
            if not self._alive():
                self._start()
            try:
                answer = self._ask(request)
            except (BrokenPipeError, ValueError) as error:
                raise ZygoteError(f"the zygote stopped: {error}") from error
            if group is not None and self.group is not None and "pid" in answer:
                group.adopt(self.group.pids() - self._resident)  # the new kernel's init and kernel
        if "error" in answer:
            raise ZygoteError(f"the zygote could not start a kernel: {answer['error']}")
        return ForkedKernel(self, answer["pid"])

    def status(self, pid, signum=None):
        """None while kernel ``pid`` runs, else its exit code; sends ``signum`` first if given."""
        request = {"op": "poll", "pid": pid} if signum is None else \
            {"op": "signal", "pid": pid, "signum": int(signum)}
        with self._lock:
            if not self._alive():
                return -signal.SIGKILL  # its kernels ended with it
            try:
                answer = self._ask(request)
            except (BrokenPipeError, ValueError, ZygoteError):
                return -signal.SIGKILL
        if "status" in answer:
            return answer["status"]
        if answer.get("error") == "no such kernel":  # ended, and reported before
            return -signal.SIGKILL
        raise ZygoteError(f"the zygote could not signal kernel {pid}: {answer.get('error')}")


class ForkedKernel:
    """A forked kernel, seen the way jupyter_client sees a ``subprocess.Popen``."""

    stdin = stdout = stderr = None

    def __init__(self, server, pid):
        self.server, self.pid, self.returncode = server, pid, None

    def poll(self):
        if self.returncode is None:
            self.returncode = self.server.status(self.pid)
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("forked kernel", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum):
        if self.returncode is None:
            self.returncode = self.server.status(self.pid, signum)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching the kernel through the zygote."""

    async def launch_kernel(self, cmd, **kwargs):
        manager = self.parent
        argv = cmd[cmd.index("-f"):]  # ipykernel's own arguments, after `python -m ipykernel_launcher`
        manager.cgroup = cgroups.new_group("kernel", manager.group_limits, manager.log)
        self.process = manager.fork_server.spawn(argv, manager.runtime_dir, manager.uid, manager.workdir,
                                                 group=manager.cgroup)
        self.pid, self.pgid, self.cwd = self.process.pid, None, None
        return self.connection_info


class ForkedKernelManager(sandbox._SandboxMixin, KernelManager):
    """jupyter_client's KernelManager for a kernel forked by ``fork_server`` (set it first)."""

    fork_server = None

    def _new_runtime_dir(self):
        return self.fork_server.new_runtime_dir()

    def start_kernel(self, **kw):
        self._prepare_runtime()
        self.kernel_id = self.kernel_id or str(uuid.uuid4())
        self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                           parent=self)
        return super().start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        argv = KernelManager.format_kernel_cmd(self, extra_arguments)
        self._hand_over_runtime()
        return argv

    def shutdown_kernel(self, now=False, restart=False):
        try:
            return super().shutdown_kernel(now=now, restart=restart)
        finally:
            self.remove_runtime()
