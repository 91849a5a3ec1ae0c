"""``python -m autograder probe-values [--check]``: write the reference's probe values for the
self-check's published seed into ``course/probe_values/`` (one .npz per assignment).

The self-check (``python -m course check``) runs the grader's probes with the published seed
``course.probes.published.SEED`` and judges them against these values with the grader's own
judges. Run this command after changing a probe or the reference. A file is rewritten only
when its values changed (the archive's bytes carry timestamps). ``--check`` writes nothing and
exits 1 when a file is missing or stale.
"""


from autograder.judging.judge import TOOLS, reference_payload
from course.judges import verdicts
from course.probes import compare, published
from course.registry import ASSIGNMENTS


def stale(assignment):
    """(fresh payload bytes, reason or None): None when the shipped file holds these values.

    The shipped values are current when they hold the same probes and keys as a fresh run of
    the probes on the reference, and the grader's own judging (``course.judges.verdicts``)
    finds each agreeing with the other, both ways round: the same standard the self-check
    applies to a student's values (keys a custom judge checks by property, such as draws
    from an unseeded generator, are checked by that property).

    Note: a judge's verdict depends on the values, so this test checks what matters to the
    self-check: that it reaches the verdicts fresh values would give.
    """
    fresh = reference_payload(assignment, published.SEED)
    try:
        shipped = published.load(assignment)
    except (FileNotFoundError, compare.PayloadError) as error:
        return fresh, str(error)
    want = compare.decode(fresh)
    for grade_id, values in want.items():
        if not isinstance(shipped.get(grade_id), dict) or set(shipped[grade_id]) != set(values):
            return fresh, f"{grade_id}: other probes or keys"
    # a judge that checks the notebook's own outputs (08's trained results) fails on the
    # reference's values, which hold none: such cells are compared by keys only
    itself = verdicts(assignment, fresh, want, TOOLS)
    judged = [grade_id for grade_id, (agrees, _) in itself.items() if agrees]
    shipped_bytes = published.path(assignment).read_bytes()
    disagreeing = [verdict[grade_id][1]
                   for verdict in (verdicts(assignment, fresh, shipped, TOOLS),
                                   verdicts(assignment, shipped_bytes, want, TOOLS))
                   for grade_id in judged if not verdict[grade_id][0]]
    return fresh, disagreeing[0] if disagreeing else None


def add_arguments(parser):
    """Declare the command's options on ``parser``."""
    parser.add_argument("--check", action="store_true", help="only report missing or stale files")


def run(options):
    """Run the command with the parsed ``options``: its exit code."""
    published.FOLDER.mkdir(parents=True, exist_ok=True)
    outdated = 0
    for assignment in ASSIGNMENTS:
        fresh, reason = stale(assignment)
        if reason is None:
            print(f"{assignment}: up to date")
            continue
        outdated += 1
        if options.check:
            print(f"{assignment}: STALE ({reason}): run python -m autograder probe-values")
        else:
            published.path(assignment).write_bytes(fresh)
            print(f"{assignment}: written ({reason})")
    return 1 if options.check and outdated else 0
