"""nbgrader's markers, as its configuration sets them: the lines that open and close a solution
region (``ClearSolutions.begin_solution_delimeter``, ``end_solution_delimeter``; nbgrader spells
"delimeter") and a hidden-test region (``ClearHiddenTests.begin_test_delimeter``,
``end_test_delimeter``).

nbgrader treats a line holding a delimiter as a marker line. Code that checks or strips markers
asks ``markers(config)`` (the configuration nbgrader runs with) or ``course_markers()`` (the
repository's own ``nbgrader_config.py``, for the authoring tools); a template that writes a new
marker line writes ``marker_line(delimiter)``.
"""

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Markers:
    """The configured delimiters (the text a marker line holds)."""

    begin_solution: str
    end_solution: str
    begin_hidden_tests: str
    end_hidden_tests: str

    @property
    def solution(self):
        """(begin, end) of a solution region."""
        return self.begin_solution, self.end_solution

    @property
    def hidden_tests(self):
        """(begin, end) of a hidden-test region."""
        return self.begin_hidden_tests, self.end_hidden_tests

    @property
    def all(self):
        """Every delimiter: the solution's, then the hidden tests'."""
        return (*self.solution, *self.hidden_tests)

    def is_solution_marker(self, line):
        """Whether ``line`` is a solution marker line (it holds a solution delimiter)."""
        return any(delimiter in line for delimiter in self.solution)

    def hidden_test_lines(self, source):
        """[(number, line, where)] of the lines of ``source`` (a cell's text), numbered from 1;
        where: ``"marker"`` for a line holding a hidden-test delimiter, ``"hidden"`` for a line
        between a begin and an end delimiter, ``"visible"`` for the others."""
        found, inside = [], False
        for number, line in enumerate(source.splitlines(), start=1):
            if self.begin_hidden_tests in line:
                inside, where = True, "marker"
            elif self.end_hidden_tests in line:
                inside, where = False, "marker"
            else:
                where = "hidden" if inside else "visible"
            found.append((number, line, where))
        return found


def markers(config=None):
    """The Markers of nbgrader's configuration ``config`` (a traitlets Config; nbgrader's
    defaults when None)."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    solutions, hidden = ClearSolutions(config=config), ClearHiddenTests(config=config)
    return Markers(solutions.begin_solution_delimeter, solutions.end_solution_delimeter,
                   hidden.begin_test_delimeter, hidden.end_test_delimeter)


@lru_cache(maxsize=1)
def course_markers():
    """The Markers of the repository's own ``nbgrader_config.py`` (its source notebooks and
    reference blocks are written with them)."""
    from autograder.authoring.sync import ROOT
    from autograder.course_folders import course_config

    return markers(course_config(ROOT))


def marker_line(delimiter):
    """The comment line a template writes for ``delimiter``, e.g. ``### BEGIN SOLUTION``."""
    return f"### {delimiter}"
