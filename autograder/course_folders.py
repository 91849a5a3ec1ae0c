"""The folders of a course directory, as nbgrader's configuration names them.

nbgrader finds an assignment's notebooks through ``nbgrader.coursedir.CourseDirectory``: the
folder of each step (``source_directory``, ``release_directory``, ``submitted_directory``,
``autograded_directory``, ``feedback_directory``) and the layout under the course directory
(``directory_structure``, ``{nbgrader_step}/{student_id}/{assignment_id}`` by default), set in
the course's ``nbgrader_config.py``. ``CourseFolders`` answers with the same settings, so an
instructor who writes ``c.CourseDirectory.submitted_directory = "handed_in"`` moves our reads and
writes with nbgrader's:

- ``CourseFolders.of_course(course_dir)``: from the ``nbgrader_config.py`` of ``course_dir``
  (the grading commands, the reports, the demo);
- ``CourseFolders.of_preprocessor(preprocessor)``: inside an nbgrader preprocessor, from the
  configuration ``nbgrader autograde`` or the formgrader gave it.

A step is one of ``STEPS``: ``"source"`` and ``"release"`` hold one folder per assignment (for
them nbgrader's student id is ``"."``), the others one per student and assignment.
"""

import os
import re
from pathlib import Path

STEPS = ("source", "release", "submitted", "autograded", "feedback")
CONFIG_FILE = "nbgrader_config.py"
_CACHE = {}


def course_config(course_dir):
    """The nbgrader configuration (a traitlets ``Config``) of ``course_dir``: its
    ``nbgrader_config.py``, the file nbgrader's commands read in the course directory, with
    ``CourseDirectory.root`` set to ``course_dir``. An empty configuration rooted there when the
    file is missing."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config() \
        if Path(course_dir, CONFIG_FILE).is_file() else Config()
    config.CourseDirectory.root = str(course_dir)
    return config


class CourseFolders:
    """The folders of one course directory, from an nbgrader ``CourseDirectory``."""

    def __init__(self, coursedir):
        self.coursedir = coursedir

    @classmethod
    def of_config(cls, config):
        """The folders of the course directory that ``config`` (a traitlets ``Config``) names."""
        from nbgrader.coursedir import CourseDirectory

        return cls(CourseDirectory(config=config))

    @classmethod
    def of_course(cls, course_dir):
        """The folders of ``course_dir`` as its ``nbgrader_config.py`` sets them (read once per
        version of the file)."""
        course_dir = Path(course_dir).resolve()
        config_file = course_dir / CONFIG_FILE
        key = (course_dir, config_file.stat().st_mtime_ns if config_file.is_file() else None)
        if key not in _CACHE:
            _CACHE[key] = cls.of_config(course_config(course_dir))
        return _CACHE[key]

    @classmethod
    def of_preprocessor(cls, preprocessor):
        """The folders of the course directory an nbgrader preprocessor is grading in: the
        ``CourseDirectory`` of the nbgrader converter above it (``nbgrader autograde``, the
        formgrader) when there is one, else one made from the preprocessor's own configuration."""
        from nbgrader.coursedir import CourseDirectory

        owner = getattr(preprocessor, "parent", None)
        while owner is not None:
            if isinstance(getattr(owner, "coursedir", None), CourseDirectory):
                return cls(owner.coursedir)
            owner = getattr(owner, "parent", None)
        return cls.of_config(preprocessor.config)

    @property
    def root(self):
        """The course directory (an absolute Path)."""
        return Path(self.coursedir.root)

    def step_folder(self, step):
        """The configured folder name of ``step`` (one of STEPS), e.g. ``"submitted"``."""
        if step not in STEPS:
            raise ValueError(f"unknown nbgrader step {step!r}: one of {', '.join(STEPS)}")
        return getattr(self.coursedir, f"{step}_directory")

    def top(self, step):
        """The folder of ``step`` under the course directory, e.g. ``<course>/submitted`` (a Path;
        with a ``directory_structure`` that does not start with the step, where its first
        part lies)."""
        return self.root / self.step_folder(step)

    def path(self, step, student, assignment, *rest):
        """The folder of ``assignment`` of ``student`` in ``step`` (nbgrader's ``format_path``),
        with ``rest`` joined below it: e.g. ``path("autograded", "ada", "01_data_prep",
        "01_data_prep.ipynb")``. A Path."""
        return Path(self.coursedir.format_path(self.step_folder(step), student, assignment), *rest)

    def assignment_path(self, step, assignment, *rest):
        """``path`` of a step with one folder per assignment (``"source"``, ``"release"``)."""
        return self.path(step, ".", assignment, *rest)

    def assignment_folders(self, step):
        """[(assignment, folder)] of every assignment folder of ``step`` (``"source"``,
        ``"release"``), sorted by name."""
        return sorted((assignment, folder) for student, assignment, folder in self._folders(step, ".", "*")
                      if folder.is_dir())

    def student_folders(self, step, assignment, student="*"):
        """[(student, folder)] of every folder of ``assignment`` in ``step`` (``"submitted"``,
        ``"autograded"``, ``"feedback"``), sorted by student; ``student``: one student id, or
        the ``"*"`` of every student."""
        return sorted((found, folder) for found, _, folder in self._folders(step, student, assignment)
                      if folder.is_dir())

    def _folders(self, step, student, assignment):
        """[(student, assignment, path)] of what matches the glob of ``step`` with those parts."""
        import glob

        folder = self.step_folder(step)
        pattern = self.coursedir.format_path(folder, glob.escape(student) if student != "*" else "*",
                                             glob.escape(assignment) if assignment != "*" else "*")
        regexp = re.compile(self.coursedir.format_path(
            folder, "(?P<student_id>[^/]+)" if student == "*" else re.escape(student),
            "(?P<assignment_id>[^/]+)" if assignment == "*" else re.escape(assignment), escape=True) + "$")
        found = []
        for match in glob.glob(pattern):
            parts = regexp.match(match)
            if parts is None:
                continue
            groups = parts.groupdict()
            found.append((groups.get("student_id", student), groups.get("assignment_id", assignment),
                          Path(match)))
        return found

    def relative(self, path):
        """``path`` (under the course directory) relative to it, as text with ``/``: e.g.
        ``"submitted/<student>/01_data_prep"`` for messages that name a folder."""
        return Path(os.path.relpath(path, self.root)).as_posix()
