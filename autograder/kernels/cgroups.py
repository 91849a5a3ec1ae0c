"""A control group per grading kernel: its CPU share, process count and memory, fenced in.

Resource limits per process (``setrlimit``) cannot stop a submission from taking the machine:
a hundred busy loops, each in a session of its own, each under its own CPU limit, get a
hundred shares of the scheduler's time. Here every grading kernel, and everything it starts,
lives in a control group of its own:

- ``cpu``: the same weight as every other kernel (cgroup v2 ``cpu.weight``, v1 ``cpu.shares``)
  and at most ``cpu_cores`` cores (``cpu.max``, v1 ``cpu.cfs_quota_us``): however many
  processes a kernel starts, together they get one kernel's share;
- ``pids``: at most ``processes`` processes and threads (``pids.max``): a fork bomb stops there;
- ``memory``: at most ``memory_bytes`` of memory, swap included (``memory.max`` and
  ``memory.swap.max``, v1 ``memory.limit_in_bytes`` and ``memory.memsw.limit_in_bytes``): past
  it the kernel's own processes are killed, no one else's.

Each worker of the batch grader gets a group too, with a memory limit only. A kernel's group
is removed when the kernel is shut down, after every process still in it is killed.

Both layouts are supported and found at run time: the unified hierarchy of cgroup v2
(``/sys/fs/cgroup/cgroup.controllers``; the groups go under ``/sys/fs/cgroup/autograder-grading``,
which weighs one default share per core) and cgroup v1, one hierarchy per controller
(``/sys/fs/cgroup/cpu/``, ``memory/``, ``pids/``; the memory and pids groups go into an
``autograder-grading`` folder in the grader's own group, the CPU groups beside the grader's own
group, so that each kernel weighs what each session weighed before). When neither can be used (a grader that
is not root, a read-only cgroup file system, a controller missing), ``available`` says why,
once, in the grader's log, and kernels run with their per-process limits only.

Groups are created and filled from outside the sandbox: a kernel started by command enters its
group before it runs (``enter_command``), and a kernel forked by the zygote is moved into
its group by the grader before the grader sends it any code (``Group.adopt``).
"""

import atexit
import logging
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GroupLimits", "KERNEL_LIMITS", "WORKER_MEMORY_BYTES", "Group", "available", "new_group",
           "enter_command", "enter_worker_group"]

ROOT = Path("/sys/fs/cgroup")
PARENT = "autograder-grading"  # the folder of the groups this module makes (v1: but the CPU ones)
PREFIX = "grading-"  # the name of each: grading-kernel-<id>, grading-worker-<id>, grading-zygote-<id>
CONTROLLERS = ("cpu", "memory", "pids")
GiB = 1024 ** 3
PERIOD_US = 100_000  # the CPU quota's period


@dataclass(frozen=True)
class GroupLimits:
    """The limits of one group. cpu_weight: 1 to 10000, 100 = everyone's default share;
    cpu_cores: at most this many cores (None: no cap); memory_bytes: memory and swap
    (None: no limit); processes: processes and threads (None: no limit)."""

    cpu_weight: int | None = 100
    cpu_cores: float | None = 1.0
    memory_bytes: int | None = 2 * GiB
    processes: int | None = 128


#: Every grading kernel's group. The course's notebooks run single-threaded (OMP_NUM_THREADS=1)
#: in less than 400 MB; the per-process limits of ``autograder.kernels.sandbox`` still apply inside.
KERNEL_LIMITS = GroupLimits()
#: Each batch grader worker: the trusted side that reads a kernel's messages and writes grades.
WORKER_MEMORY_BYTES = 3 * GiB

log = logging.getLogger(__name__)


class _Hierarchy:
    """Where groups are made: one folder (v2) or one per controller (v1)."""

    def __init__(self, version, parents):
        self.version, self.parents = version, parents  # parents: {controller: folder}


def _current(controller):
    """This process's group in the hierarchy of ``controller`` (v1), or of cgroup v2 (''): its
    path below the hierarchy's root."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(",") or (controller == "" and names == ""):
            return path.lstrip("/")
    raise OSError(f"this process is in no {controller or 'cgroup v2'} group")


def _own_path(controller):
    """The grader's group in the v1 hierarchy of ``controller``, outside the groups of this
    module (a worker's own group is not the parent of its kernels' groups)."""
    parts = _current(controller).split("/")
    ours = next((i for i, part in enumerate(parts) if part.startswith((PARENT, PREFIX))), len(parts))
    return "/".join(parts[:ours])


def _write(path, value):
    with open(path, "w") as handle:
        handle.write(str(value))


def _find():
    """The usable hierarchy, or raise OSError saying why there is none."""
    if os.geteuid() != 0:
        raise OSError("the grader is not running as root")
    if (ROOT / "cgroup.controllers").exists():  # cgroup v2, unified
        present = (ROOT / "cgroup.controllers").read_text().split()
        missing = [c for c in CONTROLLERS if c not in present]
        if missing:
            raise OSError(f"cgroup v2 lacks the controllers {', '.join(missing)}")
        enabled = (ROOT / "cgroup.subtree_control").read_text().split()
        wanted = " ".join(f"+{c}" for c in CONTROLLERS if c not in enabled)
        if wanted:
            _write(ROOT / "cgroup.subtree_control", wanted)
        parent = ROOT / PARENT
        parent.mkdir(exist_ok=True)
        _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in CONTROLLERS))
        # The kernels together weigh as much as one default group (weight 100) per core.
        _write(parent / "cpu.weight", min(10_000, 100 * (os.cpu_count() or 1)))
        return _Hierarchy(2, dict.fromkeys(CONTROLLERS, parent))
    parents = {}
    for controller in CONTROLLERS:  # cgroup v1, one hierarchy per controller
        mount = ROOT / controller
        if not (mount / "cgroup.procs").exists():
            raise OSError(f"no cgroup v1 hierarchy of {controller} at {mount} and no cgroup v2 at {ROOT}")
        # CPU: each kernel's group beside the grader's own, one share at the level that each
        # session had before (the scheduler's per-session groups); memory and pids: in a folder.
        parents[controller] = mount / _own_path(controller) / ("" if controller == "cpu" else PARENT)
        parents[controller].mkdir(exist_ok=True)
    if (parents["memory"] / "memory.use_hierarchy").exists():
        try:
            _write(parents["memory"] / "memory.use_hierarchy", 1)
        except OSError:
            pass  # already set by the parent, or fixed: either way, limits below it hold
    return _Hierarchy(1, parents)


_found = None  # (hierarchy or None, reason)


def available(logger=None):
    """The hierarchy groups are made in, or None; the first call that finds none says why in
    ``logger`` (default: this module's log)."""
    global _found
    if _found is None:
        try:
            _found = (_find(), "")
            # one group made and removed: a file system that lists groups but refuses them fails here
            _make(_found[0], "probe", GroupLimits()).remove()
        except OSError as error:
            _found = (None, str(error))
            (logger or log).warning(
                "grading kernels run without a control group of their own (%s): their CPU share, "
                "processes and memory are limited per process only", error)
    return _found[0]


class Group:
    """One control group (its folder in each hierarchy)."""

    def __init__(self, hierarchy, name, controllers=CONTROLLERS):
        self.hierarchy, self.name = hierarchy, name
        self.folders = sorted({hierarchy.parents[c] / name for c in controllers})

    def _folder(self, controller):
        return self.hierarchy.parents[controller] / self.name

    @property
    def procs_files(self):
        """The cgroup.procs files a process is written into to enter the group."""
        return [folder / "cgroup.procs" for folder in self.folders]

    def set_limits(self, limits):
        v2 = self.hierarchy.version == 2
        cpu, memory, pids = (self._folder(c) for c in CONTROLLERS)
        if limits.cpu_weight is not None:
            if v2:
                _write(cpu / "cpu.weight", limits.cpu_weight)
            else:  # cpu.shares: 1024 is the default weight of 100
                _write(cpu / "cpu.shares", max(2, limits.cpu_weight * 1024 // 100))
        if limits.cpu_cores is not None:
            quota = int(limits.cpu_cores * PERIOD_US)
            if v2:
                _write(cpu / "cpu.max", f"{quota} {PERIOD_US}")
            else:
                _write(cpu / "cpu.cfs_period_us", PERIOD_US)
                _write(cpu / "cpu.cfs_quota_us", quota)
        if limits.memory_bytes is not None:
            if v2:
                _write(memory / "memory.max", limits.memory_bytes)
                if (memory / "memory.swap.max").exists():
                    _write(memory / "memory.swap.max", 0)
            else:
                _write(memory / "memory.limit_in_bytes", limits.memory_bytes)
                if (memory / "memory.memsw.limit_in_bytes").exists():
                    _write(memory / "memory.memsw.limit_in_bytes", limits.memory_bytes)
        if limits.processes is not None:
            _write(pids / "pids.max", limits.processes)

    def limits(self):
        """{file name: its content} of the limit files, as the kernel sees them now."""
        names = (["cpu.weight", "cpu.max", "memory.max", "pids.max"] if self.hierarchy.version == 2 else
                 ["cpu.shares", "cpu.cfs_quota_us", "memory.limit_in_bytes", "pids.max"])
        return {name: (self._folder(name.split(".")[0]) / name).read_text().strip() for name in names}

    def pids(self):
        """The processes in the group (as this process numbers them)."""
        found = set()
        for path in self.procs_files:
            try:
                found |= {int(p) for p in path.read_text().split()}
            except FileNotFoundError:
                pass
        return found

    def adopt(self, pids):
        """Move the processes ``pids`` (with all their threads) into the group."""
        for pid in sorted(pids):
            for path in self.procs_files:
                try:
                    _write(path, pid)
                except ProcessLookupError:
                    break  # it ended meanwhile

    def events(self):
        """{'oom_kill': kills by the memory limit, 'pids_max': forks refused by pids.max}."""
        memory, pids = self._folder("memory"), self._folder("pids")
        counts = {"oom_kill": 0, "pids_max": 0}
        for path, key, word in ((memory / ("memory.events" if self.hierarchy.version == 2 else
                                           "memory.oom_control"), "oom_kill", "oom_kill"),
                                (pids / "pids.events", "pids_max", "max")):
            try:
                for line in path.read_text().splitlines():
                    name, _, value = line.partition(" ")
                    if name == word:
                        counts[key] = int(value)
            except FileNotFoundError:
                pass
        return counts

    def remove(self, timeout=10):
        """Kill every process left in the group, then remove it."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.pids()
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for folder in self.folders:
                try:
                    folder.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:
                    if time.monotonic() > deadline:
                        log.warning("could not remove the control group %s: processes %s stay in it",
                                    folder, sorted(self.pids()))
                        return
            if not any(folder.exists() for folder in self.folders):
                _made.pop(self.name, None)
                return
            time.sleep(0.02)


def new_group(kind, limits, logger=None):
    """A new group ``<kind>-<random>`` with ``limits``, or None when groups cannot be used."""
    hierarchy = available(logger)
    return None if hierarchy is None else _make(hierarchy, kind, limits)


def _make(hierarchy, kind, limits):
    """The group, in the hierarchies of the controllers that ``limits`` sets."""
    used = {"cpu": (limits.cpu_weight, limits.cpu_cores), "memory": (limits.memory_bytes,),
            "pids": (limits.processes,)}
    controllers = [c for c in CONTROLLERS if any(value is not None for value in used[c])]
    group = Group(hierarchy, f"{PREFIX}{kind}-{uuid.uuid4().hex[:12]}", controllers)
    for folder in group.folders:
        folder.mkdir()
    _register_cleanup()
    _made[group.name] = group
    try:
        group.set_limits(limits)
    except OSError:
        group.remove()
        raise
    return group


_made = {}  # {name: Group} that this process made and has not removed yet
_owner = None  # the process that _made belongs to (a forked child starts afresh)


def _register_cleanup():
    """Once per process: remove at its exit the groups it made and left (a spare kernel
    nobody shut down), their processes killed; at interpreter exit and at the exit of a
    multiprocessing worker (which ends without atexit, after multiprocessing's finalizers)."""
    global _owner
    if _owner == os.getpid():
        return
    from multiprocessing.util import Finalize

    _owner = os.getpid()
    _made.clear()  # a forked child's copy of its parent's groups
    atexit.register(_remove_left)
    Finalize(None, _remove_left, exitpriority=1)


def _remove_left():
    if _owner == os.getpid():
        for group in list(_made.values()):
            group.remove(timeout=2)


def enter_command(group, argv):
    """``argv`` run from a shell that first puts itself into ``group``: the program and all it
    starts are in the group from their first instruction. ``argv`` itself when group is None."""
    if group is None:
        return list(argv)
    moves = " && ".join(f"echo $$ > '{path}'" for path in group.procs_files)
    return ["/bin/sh", "-c", f'{moves} && exec "$@"', "sh", *argv]


def enter_worker_group():
    """Put this process (a batch grader worker) into a group of its own with a memory limit;
    it leaves the group and removes it when it exits. For ProcessPoolExecutor's initializer."""
    from multiprocessing.util import Finalize

    group = new_group("worker", GroupLimits(cpu_weight=None, cpu_cores=None,
                                            memory_bytes=WORKER_MEMORY_BYTES, processes=None))
    if group is None:
        return
    if group.hierarchy.version == 2:
        before = [ROOT / _current("") / "cgroup.procs"]
    else:
        before = [ROOT / c / _current(c) / "cgroup.procs" for c in CONTROLLERS]
    group.adopt([os.getpid()])
    _made.pop(group.name)  # it holds this process: it is left at exit (below), never killed
    Finalize(group, _leave, args=(group, before), exitpriority=0)


def _leave(group, before):
    """Back to the groups this process was in (``before``: their cgroup.procs), then remove ``group``."""
    for path in before:
        try:
            _write(path, os.getpid())
        except OSError:
            pass
    for folder in group.folders:
        try:
            folder.rmdir()
        except OSError:
            pass  # a process it started is still there
