"""The machine's busy CPU time, for benchmarks that start processes of their own.

Sandboxed kernels are not the benchmark's waited-for children, so its own rusage would miss
them; on a machine doing nothing else, the machine's busy time is the work measured. No
imports of the course or the grader: ``benchmarks.commit_round`` uses it beside a checkout
of any commit.
"""

import os
import time
from pathlib import Path


def busy_cpu_seconds():
    """Busy CPU seconds of the whole machine, all cores (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measured(function, *args, **kwargs):
    """(wall seconds, busy CPU seconds of the machine) of one call."""
    wall, cpu = time.perf_counter(), busy_cpu_seconds()
    function(*args, **kwargs)
    return time.perf_counter() - wall, busy_cpu_seconds() - cpu
