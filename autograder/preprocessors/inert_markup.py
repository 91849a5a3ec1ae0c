"""Markup from a submission made inert before any page shows it: feedback, the formgrader.

nbgrader's pages (``nbgrader generate_feedback``, the formgrader's view of a submission) are
nbconvert HTML exports of the graded notebook. A notebook carries markup of its author's own
in many places: rich outputs (``text/html``, ``application/javascript``, ``image/svg+xml``,
``text/markdown``, widget views, any ``application/vnd.*`` bundle), raw HTML in markdown and
raw cells, markdown links and images (``javascript:`` URLs, images from other sites),
attachments of any declared type, output and cell metadata that the templates write into
attributes, notebook metadata (``title``, ``language_info``, widget state). Shown as they
are, they run as script in the instructor's Jupyter origin, which holds terminals and
kernels: code execution as the instructor.

``InertMarkup`` rewrites the notebook so that nothing in it is markup any more, and keeps
what a student needs:

- outputs keep ``text/plain`` and PNG/JPEG images (their base64 checked); every other kind is
  dropped and named in a line of text, so the reader sees that something was there;
- markdown cells are rendered by nbconvert's own markdown renderer, then cleaned with bleach
  (an allow-list: headings, paragraphs, emphasis, lists, tables, code, links to http(s)/mailto
  and fragments, images only as PNG/JPEG data: no style, no class, no id, no script, no
  request to another site) and stored as one HTML block that the page shows as it is;
  attachments become such images (other types are dropped);
- raw cells are marked plain text, which HTML pages leave out;
- cell metadata keeps nbgrader's own and safe tags; notebook metadata keeps the kernel's
  name and language fields, checked.

It runs at autograde time (``c.Autograde.autograde_preprocessors``, so the stored graded
notebook that the formgrader opens is already inert) and again in every HTML export
(``c.HTMLExporter.preprocessors``: the feedback pages and the formgrader, also for notebooks
graded before). Running it twice changes nothing more.
"""

import base64
import binascii
import re
import threading

import bleach
import nbformat
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["InertMarkup", "safe_markdown_html", "safe_outputs"]

KEPT_MIME = ("text/plain", "image/png", "image/jpeg")
IMAGE_MIME = ("image/png", "image/jpeg")
TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
        "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
SAFE_NAME = re.compile(r"[\w.+-]{1,100}")  # tags, kernel and language names: no markup possible
SAFE_LINK = re.compile(r"(https?://|mailto:|#)", re.I)
SAFE_IMAGE = re.compile(r"data:image/(png|jpeg);base64,[A-Za-z0-9+/]+=*")
CELL_METADATA = ("nbgrader", "deletable", "editable", "collapsed", "scrolled", "trusted")


def _allowed_attribute(tag, name, value):
    if tag == "a":
        return (name == "href" and bool(SAFE_LINK.match(value))) or name == "title"
    if tag == "img":
        return (name == "src" and bool(SAFE_IMAGE.fullmatch(value))) or name in ("alt", "title") \
            or (name in ("width", "height") and value.isdigit())
    if tag in ("td", "th"):
        return name in ("colspan", "rowspan") and value.isdigit() or \
            name == "align" and value in ("left", "right", "center")
    return False


def _image_base64(value):
    """``value`` (a str or a list of str, as nbformat stores it) when it is base64, else None."""
    text = "".join(value) if isinstance(value, list) else value
    if not isinstance(text, str):
        return None
    compact = re.sub(r"\s", "", text)
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    return compact


def safe_outputs(outputs):
    """A code cell's outputs, inert: streams and errors as text, display data as text/plain and
    PNG/JPEG images only (with a line naming what was dropped)."""
    kept = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            name = "stderr" if output.get("name") == "stderr" else "stdout"
            kept.append({"output_type": "stream", "name": name, "text": _text(output.get("text", ""))})
        elif kind == "error":
            kept.append({"output_type": "error", "ename": _text(output.get("ename", "")),
                         "evalue": _text(output.get("evalue", "")),
                         "traceback": [_text(line) for line in output.get("traceback", [])
                                       if isinstance(line, str)]})
        elif kind in ("display_data", "execute_result"):
            data, dropped = {}, []
            for mime, value in (output.get("data") or {}).items():
                if mime == "text/plain":
                    data[mime] = _text(value)
                elif mime in IMAGE_MIME and (image := _image_base64(value)) is not None:
                    data[mime] = image
                else:
                    dropped.append(mime)
            if dropped and "text/plain" not in data:
                data["text/plain"] = (f"[{', '.join(sorted(dropped))} output not shown: graded notebooks "
                                      "show text and PNG/JPEG images only]")
            metadata = {mime: {k: v for k, v in (output.get("metadata") or {}).get(mime, {}).items()
                               if k in ("width", "height") and isinstance(v, int) and not isinstance(v, bool)}
                        for mime in IMAGE_MIME if mime in data}
            new = {"output_type": kind, "data": data, "metadata": {k: v for k, v in metadata.items() if v}}
            if kind == "execute_result":
                count = output.get("execution_count")
                new["execution_count"] = count if isinstance(count, int) else None
            kept.append(new)
    return kept


def _text(value):
    if isinstance(value, list):
        value = "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else str(value)


class _Images(dict):
    """A cell's attachments as nbconvert's renderer reads them: PNG/JPEG ones with valid base64
    only; any other name (missing, or another type) has no image, and its URL is then dropped."""

    def __init__(self, attachments):
        super().__init__()
        for name, bundle in (attachments or {}).items() if isinstance(attachments, dict) else ():
            for mime in IMAGE_MIME:
                image = _image_base64(bundle.get(mime)) if isinstance(bundle, dict) else None
                if image is not None:
                    self[name] = {mime: image}
                    break

    def __contains__(self, name):
        return True

    def __getitem__(self, name):
        return self.get(name, {"text/plain": ""})  # a data: URL that the allow-list drops


def _clean(html_text):
    return bleach.clean(html_text, tags=TAGS, attributes=_allowed_attribute,
                        protocols={"http", "https", "mailto", "data"}, strip=False, strip_comments=True)


#: Markdown cells up to this many characters are remembered once made inert, per process, up
#: to REMEMBERED_MARKDOWN_TOTAL characters (source and HTML) in all: a class's notebooks share
#: most of their markdown (the assignment's text: 108 cells of at most 2156 characters, 88 000
#: in all, in the course's eight notebooks), and rendering and cleaning it is most of this
#: preprocessor's time. The total, in which each cell also counts for
#: REMEMBERED_MARKDOWN_CELL_CHARS (the memory of its two strings and its place in the dict),
#: bounds what a hostile class can make a worker remember (the HTML of a markdown table is about
#: nine times its source) to about 8 MB: measured with tracemalloc, 7.9 MB for 5 000-character
#: cells of emoji (4 bytes a character), 2.4 MB for one-character cells.
REMEMBERED_MARKDOWN_CHARS = 5_000
REMEMBERED_MARKDOWN_TOTAL = 2_000_000
REMEMBERED_MARKDOWN_CELL_CHARS = 100
_remembered = {}  # {source: html}, oldest first
_remembered_chars = 0  # the total of _remembered_size over _remembered
_remembered_lock = threading.Lock()


def safe_markdown_html(source, attachments=None):
    """Markdown ``source`` rendered (as nbconvert renders it) and cleaned to the allow-list, as
    one HTML block that markdown leaves alone: a ``<div>`` on a single line (newlines as
    ``&#10;``, which keeps them inside ``<pre>``)."""
    if attachments or len(source) > REMEMBERED_MARKDOWN_CHARS:
        return _markdown_html(source, attachments)
    html = _remembered.get(source)
    if html is None:
        html = _markdown_html(source, None)
        _remember(source, html)
    return html


def _remembered_size(source, html):
    return len(source) + len(html) + REMEMBERED_MARKDOWN_CELL_CHARS


def _remember(source, html):
    global _remembered_chars
    with _remembered_lock:
        if source in _remembered:
            return
        while _remembered and _remembered_chars + _remembered_size(source, html) > REMEMBERED_MARKDOWN_TOTAL:
            oldest = next(iter(_remembered))
            _remembered_chars -= _remembered_size(oldest, _remembered.pop(oldest))
        _remembered[source] = html
        _remembered_chars += _remembered_size(source, html)


def _markdown_html(source, attachments):
    if source.startswith("<div>") and source.endswith("</div>") and "\n" not in source \
            and _clean(source).replace("\n", "&#10;") == source:
        return source  # inert already (made by this function)
    rendered = MarkdownWithMath(renderer=IPythonRenderer(escape=False, attachments=_Images(attachments))) \
        .render(source)
    return "<div>" + _clean(rendered).replace("\r", "").replace("\n", "&#10;") + "</div>"


class InertMarkup(Preprocessor):
    """Rewrites a notebook so that no markup of its author's reaches an HTML page (module
    docstring): outputs as text and PNG/JPEG images, markdown rendered and cleaned, raw cells
    escaped, metadata reduced to checked fields."""

    # on wherever it is listed (nbconvert's preprocessors are off unless enabled)
    enabled = Bool(True, help="Make the notebook's markup inert.").tag(config=True)

    def preprocess(self, nb, resources):
        nb.metadata = self._notebook_metadata(nb.metadata)
        for cell in nb.cells:
            self._cell(cell)
        return nb, resources

    @staticmethod
    def _notebook_metadata(metadata):
        kept = {}
        spec = metadata.get("kernelspec")
        if isinstance(spec, dict):
            kept["kernelspec"] = {k: v for k, v in spec.items() if k in ("name", "language", "display_name")
                                  and isinstance(v, str) and re.fullmatch(r"[\w .+()-]{1,100}", v)}
        info = metadata.get("language_info")
        if isinstance(info, dict):
            fields = ("name", "version", "pygments_lexer", "file_extension", "mimetype", "nbconvert_exporter")
            kept["language_info"] = {k: v for k, v in info.items() if k in fields and isinstance(v, str)
                                     and re.fullmatch(r"[\w.+/-]{1,100}", v)}
        return type(metadata)(kept)

    @staticmethod
    def _cell(cell):
        tags = cell.metadata.get("tags")
        metadata = {k: v for k, v in cell.metadata.items() if k in CELL_METADATA}
        if isinstance(tags, list):
            metadata["tags"] = [t for t in tags if isinstance(t, str) and SAFE_NAME.fullmatch(t)]
        cell.metadata = type(cell.metadata)(metadata)
        if cell.cell_type == "markdown":
            cell.source = safe_markdown_html(_text(cell.source), cell.get("attachments"))
        elif cell.cell_type == "raw":  # plain text: HTML pages leave it out, a notebook shows it as text
            cell.metadata["raw_mimetype"] = "text/plain"
        elif cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(o) for o in safe_outputs(cell.get("outputs", []))]
        cell.pop("attachments", None)
        return cell

    def preprocess_cell(self, cell, resources, index):  # preprocess above does it all
        return cell, resources
