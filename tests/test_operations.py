"""What operations sees: /healthz, /readyz, /metrics, request ids, JSON logs, and error
pages that never need the database (with a real PostgreSQL that is stopped and started)."""
from __future__ import annotations

import json
import re
import secrets
from importlib.metadata import version
from pathlib import Path

import pytest
from flask import Flask
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from portal import create_app, errors
from portal.auth.access import public
from portal.db import get_session
from portal.models.audit import AuditEvent
from portal.security import CSP, csrf
from tests.conftest import BASE_CONFIG, csrf_token_from
from tests.support.pgcluster import free_port

VERSION = version("portal-aktionsplan")
DOWN_TEXT = "Das Portal ist vorübergehend nicht erreichbar."


def assert_security_headers(response) -> None:  # noqa: ANN001
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- health, readiness ------------------------------------------------------------------

def test_healthz_answers_json_without_the_database(client, sql_statements):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "version": VERSION, "checks": {"process": "ok"}}
    assert len(sql_statements) == 0


def test_readyz_checks_database_storage_and_directory(client):
    for path in ("/readyz", "/auth/gesundheit"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.get_json() == {"status": "ok", "version": VERSION,
                                       "checks": {"database": "ok", "storage": "ok", "directory": "ok (demo)"}}


def test_readyz_is_503_json_when_storage_or_directory_fail(app, client, tmp_path):
    not_a_dir = tmp_path / "datei"
    not_a_dir.write_text("x")
    app.config.update(UPLOAD_DIR=str(not_a_dir), LDAP_URL=f"ldap://127.0.0.1:{free_port()}", LDAP_TIMEOUT=2)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.mimetype == "application/json"
    assert response.get_json() == {"status": "unavailable", "version": VERSION, "checks": {
        "database": "ok", "storage": "error: upload directory not writable",
        "directory": "error: directory unreachable"}}


def test_readyz_reaches_a_real_openldap(app, client, slapd_directory):
    from tests.conftest import openldap_config

    app.config.update(openldap_config(slapd_directory))
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["directory"] == "ok"


# --- metrics ----------------------------------------------------------------------------

def test_metrics_show_latency_per_endpoint_outbox_and_job_queue(app, client, db):
    from portal import mail
    from portal.models.export_job import ExportJob

    client.get("/healthz")
    client.get("/gibt-es-nicht")
    with app.app_context():
        mail.enqueue(db, key="m-1", kind="test", subject="s", body="b", email="a@example.org")
        mail.enqueue(db, key="m-2", kind="test", subject="s", body="b", email="b@example.org")
    db.add_all([ExportJob(kind="dossier_zip", state="queued"), ExportJob(kind="dossier_zip", state="running"),
                ExportJob(kind="dossier_zip", state="queued"), ExportJob(kind="dossier_zip", state="done")])
    db.commit()
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert re.search(r'portal_request_duration_seconds_count\{endpoint="ops.healthz",status="200"\} [1-9]', text)
    assert re.search(r'portal_request_duration_seconds_count\{endpoint="none",status="404"\} [1-9]', text)
    assert "portal_database_up 1.0" in text
    assert "portal_outbox_pending 2.0" in text
    assert 'portal_export_jobs{state="queued"} 2.0' in text and 'portal_export_jobs{state="running"} 1.0' in text


def test_metrics_only_for_allowed_addresses_or_the_token(app, client):
    outside = {"REMOTE_ADDR": "192.0.2.7"}
    refused = client.get("/metrics", environ_base=outside)
    assert refused.status_code == 403 and refused.get_data(as_text=True) == "Kein Zugriff auf die Messwerte.\n"
    app.config["METRICS_ALLOWED_IPS"] = ["192.0.2.0/24"]
    assert client.get("/metrics", environ_base=outside).status_code == 200
    app.config["METRICS_ALLOWED_IPS"] = []
    token = secrets.token_hex(16)
    app.config["METRICS_TOKEN"] = token
    assert client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer falsch"}).status_code == 403
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200
    app.config["METRICS_ENABLED"] = False
    assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 404


def test_metrics_in_multiprocess_mode_add_up_the_workers(tmp_path, database_url):
    """PROMETHEUS_MULTIPROC_DIR set (gunicorn with several workers): two processes, one sum."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from portal import create_app\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'k', 'DATABASE_URL': sys.argv[1], 'UPLOAD_DIR': sys.argv[2]})\n"
        "client = app.test_client()\n"
        "for _ in range(3): client.get('/healthz')\n"
        "if sys.argv[3] == 'scrape': print(client.get('/metrics').get_data(as_text=True))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prom")
    (tmp_path / "prom").mkdir()
    root = Path(__file__).resolve().parent.parent
    for mode in ("work", "scrape"):
        run = subprocess.run([sys.executable, "-c", script, database_url, str(tmp_path / "up"), mode],
                             capture_output=True, text=True, env=env, cwd=root, timeout=120)
        assert run.returncode == 0, run.stderr
    assert re.search(r'portal_request_duration_seconds_count\{endpoint="ops.healthz",status="200"\} 6.0', run.stdout)
    assert list((tmp_path / "prom").glob("histogram_*.db"))


# --- request id and logs --------------------------------------------------------------------

def test_request_id_is_taken_if_sane_and_shown_on_error_pages(client):
    own = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd-5678"})
    assert own.headers["X-Request-ID"] == "lb-1234abcd-5678"
    for bad in ("kurz", "mit leerzeichen 12345", "x" * 80, "<script>alert(1)</script>"):
        replaced = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{16}", replaced)
    page = client.get("/gibt-es-nicht")
    rid = page.headers["X-Request-ID"]
    assert page.status_code == 404 and f'Fehlernummer: <span class="request-id">{rid}</span>' in page.get_data(as_text=True)
    assert_security_headers(page)


def _failing_app(tmp_path: Path, database_url: str, **config) -> Flask:  # noqa: ANN003
    app = create_app({**BASE_CONFIG, "DATABASE_URL": database_url, "UPLOAD_DIR": str(tmp_path / "u"), **config})

    @public
    def kaputt():  # noqa: ANN202
        raise RuntimeError("interner Geheimtext")

    app.add_url_rule("/kaputt", "kaputt", kaputt)
    return app


def test_json_logs_carry_the_request_id(tmp_path, database_url, capsys):
    app = _failing_app(tmp_path, database_url, LOG_FORMAT="json")
    try:
        response = app.test_client().get("/kaputt", headers={"X-Request-ID": "trace-0815-abcd"})
    finally:
        app.extensions["portal.db"].dispose()
    assert response.status_code == 500 and "Fehlernummer: <span class=\"request-id\">trace-0815-abcd" in response.get_data(as_text=True)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    error = [entry for entry in lines if entry["level"] == "ERROR"]
    assert len(error) == 1
    assert error[0]["request_id"] == "trace-0815-abcd" and error[0]["path"] == "/kaputt"
    assert error[0]["message"] == "Unerwarteter Fehler bei GET /kaputt"
    assert "RuntimeError: interner Geheimtext" in error[0]["exception"]
    assert "interner Geheimtext" not in response.get_data(as_text=True)


# --- honest 500 pages ------------------------------------------------------------------------

@pytest.fixture
def honest_app(app: Flask) -> Flask:
    @public
    def after_commit():  # noqa: ANN202
        db = get_session()
        db.add(AuditEvent(action="test_saved", actor_name="test"))
        db.commit()
        raise RuntimeError("nach dem Speichern")

    @public
    def before_commit():  # noqa: ANN202
        assert current_user.is_authenticated in (True, False)  # loads the person (and touches the session)
        db = get_session()
        db.add(AuditEvent(action="test_unsaved", actor_name="test"))
        db.flush()
        raise RuntimeError("vor dem Speichern")

    for name, view in (("after_commit", after_commit), ("before_commit", before_commit)):
        csrf.exempt(view)
        app.add_url_rule(f"/{name}", name, view, methods=["GET", "POST"])
    return app


def test_500_says_input_was_lost_only_when_it_was(honest_app, db, login_as):
    client = honest_app.test_client()
    saved = client.post("/after_commit").get_data(as_text=True)
    assert "prüfen Sie bitte, ob es angekommen ist" in saved and "nicht gespeichert" not in saved
    lost = client.post("/before_commit").get_data(as_text=True)
    assert "Ihre Eingaben wurden nicht gespeichert." in lost
    reading = client.get("/before_commit").get_data(as_text=True)
    assert "nicht gespeichert" not in reading and "Etwas ist schiefgegangen." in reading
    login_as(test_client=client)
    signed_in = client.post("/before_commit").get_data(as_text=True)
    assert "Ihre Eingaben wurden nicht gespeichert." in signed_in
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("test_%"))).all()
    assert actions == ["test_saved"]


def test_an_error_while_rendering_the_error_page_still_gives_the_german_page(client, monkeypatch):
    def broken(*_args, **_kwargs):  # noqa: ANN002,ANN003,ANN202
        raise RuntimeError("Vorlage kaputt")

    monkeypatch.setattr(errors, "render_template", broken)
    response = client.get("/gibt-es-nicht")
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "<h1>Seite nicht gefunden</h1>" in body
    assert f"Fehlernummer: {response.headers['X-Request-ID']}" in body
    assert_security_headers(response)


def test_an_error_inside_the_error_handler_gives_the_german_page(tmp_path, database_url, monkeypatch):
    app = _failing_app(tmp_path, database_url)

    def broken(*_args, **_kwargs):  # noqa: ANN002,ANN003,ANN202
        raise RuntimeError("Fehlerseite kaputt")

    monkeypatch.setattr(errors, "render_error", broken)
    try:
        response = app.test_client().get("/kaputt")
    finally:
        app.extensions["portal.db"].dispose()
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "<h1>Ein Fehler ist aufgetreten</h1>" in body and "Fehlernummer:" in body
    assert_security_headers(response)


def test_the_safety_net_catches_what_escapes_flask():
    from werkzeug.test import Client

    inner = Flask("kaputt")

    def explode(environ, start_response):  # noqa: ANN001,ANN202
        raise RuntimeError("außerhalb von Flask")

    inner.wsgi_app = explode  # type: ignore[method-assign]
    errors.safety_net(inner)
    response = Client(inner).get("/")
    assert response.status_code == 500
    assert "<h1>Ein Fehler ist aufgetreten</h1>" in response.get_data(as_text=True)
    assert_security_headers(response)
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-ID"])


# --- the database is down -------------------------------------------------------------------

def test_error_pages_and_readyz_need_no_database(app, client, login_as):
    """SQLite: every statement fails as if the server were gone."""
    user = login_as("integrationsbuero")
    assert f"Angemeldet als <strong>{user.display_name}</strong>" in client.get("/").get_data(as_text=True)
    engine = app.extensions["portal.db"].engine

    def down(*_args):  # noqa: ANN002,ANN202
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    event.listen(engine, "before_cursor_execute", down)
    try:
        page = client.get("/")
        ready = client.get("/readyz")
        health = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", down)
    body = page.get_data(as_text=True)
    assert page.status_code == 503 and "<h1>Vorübergehend nicht erreichbar</h1>" in body and DOWN_TEXT in body
    assert page.headers["Retry-After"] == "30" and "Angemeldet als" not in body
    assert body.startswith("<!doctype html>") and ">Abmelden</button>" in body  # signing out is offered
    assert_security_headers(page)
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"] == "error: database unreachable"
    assert health.status_code == 200
    assert client.get("/").status_code == 200  # back at once


@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory):
    from tests.support.pgcluster import PostgresCluster, find_pg_bindir
    from tests.support.requirements import require_binary

    require_binary("PostgreSQL (initdb)", find_pg_bindir())
    with PostgresCluster(tmp_path_factory.mktemp("pg-outage")) as cluster:
        yield cluster


@pytest.mark.slow
def test_postgresql_stopped_then_started_the_portal_recovers_by_itself(own_postgres, tmp_path):
    from portal import migrate, reference
    from portal.auth.sessions import SESSION_KEY, _hash
    from portal.models.people import User, UserSession

    url = own_postgres.create_database("outage")
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url, "UPLOAD_DIR": str(tmp_path / "u")})
    try:
        with app.app_context():
            migrate.upgrade(app)
            db = get_session()
            reference.load_all(db)
            user = User(external_id="o-1", dn="uid=o,dc=test", username="oe", display_name="Olga Beispiel")
            db.add(user)
            db.flush()
            token = secrets.token_urlsafe(24)
            db.add(UserSession(token_hash=_hash(token), user_id=user.id))
            db.commit()
            user_id = user.id
        client = app.test_client()
        with client.session_transaction() as sess:
            sess[SESSION_KEY] = token
            sess["_user_id"] = str(user_id)
        assert "Angemeldet als <strong>Olga Beispiel</strong>" in client.get("/").get_data(as_text=True)
        assert client.get("/readyz").status_code == 200
        visitor = app.test_client()
        token_field = csrf_token_from(visitor.get("/auth/anmelden").get_data(as_text=True))

        own_postgres.stop_server()
        try:
            ready = client.get("/readyz")
            page = client.get("/")
            anonymous = visitor.post("/auth/anmelden", data={"csrf_token": token_field, "username": "anna.beispiel",
                                                             "password": "aktionsplan"})
        finally:
            own_postgres.start_server()
        assert ready.status_code == 503 and ready.mimetype == "application/json"
        assert ready.get_json()["status"] == "unavailable"
        assert ready.get_json()["checks"]["database"] == "error: database unreachable"
        body = page.get_data(as_text=True)
        assert page.status_code == 503 and DOWN_TEXT in body and "Fehlernummer:" in body
        assert '<span class="request-id">' in body and ">Abmelden</button>" in body  # the template, not the fallback
        assert "Angemeldet als" not in body and "Traceback" not in body
        assert_security_headers(page)
        assert anonymous.status_code == 503 and DOWN_TEXT in anonymous.get_data(as_text=True)
        assert '<span class="request-id">' in anonymous.get_data(as_text=True)
        assert_security_headers(anonymous)

        again = client.get("/")  # no restart of the app: the pool reconnects
        assert again.status_code == 200
        assert "Angemeldet als <strong>Olga Beispiel</strong>" in again.get_data(as_text=True)
        assert client.get("/readyz").get_json()["status"] == "ok"
    finally:
        app.extensions["portal.db"].dispose()
