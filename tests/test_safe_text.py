"""autograder.safety.safe_text: what reaches the instructor's terminal and spreadsheet is inert."""

import csv

from autograder.safety.safe_text import csv_cell, printable, write_csv


def test_printable_escapes_terminal_control_sequences_and_bidi_overrides():
    text = "ok\x1b[2J\x1b]0;title\x07\r\n\u202eevil\x00"
    shown = printable(text)
    assert shown == "ok\\x1b[2J\\x1b]0;title\\x07\\x0d\\x0a\\u202eevil\\x00"
    assert shown.isprintable()


def test_printable_keeps_ordinary_text_and_is_idempotent():
    text = "Ada Lovelace: élève, 学生, tab-free, back\\slash"
    assert printable(text) == text
    once = printable("a\x1bb")
    assert printable(once) == once
    assert printable("two\nlines", newlines=True) == "two\nlines"


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe():
    assert [csv_cell(v) for v in ("=1+2", "+1", "-x", "@SUM(A1)", "\tx", "ada")] == \
        ["'=1+2", "'+1", "'-x", "'@SUM(A1)", "\\x09x", "ada"]
    assert csv_cell(-1.5) == -1.5 and csv_cell(None) == ""


def test_write_csv_quotes_commas_and_neutralises_every_cell(tmp_path):
    path = write_csv(tmp_path / "out.csv", ["student", "flag"], [["=cmd|' /C calc'!A0", "a, b\x1b[31m"]])
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["student", "flag"], ["'=cmd|' /C calc'!A0", "a, b\\x1b[31m"]]
