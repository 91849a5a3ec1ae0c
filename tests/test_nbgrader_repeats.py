"""autograder.batch.nbgrader_repeats: nbgrader's per-notebook repeats done once per process,
with the same gradebooks and the same errors. Each test runs in a fresh Python process, so
that nbgrader stays unpatched in the test process (the grading tests compare with it)."""

import subprocess
import sys
import textwrap


def _run(code, tmp_path):
    script = tmp_path / "check.py"
    script.write_text(textwrap.dedent(code))
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_gradebooks_share_one_engine_and_leave_no_connection_open(tmp_path):
    out = _run("""
        import os, warnings
        warnings.simplefilter("ignore")
        from nbgrader.api import Gradebook
        from sqlalchemy import text
        from autograder.batch import nbgrader_repeats

        nbgrader_repeats.install()
        nbgrader_repeats.install()  # a second time changes nothing
        assert nbgrader_repeats.installed()
        url = "sqlite:///" + os.path.abspath("gradebook.db")
        for round_ in range(2):  # the second round: the file deleted and made again, same URL
            with Gradebook(url) as gradebook:  # a new database: made by nbgrader's own code
                gradebook.add_student("ada")
                first_engine = gradebook.engine
                version = gradebook.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
                assert version, "the new gradebook is stamped"
            engines = []
            for _ in range(3):
                with Gradebook(url) as gradebook:
                    assert [s.id for s in gradebook.students] == ["ada"]
                    engines.append(gradebook.engine)
                pool = gradebook.engine.pool
                assert pool.checkedout() == pool.checkedin() == 0, "close() leaves no connection open"
            assert engines[0] is engines[1] is engines[2], "one engine per URL"
            assert first_engine is not engines[0], "the new database's engine was nbgrader's own"
            os.remove("gradebook.db")
        print("ok")
    """, tmp_path)
    assert out.strip() == "ok"


def test_cell_metadata_is_checked_with_the_same_errors_and_the_schema_once(tmp_path):
    out = _run("""
        import jsonschema
        from nbformat.v4 import new_code_cell
        from nbgrader.nbgraderformat import MetadataValidator, ValidationError
        from autograder.batch import nbgrader_repeats

        def cell(**nbgrader):
            metadata = {"grade": True, "solution": False, "locked": True, "grade_id": "t1", "points": 1,
                        "schema_version": 3, **nbgrader}
            return new_code_cell("pass", metadata={"nbgrader": metadata})

        bad = [cell(points="one"), cell(grade="yes"), cell(grade_id=7), cell(cell_type=["x"])]
        def errors():
            found = []
            for c in bad:
                try:
                    MetadataValidator().validate_cell(c)
                    found.append(None)
                except ValidationError as error:
                    found.append((error.message, list(error.path)))
            return found

        before = errors()
        MetadataValidator().validate_cell(cell())
        nbgrader_repeats.install()
        checks = []
        validator_class = jsonschema.validators.validator_for(MetadataValidator().schema)
        original = validator_class.check_schema
        validator_class.check_schema = classmethod(lambda cls, schema: checks.append(1) or original(schema))
        after = errors()
        for _ in range(5):
            MetadataValidator().validate_cell(cell())  # a new validator reads nbgrader's file again
        assert None not in before and after == before, (before, after)
        assert len(checks) == 1, checks
        print("ok")
    """, tmp_path)
    assert out.strip() == "ok"


def test_install_refuses_an_nbgrader_laid_out_otherwise(tmp_path):
    out = _run("""
        from nbgrader.nbgraderformat import common
        from autograder.batch import nbgrader_repeats

        common.jsonschema = object()  # what another nbgrader might hold there
        try:
            nbgrader_repeats.install()
        except RuntimeError as error:
            assert "nbgrader" in str(error) and "brought up to date" in str(error), error
            print("refused")
    """, tmp_path)
    assert out.strip() == "refused"
