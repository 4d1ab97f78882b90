"""The app shell: access rules on every route, headers, error pages, sessions, CSRF."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.auth.access import access_rule
from portal.models.audit import AuditEvent
from portal.models.people import UserSession

PUBLIC_ENDPOINTS = {"auth.login", "auth.health", "start.accessibility", "static", "ops.healthz", "ops.readyz",
                    "ops.metrics"}


def test_every_route_has_an_access_rule(app):
    """A new route without @public/@signed_in/@roles_required fails here (and at start)."""
    missing = [r.endpoint for r in app.url_map.iter_rules()
               if r.endpoint != "static" and access_rule(app.view_functions[r.endpoint]) is None]
    assert missing == []
    public = {r.endpoint for r in app.url_map.iter_rules()
              if r.endpoint == "static" or access_rule(app.view_functions[r.endpoint])[0] == "public"}
    assert public == PUBLIC_ENDPOINTS


def test_app_refuses_to_start_with_an_unguarded_route(database_url, tmp_path):
    from portal import create_app, security

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True, "UPLOAD_DIR": str(tmp_path)})
    app.add_url_rule("/offen", "offen", lambda: "geheim")
    with pytest.raises(RuntimeError, match="offen"):
        security.check_every_view_has_a_rule(app)
    app.extensions["portal.db"].dispose()


def test_anonymous_get_redirects_to_sign_in_with_next(client, app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods or rule.arguments:
            continue
        response = client.get(rule.rule)
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/auth/anmelden?next="), rule.rule


def test_anonymous_post_is_refused(client, app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or "POST" not in rule.methods:
            continue
        path = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        response = client.post(path)
        assert response.status_code in (400, 401), path  # no CSRF token, no session


def test_security_headers_on_every_kind_of_response(client, login_as):
    for path in ("/auth/anmelden", "/gibt-es-nicht", "/static/css/portal.css"):
        h = client.get(path).headers
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert "script-src 'self'" in h["Content-Security-Policy"]
        assert "unsafe-inline" not in h["Content-Security-Policy"]
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
    login_as()
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"


def test_error_pages_are_german_and_show_no_internals(client, login_as, app):
    @app.route("/kaputt")
    def kaputt():  # noqa: ANN202 - a deliberately broken view
        raise ValueError("interner Geheimtext")

    kaputt._portal_access = ("signed_in",)
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Seite nicht gefunden" in text and "Traceback" not in text and "werkzeug" not in text.lower()
    login_as()
    response = client.get("/kaputt")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Ein Fehler ist aufgetreten" in text
    assert "interner Geheimtext" not in text and "ValueError" not in text


def test_role_pages_answer_403_for_other_roles(client, login_as):
    login_as()  # beschaeftigte only
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "Kein Zugriff" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused_in_german(client, login_as, db):
    login_as("admin")
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    response = client.post("/admin/oe/neu", data={"code": "Amt 99", "kind": "Amt"})
    assert response.status_code == 400
    assert "Sicherheitsmerkmal" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_sign_out_invalidates_a_copied_cookie(app, client, login_as, csrf, db):
    login_as()
    assert client.get("/").status_code == 200
    copy = app.test_client()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
    assert copy.get("/").status_code == 200  # the copy works while the session lives
    token = csrf("/")
    response = client.post("/auth/abmelden", data={"csrf_token": token})
    assert response.status_code == 302
    assert copy.get("/").status_code == 302  # …and not after sign-out
    assert db.scalar(select(func.count()).select_from(UserSession)) == 0


def test_idle_and_absolute_timeouts_end_the_session(app, client, login_as, db):
    from datetime import timedelta

    from portal.db import utcnow

    login_as()
    record = db.scalar(select(UserSession))
    record.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.commit()
    assert client.get("/").status_code == 302
    login_as()
    record = db.scalar(select(UserSession).order_by(UserSession.id.desc()))
    record.created_at = utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1)
    db.commit()
    assert client.get("/").status_code == 302


def test_extend_session_keeps_it_alive(app, client, login_as, csrf, db):
    from datetime import timedelta

    from portal.db import utcnow

    login_as()
    record = db.scalar(select(UserSession))
    record.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 2)
    db.commit()
    token = csrf("/")
    response = client.post("/auth/sitzung/verlaengern", data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["expires_at"]
    db.refresh(record)
    assert utcnow() - record.last_seen_at.replace(tzinfo=record.last_seen_at.tzinfo or __import__("datetime").UTC) < timedelta(minutes=1)


def test_session_cookie_flags(database_url, tmp_path):
    from portal import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True, "UPLOAD_DIR": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["WTF_CSRF_TIME_LIMIT"] == app.config["SESSION_MAX_HOURS"] * 3600
    assert app.config["MAX_CONTENT_LENGTH"] is not None
    app.extensions["portal.db"].dispose()


def test_unknown_oe_sees_a_clear_note(client, login_as):
    login_as(oe=None)
    text = client.get("/").get_data(as_text=True)
    assert "Ihre Organisationseinheit ist unbekannt" in text


def test_health_check_is_public(client):
    response = client.get("/auth/gesundheit")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_field_macros_write_no_empty_aria_attributes(client, login_as):
    """aria-* without a value must be left out, never written as "None"."""
    page = client.get("/auth/anmelden").get_data(as_text=True)
    assert '"None"' not in page and 'aria-required="true"' in page
    login_as("admin")
    page = client.get("/admin/oe/neu").get_data(as_text=True)
    assert '"None"' not in page and "aria-invalid" not in page
