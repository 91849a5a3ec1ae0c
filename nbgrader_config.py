"""nbgrader configuration: the repository root is the course directory.

source/<assignment>/   instructor notebooks (solutions and hidden tests), one per step
release/<assignment>/  student notebooks, made by `python -m autograder release`

Autograding runs every student's kernel in a sandbox and decides scores with trusted code
(docs/grading-safely.md): nbgrader's own commands and the formgrader use it too.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from autograder.judging.preflight import before_autograde
from autograder.plugins.export import SafeCsvExportPlugin
from autograder.plugins.late_penalty import LatePenalty
from autograder.plugins.lms import LmsCollector, TimedExtractor
from autograder.preprocessors import ship_mathjax
from autograder.preprocessors.inert_markup import InertMarkup
from autograder.preprocessors.message_only_tracebacks import MessageOnlyTracebacks
from autograder.preprocessors.record_tampering import RecordTampering
from autograder.preprocessors.sandboxed_execute import SandboxedExecute
from autograder.preprocessors.ship_mathjax import ShipMathJax
from autograder.preprocessors.trusted_verdict import TrustedVerdict

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# --- The term: course id, due dates, late penalty (docs/instructors/term.md) ---
# The course id names the course in nbgrader's exchange and JupyterHub's groups
# (formgrade-<id>, nbgrader-<id>): deploy/jupyterhub_config.py's COURSE_ID must be the same.
c.CourseDirectory.course_id = "nn-from-scratch"
# Due dates, one per assignment, as nbgrader reads dates ("2027-01-18 23:59:00 UTC", or another
# zone). `python -m autograder release` writes them to the gradebook, and both graders again
# before grading (autograder/plugins/term_calendar.py); an assignment not named has no due date.
# Left commented out, the gradebook's own due dates (`nbgrader db assignment add --duedate`) count.
# c.CourseCalendar.due_dates = {
#     "01_data_prep": "2027-01-18 23:59:00 UTC",
#     "02_init": "2027-01-25 23:59:00 UTC",
# }
# A late notebook loses a share of its score per started day late, e.g. per_day = 0.1 for 10% a
# day, and everything when more than zero_after_days late (AssignLatePenalties, a step of
# autograding below, with autograder/plugins/late_penalty.py); 0.0 and None: no penalty.
# grades.csv shows raw score, penalty, score and status (on time, late, not submitted).
c.AssignLatePenalties.plugin_class = LatePenalty
c.LatePenalty.per_day = 0.0
c.LatePenalty.zero_after_days = None
# --- end of the term block ---

# The stub students see in place of a solution: the guide's "fill your code here" comment.
c.ClearSolutions.code_stub = {
    "python": '## Fill in your code here\nraise NotImplementedError("replace this line with your code")'
}
c.ClearSolutions.text_stub = "Write your answer here."

# A student who deletes a test cell gets it back, and it is graded.
c.OverwriteCells.add_missing_cells = True

# --- Grading safely: nbgrader's autograde steps, with the sandbox and the trusted verdict ---
# RecordTampering notes edited, deleted or moved test cells before nbgrader restores them;
# SandboxedExecute runs the notebook in a bubblewrap sandbox with limits, then the probe cell;
# TrustedVerdict keeps a test cell's points only when the probe agrees.
c.Autograde.sanitize_preprocessors = [
    RecordTampering, ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, TrustedVerdict,
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata, InertMarkup,
]
# Notebooks train small networks: give every cell time, but stop a runaway one.
c.SandboxedExecute.timeout = 120
c.SandboxedExecute.interrupt_on_timeout = True
c.SandboxedExecute.notebook_timeout = 900
# Preflight: before an assignment's first submission, its reference solution is graded the same
# way; unless it gets full marks, grading stops with the cause. False skips it.
c.SandboxedExecute.preflight = True
c.Autograde.pre_convert_hook = before_autograde(c)

# --- Feedback students read: every test's message, never the code of hidden tests. ---
# nbgrader's feedback shows hidden tests by default (nbgrader issue #917). Here
# `nbgrader generate_feedback` (and the batch grader, which reads this file) first removes the
# hidden test regions from the test cells (nbgrader's own ClearHiddenTests), then cuts the
# traceback of a failed test cell, which quotes its code, down to its last line, the message.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, MessageOnlyTracebacks,
                                    CSSHTMLHeaderPreprocessor, ShipMathJax]
# The page (autograder/preprocessors/ship_mathjax.py): nbgrader's feedback template, with
# messages that wrap and MathJax from the copy that jupyter-server-mathjax installed (copied once
# into feedback/mathjax/ by ShipMathJax), never from a CDN: math renders without a network. Our
# folder comes first, so its feedback/mathjax.html.j2 replaces nbconvert's for nbgrader's
# "feedback" template only.
c.HTMLExporter.extra_template_basedirs = [str(ship_mathjax.TEMPLATES), ship_mathjax.nbgrader_templates()]
# --- end of the feedback block ---

# `nbgrader export` quotes every cell and keeps a spreadsheet from reading one as a formula.
c.ExportApp.plugin_class = SafeCsvExportPlugin
# --- Student markup is inert in every page: feedback and the formgrader ---
# A submission's HTML, JavaScript, SVG, widgets, raw HTML in markdown and raw cells would run
# in the reader's browser (in the formgrader: the instructor's Jupyter, with its terminals).
# InertMarkup (last in Autograde above, after the grades are saved) stores the graded notebook
# with text and PNG/JPEG outputs only, markdown rendered and cleaned, raw cells as plain text; here
# it runs again in every HTML export, which nbgrader generate_feedback and the formgrader's
# view of a submission both make with this configuration.
c.HTMLExporter.preprocessors = [InertMarkup]
# --- end of the markup block ---

# --- The LMS route (autograder/plugins/lms.py) ---
# `nbgrader zip_collect ASSIGNMENT` collects the LMS's "download submissions" zip placed in
# downloaded/ASSIGNMENT/archive/ into submitted/. The students must be in the gradebook first
# (`nbgrader db student import roster.csv`, columns id, first_name, last_name, email,
# lms_user_id): a file goes to the student whose lms_user_id (Canvas user id) or name its file
# name carries; one that matches no student stays in extracted/ and is listed in
# downloaded/ASSIGNMENT/unmatched.csv. Choose the LMS here ("canvas" or "moodle") or per run:
# `nbgrader zip_collect 01_data_prep --LmsCollector.lms=moodle`. For another LMS, set
# c.FileNameCollectorPlugin.named_regexp with the groups name, lms_id, file_id and ext.
c.ZipCollectApp.extractor_plugin = TimedExtractor
c.ZipCollectApp.collector_plugin = LmsCollector
c.LmsCollector.lms = "canvas"
# Grades back: `nbgrader export --exporter=autograder.plugins.lms.CanvasExport --to=canvas.csv` (Canvas:
# Grades > Import) or `--exporter=autograder.plugins.lms.MoodleExport --to=moodle.csv` (Moodle: Grades >
# Import > CSV file). Canvas fills existing columns when it knows their ids:
# c.CanvasExport.assignment_ids = {"01_data_prep": 101}
