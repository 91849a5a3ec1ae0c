"""From the one English source to what students get: ``sync`` writes the reference solutions into
``source/``, ``release`` builds ``release/`` with nbgrader, ``bundle`` zips the student bundle,
``translations`` builds the Chinese edition from ``i18n/`` (``translation_store`` reads it),
``probe_values`` publishes the reference's probe values, ``parity`` compares the visible checks,
the self-check and the grader, ``results`` trains the reference on the three tasks; ``exercise``
adds, renames or removes an exercise in every piece it spans (``anatomy`` lists what is missing,
``registry`` writes the exercise table)."""
