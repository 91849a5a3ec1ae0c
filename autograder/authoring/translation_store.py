"""The translation store's format: blocks of translated text, each keyed and hashed.

A store file (``i18n/<lang>/notebooks/NN_name.md``, ``i18n/<lang>/messages.md``,
``i18n/<lang>/student_README.md``) is a sequence of blocks. A header line opens each::

    <!-- cell 383a9bd3 en:1a2b3c4d5e6f7a8b -->
    <!-- message check.shape_mismatch en:1a2b3c4d5e6f7a8b -->
    <!-- file student_README.md en:1a2b3c4d5e6f7a8b -->

naming what is translated (a notebook cell by its id, a message by its key, a whole file) and
the first 16 hex digits of the sha256 of the English text translated (``course.i18n.english_hash``).
The block's text runs to the next header or the end of the file, minus the one newline before
the next header (or the one newline that ends the file): that is the translation, exactly.
"""

import re
from dataclasses import dataclass

from course.i18n import english_hash

__all__ = ["Block", "StoreError", "HEADER", "parse", "header", "english_hash"]

HEADER = re.compile(r"^<!-- (?P<kind>cell|message|file) (?P<key>\S+) en:(?P<hash>[0-9a-f]{16}) -->$")


@dataclass(frozen=True)
class Block:
    """One translation: kind ("cell", "message", "file"), key (cell id, message key, file
    name), english (the hash of the English it translates), text (the translation), line (its
    header's line number, from 1)."""

    kind: str
    key: str
    english: str
    text: str
    line: int


class StoreError(ValueError):
    """A store file that cannot be read: text before the first header, a key twice."""


def header(kind, key, english_text):
    """The header line of a block translating ``english_text``."""
    return f"<!-- {kind} {key} en:{english_hash(english_text)} -->"


def parse(text, name="the store"):
    """{key: Block} of a store file's text, in file order. Raises StoreError (naming ``name``
    and the line) for text before the first header or a key that appears twice."""
    blocks, current, lines = {}, None, []

    def close():
        if current is not None:
            kind, key, english, line = current
            if key in blocks:
                raise StoreError(f"{name}, line {line}: {kind} {key} is translated twice "
                                 f"(first at line {blocks[key].line})")
            blocks[key] = Block(kind, key, english, "\n".join(lines), line)

    for number, line in enumerate(text.split("\n"), start=1):
        match = HEADER.match(line)
        if match:
            close()
            current, lines = (match["kind"], match["key"], match["hash"], number), []
        elif current is None:
            if line.strip():
                raise StoreError(f"{name}, line {number}: text before the first block header "
                                 "(<!-- cell ID en:HASH -->)")
        else:
            lines.append(line)
    # "a\n<!-- next" -> the block is "a": split() leaves the newline before a header out; at the
    # end of the file, the one newline that ends it is not part of the text either
    if lines and lines[-1] == "" and current is not None:
        lines.pop()
    close()
    return blocks
