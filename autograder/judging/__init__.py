"""Trusted grader-side code: ``judge`` (the probes' values against the reference's), ``reports``
(the grading report of each submission, ``grading_reports/``), ``preflight`` (the reference
solutions graded first, so that a broken set-up stops the grading) and ``prerequisites`` (whether a
class can be graded yet: one sentence saying what to run when it cannot)."""
