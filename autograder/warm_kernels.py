"""Kernels started ahead of need, for grading many notebooks in one process.

Starting a Python kernel and importing NumPy and matplotlib in it takes about a second. A
``KernelPool`` keeps a spare kernel starting in the background while the current notebook
runs; each notebook still gets a kernel of its own, used once and then shut down.
``WarmExecute`` is nbgrader's ``Execute`` preprocessor taking its kernels from the pool, so
that nbgrader's own ``Autograde`` converter grades with warm kernels.
"""

import os
import queue
import threading

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from nbgrader.preprocessors import Execute

# Modules every notebook of the course imports first: loading them is the slow part of a
# kernel's start, and loading them early changes nothing a notebook can observe but time.
# Not scikit-learn: half the notebooks never import it, and on a busy machine an import
# nobody needs costs the CPU time of a notebook that does.
WARM_UP = ("import numpy, matplotlib, matplotlib.pyplot, course.checks, course.plots, "
           "course.framework, course.previous")

# What the grading kernels run with. One BLAS/OpenMP thread each: several kernels grade at
# once, one per core, and the course's matrices are too small to gain from threads.
KERNEL_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# No history file; plots are drawn and closed as in Jupyter, but not rendered to PNG (no test
# reads an image, and rendering is a fifth of a notebook's CPU time): a figure's output is
# its text, e.g. "<Figure size 640x480 with 1 Axes>". Unlike matplotlib's Agg backend, this
# keeps plt.show() silent with a $DISPLAY and closes each cell's figures, so nothing new can
# reach stderr (where any output costs a test cell its points).
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:", "--InlineBackend.figure_formats=set()")


class KernelPool:
    """Keeps ``spares`` started, warmed-up python3 kernels ready to hand out."""

    def __init__(self, spares=1, kernel_name="python3", extra_arguments=(), env=None):
        self.kernel_name = kernel_name
        self.extra_arguments = list(extra_arguments)
        self.env = dict(env or {})  # set in the kernels' environment, over this process's
        self._ready = queue.Queue()
        for _ in range(spares):
            self._start_in_background()

    def _start_in_background(self):
        threading.Thread(target=self._start_one, daemon=True).start()

    def _start_one(self, attempts=3):
        for attempt in range(attempts):
            # nbgrader's Execute talks to the kernel through manager.client(): it must be the
            # asynchronous client, whose waits give way to the cell timeout (a blocking one
            # waits for an endless loop's output for ever).
            manager = KernelManager(kernel_name=self.kernel_name,
                                    client_class="jupyter_client.asynchronous.AsyncKernelClient")
            try:
                manager.start_kernel(extra_arguments=self.extra_arguments, env={**os.environ, **self.env})
                _run(manager, WARM_UP)
                self._ready.put(manager)
                return
            except Exception as error:  # e.g. a port taken by another process meanwhile: retry
                self.retire(manager)
                if attempt == attempts - 1:
                    self._ready.put(error)  # handed to the taker, which raises it

    def take(self, cwd, timeout=120):
        """A ready kernel, working in ``cwd``; a replacement starts in the background."""
        manager = self._ready.get(timeout=timeout)
        self._start_in_background()
        if isinstance(manager, Exception):
            raise RuntimeError(f"a spare kernel failed to start: {manager!r}") from manager
        _run(manager, f"import os as _os; _os.chdir({str(cwd)!r}); del _os")
        return manager

    @staticmethod
    def retire(manager):
        """Shut a used kernel down, in the background."""
        threading.Thread(target=manager.shutdown_kernel, kwargs={"now": True}, daemon=True).start()


def _run(manager, code, timeout=60):
    """Run ``code`` silently in the kernel of ``manager``; raise if it fails."""
    client = BlockingKernelClient(**manager.get_connection_info(session=True))
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
        _POOL = KernelPool(extra_arguments=KERNEL_ARGUMENTS, env=KERNEL_ENV)
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
