"""The throwaway PostgreSQL cluster: initdb, a database, SQLAlchemy + psycopg 3."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.pgcluster import PostgresCluster, find_pg_bindir
from tests.support.requirements import require_binary


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    require_binary("initdb (PostgreSQL)", find_pg_bindir())
    with PostgresCluster(tmp_path_factory.mktemp("postgres")) as cluster:
        yield cluster


def test_create_database_table_insert_select(postgres):
    url = postgres.create_database("infra_check")
    assert url == f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/infra_check"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE org_unit (code text PRIMARY KEY, name text NOT NULL)"))
            conn.execute(
                sa.text("INSERT INTO org_unit (code, name) VALUES (:code, :name)"),
                [{"code": "Amt 50", "name": "Sozialamt"}, {"code": "INAUSLB", "name": "Integrations- und Ausländerbeauftragte"}],
            )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT code, name FROM org_unit ORDER BY code")).all()
            encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
            fsync = conn.execute(sa.text("SHOW fsync")).scalar_one()
        assert [tuple(r) for r in rows] == [
            ("Amt 50", "Sozialamt"),
            ("INAUSLB", "Integrations- und Ausländerbeauftragte"),
        ]
        assert encoding == "UTF8"
        assert fsync == "off"
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()
    postgres.drop_database("infra_check")
    with sa.create_engine(postgres.url("postgres")).connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM pg_database WHERE datname = 'infra_check'")).scalar_one()
    assert left == 0


def test_drop_database_closes_open_connections(postgres):
    url = postgres.create_database("still_open")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == "still_open"
            postgres.drop_database("still_open")  # WITH (FORCE): a leaked connection cannot block teardown
    except sa.exc.OperationalError:
        pass  # the forced drop terminated this connection; closing it may report that
    finally:
        engine.dispose()
    with sa.create_engine(postgres.url()).connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM pg_database WHERE datname = 'still_open'")).scalar_one()
    assert left == 0


def test_database_names_are_checked(postgres):
    with pytest.raises(ValueError, match="database name"):
        postgres.create_database('x"; DROP DATABASE postgres; --')
