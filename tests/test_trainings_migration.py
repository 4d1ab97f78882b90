"""The trainings migration creates exactly what the models describe, and its downgrade removes it."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import portal.models  # noqa: F401
from portal import create_app, migrate
from portal.db import Base

TABLES = {"persons", "roster_entries", "trainings"}


def test_upgrade_matches_models_and_downgrade_removes_tables(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}", "SECRET_KEY": "x", "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path / "u"), "LDAP_URL": "demo"})
    engine = app.extensions["portal.db"].engine
    try:
        migrate.upgrade(app)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = [d for d in compare_metadata(ctx, Base.metadata) if any(t in repr(d) for t in TABLES)]
        assert diff == []
        assert TABLES <= set(inspect(engine).get_table_names())
        migrate.downgrade(app, "9842a7cfdb7c")
        assert not TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
