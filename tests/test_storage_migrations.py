"""The schema comes from migrations: an empty database upgraded to head equals the models,
on SQLite and on a real PostgreSQL; every migration can be undone."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import create_app, migrate
from portal.db import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'leer.sqlite3'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"leer_{tmp_path.name[-20:].lower().replace('-', '_')}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


def test_upgrade_to_head_matches_models_and_downgrade_empties(empty_database_url, tmp_path):
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True, "UPLOAD_DIR": str(tmp_path)})
    engine = app.extensions["portal.db"].engine
    try:
        migrate.upgrade(app)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        migrate.downgrade(app, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(app)  # and up again
    finally:
        engine.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    if app.extensions["portal.db"].engine.dialect.name != "sqlite":
        return  # this property belongs to SQLite only
    conn = app.extensions["portal.test_connection"]
    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_same_audit_and_sign_in_data_on_both_backends(any_backend_app):
    """Storage round trip of the foundation's tables on SQLite and PostgreSQL."""
    from sqlalchemy import select

    from portal.models.org import OrgUnit
    from portal.models.people import User, UserRole

    session = any_backend_app.extensions["portal.db"].new_session()
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 50"))
    assert unit is not None and unit.name == "Sozialamt"
    user = User(external_id="x-1", dn="uid=ä,dc=x", username="ä", display_name="Ärger Öl", org_unit=unit)
    user.role_grants.append(UserRole(role="ag_leitung", scope="AG2"))
    session.add(user)
    session.commit()
    session.expunge_all()
    again = session.scalar(select(User).where(User.username == "ä"))
    assert again.display_name == "Ärger Öl" and again.oe_code == "Amt 50" and again.working_groups == {"AG2"}
    assert again.created_at.tzinfo is not None or session.bind.dialect.name == "sqlite"
    session.close()
