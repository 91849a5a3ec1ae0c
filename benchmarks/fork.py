"""What forking grading kernels from a warmed-up process ("zygote") saves per notebook, outside
any sandbox: ``python -m autograder benchmark-fork [--runs N]``.

The import time alone, the reason for the batch grader's zygote (``autograder.kernels.zygote_client``,
whose sandboxed kernels ``benchmark-grading`` measures). Both ways end at the same point, an
initialised IPython kernel (sockets bound, shell made) with the course's common modules
imported, and then exit:

- cold: a new ``python`` process imports ipykernel and the modules, then initialises the
  kernel (what every grading kernel does now);
- fork: a process that imported them once forks; the child only initialises the kernel.

Prints the wall and CPU seconds of each (mean over the runs, CPU of the process that does the
work, from the operating system's accounting of ended children) and the difference.
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from autograder.kernels.warm_pool import WARM_UP

IMPORTS = {
    "common modules": WARM_UP,
    "common modules + scikit-learn": WARM_UP + ", sklearn.datasets, sklearn.neural_network",
}
KERNEL = ("from ipykernel.kernelapp import IPKernelApp\n"
          "IPKernelApp.instance().initialize(\n"
          "    ['-f', {connection!r}, '--HistoryManager.hist_file=:memory:'])\n")


def _zygote_imports(imports):
    return f"import ipykernel.kernelapp, {imports.removeprefix('import ')}"


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _connection_file(folder, number):
    from jupyter_client.connect import write_connection_file

    path = Path(folder, f"kernel-{number}.json")
    write_connection_file(str(path))
    return str(path)


def _quiet():
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def cold(imports, connection):
    """(wall, CPU) of a new python process: imports, then a kernel initialised."""
    code = _zygote_imports(imports) + "\n" + KERNEL.format(connection=connection)
    wall, cpu = time.perf_counter(), _children_cpu()
    pid = os.fork()
    if pid == 0:
        _quiet()
        os.execv(sys.executable, [sys.executable, "-c", code + "import os; os._exit(0)"])
    os.waitpid(pid, 0)
    return time.perf_counter() - wall, _children_cpu() - cpu


def forked(connection):
    """(wall, CPU) of a child forked from this process (modules already imported): a kernel."""
    wall, cpu = time.perf_counter(), _children_cpu()
    pid = os.fork()
    if pid == 0:
        try:
            _quiet()
            exec(KERNEL.format(connection=connection), {})
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return time.perf_counter() - wall, _children_cpu() - cpu


def _mean(pairs):
    return tuple(sum(values) / len(values) for values in zip(*pairs))


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("--runs", type=int, default=10)


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    print(f"{'modules':<32} {'cold start':>20} {'fork of a zygote':>20} {'saved':>20}")
    with tempfile.TemporaryDirectory() as scratch:
        number = 0
        for label, imports in IMPORTS.items():
            exec(_zygote_imports(imports), {})  # this process becomes the zygote
            results = {"cold": [], "fork": []}
            for _ in range(options.runs):  # alternate, so that both see the same machine
                number += 1
                results["cold"].append(cold(imports, _connection_file(scratch, number)))
                results["fork"].append(forked(_connection_file(scratch, number)))
            (cold_wall, cold_cpu), (fork_wall, fork_cpu) = _mean(results["cold"]), _mean(results["fork"])
            print(f"{label:<32} {cold_wall:6.2f} s (CPU {cold_cpu:4.2f}) "
                  f"{fork_wall:6.2f} s (CPU {fork_cpu:4.2f}) "
                  f"{cold_wall - fork_wall:6.2f} s (CPU {cold_cpu - fork_cpu:4.2f})")
    print(f"\nmean of {options.runs} runs each, alternating; both end at an initialised kernel and exit")
    return 0
