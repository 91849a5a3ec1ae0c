"""nbgrader plugins and configurables that ``nbgrader_config.py`` names: ``export`` (the safe CSV
export), ``lms`` (Canvas and Moodle downloads in, their import CSVs out), ``term_calendar`` (due
dates into the gradebook) and ``late_penalty`` (nbgrader's LateSubmissionPlugin)."""
