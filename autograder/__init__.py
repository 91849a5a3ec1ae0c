"""The instructor's side of the course: hidden reference solutions and the grading tools.

One package per job:

- ``reference/``: the hidden reference solution of every exercise, one module per notebook;
  ``sample_data/``: the sample submissions' bugs and alternative solutions (data);
- ``authoring/``: from the reference to the student release: ``sync`` (solutions into
  ``source/``), ``release``, ``bundle``, the reference's ``probe_values``, ``parity``, ``results``;
- ``preprocessors/``: the nbgrader preprocessors ``nbgrader_config.py`` installs, one per file
  (the grading path a submission takes is written in that package's docstring);
- ``judging/``: trusted grader-side code: the judge of the probe values (with the reference, by
  ``course.judges``), the grading reports, the preflight check of the grading set-up;
- ``kernels/``: where student code runs: the sandbox command line, control groups, the warm
  kernel pool, the zygote (a process in the sandbox that forks kernels) and its client;
- ``plugins/``: nbgrader plugins (the safe CSV export, the LMS collector, extractor and exports);
- ``batch/``: grading a class (``grade``), with intake, reports, summary and similarity;
- ``safety/``: text made inert for terminals and spreadsheets, the integrity scan;
- ``demo/``: the sample class of the demo and the synthetic classes of the benchmarks;
- ``course_folders``, ``nbgrader_markers``: a course directory's folders and nbgrader's solution
  and hidden-test markers, as nbgrader's configuration sets them.

``python -m autograder COMMAND`` runs the commands (``autograder.cli``). The benchmarks live
outside the package, in the repository's ``benchmarks/``.
"""
