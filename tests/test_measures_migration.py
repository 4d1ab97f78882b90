"""The measures migration creates exactly the modelled tables, and its downgrade removes them."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import create_app, migrate
from portal.db import Base

MEASURE_TABLES = {"action_fields", "working_groups", "working_group_fields", "measures", "measure_rows", "measure_row_leads",
                  "reporting_periods", "measure_reports", "measure_report_versions", "group_assessments"}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_matches_the_models_and_downgrade_removes_the_tables(backend, request, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database("measures_migration")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True, "UPLOAD_DIR": str(tmp_path), "LDAP_URL": "demo"})
    engine = app.extensions["portal.db"].engine
    try:
        with app.app_context():
            migrate.upgrade(app)
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
            assert diff == []
            assert MEASURE_TABLES <= set(inspect(engine).get_table_names())
            migrate.downgrade(app, "9842a7cfdb7c")
            assert not MEASURE_TABLES & set(inspect(engine).get_table_names())
            migrate.upgrade(app)
            assert MEASURE_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
