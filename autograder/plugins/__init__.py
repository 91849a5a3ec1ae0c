"""nbgrader plugins: ``export`` (the safe CSV export) and ``lms`` (Canvas and Moodle downloads in,
their import CSVs out)."""
