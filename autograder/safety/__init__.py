"""Keeping student output and code inert: ``safe_text`` (what reaches a terminal or a spreadsheet)
and ``integrity_scan`` (code that reaches for the grader's internals)."""
