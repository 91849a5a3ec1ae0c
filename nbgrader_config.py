"""nbgrader configuration: the repository root is the course directory.

source/<assignment>/   instructor notebooks (solutions and hidden tests), one per step
release/<assignment>/  student notebooks, made by `python -m autograder release`
"""

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "nn-from-scratch"
c.CourseDirectory.root = "."

# The stub students see in place of a solution: the guide's "fill your code here" comment.
c.ClearSolutions.code_stub = {
    "python": '## Fill in your code here\nraise NotImplementedError("replace this line with your code")'
}
c.ClearSolutions.text_stub = "Write your answer here."

# Notebooks train small networks: give every cell time, but stop a runaway one.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# A student who deletes a test cell gets it back, and it is graded.
c.OverwriteCells.add_missing_cells = True
