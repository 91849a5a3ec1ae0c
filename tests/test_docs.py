"""The README and docs/: the README fits on a few screens, every relative link reaches a file
and a heading that exist, docs/index.md lists every page, and every command the pages name is
one that the command line (``python -m autograder --help``, ``python -m course --help``) or the
Makefile offers."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"\[[^\]]*\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
#: a command the docs name; ``benchmark-*`` (a pattern for several commands) is not one
COMMAND = re.compile(r"python -m (autograder|course)[ \t]+([a-z](?:[\w-]*\w)?)(?![\w*-])")


def _prose(text):
    """The text without code blocks and inline code (whose brackets are not links)."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def _code(text):
    """The fenced blocks and inline code spans of a page, where commands are written."""
    return [m.group(0) for m in FENCE.finditer(text)] + INLINE_CODE.findall(FENCE.sub("", text))


def anchors(page):
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces as
    hyphens, and -1, -2, ... after a repeated one."""
    seen, result = {}, set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text())):
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def _name(page):
    return page.relative_to(ROOT).as_posix()


def test_readme_fits_in_150_lines():
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= 150, f"README.md has {lines} lines; move the detail into docs/ (at most 150)"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_relative_link_reaches_a_file_and_heading_that_exist(page):
    broken = []
    for target in LINK.findall(_prose(page.read_text())):
        if re.match(r"[a-z][a-z+.-]*:", target):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(f"{target}: no file {destination.relative_to(ROOT).as_posix()}")
            continue
        if anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {_name(destination)}")
    assert not broken, f"{_name(page)} has broken links:\n" + "\n".join(broken)


def test_the_index_and_the_readme_link_every_page():
    index = {(DOCS / target.partition("#")[0]).resolve()
             for target in LINK.findall(_prose((DOCS / "index.md").read_text()))}
    pages = {page.resolve() for page in DOCS.rglob("*.md")} - {(DOCS / "index.md").resolve()}
    missing = sorted(page.relative_to(ROOT).as_posix() for page in pages - index)
    assert not missing, f"docs/index.md does not link {missing}"
    assert "docs/index.md" in LINK.findall(_prose((ROOT / "README.md").read_text()))


def offered_commands(package):
    """The commands ``python -m PACKAGE --help`` lists: argparse's ``{a,b,...}`` choices of its
    usage line or, without them (a ``metavar``, or a command line that is not argparse's), the
    first word of each line of its listing (``name  what it does``, indented by at most four
    spaces, as argparse indents a subcommand and not the wrapped lines of its help)."""
    result = subprocess.run([sys.executable, "-m", package, "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    listing = result.stdout + result.stderr
    choices = re.findall(r"\{([\w,-]+)\}", listing)
    if choices:
        return {name for group in choices for name in group.split(",")}
    return set(re.findall(r"^ {0,4}([a-z][\w-]*)(?:[ \t]+\S|[ \t]*$)", listing, re.M))


@pytest.mark.slow  # two Python processes start
def test_every_command_the_docs_name_is_one_the_command_line_offers():
    named = {(package, command) for page in PAGES for code in _code(page.read_text())
             for package, command in COMMAND.findall(code)}
    offered = {package: offered_commands(package) for package in ("autograder", "course")}
    assert {"grade", "release", "demo"} <= offered["autograder"], offered["autograder"]
    assert "check" in offered["course"], offered["course"]
    unknown = sorted(f"python -m {p} {c}" for p, c in named if c not in offered[p])
    assert not unknown, f"the docs name commands that do not exist: {unknown}"
    assert ("autograder", "grade") in named and ("course", "check") in named


def test_every_make_target_the_docs_name_is_in_the_makefile():
    targets = set(re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(), re.M))
    named = {target for page in PAGES for code in _code(page.read_text())
             for target in re.findall(r"\bmake[ \t]+([a-z][\w-]*)", code)}
    assert {"demo", "test"} <= named
    assert named <= targets, f"the docs name make targets that do not exist: {sorted(named - targets)}"
