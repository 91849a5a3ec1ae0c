"""nbgrader's gradebook revision, read in this process.

nbgrader stamps a new gradebook with the revision of its newest database migration, which it
reads by running ``alembic heads`` in a subprocess (``nbgrader.api.get_alembic_version``,
called by ``Gradebook.__init__`` for a database without tables): 7 to 14 seconds of a 2-core
machine for every new gradebook, and every preflight makes one (a scratch course's). The
revision is a constant of the installed nbgrader: ``read_in_process()`` makes nbgrader read the
same migration scripts with alembic's Python API instead, once per process (0.2 s).

Only this process's nbgrader changes; nbgrader's own command line keeps its subprocess.
"""

import functools


@functools.cache
def alembic_head():
    """The revision of nbgrader's newest migration script: what ``alembic heads`` prints first."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    heads = ScriptDirectory(ALEMBIC_DIR).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"nbgrader's migrations in {ALEMBIC_DIR} have {len(heads)} heads, not one")
    return heads[0]


def read_in_process():
    """Make this process's nbgrader read the revision with ``alembic_head`` (nbgrader 0.9's
    ``nbgrader.api.get_alembic_version`` replaced; a version without it is left alone)."""
    import nbgrader.api

    if callable(getattr(nbgrader.api, "get_alembic_version", None)):
        nbgrader.api.get_alembic_version = alembic_head
