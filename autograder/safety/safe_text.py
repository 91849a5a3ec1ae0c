"""Text from a submission made safe for the instructor's terminal and spreadsheet.

Student ids, file names, exception messages and anything a kernel printed reach the lines the
grader prints, the grading reports and the CSV files it writes. ``printable`` escapes the
characters a terminal acts on (ANSI escape sequences, carriage returns, bells, bidirectional
overrides) so that they show as text; ``csv_cell`` also keeps a spreadsheet from reading a cell
as a formula; ``write_csv`` writes rows with both. Every line the grader prints and every report
or CSV file it writes goes through them.
"""

import csv
import unicodedata

__all__ = ["printable", "csv_cell", "write_csv"]

#: Unicode format characters that reorder or hide text (bidirectional overrides and isolates).
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: First characters that make a spreadsheet cell a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escaped(character):
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _shows_as_itself(character):
    """True for a character a terminal shows as it is: printable, or a space of any width."""
    if character in BIDI:
        return False
    return character.isprintable() or unicodedata.category(character) == "Zs"


def printable(text, newlines=False):
    """``text`` (any object, through ``str``) with every control character and bidirectional
    override written as a Python escape (``\\x1b``, ``\\u202e``); line breaks too unless
    ``newlines``. The result holds nothing a terminal interprets; printable text, backslashes
    included, is unchanged, so escaping twice changes nothing."""
    text = str(text)
    if text.isprintable() and not BIDI.intersection(text):
        return text
    kept = "\n" if newlines else ""
    return "".join(c if c in kept or _shows_as_itself(c) else _escaped(c) for c in text)


def csv_cell(value):
    """A CSV cell for ``value``: numbers as they are; text escaped by ``printable`` and, when a
    spreadsheet would read it as a formula, prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = printable(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path, header, rows):
    """Write ``header`` and ``rows`` (sequences of cells) to the CSV file ``path``, every cell
    through ``csv_cell``. Returns ``path``."""
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([csv_cell(cell) for cell in header])
        for row in rows:
            writer.writerow([csv_cell(cell) for cell in row])
    return path
