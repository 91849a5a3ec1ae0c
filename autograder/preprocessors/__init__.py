"""The nbgrader preprocessors of the course, one per module, as ``nbgrader_config.py`` installs them.

The grading path of a submission (``nbgrader autograde`` or ``python -m autograder grade``,
which runs nbgrader's own ``Autograde`` converter):

1. ``nbgrader_config.py`` puts these steps among nbgrader's own;
2. ``RecordTampering`` (first sanitize step, ``record_tampering``) compares the submission with
   the release notebook and records edited, deleted, moved or re-labelled test cells and stray
   files (``autograder.judging.reports``); a submission that must not run at all is refused
   (``autograder.batch.intake``). nbgrader then restores the test cells (``OverwriteCells``);
3. ``SandboxedExecute`` (``sandboxed_execute``) runs the notebook in a kernel inside the sandbox
   (``autograder.kernels``), scans it (``autograder.safety.integrity_scan``), then appends the
   *probe cell*: ``course.probes``' in-kernel code (``PROBES``) that calls the student's
   functions on the grader's secret inputs and prints the values, which the grader reads;
4. ``TrustedVerdict`` (``trusted_verdict``, right before ``SaveAutoGrades``) hands those values
   to ``autograder.judging.judge.judge``, which compares them with the hidden reference's
   (``autograder.reference``) on the same inputs, by the step's ``JUDGES`` (``course.judges``,
   in the grader's process) where several answers are right; a test cell keeps its points only
   when its judge agrees;
5. for feedback, ``MessageOnlyTracebacks`` keeps only an error's message, ``InertMarkup`` makes
   markup inert and ``ShipMathJax`` copies MathJax beside the feedback pages.
"""
