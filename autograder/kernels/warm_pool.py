"""Kernels started ahead of need, for grading many notebooks in one process.

Starting a Python kernel and importing NumPy and matplotlib in it takes about a second. A
``KernelPool`` keeps a spare kernel starting in the background while the current notebook
runs; each notebook still gets a kernel of its own, in a sandbox of its own, used once and
then shut down. A kernel is started for one assignment and sees that assignment's course
files only: the spare is started for the assignment graded last, and one taken for another
assignment is shut down and replaced. When the grader runs as root, the pool's kernels are
forked by the zygote, which imported the common modules once (``autograder.kernels.zygote_client``),
each in namespaces and limits of its own; otherwise each one is a new process in bubblewrap
(``autograder.kernels.sandbox``).
``WarmExecute`` is the grader's ``SandboxedExecute`` taking its kernels from the pool, so that
nbgrader's own ``Autograde`` converter grades with warm kernels.
"""

import os
import queue
import threading
import time
import warnings

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from traitlets import Unicode

from autograder.kernels import sandbox, zygote_client
from autograder.preprocessors.sandboxed_execute import BoundedKernelClient, SandboxedExecute

# Modules every notebook of the course imports first: loading them is the slow part of a
# kernel's start, and loading them early changes nothing a notebook can observe but time.
# Not scikit-learn: half the notebooks never import it, and on a busy machine an import
# nobody needs costs the CPU time of a notebook that does.
WARM_UP = ("import numpy, matplotlib, matplotlib.pyplot, course.checks, course.plots, "
           "course.framework, course.previous")


class UnsandboxedKernelManager(KernelManager):
    """A plain kernel with the grading kernels' settings, for ``sandbox = False`` (unsafe;
    the benchmark measures the sandbox's cost with it)."""

    files = limits = None
    workdir = assignment = None

    def start_kernel(self, **kw):
        env = {**os.environ, "NBGRADER_EXECUTION": "autograde", "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        return super().start_kernel(env=env, **sandbox.quiet(kw))

    def seal(self):
        pass


class KernelPool:
    """Keeps ``spares`` started, warmed-up, sandboxed python3 kernels ready to hand out, each
    started for an assignment (first ``assignment``, then the one taken last)."""

    def __init__(self, course_dir, limits=None, spares=1, kernel_name="python3", extra_arguments=(),
                 sandboxed=True, forked=True, assignment=None):
        self.sandboxed = sandboxed
        self.files = sandbox.course_files(course_dir)
        self.limits = limits or sandbox.Limits()
        self.fork_server = zygote_client.ZygoteClient(self.files, self.limits) \
            if sandboxed and forked and os.geteuid() == 0 else None
        self.kernel_name = kernel_name
        self.extra_arguments = list(extra_arguments)
        self._ready = queue.Queue()
        self._requests = queue.Queue()
        # One long-lived thread starts every kernel: the sandbox stops when the thread that
        # started it ends (bubblewrap's --die-with-parent follows the parent thread).
        threading.Thread(target=self._starter, daemon=True).start()
        for _ in range(spares):
            self._start_in_background(assignment)

    def _starter(self):
        while True:
            self._start_one(self._requests.get())

    def _start_in_background(self, assignment):
        self._requests.put(assignment)

    def _start_one(self, assignment=None, attempts=3):
        for attempt in range(attempts):
            # nbgrader's Execute talks to the kernel through manager.client(): it must be an
            # asynchronous client, whose waits give way to the cell timeout (a blocking one
            # waits for an endless loop's output for ever).
            kind = zygote_client.ForkedKernelManager if self.fork_server else \
                sandbox.SandboxedKernelManager if self.sandboxed else UnsandboxedKernelManager
            manager = kind(kernel_name=self.kernel_name, client_class=f"{__name__}.PromptKernelClient")
            manager.files = {assignment: self.files.get(assignment, [])} if assignment else {}
            manager.limits, manager.fork_server = self.limits, self.fork_server
            manager.assignment = assignment
            manager.workdir = f"{sandbox.HOME}/{assignment}" if assignment else sandbox.HOME
            try:
                manager.start_kernel(extra_arguments=self.extra_arguments)
                _run(manager, WARM_UP)
                manager.seal()
                self._ready.put(manager)
                return
            except zygote_client.ZygoteUnavailable as error:  # every kernel a new process from now
                warnings.warn(f"grading kernels start without the zygote: {error}", stacklevel=1)
                self.fork_server = None
                if attempt == attempts - 1:
                    self._ready.put(error)
            except Exception as error:
                self.retire(manager)
                if attempt == attempts - 1:
                    self._ready.put(error)  # handed to the taker, which raises it

    def take(self, assignment, cwd, timeout=120):
        """A ready kernel started for ``assignment``, working in its folder (``cwd`` when not
        sandboxed); a replacement for the same assignment starts in the background."""
        manager = self._ready.get(timeout=timeout)
        while not isinstance(manager, Exception) and manager.assignment != assignment:
            self.retire(manager)  # started for another assignment: it sees that one's files
            self._start_in_background(assignment)
            manager = self._ready.get(timeout=timeout)
        self._start_in_background(assignment)
        if isinstance(manager, Exception):
            raise RuntimeError(f"a spare kernel failed to start: {manager!r}") from manager
        if not self.sandboxed:
            _run(manager, f"import os as _os; _os.chdir({str(cwd)!r}); del _os")
        return manager

    @staticmethod
    def retire(manager):
        """Shut a used kernel down, in the background."""
        threading.Thread(target=manager.shutdown_kernel, kwargs={"now": True}, daemon=True).start()


def _run(manager, code, timeout=60):
    """Run ``code`` silently in the kernel of ``manager``; raise if it fails or the kernel dies.

    Only the shell channel: the request waits in ZeroMQ's queue until the kernel is up, and
    its reply comes once the code has run (no IOPub to wait for, and no 0.2 s of waiting for
    IOPub to fall silent, as ``wait_for_ready`` does)."""
    client = BlockingKernelClient(**manager.get_connection_info(session=True))
    client.start_channels(iopub=False, stdin=False, hb=False, control=False)
    try:
        msg_id = client.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = client.get_shell_msg(timeout=0.5)
            except queue.Empty:
                if not manager.is_alive():
                    raise RuntimeError("the kernel died during its set-up") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the kernel did not answer within {timeout} s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")
    finally:
        client.stop_channels()


class PromptKernelClient(BoundedKernelClient):
    """The grader's bounded asynchronous client (``safe_execute.BoundedKernelClient``), ready
    as soon as the kernel has answered a kernel_info request on the shell channel and IOPub has
    brought that request's last message. (The stock ``wait_for_ready`` then waits until IOPub
    has been silent for 0.2 s: 0.2 s of nothing on every notebook.)"""

    async def _async_wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (60 if timeout is None else timeout)
        while time.monotonic() < deadline:
            msg_id = self.kernel_info()
            try:
                reply = await self._async_recv_reply(msg_id, timeout=1)
            except TimeoutError:
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info") from None
                continue
            if await self._iopub_saw_idle(msg_id, seconds=0.5):  # else IOPub was not connected yet
                self._handle_kernel_info_reply(reply)
                return
        raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    wait_for_ready = _async_wait_for_ready

    async def _iopub_saw_idle(self, msg_id, seconds):
        """Read IOPub until the kernel says it is idle after request ``msg_id`` (True), or for
        ``seconds`` at most (False)."""
        until = time.monotonic() + seconds
        while (left := until - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except queue.Empty:
                return False
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                    and msg["content"]["execution_state"] == "idle":
                return True
        return False


_POOLS = {}


def pool(course_dir, limits, extra_arguments, sandboxed=True, forked=True, assignment=None):
    """The process's KernelPool for a course directory, made on first use (its first spare
    started for ``assignment``)."""
    key = (str(course_dir), limits, tuple(extra_arguments), sandboxed, forked)
    if key not in _POOLS:
        _POOLS[key] = KernelPool(course_dir, limits, extra_arguments=extra_arguments, sandboxed=sandboxed,
                                 forked=forked, assignment=assignment)
    return _POOLS[key]


class WarmExecute(SandboxedExecute):
    """The grader's SandboxedExecute, each notebook in a pre-started sandboxed kernel."""

    kernels_of = Unicode("", help="The course directory whose kernel pool to take kernels from (default: "
                         "the one being graded). The preflight grades a scratch copy of the course with the "
                         "kernels of the course itself: the same course files, the same warm kernels.").tag(
        config=True)

    def preprocess(self, nb, resources=None, km=None):
        if km is not None:
            return super().preprocess(nb, resources, km=km)
        from autograder.course_folders import CourseFolders

        assignment = resources["nbgrader"]["assignment"]
        kernels = pool(self.kernels_of or CourseFolders.of_preprocessor(self).root, self.limits(),
                       self.extra_arguments, self.sandbox, self.fork_server, assignment)
        manager = kernels.take(assignment, resources["metadata"]["path"])
        try:
            return super().preprocess(nb, resources, km=manager)
        finally:
            kernels.retire(manager)


def warm_preprocessors(config):
    """The autograde preprocessors of ``config`` (an nbgrader configuration), with WarmExecute
    in place of SandboxedExecute: kernels started ahead of need."""
    from nbgrader.converters.autograde import Autograde

    configured = config.Autograde.autograde_preprocessors if "autograde_preprocessors" in config.Autograde \
        else Autograde.class_traits()["autograde_preprocessors"].default()
    return [WarmExecute if preprocessor is SandboxedExecute else preprocessor for preprocessor in configured]
