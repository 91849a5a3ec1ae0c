"""What a grading kernel can see and write, checked from inside real kernels: started by
bubblewrap (autograder/kernels/sandbox.py) and forked by the zygote (autograder/kernels/zygote.py).

A kernel grading one assignment sees that assignment's course files only, no file of the
course directory, no host path of it, and not the autograder package by any route; the only
places it can write are the size-limited scratch folders, and writing past their limit fails
without the host disk growing."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_catalogue import REFERENCE_FINDER
from test_zygote import run

from autograder.kernels import sandbox
from autograder.kernels.zygote_client import ForkedKernelManager, ZygoteClient

REPOSITORY = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("04_backward", "05_update", "08_prediction")
MiB = 1024 * 1024
pytestmark = pytest.mark.skipif(
    not all(Path(p).exists() for p in ("/usr/bin/bwrap", "/usr/bin/prlimit", "/usr/bin/setpriv")),
    reason="the grading sandbox needs bubblewrap and util-linux (apt-get install bubblewrap)")

# What a kernel sees: files whose names give them away, every text that could name a host
# path, and the folders it may write, each with the file system it lies on. One JSON line.
SEEN = r"""
import glob, json, os, sys
skip = tuple({sys.prefix, sys.base_prefix, '/proc', '/sys', '/usr'})
steps, instructor, writable = [], [], []
for root, names, files in os.walk('/'):
    names[:] = [n for n in names if not os.path.join(root, n).startswith(skip)]
    if os.access(root, os.W_OK):
        writable.append(root)
    steps += [os.path.join(root, f) for f in files if f == 'previous_steps.py']
    instructor += [os.path.join(root, f) for f in files
                   if f.endswith('.ipynb') or f in ('gradebook.db', 'nbgrader_config.py')]
texts = {}
for path in ['/proc/self/mountinfo', '/proc/self/mounts', *glob.glob('/proc/[0-9]*/cmdline'),
             *glob.glob('/proc/[0-9]*/environ'), *glob.glob('/proc/[0-9]*/mountinfo')]:
    try:
        texts[path] = open(path, errors='replace').read()
    except OSError:
        pass
from ipykernel import get_connection_file
import course
texts['connection'] = open(get_connection_file()).read()
texts['python'] = json.dumps([dict(os.environ), sys.path, course.__file__, os.getcwd()])
mounts = {}
for line in open('/proc/self/mountinfo'):
    fields = line.split()
    mounts[fields[4]] = (fields[fields.index('-') + 1], fields[-1])
def filesystem(path):
    point = max((p for p in mounts if path == p or path.startswith(p.rstrip('/') + '/')), key=len)
    return mounts[point]
print(json.dumps({"steps": sorted(steps), "instructor": sorted(instructor), "texts": texts,
                  "writable": {w: filesystem(w) for w in writable},
                  "connection_folder": os.path.dirname(get_connection_file())}))
"""

# Write 16 MiB files into each place until refused (at most 160 MiB), then try the places
# that must be read-only. One JSON line: {place: [MiB written, error]}.
FILL = r"""
import json, os
from ipykernel import get_connection_file
folder = os.path.dirname(get_connection_file())
places = {'cwd': os.getcwd(), 'matplotlib': os.environ['MPLCONFIGDIR'], 'tmp': '/tmp', 'shm': '/dev/shm',
          'ipython': get_ipython().profile_dir.location}
block, result = b'x' * (16 * 1024 * 1024), {}
for name, place in places.items():
    written, error = 0, None
    try:
        for i in range(10):
            with open(os.path.join(place, f'fill-{i}.bin'), 'wb') as out:
                out.write(block)
            written += 16
    except OSError as e:
        error = e.__class__.__name__
    result[name] = [written, error]
    for i in range(10):
        try:
            os.remove(os.path.join(place, f'fill-{i}.bin'))
        except OSError:
            pass
for name, path, mode in [('connection_folder', os.path.join(folder, 'fill.bin'), 'wb'),
                         ('connection_file', get_connection_file(), 'ab'),
                         ('font_list', next(os.scandir(os.environ['MPLCONFIGDIR'])).path, 'ab'),
                         ('course_file', 'previous_steps.py', 'ab'), ('root', '/fill.bin', 'wb'),
                         ('dev', '/dev/fill.bin', 'wb'), ('var_tmp', '/var/tmp/fill.bin', 'wb')]:
    try:
        with open(path, mode) as out:
            out.write(block)
        result[name] = [16, None]
    except OSError as e:
        result[name] = [0, e.__class__.__name__]
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory):
    """A course directory of three assignments, somewhere else than the repository."""
    root = tmp_path_factory.mktemp("sandbox-view") / "course"
    for assignment in ASSIGNMENTS:
        shutil.copytree(REPOSITORY / "source" / assignment, root / "source" / assignment,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copy(REPOSITORY / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "gradebook.db").write_bytes(b"SQLite format 3\0")
    return root


@pytest.fixture(scope="module")
def fork_server(course_dir):
    if os.geteuid() != 0:
        pytest.skip("the zygote needs a grader running as root")
    server = ZygoteClient(sandbox.course_files(course_dir))
    yield server
    server.close()


@pytest.fixture(params=["bubblewrap", "forked"])
def kernel(request, course_dir):
    """start(assignment): a kernel grading ``assignment``, started the way of the parameter."""
    started = []

    def start(assignment="04_backward"):
        forked = request.param == "forked"
        server = request.getfixturevalue("fork_server") if forked else None
        manager = (ForkedKernelManager if forked else sandbox.SandboxedKernelManager)(
            kernel_name="python3", client_class="autograder.kernels.warm_pool.PromptKernelClient")
        manager.files = {assignment: sandbox.course_files(course_dir)[assignment]}
        manager.fork_server, manager.workdir = server, f"{sandbox.HOME}/{assignment}"
        manager.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        started.append(manager)
        run(manager, "pass")  # up and answering: its sockets are made
        manager.seal()
        return manager

    yield start
    for manager in started:
        manager.shutdown_kernel(now=True)


def seen(manager):
    return json.loads(run(manager, SEEN).strip().splitlines()[-1])


def host_bytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


@pytest.mark.parametrize("assignment", ["04_backward", "08_prediction"])
def test_a_kernel_sees_the_course_files_of_its_own_assignment_only(kernel, assignment):
    view = seen(kernel(assignment))
    assert view["steps"] == [f"{sandbox.HOME}/{assignment}/previous_steps.py"]
    assert view["instructor"] == []  # no notebook, gradebook or nbgrader_config.py of the course


def test_no_host_path_of_the_course_directory_reaches_a_kernel(kernel, course_dir):
    view = seen(kernel())
    assert "/proc/self/mountinfo" in view["texts"] and "connection" in view["texts"]
    for name, text in view["texts"].items():
        assert str(course_dir) not in text, name
        assert str(course_dir.parent) not in text, name
        assert "/source/" not in text, name
        assert str(REPOSITORY / "course") not in text, name  # the course package sits apart


def test_a_kernel_writes_only_to_size_limited_scratch_folders(kernel):
    view = seen(kernel())
    scratch = f"size={sandbox.Limits.scratch_bytes // 1024}k"
    assert view["writable"], "the kernel cannot write anywhere"
    for folder, (kind, options) in view["writable"].items():
        assert kind == "tmpfs" and scratch in options.split(","), (folder, kind, options)
    assert set(view["writable"]) >= {"/tmp", "/dev/shm", sandbox.HOME, f"{sandbox.HOME}/04_backward",
                                     sandbox.MPLCONFIGDIR}


def test_writing_past_the_scratch_limits_fails_and_the_host_disk_does_not_grow(kernel):
    manager = kernel()
    before = host_bytes(manager.runtime_dir)
    result = json.loads(run(manager, FILL).strip().splitlines()[-1])
    limit = sandbox.Limits.scratch_bytes // MiB
    for place in ("cwd", "matplotlib", "ipython", "tmp", "shm"):
        written, error = result[place]
        assert error == "OSError" and written <= limit, (place, result[place])  # no space left
    for place in ("connection_folder", "connection_file", "font_list", "course_file", "root", "dev",
                  "var_tmp"):
        assert result[place][0] == 0 and result[place][1] is not None, (place, result[place])
    assert host_bytes(manager.runtime_dir) <= before + 4096


def test_the_reference_is_reachable_by_no_route_from_a_kernel(kernel):
    outside = subprocess.run([sys.executable, "-c", REFERENCE_FINDER], capture_output=True, text=True,
                             cwd="/", timeout=300)
    assert "('import', 'autograder.reference')" in outside.stdout, outside.stderr  # the routes work here
    found = [line for line in run(kernel(), REFERENCE_FINDER).splitlines() if line.startswith("found")]
    assert found == ["found []"]
