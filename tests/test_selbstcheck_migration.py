"""The Selbstcheck migration creates exactly what the models say, and its downgrade removes it."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from portal import create_app, migrate
from portal.db import Base

TABLES = {"questionnaire_versions", "selbstchecks", "selbstcheck_versions"}


def _mine(diff) -> bool:  # noqa: ANN001
    text = repr(diff)
    return any(t in text for t in TABLES)


@pytest.mark.parametrize("backend", ["sqlite_url", "postgresql_url"])
def test_schema_matches_the_models(request, backend):
    import portal.models  # noqa: F401 - all tables on the metadata

    engine = create_engine(request.getfixturevalue(backend))
    try:
        with engine.connect() as conn:
            diffs = [d for d in compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) if _mine(d)]
            assert diffs == []
            assert TABLES <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_drops_the_tables_and_upgrade_restores_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'mig.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True, "UPLOAD_DIR": str(tmp_path), "LDAP_URL": "demo"})
    engine = app.extensions["portal.db"].engine
    try:
        migrate.upgrade(app)
        assert TABLES <= set(inspect(engine).get_table_names())
        migrate.downgrade(app, "9842a7cfdb7c")
        assert not TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(app)
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        app.extensions["portal.db"].dispose()
