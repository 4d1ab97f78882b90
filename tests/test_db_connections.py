"""Pooled connections on a real PostgreSQL server: checked before use only after lying idle, a dead
one replaced without an error; a form submission looks its session up outside a transaction."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select, text, update

import portal.db
from portal.db import make_engine, utcnow
from tests.conftest import csrf_token_from


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    import secrets

    return request.getfixturevalue("pg_cluster").create_database(f"pool_{secrets.token_hex(4)}")


def _counting_pings(engine, monkeypatch) -> list[int]:  # noqa: ANN001
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection):  # noqa: ANN001,ANN202
        pings.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


@pytest.fixture
def clock(monkeypatch) -> list[float]:  # noqa: ANN001
    """The time the pool's idle check reads (portal.db), moved on by the test."""
    now = [1000.0]
    monkeypatch.setattr(portal.db, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


@pytest.fixture
def engine(pg_url):  # noqa: ANN001,ANN201
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


def test_a_connection_back_a_moment_ago_is_not_checked_one_idle_longer_is(engine, clock, monkeypatch) -> None:
    pings = _counting_pings(engine, monkeypatch)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
        clock[0] += 0.5
    assert pings == []  # each checkout follows the last return within PING_AFTER_IDLE_SECONDS
    clock[0] += portal.db.PING_AFTER_IDLE_SECONDS
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == [1]


def test_the_connection_returned_last_is_handed_out_first(engine, clock, monkeypatch) -> None:
    """Under load several connections are pooled: the one used last comes next, and needs no check."""
    pings = _counting_pings(engine, monkeypatch)
    first, second = engine.connect(), engine.connect()
    first.close()
    clock[0] += 5.0
    pid = second.execute(text("SELECT pg_backend_pid()")).scalar()
    second.close()
    clock[0] += 0.5
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == pid
    assert pings == []


def test_a_connection_that_died_while_idle_is_replaced_without_an_error(engine, clock, pg_url) -> None:
    with engine.connect() as conn:
        first_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    other = make_engine(pg_url)
    try:
        with other.connect() as killer:  # the server ends the pooled connection (a restart, a network cut)
            assert killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid}).scalar() is True
    finally:
        other.dispose()
    clock[0] += portal.db.PING_AFTER_IDLE_SECONDS + 1  # it lay idle
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != first_pid


def test_a_form_submission_looks_the_session_up_outside_a_transaction_a_page_inside(pg_url, tmp_path) -> None:
    from portal.models.people import UserSession
    from tests.support.live_server import DEMO_PASSWORD, build_app

    app = build_app(tmp_path, {"DATABASE_URL": pg_url, "TESTING": True})
    engine = app.extensions["portal.db"].engine
    lookups: list[bool] = []  # per session look-up: did the connection run without a transaction?

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn, _cursor, statement, *_):  # noqa: ANN001,ANN202
        if statement.lstrip().startswith("SELECT") and "FROM user_sessions" in statement:
            lookups.append(conn.connection.dbapi_connection.autocommit)

    try:
        client = app.test_client()
        token = csrf_token_from(client.get("/auth/anmelden").get_data(as_text=True))
        assert client.post("/auth/anmelden", data={"csrf_token": token, "username": "oe.jugendamt",
                                                   "password": DEMO_PASSWORD}).status_code == 302
        page = client.get("/")
        assert page.status_code == 200
        token = csrf_token_from(page.get_data(as_text=True))
        long_ago = utcnow() - timedelta(seconds=30)  # within a minute: the look-up does not touch the record
        with engine.begin() as conn:
            conn.execute(update(UserSession).values(last_seen_at=long_ago))
        lookups.clear()
        assert client.get("/").status_code == 200
        assert lookups == [False]  # a page reads in one transaction, the look-up included
        lookups.clear()
        answer = client.post("/auth/sitzung/verlaengern", data={"csrf_token": token})
        assert answer.status_code == 302
        assert lookups[0] is True  # the submission's look-up: no BEGIN, no COMMIT around it
        with engine.connect() as conn:
            seen = conn.execute(select(UserSession.last_seen_at)).scalars().all()
        assert len(seen) == 1 and seen[0] > long_ago + timedelta(seconds=20)  # the view's own work was saved
        assert client.get("/").status_code == 200  # still signed in
    finally:
        app.extensions["portal.db"].dispose()
