"""A control group per grading kernel (autograder/kernels/cgroups.py), on the layout this machine has
(cgroup v1 or v2): real sandboxed kernels, started by command and forked by the zygote,
their processes in their group with its limits, a fork bomb stopped by pids.max, a memory
hog killed by the group's memory limit, the group removed with the kernel."""

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.kernels import cgroups, sandbox, warm_pool

ROOT = Path(__file__).resolve().parents[1]
MiB = 1024 * 1024

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/usr/bin/bwrap").exists(), reason="the grading sandbox needs bubblewrap"),
    pytest.mark.skipif(cgroups.available() is None, reason="control groups cannot be made here (not root, "
                       "or a read-only cgroup file system): kernels fall back to per-process limits"),
]


def _programs(pids):
    """{pid: program name} of the live (not zombie) processes among ``pids``."""
    found = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if not fields["State"].startswith("Z"):
            found[pid] = fields["Name"].strip()
    return found


def _kernel(group_limits=cgroups.KERNEL_LIMITS):
    """A started, sandboxed kernel (bubblewrap) whose control group has ``group_limits``."""
    manager = sandbox.SandboxedKernelManager(kernel_name="python3")
    manager.files, manager.group_limits = sandbox.course_files(ROOT), group_limits
    manager.start_kernel()
    warm_pool._run(manager, "1")
    return manager


@pytest.mark.parametrize("forked", [False, True], ids=["bubblewrap", "fork-server"])
def test_kernel_and_everything_it_starts_live_in_its_group_with_the_limits_set(forked):
    if forked and os.geteuid() != 0:
        pytest.skip("the zygote needs a grader running as root")
    pool = warm_pool.KernelPool(ROOT, forked=forked)
    manager = pool.take("04_backward", ROOT)
    try:
        group = manager.cgroup
        assert group is not None and all(folder.is_dir() for folder in group.folders)
        limits = group.limits()
        if group.hierarchy.version == 2:
            assert limits == {"cpu.weight": "100", "cpu.max": "100000 100000", "memory.max": str(2048 * MiB),
                              "pids.max": "128"}
        else:
            assert limits == {"cpu.shares": "1024", "cpu.cfs_quota_us": "100000",
                              "memory.limit_in_bytes": str(2048 * MiB), "pids.max": "128"}
        warm_pool._run(manager, "import subprocess\nfor _ in range(3):\n"
                                   "    subprocess.Popen(['sleep', '1000'], start_new_session=True)")
        time.sleep(0.5)
        inside = _programs(group.pids())
        assert sorted(inside.values()).count("sleep") == 3
        assert any(name.startswith("python") for name in inside.values())
    finally:
        manager.shutdown_kernel(now=True)
        pool._ready.get(timeout=120).shutdown_kernel(now=True)  # the spare the pool started
        if pool.fork_server:
            pool.fork_server.close()
    assert not any(folder.exists() for folder in group.folders)
    assert not _programs(inside)  # the sleeps in their own sessions ended with the group


def test_fork_bomb_stops_at_pids_max_and_only_its_kernel_fails():
    # pids.max below the kernel's own process limit (RLIMIT_NPROC, 128): the group stops it.
    bomb = _kernel(cgroups.GroupLimits(processes=40))
    neighbour = _kernel()
    try:
        with pytest.raises(RuntimeError):
            warm_pool._run(bomb, "import os, time\nwhile True:\n    if os.fork() == 0:\n"
                                    "        time.sleep(3600)\n", timeout=30)
        assert bomb.cgroup.events()["pids_max"] > 0
        assert len(bomb.cgroup.pids()) <= 40
        warm_pool._run(neighbour, "assert sum(range(10)) == 45")  # the kernel beside it answers
        group = bomb.cgroup
    finally:
        bomb.shutdown_kernel(now=True)
        neighbour.shutdown_kernel(now=True)
    assert not any(folder.exists() for folder in group.folders)


def test_memory_hog_is_killed_in_its_group_and_the_grader_and_its_neighbour_go_on():
    hog = _kernel(cgroups.GroupLimits(memory_bytes=256 * MiB))
    neighbour = _kernel()
    try:
        with pytest.raises(RuntimeError, match="died|did not answer"):
            warm_pool._run(hog, "block = b'x' * (1024 ** 3)", timeout=60)
        assert hog.cgroup.events()["oom_kill"] >= 1
        assert not hog.is_alive()
        warm_pool._run(neighbour, "block = b'x' * (512 * 1024 ** 2)\nassert len(block) == 512 * 1024 ** 2")
        group = hog.cgroup
    finally:
        hog.shutdown_kernel(now=True)
        neighbour.shutdown_kernel(now=True)
    assert not any(folder.exists() for folder in group.folders)


def _worker_report(answers):
    """In the worker: its memory group's path and memory limit."""
    lines = dict(line.split(":", 2)[1:] for line in Path("/proc/self/cgroup").read_text().splitlines())
    if "memory" in lines:
        path = lines["memory"]
        limit = Path("/sys/fs/cgroup/memory", path.lstrip("/"), "memory.limit_in_bytes").read_text()
    else:
        path = lines[""]
        limit = Path("/sys/fs/cgroup", path.lstrip("/"), "memory.max").read_text()
    answers.put((path, int(limit)))


def test_groups_a_process_left_are_removed_with_their_processes_when_it_exits():
    code = ("from autograder.kernels import cgroups\n"
            "group = cgroups.new_group('kernel', cgroups.KERNEL_LIMITS)\n"
            "import subprocess\n"
            "argv = cgroups.enter_command(group, ['sleep', '1000'])\n"
            "sleeper = subprocess.Popen(argv, start_new_session=True)\n"
            "import time; time.sleep(0.5)\n"
            "print(' '.join(map(str, group.folders)), sleeper.pid, flush=True)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    *folders, pid = result.stdout.split()
    assert folders and not any(Path(folder).exists() for folder in folders), result.stderr
    assert not _programs([int(pid)])


def test_each_batch_worker_has_a_memory_limit_and_its_group_goes_when_it_ends():
    context = multiprocessing.get_context("forkserver")
    with context.Pool(1, initializer=cgroups.enter_worker_group) as workers:
        manager = context.Manager()
        answers = manager.Queue()
        workers.apply(_worker_report, (answers,))
        path, limit = answers.get(timeout=10)
        workers.close()
        workers.join()
    assert f"/{cgroups.PARENT}/{cgroups.PREFIX}worker-" in path and limit == cgroups.WORKER_MEMORY_BYTES
    folder = cgroups.available().parents["memory"] / path.rsplit("/", 1)[-1]
    deadline = time.monotonic() + 10
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not folder.exists()


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/python3").exists(),
                    reason="needs root, to run the module as another user with Debian's Python")
def test_a_grader_that_cannot_make_groups_says_so_once_and_leaves_kernel_commands_as_they_are():
    """As an unprivileged user (Debian's own Python: the course's lives in root's home folder,
    closed to other users; the module needs only the standard library)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from autograder.kernels import cgroups\n"
            "print(cgroups.available(), cgroups.new_group('kernel', cgroups.KERNEL_LIMITS),\n"
            "      cgroups.enter_command(None, ['python', '-m', 'ipykernel_launcher']))\n")
    command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", code]
    result = subprocess.run([*command, str(ROOT)], capture_output=True, text=True, timeout=60, cwd="/")
    assert result.stdout.strip() == "None None ['python', '-m', 'ipykernel_launcher']", result.stderr
    said = "without a control group of their own (the grader is not running as root)"
    assert result.stderr.count(said) == 1
