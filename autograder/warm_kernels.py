"""Kernels started ahead of need, for grading many notebooks in one process.

Starting a Python kernel and importing NumPy and matplotlib in it takes about a second. A
``KernelPool`` keeps a spare kernel starting in the background while the current notebook
runs; each notebook still gets a kernel of its own, used once and then shut down.
``WarmExecute`` is nbgrader's ``Execute`` preprocessor taking its kernels from the pool, so
that nbgrader's own ``Autograde`` converter grades with warm kernels.
"""

import queue
import threading

from jupyter_client.manager import KernelManager
from nbgrader.preprocessors import Execute

# Modules every notebook of the course imports first: loading them is the slow part of a
# kernel's start, and loading them early changes nothing a notebook can observe but time.
WARM_UP = "import numpy, matplotlib, matplotlib.pyplot, sklearn, course.checks, course.plots"


class KernelPool:
    """Keeps ``spares`` started, warmed-up python3 kernels ready to hand out."""

    def __init__(self, spares=1, kernel_name="python3", extra_arguments=()):
        self.kernel_name = kernel_name
        self.extra_arguments = list(extra_arguments)
        self._ready = queue.Queue()
        for _ in range(spares):
            self._start_in_background()

    def _start_in_background(self):
        threading.Thread(target=self._start_one, daemon=True).start()

    def _start_one(self):
        try:
            manager = KernelManager(kernel_name=self.kernel_name)
            manager.start_kernel(extra_arguments=self.extra_arguments)
            _run(manager, WARM_UP)
            self._ready.put(manager)
        except Exception as error:  # handed to the taker, which raises it
            self._ready.put(error)

    def take(self, cwd, timeout=120):
        """A ready kernel, working in ``cwd``; a replacement starts in the background."""
        manager = self._ready.get(timeout=timeout)
        self._start_in_background()
        if isinstance(manager, Exception):
            raise RuntimeError(f"a spare kernel failed to start: {manager!r}") from manager
        # started ahead of nbgrader's own setting of NBGRADER_EXECUTION: set it in the kernel
        _run(manager, f"import os as _os; _os.chdir({str(cwd)!r}); "
                      "_os.environ['NBGRADER_EXECUTION'] = 'autograde'; del _os")
        return manager

    @staticmethod
    def retire(manager):
        """Shut a used kernel down, in the background."""
        threading.Thread(target=manager.shutdown_kernel, kwargs={"now": True}, daemon=True).start()


def _run(manager, code, timeout=60):
    """Run ``code`` silently in the kernel of ``manager``; raise if it fails."""
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(code, silent=True, store_history=False, timeout=timeout)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")
    finally:
        client.stop_channels()


_POOL = None


def pool():
    """The process's KernelPool, made on first use."""
    global _POOL
    if _POOL is None:
        _POOL = KernelPool(extra_arguments=["--HistoryManager.hist_file=:memory:"])
    return _POOL


class WarmExecute(Execute):
    """nbgrader's Execute, running each notebook in a pre-started kernel from ``pool()``."""

    def preprocess(self, nb, resources=None, km=None):
        if km is not None:
            return super().preprocess(nb, resources, km=km)
        cwd = (resources or {}).get("metadata", {}).get("path") or "."
        manager = pool().take(cwd)
        try:
            return super().preprocess(nb, resources, km=manager)
        finally:
            pool().retire(manager)
