"""The late penalty: ``c.AssignLatePenalties.plugin_class = LatePenalty`` in nbgrader_config.py.

nbgrader's ``AssignLatePenalties`` (a step of ``nbgrader autograde``, and of ``python -m
autograder grade``) asks its plug-in for each late notebook's penalty, in points, from the
notebook's score and how many seconds after the assignment's due date it was submitted
(``submitted/<student>/<assignment>/timestamp.txt``, which ``nbgrader collect`` writes, against
the gradebook's due date: ``autograder.plugins.term_calendar``). nbgrader's own plug-in knows
only "none" and "zero"; this one takes a share of the score per day late:

    c.LatePenalty.per_day = 0.1          # 10% of the notebook's score per started day
    c.LatePenalty.zero_after_days = 7    # nothing for a notebook more than a week late

The gradebook keeps the raw score and the penalty apart (``nbgrader export``: ``raw_score``,
``late_submission_penalty``, ``score``), so an excused student's penalty can be undone in the
formgrader or by changing the due date and grading again.
"""

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

DAY = 24 * 60 * 60


class LatePenalty(LateSubmissionPlugin):
    """A share of the score per started day late, and nothing after ``zero_after_days``."""

    per_day = Float(0.0, min=0.0, max=1.0,
                    help="The share of a late notebook's score taken per day late (every started day "
                         "counts: one second late is one day).").tag(config=True)
    zero_after_days = Float(None, allow_none=True, min=0.0,
                            help="A notebook more than this many days late scores 0 (None: never).").tag(
                                config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        """The penalty in points (at most ``score``) for a notebook ``total_seconds_late`` late."""
        if total_seconds_late <= 0:
            return None
        if self.penalty_method == "zero" or (
                self.zero_after_days is not None and total_seconds_late > self.zero_after_days * DAY):
            return score
        days = math.ceil(total_seconds_late / DAY)
        penalty = min(score, score * self.per_day * days)
        self.log.info("%s is %d day(s) late: penalty %g of %g points", student_id, days, penalty, score)
        return penalty
