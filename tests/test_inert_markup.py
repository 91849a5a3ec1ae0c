"""InertMarkup (autograder/preprocessors/inert_markup.py) on notebooks carrying markup: what stays, what goes.
The same rewrite graded for real and opened in a browser: tests/test_browser_markup.py."""

import base64

import nbformat
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from autograder.preprocessors.inert_markup import InertMarkup

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(32)).decode()


def _notebook():
    outputs = [
        new_output("display_data", data={"application/javascript": "window.__pwned=1"}),
        new_output("display_data", data={"text/html": "<img src=x onerror=alert(1)>",
                                         "text/plain": "<HTML>"}),
        new_output("display_data", data={"image/svg+xml": "<svg onload=alert(1)></svg>"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"}}),
        new_output("display_data", data={"image/png": PNG}, metadata={"image/png": {"width": "1 onerror=x"}}),
        new_output("display_data", data={"image/png": 'AAAA" onerror="alert(1)'}),
        new_output("execute_result", data={"text/plain": "42"}, execution_count=3),
        new_output("stream", name="stdout", text="<b>printed</b>\n"),
    ]
    metadata = {"tags": ["ok-tag", '"><script>'], "custom": "<b>"}
    attachments = {"plot.png": {"image/png": PNG}, "evil.html": {"text/html": "PGI+"}}
    cells = [new_code_cell("x", outputs=outputs, metadata=metadata),
             new_markdown_cell("# Heading\n\n*fine* <script>alert(1)</script> [x](javascript:alert(1))\n\n"
                               "![remote](http://evil.example/x.png) ![plot](attachment:plot.png)",
                               attachments=attachments),
             new_raw_cell("<script>alert(1)</script>")]
    info = {"name": "python", "version": "3.11.2", "codemirror_mode": {"name": "<b>"}}
    spec = {"name": "python3", "display_name": "Python 3"}
    return new_notebook(cells=cells, metadata={"title": "<script>", "widgets": {"state": {}},
                                               "language_info": info, "kernelspec": spec})


def _inert():
    notebook, _ = InertMarkup().preprocess(_notebook(), {})
    return notebook


def test_outputs_keep_text_and_png_and_lose_every_other_kind():
    outputs = _inert().cells[0].outputs
    kinds = [sorted(o.get("data", {})) for o in outputs]
    assert kinds == [["text/plain"], ["text/plain"], ["text/plain"], ["text/plain"], ["image/png"],
                     ["text/plain"], ["text/plain"], []]
    assert "application/javascript output not shown" in outputs[0].data["text/plain"]
    assert outputs[1].data["text/plain"] == "<HTML>"  # the kernel's own text of the HTML object
    assert outputs[4].data["image/png"] == PNG and outputs[4].metadata == {}  # width was not a number
    assert outputs[6].data["text/plain"] == "42" and outputs[6].execution_count == 3
    assert outputs[7].text == "<b>printed</b>\n"  # streams stay text (the page escapes them)
    nbformat.validate(_inert())


def test_markdown_is_rendered_without_raw_html_scripts_or_remote_images():
    source = _inert().cells[1].source
    assert "<script>" not in source and "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert "<h1>Heading" in source and "<em>fine</em>" in source
    assert "javascript:" not in source and "evil.example" not in source
    assert f'src="data:image/png;base64,{PNG}"' in source  # its PNG attachment, as an image
    assert "attachments" not in _inert().cells[1]


def test_metadata_keeps_only_checked_fields():
    notebook = _inert()
    assert dict(notebook.metadata) == {"kernelspec": {"name": "python3", "display_name": "Python 3"},
                                       "language_info": {"name": "python", "version": "3.11.2"}}
    assert dict(notebook.cells[0].metadata) == {"tags": ["ok-tag"]}
    assert notebook.cells[2].metadata["raw_mimetype"] == "text/plain"


def test_the_exported_page_holds_no_student_markup_and_a_second_pass_changes_nothing():
    once = _inert()
    twice, _ = InertMarkup().preprocess(nbformat.from_dict(once), {})
    assert twice == once
    page, _ = HTMLExporter().from_notebook_node(once)
    body = page[page.index("<body"):]
    assert "alert(1)" not in body.replace("&lt;script&gt;alert(1)&lt;/script&gt;", "")
    assert "__pwned" not in body and "onerror" not in body and "<svg" not in body


def test_remembered_markdown_is_made_inert_as_new_markdown_is(monkeypatch):
    """A class's notebooks share their markdown: it is rendered and cleaned once per process,
    with the same result as each time anew; attachments and long cells are never remembered,
    and what is remembered stays within its bound, the newest kept."""
    from autograder.preprocessors import inert_markup

    sources = ["# Heading\n\n*fine* <script>alert(1)</script> [x](javascript:alert(1))",
               "![remote](http://evil.example/x.png) <img src=x onerror=alert(1)>", "plain text", "",
               "x" * (inert_markup.REMEMBERED_MARKDOWN_CHARS + 1) + " <script>"]
    for source in sources:
        fresh = inert_markup._markdown_html(source, None)
        assert inert_markup.safe_markdown_html(source) == fresh == inert_markup.safe_markdown_html(source)
        assert inert_markup.safe_markdown_html(fresh) == fresh  # inert already: unchanged
    assert sources[0] in inert_markup._remembered and sources[-1] not in inert_markup._remembered
    image = "![plot](attachment:plot.png)"
    with_image = inert_markup.safe_markdown_html(image, {"plot.png": {"image/png": PNG}})
    assert f"data:image/png;base64,{PNG}" in with_image
    assert image not in inert_markup._remembered
    assert "data:image" not in inert_markup.safe_markdown_html(image)  # no attachment: no image

    monkeypatch.setattr(inert_markup, "REMEMBERED_MARKDOWN_TOTAL", 3000)
    tables = [f"|{n}|b|\n|-|-|\n" + "|a|b|\n" * 20 for n in range(40)]  # HTML about 9x the source
    for table in tables:
        inert_markup.safe_markdown_html(table)
        assert inert_markup._remembered_chars <= 3000
        kept = inert_markup._remembered.items()
        assert inert_markup._remembered_chars == sum(inert_markup._remembered_size(*entry) for entry in kept)
    assert tables[-1] in inert_markup._remembered and tables[0] not in inert_markup._remembered
