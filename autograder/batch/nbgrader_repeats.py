"""Work that nbgrader repeats for every notebook it grades, done once per grading process.

``grade``'s workers grade many notebooks in one process (nbgrader's own ``autograde`` command
grades a class in one process too, but its Autograde app is built for one run). Two costs of
nbgrader 0.9 grow with every notebook and give nothing new after the first:

- **a database engine per gradebook**: ``nbgrader.api.Gradebook.__init__`` creates a new
  SQLAlchemy engine each time, and the autograde of one notebook opens about nine gradebooks.
  Each new engine starts with an empty cache of compiled SQL, so every query is compiled
  again, and each one checks that all of nbgrader's tables exist (a query per table).
  ``install`` keeps one engine per database URL in the process; a gradebook that finds all of
  nbgrader's tables (one query) goes straight on, and one that does not (a new database) is
  made by nbgrader's own code, unchanged. ``close`` still closes the gradebook's
  connections (``Engine.dispose``), so nothing stays open between gradebooks: only the
  engine and its compiled queries are kept.
- **the cell metadata schema checked against JSON Schema's meta-schema at every cell**:
  nbgrader's ``CheckCellMetadata`` validates each nbgrader cell's metadata with
  ``jsonschema.validate``, which first validates the schema itself. The schema is the file
  nbgrader ships; ``install`` checks it once and then validates cells against it directly,
  with the same errors (``jsonschema``'s ``best_match``).

The scores are the same with and without (``tests/test_batch.py`` compares ``grade``'s
score in every cell with plain ``nbgrader autograde``'s); nbgrader is pinned to 0.9 in
``pyproject.toml`` for these two, and ``install`` stops with an error naming what it did not
find rather than grade with a changed nbgrader. (A third repeat, the gradebook's revision read
by an ``alembic heads`` subprocess for every new gradebook, is read in-process by
``autograder.nbgrader_revision``, which the preflight and the course set-up use too.)
"""

import functools
import types

import jsonschema
from sqlalchemy import create_engine, inspect
from sqlalchemy.orm import scoped_session, sessionmaker

__all__ = ["install", "installed"]

_ENGINES = {}


def _engine(db_url):
    """The process's one SQLAlchemy engine for ``db_url`` (as nbgrader creates it)."""
    if db_url not in _ENGINES:
        _ENGINES[db_url] = create_engine(db_url, echo=False, future=True)
    return _ENGINES[db_url]


def _gradebook_init(original, tables):
    @functools.wraps(original)
    def __init__(self, db_url, course_id="default_course", authenticator=None):
        engine = _engine(db_url)
        if not tables <= set(inspect(engine).get_table_names()):
            engine.dispose()  # no connection of ours left open on the new file
            return original(self, db_url, course_id, authenticator)  # a new database: nbgrader makes it
        self.engine = engine
        self.db = scoped_session(sessionmaker(autoflush=True, bind=engine, future=True))
        self.check_course(course_id=course_id)
        self.course_id = course_id
        self.authenticator = authenticator

    __init__.repeats_once = True
    return __init__


class _SchemaCheckedOnce(types.ModuleType):
    """``jsonschema`` as nbgrader's metadata validators use it, with ``validate`` not checking
    a schema it has checked before (``jsonschema.validate`` otherwise)."""

    def __init__(self):
        super().__init__("jsonschema")
        self._checked = []  # schemas known to be valid (each validator reads nbgrader's file anew)

    def __getattr__(self, name):
        return getattr(jsonschema, name)

    def validate(self, instance, schema):
        validator_class = jsonschema.validators.validator_for(schema)
        if schema not in self._checked:
            validator_class.check_schema(schema)
            self._checked = [*self._checked[-7:], schema]
        error = jsonschema.exceptions.best_match(validator_class(schema).iter_errors(instance))
        if error is not None:
            raise error


def installed():
    """True when ``install`` has run in this process."""
    from nbgrader import api
    from nbgrader.nbgraderformat import common

    return getattr(api.Gradebook.__init__, "repeats_once", False) and isinstance(common.jsonschema,
                                                                                   _SchemaCheckedOnce)


def install():
    """Patch nbgrader in this process (module docstring); running it again changes nothing.
    Raises RuntimeError when nbgrader is not laid out as 0.9 is."""
    import nbgrader
    from nbgrader import api
    from nbgrader.nbgraderformat import common

    if installed():
        return
    missing = [name for name, where in (("Gradebook", api), ("Base", api), ("jsonschema", common),
                                        ("BaseMetadataValidator", common)) if not hasattr(where, name)]
    if missing or getattr(common, "jsonschema", None) is not jsonschema:
        raise RuntimeError(f"nbgrader {nbgrader.__version__} is not laid out as nbgrader 0.9 (missing: "
                           f"{', '.join(missing) or 'jsonschema in nbgrader.nbgraderformat.common'}); "
                           "autograder.batch.nbgrader_repeats must be brought up to date")
    api.Gradebook.__init__ = _gradebook_init(api.Gradebook.__init__, set(api.Base.metadata.tables))
    common.jsonschema = _SchemaCheckedOnce()
