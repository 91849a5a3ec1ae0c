"""Grading a class: ``grade`` (the batch grader: workers, journal, warm kernels, feedback),
``sequential`` (nbgrader's own commands, one notebook after another), ``intake`` (submissions that
cannot be graded), ``class_report``, ``summary`` and ``similarity``."""
