"""The server-wide nbgrader configuration of a course server: install it as
/etc/jupyter/nbgrader_config.py, where every account's nbgrader reads it (students' assignment
list, the instructor's commands and formgrader). deploy/README.md tells the whole set-up.

The instructor's course directory keeps its own nbgrader_config.py (the repository's), which
names the same course id and adds the grading settings.
"""

c = get_config()  # noqa: F821  (nbgrader provides get_config)

# Must match c.CourseDirectory.course_id in the course directory's nbgrader_config.py and the
# course's JupyterHub groups (formgrade-nn-from-scratch, nbgrader-nn-from-scratch).
c.CourseDirectory.course_id = "nn-from-scratch"

# nbgrader's exchange: a folder every account can write to (mode 0777), made by the administrator.
c.Exchange.root = "/srv/nbgrader/exchange"
