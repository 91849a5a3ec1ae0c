"""Trusted grader-side code that decides whether, and how, a class can be graded."""
