"""The zygote of grading kernels (autograder/kernels/zygote_client.py, autograder/kernels/zygote.py), for
real: kernels forked in the bubblewrap sandbox, each checked from inside for the sandbox of
its own that a new bubblewrap kernel has, and from outside for what it leaves behind."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from jupyter_client.blocking import BlockingKernelClient

from autograder.kernels import sandbox
from autograder.kernels.warm_pool import KernelPool
from autograder.kernels.zygote_client import PRELOAD, ForkedKernelManager, ZygoteClient

REPOSITORY = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.skipif(not Path("/usr/bin/bwrap").exists(),
                       reason="the grading sandbox needs bubblewrap (apt-get install bubblewrap)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the zygote needs a grader running as root"),
]

# What a kernel can see of itself and its surroundings, as JSON on one line.
VIEW = r"""
import json, os, resource, socket
def tree(top):
    return sorted(os.path.relpath(os.path.join(r, n), top) for r, ds, fs in os.walk(top) for n in ds + fs)
status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines())
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1)
    network = True
except OSError:
    network = False
writable = {}
for folder in ("/usr", os.getcwd(), os.path.join(os.getcwd(), "previous_steps.py"), "/tmp", "/dev/shm"):
    writable[folder] = os.access(folder, os.W_OK)
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "cwd": os.getcwd(),
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "root": sorted(os.listdir("/")), "home": tree(os.path.expanduser("~")), "tmp": sorted(os.listdir("/tmp")),
    "shm": sorted(os.listdir("/dev/shm")), "network": network, "writable": writable,
    "no_new_privs": status["NoNewPrivs"].strip(), "capabilities": status["CapEff"].strip(),
    "limits": [resource.getrlimit(getattr(resource, n))[1] for n in
               ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")],
    "descriptors": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
    "hidden": [p for p in HIDDEN if os.path.exists(p)],
}))
""".replace("HIDDEN", repr([str(REPOSITORY / "autograder"), str(REPOSITORY / "source")]))


@pytest.fixture(scope="module")
def server():
    fork_server = ZygoteClient(sandbox.course_files(REPOSITORY))
    yield fork_server
    fork_server.close()


def start(manager_class, server=None, assignment="04_backward"):
    manager = manager_class(kernel_name="python3",
                            client_class="autograder.kernels.warm_pool.PromptKernelClient")
    manager.files = {assignment: sandbox.course_files(REPOSITORY)[assignment]}  # its own assignment's
    manager.fork_server = server
    manager.workdir = f"{sandbox.HOME}/{assignment}"
    manager.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"])
    return manager


def run(manager, code):
    """stdout of ``code`` run in the kernel of ``manager``; raises on an error. (The client
    asks the manager whether the kernel lives: a heartbeat missed on a busy machine is not
    a dead kernel.)"""
    client = BlockingKernelClient(parent=manager, **manager.get_connection_info(session=True))
    client.start_channels()
    out = []
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda msg: out.append(
            msg["content"].get("text", "") if msg["msg_type"] == "stream" else ""))
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def view(manager):
    return json.loads(run(manager, VIEW).strip().splitlines()[-1])


def test_a_forked_kernel_has_the_sandbox_of_a_new_bubblewrap_kernel(server):
    forked = start(ForkedKernelManager, server)
    cold = start(sandbox.SandboxedKernelManager)
    try:
        mine, theirs = view(forked), view(cold)
    finally:
        forked.shutdown_kernel(now=True)
        cold.shutdown_kernel(now=True)
    # the same file system, limits, privileges and network as a kernel started by bubblewrap
    for key in ("groups", "cwd", "root", "home", "shm", "network", "writable", "no_new_privs",
                "capabilities", "limits", "hidden"):
        assert mine[key] == theirs[key], key
    assert mine["tmp"] == theirs["tmp"] or set(mine["tmp"]) <= {*theirs["tmp"], server.root.name}
    assert mine["uid"] not in (0, os.getuid()) and mine["uid"] == mine["gid"]
    assert mine["capabilities"] == "0000000000000000" and mine["no_new_privs"] == "1"
    assert mine["network"] is False and mine["hidden"] == []
    assert mine["writable"] == {"/usr": False, f"{sandbox.HOME}/04_backward": True,
                                f"{sandbox.HOME}/04_backward/previous_steps.py": False,
                                "/tmp": True, "/dev/shm": True}
    assert mine["processes"] == [1, 2]  # its init and itself
    assert mine["descriptors"][:3] == [0, 1, 2]


def test_nothing_a_kernel_leaves_reaches_the_next_one(server):
    first = start(ForkedKernelManager, server)
    try:
        run(first, "import os, numpy\n"
                   "for path in ('/tmp/left', '/dev/shm/left', os.path.expanduser('~/left'), 'left'):\n"
                   "    open(path, 'w').write('from the first kernel')\n"
                   "print(numpy.random.rand())")
        runtime_first = first.runtime_dir
        second = start(ForkedKernelManager, server)
        try:
            seen = run(second, "import os, glob\n"
                               "print(sorted(glob.glob('/tmp/**/left', recursive=True)"
                               " + glob.glob('/dev/shm/left')"
                               " + glob.glob(os.path.expanduser('~/**/left'), recursive=True)))\n"
                               f"print(os.path.exists({str(runtime_first)!r}))\n"
                               f"print(sorted(os.listdir({str(server.root)!r})))")
            lines = seen.splitlines()
            assert lines[0] == "[]" and lines[1] == "False"
            assert lines[2] == str([second.runtime_dir.name])  # its own connection folder only
        finally:
            second.shutdown_kernel(now=True)
    finally:
        first.shutdown_kernel(now=True)


def test_kernels_draw_different_random_numbers(server):
    draws = []
    for _ in range(2):
        manager = start(ForkedKernelManager, server)
        try:
            draws.append(run(manager, "import numpy, random\nprint(numpy.random.rand(), random.random())"))
        finally:
            manager.shutdown_kernel(now=True)
    assert draws[0] != draws[1]


def test_every_process_a_kernel_started_ends_with_it(server):
    manager = start(ForkedKernelManager, server)
    marker = "2718281"
    run(manager, f"import subprocess\nsubprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
                 f"subprocess.Popen(['sh', '-c', 'nohup sleep {marker} &'])")
    assert marker in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    manager.shutdown_kernel(now=True)
    assert not manager.is_alive()
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"sleep {marker}" not in processes


def test_a_kernel_that_exits_is_seen_dead(server):
    manager = start(ForkedKernelManager, server)
    client = BlockingKernelClient(**manager.get_connection_info(session=True))
    client.start_channels()
    client.wait_for_ready(timeout=60)
    client.execute("import os; os._exit(3)")
    client.stop_channels()
    manager.provisioner.process.wait(timeout=30)
    assert not manager.is_alive() and manager.provisioner.process.returncode == 3
    manager.shutdown_kernel(now=True)


def test_a_lost_fork_server_is_started_again(server):
    first = start(ForkedKernelManager, server)
    first.shutdown_kernel(now=True)
    server._process.kill()
    server._process.wait()
    manager = start(ForkedKernelManager, server)
    try:
        assert run(manager, "print(6 * 7)").strip() == "42"
    finally:
        manager.shutdown_kernel(now=True)


def test_a_module_that_fails_to_preload_is_reported_and_kernels_still_start():
    server = ZygoteClient(sandbox.course_files(REPOSITORY), preload=(*PRELOAD, "no_such_module_here"))
    try:
        manager = start(ForkedKernelManager, server)
        try:
            assert run(manager, "import numpy; print(numpy.eye(2).sum())").strip() == "2.0"
        finally:
            manager.shutdown_kernel(now=True)
        assert server.not_preloaded == ["no_such_module_here"]
    finally:
        server.close()


def test_a_pool_whose_fork_server_cannot_start_falls_back_to_bubblewrap(tmp_path):
    kernels = KernelPool(REPOSITORY, spares=0)
    kernels.fork_server.close()
    kernels.fork_server = ZygoteClient(sandbox.course_files(REPOSITORY))
    shutil.rmtree(kernels.fork_server.staging / "view")  # bwrap cannot bind the course files: no zygote
    with pytest.warns(UserWarning, match="without the zygote"):
        kernels._start_one()
    manager = kernels._ready.get(timeout=120)
    try:
        assert isinstance(manager, sandbox.SandboxedKernelManager) and kernels.fork_server is None
        assert run(manager, "print(6 * 7)").strip() == "42"
    finally:
        manager.shutdown_kernel(now=True)


def test_a_file_the_preload_leaves_open_is_found(tmp_path):
    """The zygote refuses to fork kernels when its preload holds a file open (each kernel
    closes it after the fork, under the module's feet): ``left_open`` is that check."""
    from autograder.kernels import zygote

    before = zygote.open_descriptors()
    with open(tmp_path / "font.ttf", "wb") as held:
        found = zygote.left_open(before)
        assert found == [f"{held.fileno()} -> {tmp_path / 'font.ttf'}"]
    assert zygote.left_open(before) == []
