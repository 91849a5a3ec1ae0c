"""nbgrader's Execute, hardened: kernels in the sandbox, bounded time and output, the probe cell.

``SandboxedExecute`` replaces nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``
(``nbgrader_config.py``). For each notebook it

- starts the kernel in the sandbox of ``autograder.kernels.sandbox`` (unless ``sandbox = False``);
- gives each cell ``timeout`` seconds and the whole notebook ``notebook_timeout``; a cell past
  its time is interrupted, and a kernel that ignores the interrupt is stopped at the next
  timeout;
- keeps at most ``output_limit`` bytes of output per notebook (an error or anything on stderr
  is still recorded, so a failing test cell stays failing), and talks to the kernel through
  ``BoundedKernelClient``, whose ZeroMQ sockets refuse a message over ``MAX_MESSAGE_BYTES``
  and queue at most ``RECEIVE_QUEUE`` messages, so that nothing a kernel sends piles up in
  the grader's memory before the output limit applies;
- when the kernel dies (``sys.exit``, ``os._exit``, memory or CPU limit, a killed process),
  records the reason and marks every cell not run as failed instead of stopping the grading;
- appends the probe cell (``autograder.judging.judge``) after the notebook's own cells, runs it in
  the same kernel, removes it again and leaves its raw output for ``TrustedVerdict``.

What happened goes to ``resources["autograder"]``: the probe's seed and payload, and flags.
"""

import json
import secrets
import time

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, Integer, List

from autograder.course_folders import CourseFolders
from autograder.judging import judge
from autograder.judging.hidden_messages import kernel_code
from autograder.kernels import sandbox as jail
from autograder.safety import integrity_scan
from autograder.safety.safe_text import printable
from course.i18n import DEFAULT, notebook_language

MiB = 1024 * 1024
PROBE_TAG = "autograder-probe"
GRADER_OUTPUT_LIMIT = 32 * MiB  # the probe's values are at most a few hundred kB
#: The largest ZeroMQ message the grader accepts from a kernel (ZMQ_MAXMSGSIZE: a larger one
#: closes the connection, which ZeroMQ opens again, before any of it is stored). Above the
#: largest output a notebook legitimately prints at once (the probe line is under 1 MB).
MAX_MESSAGE_BYTES = 64 * MiB
#: Messages queued per channel before ZeroMQ stops reading from the kernel (ZMQ_RCVHWM; the
#: kernel's side then queues, in the kernel's own memory, and drops).
RECEIVE_QUEUE = 4


def bounded_context(kind=zmq.asyncio.Context):
    """A new ZeroMQ context whose sockets take MAX_MESSAGE_BYTES and RECEIVE_QUEUE as options:
    a client's memory for one channel stays under about RECEIVE_QUEUE x MAX_MESSAGE_BYTES."""
    context = kind()
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
    context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
    return context


class BoundedKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous kernel client on a ``bounded_context``, which notes every
    time ZeroMQ closed the IOPub or shell connection (a message over MAX_MESSAGE_BYTES)."""

    _monitors = ()

    def _context_default(self):
        self._created_context = True
        return bounded_context()

    def start_channels(self, *args, **kwargs):
        super().start_channels(*args, **kwargs)
        self._monitors = []
        for channel in (self.iopub_channel, self.shell_channel):
            if channel.is_alive() and channel.socket is not None:
                monitor = channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
                self._monitors.append((channel.socket, monitor, zmq.Socket.shadow(monitor.underlying)))

    def dropped_connections(self):
        """How many times the kernel's connections were closed since the last call."""
        count = 0
        for _, _, events in self._monitors:
            while True:
                try:
                    events.recv_multipart(zmq.NOBLOCK)
                except zmq.ZMQError:
                    break
                count += 1
        return count

    def stop_channels(self):
        for socket, monitor, _ in self._monitors:
            try:
                socket.disable_monitor()
            except zmq.ZMQError:
                pass
            monitor.close(linger=0)
        self._monitors = []
        super().stop_channels()


def _error(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


FIGURE_FORMATS = "--InlineBackend.figure_formats="


class SandboxedExecute(Execute):
    """nbgrader's Execute in the grading sandbox, with limits and the probe cell."""

    # No history file; plots are rendered to PNG as in Jupyter, so that the student's figures
    # appear in the feedback (with ``figures`` off: "<Figure size 650x400 with 1 Axes>").
    # "matplotlib=inline" sets up the inline backend when the kernel starts, as importing
    # pyplot in a kernel does: a
    # kernel forked from the zygote, which imported pyplot before IPython existed, would
    # otherwise have no PNG formatter. The inline backend, unlike matplotlib's Agg, keeps
    # plt.show() silent: nothing new reaches stderr (where any output costs a test cell its points).
    extra_arguments = List(["--HistoryManager.hist_file=:memory:", "--InteractiveShellApp.matplotlib=inline",
                            f"{FIGURE_FORMATS}png"],
                           help="Arguments of every grading kernel.").tag(config=True)
    figures = Bool(True, help="Render the notebooks' figures as PNG, as Jupyter does, so that the "
                   "feedback shows them. False: each figure is its text (\"<Figure size 650x400 with 1 "
                   "Axes>\"), never drawn, which saves kernel CPU time; scores are the same.").tag(
                       config=True)
    sandbox = Bool(True, help="Run each kernel in the bubblewrap sandbox (autograder.kernels.sandbox).").tag(
        config=True)
    fork_server = Bool(True, help="The batch grader's kernels: forked by the zygote, which imported the "
                       "common modules once, each in a sandbox of its own (autograder.kernels.zygote_client; "
                       "needs a grader running as root), rather than each a new process.").tag(config=True)
    probe = Bool(True, help="Run the grader's probe cell after the notebook.").tag(config=True)
    preflight = Bool(True, help="Before an assignment is graded, grade its reference solution in the same "
                     "set-up and stop unless it gets full marks (autograder.judging.preflight).").tag(
                         config=True)
    notebook_timeout = Integer(900, help="Wall-clock seconds for the whole notebook.").tag(config=True)
    output_limit = Integer(2 * MiB, help="Bytes of output kept per notebook.").tag(config=True)
    cpu_seconds = Integer(jail.Limits.cpu_seconds, help="CPU seconds of a kernel.").tag(config=True)
    memory_bytes = Integer(jail.Limits.memory_bytes, help="Address space of a kernel's process.").tag(
        config=True)
    processes = Integer(jail.Limits.processes, help="Processes and threads of a kernel.").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.figures:  # the inline backend stays (plt.show() silent), with no image format
            self.extra_arguments = [a for a in self.extra_arguments if not a.startswith(FIGURE_FORMATS)] \
                + [f"{FIGURE_FORMATS}set()"]
        if self.sandbox:
            jail.check_available()
            self.kernel_manager_class = jail.AsyncSandboxedKernelManager

    # --- the kernel -------------------------------------------------------------------

    def limits(self):
        return jail.Limits(cpu_seconds=self.cpu_seconds, memory_bytes=self.memory_bytes,
                              processes=self.processes)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.client_class = f"{__name__}.BoundedKernelClient"
        if self.sandbox:
            km.limits = self.limits()
            files = jail.course_files(CourseFolders.of_preprocessor(self))
            km.files = {self._assignment: files.get(self._assignment, [])}  # its own assignment's only
            km.workdir = f"{jail.HOME}/{self._assignment}"
        return km

    def prepare_kernel(self):
        """After the kernel answered: seal its connection folder (sandboxed kernels), and give
        it the submitted notebook's language (``COURSE_LANGUAGE``, read by ``course.i18n``) and
        the translations of this notebook's hidden tests (``autograder.judging.hidden_messages``),
        so that its checks speak the notebook's language with the same code cells. Kernels are
        started before the notebook is known (warm pools, fork servers), hence a silent request
        rather than the environment it was started with."""
        if hasattr(self.km, "seal"):
            self.km.seal()
        lang = notebook_language(self.nb)
        if lang != DEFAULT:
            code = f"import os as _os; _os.environ['COURSE_LANGUAGE'] = {lang!r}; del _os"
            hidden = kernel_code(lang, self._assignment)
            code += f"\n{hidden}" if hidden else ""
            self.wait_for_reply(self.kc.execute(code, silent=True, store_history=False))

    # --- limits while running ------------------------------------------------------------

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        remaining = max(1, int(self._deadline - time.monotonic()))
        return remaining if timeout is None else min(timeout, remaining)

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timeouts += 1
        if self._timeouts > 1 or time.monotonic() >= self._deadline:
            self._dead_reason = ("it ran past the time limit and did not stop when interrupted"
                                 if self._timeouts > 1 else "the notebook ran past its time limit")
            raise DeadKernelError(self._dead_reason)
        self._flag(f"a cell ran past the {timeout} s limit and was interrupted")
        # An interrupt_request on the control channel: works for every kernel manager, and a
        # signal from outside would reach bubblewrap, not the kernel.
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", content={}))
        return {"content": {**self.error_on_timeout, "status": "error"}}

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        if cell_index >= self._first_grader_cell:  # the scan and probe cells: a budget of their own
            self._grader_bytes += size
            return super().output(outs, msg, display_id, cell_index) \
                if self._grader_bytes <= GRADER_OUTPUT_LIMIT else None
        self._output_bytes += size
        if self._output_bytes <= self.output_limit:
            return super().output(outs, msg, display_id, cell_index)
        kind = msg.get("msg_type")
        if not self._truncated:
            self._truncated = True
            self._flag(f"printed more than {self.output_limit // MiB} MiB: the rest of its output "
                       "was dropped")
            outs.append(new_output("stream", name="stdout", text="\n[output truncated by the grader]\n"))
        if kind == "error" or (kind == "stream" and msg["content"].get("name") == "stderr"):
            content = msg["content"]
            if kind == "error":
                outs.append(_error(str(content.get("ename"))[:200], str(content.get("evalue"))[:2000]))
            elif not any(o.get("name") == "stderr" for o in outs):
                outs.append(new_output("stream", name="stderr", text="[stderr output truncated]\n"))
        return None

    # --- the notebook --------------------------------------------------------------------

    def _flag(self, reason):
        self._flags.append(reason)
        self.log.warning("flagged: %s", printable(reason))

    def preprocess(self, nb, resources=None, km=None):
        resources = resources if resources is not None else {}
        self._assignment = resources.get("nbgrader", {}).get("assignment", "")
        self._flags, self._timeouts, self._dead_reason = [], 0, None
        self._output_bytes, self._grader_bytes, self._truncated = 0, 0, False
        self._deadline = time.monotonic() + self.notebook_timeout
        seed, nonce = secrets.randbelow(2**31), "probe-" + secrets.token_hex(16)
        scan_nonce = "scan-" + secrets.token_hex(16)
        added = []
        if self.probe:
            tags = {"tags": [PROBE_TAG]}
            added = [new_code_cell(integrity_scan.scan_cell_source(scan_nonce), metadata=tags),
                     new_code_cell(judge.probe_cell_source(self._assignment, seed, nonce),
                                   metadata=tags)]
            nb.cells.extend(added)
        self._first_grader_cell = len(nb.cells) - len(added)
        try:
            self._execute_all(nb, resources, km)
        finally:
            nb.cells = [c for c in nb.cells if not any(c is a for a in added)]
        payload = None
        if added:
            scan_cell, probe_cell = added
            found = integrity_scan.parse_scan_output(_stdout(scan_cell), scan_nonce)
            for finding in found or []:
                self._flag(f"integrity scan: {finding}")
            payload = judge.parse_probe_output(_stdout(probe_cell), nonce)
            if payload is None and self._dead_reason is not None:
                payload = self._replay(nb, resources, probe_cell.source, nonce)
        resources["autograder"] = {"seed": seed, "payload": payload, "flags": list(self._flags),
                                   "probe": self.probe}
        return nb, resources

    def _replay(self, nb, resources, probe_source, nonce):
        """After the kernel stopped: run the cells that had finished before, without the test
        cells and without the cell where it stopped, in a fresh kernel, then the probe cell, so
        the cells that passed before the stop can still be re-checked. Returns the payload."""
        stopped = {"DeadKernelError", "NotRun", "CellTimeoutError", "KeyboardInterrupt"}
        cells = [new_code_cell(c.source) for c in nb.cells
                 if c.cell_type == "code" and c.get("execution_count") is not None
                 and not (is_grade(c) and not is_solution(c))
                 and not any(o.get("ename") in stopped for o in c.get("outputs", []))]
        probe_cell = new_code_cell(probe_source)
        replay = new_notebook(cells=[*cells, probe_cell], metadata=nb.metadata)
        state = self._dead_reason, self._timeouts, self._deadline, self._first_grader_cell
        self._dead_reason, self._timeouts = None, 0
        self._deadline, self._first_grader_cell = time.monotonic() + self.notebook_timeout / 2, len(cells)
        try:
            self._execute_all(replay, resources, None)
        finally:
            self._dead_reason, self._timeouts, self._deadline, self._first_grader_cell = state
        payload = judge.parse_probe_output(_stdout(probe_cell), nonce)
        self._flag("the grader re-checked the cells that ran before the kernel stopped, in a fresh kernel"
                   if payload is not None else "the re-run in a fresh kernel gave no values either")
        return payload

    def _execute_all(self, nb, resources, km):
        """nbconvert's ExecutePreprocessor.preprocess, going on past a dead kernel."""
        from nbclient import NotebookClient

        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        cells = list(enumerate(self.nb.cells))
        try:
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                self.prepare_kernel()
                for index, cell in cells:
                    if self._dead_reason is not None:
                        break
                    died = False
                    try:
                        self.preprocess_cell(cell, resources, index)
                    except Exception as error:  # a dead kernel, or one that broke the protocol
                        died = isinstance(error, DeadKernelError)
                        self._dead_reason = self._dead_reason or self._death_cause(error)
                        cell.outputs.append(_error("DeadKernelError",
                                                   f"the kernel stopped: {self._dead_reason}"))
                        self._flag(f"the kernel stopped at cell {index}: {self._dead_reason}")
                    finally:
                        self._note_refused_messages(index, died=died)
        except Exception as error:  # the kernel did not start, answer or stop cleanly
            if self._dead_reason is None:
                self._dead_reason = self._death_cause(error)
                self._flag(f"the grader lost the kernel: {self._dead_reason}")
        if self._dead_reason is not None:
            for _, cell in cells:
                if cell.cell_type == "code" and "execution_count" in cell and cell.execution_count is None \
                        and not cell.get("outputs"):
                    cell.outputs = [_error("NotRun",
                                           f"not run: the kernel had stopped ({self._dead_reason})")]
        self.set_widgets_metadata()

    def _note_refused_messages(self, index, died=False):
        """Flag (once per cell) a cell during which ZeroMQ closed the kernel's connection: it
        sent a message over MAX_MESSAGE_BYTES, which the grader never read. A kernel process
        that ended (``died``: nbclient's DeadKernelError) closes its connections too: those
        closings are its end, already flagged, and no sign of a large message. A kernel that
        stopped answering (a flood of large messages ends in a cell timeout) is still flagged."""
        dropped = getattr(self.kc, "dropped_connections", lambda: 0)()
        if dropped and not died:
            self._flag(f"cell {index} sent messages over {MAX_MESSAGE_BYTES // MiB} MiB: the grader refused "
                       f"them unread ({dropped} time(s)), and lost what came while it reconnected")

    @staticmethod
    def _death_cause(error):
        if isinstance(error, DeadKernelError):
            return ("the notebook exited or killed its kernel, or the kernel went past its memory, "
                    "CPU time or process limit")
        return f"the kernel stopped answering properly ({type(error).__name__}: {str(error)[:150]})"
