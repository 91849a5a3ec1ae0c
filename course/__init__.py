"""The student-side package of the course: data sets, checks, plots and progress bars.

It holds no solution to any exercise: the notebooks are where those are written.
"""

__version__ = "0.1.0"
