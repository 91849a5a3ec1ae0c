"""The zygote of grading kernels. It runs *inside* the bubblewrap sandbox.

Starting a grading kernel from nothing costs about 0.6 CPU seconds, nearly all of it Python
importing ipykernel, NumPy, matplotlib and the course package; scikit-learn adds 0.7 more.
The zygote imports them once, then forks a kernel per notebook, so a kernel's start costs a
fork and the kernel's own set-up.

Every kernel still gets a sandbox of its own, nested inside the zygote's: between the fork
and the first line of student code, the child

1. leaves the zygote's mount, PID, IPC, network, UTS (and cgroup) namespaces for new ones;
   its first child is the init of the new PID namespace, and the kernel is that init's child,
   so when the kernel or the init ends, every process the kernel started ends with it;
2. gets a fresh ``/proc`` (it sees only its own processes) and fresh, size-limited tmpfs
   scratch folders (``/tmp``, ``/dev/shm``, the home folder), rebuilt with the same folders and
   read-only files as the zygote's, so nothing a kernel writes is seen by the next one; of
   the course files (every assignment's, in the zygote) it keeps its own assignment's only
   (the folder it works in), and the scratch folders it replaces are unmounted, not covered;
3. sees only its own connection folder among the kernels' connection folders;
4. takes its resource limits, a user id of its own that owns no file, no capability, and
   ``no_new_privs``; its file descriptors are only /dev/null on 0, 1 and 2;
5. reseeds NumPy's global random generator (``random`` reseeds itself after a fork).

The zygote never runs student code and holds nothing secret: it is started with the same
file-system view as a sandboxed kernel (``autograder.kernels.sandbox.zygote_command``), plus the
capabilities it needs to make the nested namespaces (CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID),
which every kernel drops. This file is the zygote's whole program: it is passed as
``python -c SOURCE CONFIG`` (the sandbox hides the ``autograder`` package), so it imports only
the standard library and the modules it preloads.

Protocol: one JSON object per line on stdin, one answer per line on stdout. Once its imports
are done, the zygote says ``{"ready": true, "not_preloaded": [modules that failed]}``. Then
``{"op": "spawn", "argv": [...], "runtime_dir": ..., "uid": ..., "workdir": ..., "env": {...},
"limits": {...}}`` answers ``{"pid": P}`` (P: the kernel's init, as the zygote sees it) or
``{"error": ...}``; ``{"op": "signal", "pid": P, "signum": S}`` and ``{"op": "poll", "pid": P}``
answer ``{"status": None | exit code}``. End of input ends the zygote and its kernels.
"""

import ctypes
import importlib
import json
import os
import resource
import signal
import sys
import threading

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 0x40000
MNT_DETACH = 2
PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 36, 38
SYS_OPEN_TREE, SYS_MOVE_MOUNT = 428, 429  # the same number on every architecture (Linux >= 5.2)
OPEN_TREE_CLONE, AT_RECURSIVE, AT_EMPTY_PATH = 1, 0x8000, 0x1000
MOVE_MOUNT_F_EMPTY_PATH, AT_FDCWD = 0x4, -100

LIMITS = {"cpu_seconds": resource.RLIMIT_CPU, "memory_bytes": resource.RLIMIT_AS,
          "processes": resource.RLIMIT_NPROC, "file_bytes": resource.RLIMIT_FSIZE,
          "open_files": resource.RLIMIT_NOFILE}

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def _check(result, what):
    if result < 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")
    return result


def _bytes(text):
    return None if text is None else os.fsencode(text)


def mount(source, target, fstype, flags, data=None):
    _check(libc.mount(_bytes(source), _bytes(target), _bytes(fstype), ctypes.c_ulong(flags),
                      _bytes(data)), f"mount {target}")


def unshare(flags):
    _check(libc.unshare(ctypes.c_int(flags)), "unshare")


def prctl(option, value):
    _check(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0),
                      ctypes.c_ulong(0), ctypes.c_ulong(0)), f"prctl {option}")


def detached_copy(path):
    """A file descriptor holding a detached copy of the mount tree at ``path``."""
    return _check(libc.syscall(ctypes.c_long(SYS_OPEN_TREE), ctypes.c_int(AT_FDCWD), _bytes(path),
                               ctypes.c_uint(OPEN_TREE_CLONE | AT_RECURSIVE | os.O_CLOEXEC)),
                  f"open_tree {path}")


def attach(tree, target):
    _check(libc.syscall(ctypes.c_long(SYS_MOVE_MOUNT), ctypes.c_int(tree), b"", ctypes.c_int(AT_FDCWD),
                        _bytes(target), ctypes.c_uint(MOVE_MOUNT_F_EMPTY_PATH)), f"move_mount {target}")


def mount_points():
    """Every mount point of this mount namespace."""
    with open("/proc/self/mountinfo") as info:
        points = [line.split()[4] for line in info]
    # mountinfo escapes space, tab, newline and backslash as octal
    return {p.encode().decode("unicode_escape").encode("latin-1").decode() for p in points}


def top_level(paths):
    """``paths`` without those inside another of them, sorted."""
    kept = []
    for path in sorted(paths):
        if not any(path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def fresh_tmpfs(path, size, mode, keep=None, within=None):
    """Unmount ``path`` (with everything mounted below it) and mount a new, empty tmpfs there,
    then put back the folder tree (modes included) and the mounts below it: all of them, or
    with ``within`` (``path`` or a folder right below it) only that folder and what it holds;
    with ``keep``, put back only those paths (mounted or not)."""
    points = mount_points()
    if within is not None and within.rstrip("/") == path.rstrip("/"):
        keep = []  # only the folder itself: nothing below it
    if keep is None:
        top = within or path
        keep = top_level(p for p in points if p.startswith(top.rstrip("/") + "/"))
        folders = [] if within is None else \
            [(within, os.stat(within).st_mode & 0o7777 if os.path.isdir(within) else 0o777)]
        for root, names, _ in os.walk(top):
            names[:] = [n for n in names if os.path.join(root, n) not in points]
            folders += [(os.path.join(root, n), os.stat(os.path.join(root, n)).st_mode & 0o7777)
                        for n in names]
    else:
        folders = []
    trees = [(p, os.path.isdir(p), detached_copy(p)) for p in keep]
    if path in points:  # not stacked: what the zygote had there is gone from this namespace
        _check(libc.umount2(_bytes(path), ctypes.c_int(MNT_DETACH)), f"umount {path}")
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode:o}")
    for folder, folder_mode in folders:
        os.mkdir(folder)
        os.chmod(folder, folder_mode)
    for target, is_folder, tree in trees:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        if is_folder:
            os.makedirs(target, exist_ok=True)
        elif not os.path.exists(target):
            open(target, "w").close()
        attach(tree, target)
        os.close(tree)


def isolate(request):
    """In the init of a kernel's new namespaces, as root: its own file system view."""
    scratch, runtime = request["limits"]["scratch_bytes"], request["runtime_dir"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    _check(libc.umount2(b"/proc", ctypes.c_int(MNT_DETACH)), "umount /proc")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for folder, mode in (("/dev/shm", 0o1777), ("/tmp", 0o1777)):
        fresh_tmpfs(folder, scratch, mode)
    # the folder it works in, /home/student/<assignment>, with its course files: no other's
    fresh_tmpfs(request["home"], scratch, 0o777, within=request["workdir"])
    fresh_tmpfs(os.path.dirname(runtime), 1024 * 1024, 0o755, keep=[runtime])


def drop_privileges(request):
    """The kernel's limits, user id and no privileges (as ``prlimit`` and ``setpriv`` do)."""
    for name, value in request["limits"].items():
        if name in LIMITS:
            resource.setrlimit(LIMITS[name], (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    uid = request["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # all user ids non-zero: every capability is gone
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def run_kernel(request):
    """In the kernel process: start IPython's kernel with the request's arguments. Never returns."""
    code = 1
    try:
        os.setsid()  # interrupts reach the kernel and what it started, as for a local kernel
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["workdir"])
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # else every kernel would draw the same numbers
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = ["ipykernel_launcher", *request["argv"]]
        IPKernelApp.launch_instance(argv=request["argv"])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def keep_only(fd):
    """/dev/null on descriptors 0, 1 and 2, ``fd`` moved to 3, every other one closed (the
    zygote's pipes among them). Returns 3."""
    os.dup2(fd, 3)
    null = os.open(os.devnull, os.O_RDWR)
    for number in (0, 1, 2):
        os.dup2(null, number)
    os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    return 3


def kernel_init(request, report):
    """The init of the kernel's PID namespace: isolate, drop privileges, start the kernel as
    its child, then reap until the kernel ends; its exit ends the namespace. Never returns."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setsid()
        isolate(request)
        drop_privileges(request)
        kernel = os.fork()
        if kernel == 0:
            os.close(report)
            run_kernel(request)
        os.write(report, b"ready\n")
        os.close(report)
    except BaseException as error:
        os.write(report, f"error {type(error).__name__}: {error}\n".encode())
        os._exit(70)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if pid == kernel:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def spawn(request):
    """Fork a kernel in namespaces of its own. Returns {"pid": its init's pid} or {"error": ...}."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # leaves for new namespaces; its child becomes their init
        report = write_end
        try:
            os.close(read_end)
            report = keep_only(write_end)
            flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS
            try:
                unshare(flags | CLONE_NEWCGROUP)
            except OSError:
                unshare(flags)
            init = os.fork()
            if init == 0:
                kernel_init(request, report)
            os.write(report, f"{init}\n".encode())
            os._exit(0)
        except BaseException as error:
            try:
                os.write(report, f"error {type(error).__name__}: {error}\n".encode())
            finally:
                os._exit(70)
    os.close(write_end)
    with os.fdopen(read_end) as answers:
        lines = answers.read().splitlines()
    os.waitpid(child, 0)
    pids = [int(line) for line in lines if line.isdigit()]  # the two writers, in any order
    if pids and "ready" in lines:
        return {"pid": pids[0]}
    for pid in pids:
        _kill(pid, signal.SIGKILL)
    errors = [line for line in lines if line.startswith("error")]
    return {"error": "; ".join(errors) or "the kernel did not start"}


def _kill(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass  # ended already


def reap(kernels):
    """Record the exit codes of the kernels (their inits) that ended."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in kernels:
            kernels[pid] = os.waitstatus_to_exitcode(status)


def answer_to(request, kernels):
    """Carry out one request. kernels: {pid of a kernel's init: exit code, None while it runs}."""
    reap(kernels)
    if request["op"] == "spawn":
        answer = spawn(request)
        if "pid" in answer:
            kernels[answer["pid"]] = None
        return answer
    pid = request["pid"]
    if pid not in kernels:
        return {"error": "no such kernel"}
    if request["op"] == "signal" and kernels[pid] is None:
        _kill(pid, request["signum"])
        reap(kernels)
    answer = {"status": kernels[pid]}
    if answer["status"] is not None:  # ended, and now reported: forget it
        del kernels[pid]
    return answer


def serve(requests, answers):
    kernels = {}
    for line in requests:
        try:
            answer = answer_to(json.loads(line), kernels)
        except Exception as error:  # a bad request, or a failed signal: say so, serve on
            answer = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    for pid in kernels:  # end of input: the grader is done
        _kill(pid, signal.SIGKILL)


def preload(modules):
    """Import ``modules``; one that fails to import is left to the kernels that need it.
    Returns the names that failed."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel does
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    return failed


def open_descriptors():
    """{descriptor: what it is open on} for this process."""
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            found[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass  # the descriptor listdir itself used, closed since
    return found


def left_open(before):
    """What the preload opened and still holds, as "fd -> target" strings. Each kernel closes
    every descriptor but its own after the fork (``keep_only``), so a module holding one (as
    matplotlib's font cache does after its first figure: its font files) would read a closed
    descriptor, or one the kernel reused for something else."""
    return [f"{fd} -> {target}" for fd, target in sorted(open_descriptors().items()) if fd not in before]


def main(config):
    answers = os.fdopen(os.dup(1), "w")
    requests = os.fdopen(os.dup(0), "r")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):  # what the preloaded modules print cannot mix with the answers
        os.dup2(null, fd)
    before = open_descriptors()
    failed = preload(config["preload"])
    threads = len(os.listdir("/proc/self/task"))
    error = None
    if threads != 1 or threading.active_count() != 1:  # a fork would copy locks that threads hold
        error = f"the preload started {threads - 1} threads"
    elif left_open(before):
        error = f"the preload left files open, which every kernel would lose: {', '.join(left_open(before))}"
    if error is not None:
        answers.write(json.dumps({"ready": False, "error": error}) + "\n")
        answers.flush()
        return
    prctl(PR_SET_CHILD_SUBREAPER, 1)  # the kernels' inits become the zygote's children
    answers.write(json.dumps({"ready": True, "not_preloaded": failed}) + "\n")
    answers.flush()
    serve(requests, answers)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
