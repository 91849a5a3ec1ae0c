"""The term's due dates, kept in nbgrader_config.py and written to nbgrader's gradebook.

nbgrader decides lateness from the gradebook: an assignment's ``duedate`` against each
submission's timestamp. ``nbgrader db assignment add NAME --duedate=...`` sets one due date by
hand; a course directory keeps them all in one place instead, its ``nbgrader_config.py``:

    c.CourseCalendar.due_dates = {
        "01_data_prep": "2027-01-18 23:59:00 UTC",   # any zone: "... Europe/Zurich", "... -0500"
        "02_init": "2027-01-25 23:59:00 UTC",
    }

``apply`` writes them to the gradebook: ``python -m autograder release`` after generating the
assignments, and both graders before grading (``python -m autograder grade`` and ``nbgrader
autograde``), so a date changed in the file counts at the next grading. Once
``due_dates`` is set, it is the whole calendar: an assignment it does not name has no due date.
Left unset, the gradebook's due dates are left as they are.
"""

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import parse_utc
from traitlets import Dict
from traitlets.config import LoggingConfigurable


class CalendarError(ValueError):
    """A due date in the configuration that cannot be used; the message says which and why."""


class CourseCalendar(LoggingConfigurable):
    """The due date of each assignment (``{"01_data_prep": "2027-01-18 23:59:00 UTC"}``)."""

    due_dates = Dict(help="Each assignment's due date, as nbgrader reads dates ('YYYY-MM-DD HH:MM:SS ZONE'); "
                          "an assignment not named has none.").tag(config=True)


def due_dates(config):
    """{assignment: naive UTC datetime} from ``config``, or None when no calendar is configured.

    Raises CalendarError naming the first date that cannot be read."""
    if "CourseCalendar" not in config or "due_dates" not in config.CourseCalendar:
        return None
    dates = {}
    for assignment, text in CourseCalendar(config=config).due_dates.items():
        try:
            dates[assignment] = parse_utc(str(text))
        except (ValueError, OverflowError) as error:
            raise CalendarError(f"c.CourseCalendar.due_dates[{assignment!r}] = {text!r} in "
                                f"nbgrader_config.py is not a date nbgrader reads ({error}); write it as "
                                f"'2027-01-18 23:59:00 UTC'.") from None
    return dates


def apply(config, db_url, assignments):
    """Write the configured due dates of ``assignments`` to the gradebook at ``db_url``
    (assignments it does not know yet are left to ``python -m autograder release``).

    Returns {assignment: due date or None} of what was written; {} with no calendar configured."""
    dates = due_dates(config)
    if dates is None:
        return {}
    unknown = sorted(set(dates) - set(assignments))
    if unknown:
        raise CalendarError(f"c.CourseCalendar.due_dates in nbgrader_config.py names {', '.join(unknown)}, "
                            f"which the course does not have (its assignments: {', '.join(assignments)}).")
    written = {}
    with Gradebook(db_url) as gradebook:
        for assignment in assignments:
            try:
                known = gradebook.find_assignment(assignment)
            except MissingEntry:
                continue
            if known.duedate != dates.get(assignment):
                gradebook.update_or_create_assignment(assignment, duedate=dates.get(assignment))
            written[assignment] = dates.get(assignment)
    return written
