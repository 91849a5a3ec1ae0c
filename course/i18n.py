"""The language a student reads: English, or 简体中文 for the Chinese edition of the notebooks.

Every sentence the course library shows a student (the visible checks, the hints, the
self-check's report, the grader's feedback lines) is written as a keyed message, with its
English text in the call itself::

    message("check.shape_mismatch", "{name} has shape {shape}, expected {expected}",
            name=name, shape=array.shape, expected=expected_shape)

The English text is the source; ``str.format`` fills in the fields. The translation of a key
is used only while it translates this very English text: the store records the hash of the
English (``english_hash``), and a translation of an older English text is ignored (English
is shown) until it is updated.

**Adding a message**: write the call as above with a new key (``area.what_it_says``), then
run ``python -m autograder translations build --lang zh --check``: it lists the new key as
missing with its English hash; add the block it prints to ``i18n/zh/messages.md``, translated,
and run ``python -m autograder translations build --lang zh`` (which writes the table this
module reads, ``course/locale/zh.json``). A test fails while a key is missing or stale.

**Test cells** (nbgrader's locked test cells of the source notebooks) write their sentences
the same way, as ``checks.message("test.<grade_id>.<what>", "English {field}", field=...)``
(the success line: ``checks.passed(name)``). The translations of the messages of a hidden
part are not in ``course/locale/``: the grader keeps them (``autograder/locale/<lang>.json``)
and hands a notebook's own to the kernel that grades it (``add_translations``).

The language (``language()``): the one set by ``using(lang)`` in this thread, else the
environment variable ``COURSE_LANGUAGE``, else the ``metadata.course.language`` of the
notebook this kernel runs (Jupyter Server names it in ``JPY_SESSION_NAME``), else English.
"""

import contextlib
import contextvars
import functools
import hashlib
import json
import os
from pathlib import Path

__all__ = ["LANGUAGES", "DEFAULT", "language", "notebook_language", "using", "message", "english_hash",
           "translations", "add_translations"]

#: The languages of the course: English (the source) and Simplified Chinese.
LANGUAGES = ("en", "zh")
DEFAULT = "en"
#: Where the generated tables of translated messages are (``<lang>.json``).
LOCALE = Path(__file__).resolve().parent / "locale"

_chosen = contextvars.ContextVar("course_language", default=None)
#: {lang: {key: entry}} added in this process by add_translations.
_added = {}


def english_hash(text):
    """The first 16 hex digits of the sha256 of ``text`` (utf-8): what a translation records of
    the English it translates."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _known(lang):
    return lang if lang in LANGUAGES else None


def notebook_language(notebook):
    """The language in a notebook's metadata (``metadata.course.language``), else English.
    notebook: an nbformat notebook or its JSON as a dict."""
    metadata = notebook.get("metadata", {}) if isinstance(notebook, dict) else {}
    course = metadata.get("course") if isinstance(metadata, dict) else None
    lang = course.get("language") if isinstance(course, dict) else None
    return _known(lang) or DEFAULT


def _session_notebook_language():
    """The language of the notebook named by ``JPY_SESSION_NAME``, or None when there is none
    or it is unreadable. Jupyter Server gives that variable to a kernel it starts for a
    notebook (``SessionManager.get_kernel_env``): the notebook's file path, or its path
    relative to the server's root; the kernel runs in the notebook's folder."""
    path = os.environ.get("JPY_SESSION_NAME")
    if not path or not path.endswith(".ipynb"):
        return None
    return _file_language(path if os.path.isfile(path) else os.path.basename(path))


@functools.lru_cache(maxsize=8)
def _file_language(path):
    """The language of the notebook file at ``path`` (read once), or None."""
    try:
        with open(path, encoding="utf-8") as handle:
            return notebook_language(json.load(handle))
    except (OSError, ValueError):
        return None


def language(notebook=None):
    """The language of the messages: ``using``'s, else ``COURSE_LANGUAGE``, else the language
    of ``notebook`` (an nbformat notebook) when given, else of the notebook this kernel runs
    (``JPY_SESSION_NAME``), else English. Always one of LANGUAGES."""
    chosen = _chosen.get() or _known(os.environ.get("COURSE_LANGUAGE", "").strip().lower())
    if chosen:
        return chosen
    return notebook_language(notebook) if notebook is not None else (_session_notebook_language() or DEFAULT)


@contextlib.contextmanager
def using(lang):
    """``with using("zh"):`` messages in ``lang`` (an unknown language: English) in this thread."""
    token = _chosen.set(_known(lang) or DEFAULT)
    try:
        yield
    finally:
        _chosen.reset(token)


@functools.cache
def translations(lang):
    """{key: {"en": hash of the English translated, "text": translation}} of ``lang``, from
    ``course/locale/<lang>.json`` ({} for English or when there is no table)."""
    if lang == DEFAULT:
        return {}
    try:
        return json.loads((LOCALE / f"{lang}.json").read_text(encoding="utf-8"))["messages"]
    except (OSError, ValueError, KeyError):
        return {}


def add_translations(lang, table):
    """Add ``table`` ({key: {"en": hash of the English, "text": translation}}) to the messages
    of ``lang`` in this process. The grader gives the kernel that grades a notebook the
    translations of that notebook's hidden tests this way: they are not in the shipped table."""
    _added.setdefault(lang, {}).update(table)


def message(key, english, /, lang=None, **fields):
    """The message ``key`` in ``lang`` (default: ``language()``), its fields filled in with
    ``str.format(**fields)`` when there are fields (then literal braces are doubled; a message
    without fields is shown as written). english: the English text, the
    source of every translation, used when there is no translation of this very text."""
    lang = lang or language()
    found = translations(lang).get(key) or _added.get(lang, {}).get(key)
    template = found["text"] if found and found.get("en") == english_hash(english) else english
    return template.format(**fields) if fields else template
