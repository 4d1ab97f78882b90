"""Sign-in through the demo directory (LDAP_URL=demo) in the test client: a new session
after sign-in, and no open redirect through `next`."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.auth.sessions import SESSION_KEY, _hash
from portal.models.people import UserSession

PASSWORD = "aktionsplan"  # portal/data/demo/directory.json
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def token_of(client, path="/auth/anmelden") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, username="anna.beispiel", password=PASSWORD, next_url=""):
    return client.post(
        "/auth/anmelden",
        data={"csrf_token": token_of(client), "username": username, "password": password, "next": next_url},
    )


def cookie(app, client) -> str | None:
    c = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return c.value if c else None


def session_id(client) -> str | None:
    with client.session_transaction() as s:
        return s.get(SESSION_KEY)


def test_sign_in_issues_a_new_session_and_old_cookies_are_useless(app, db):
    victim = app.test_client()
    victim.get("/auth/anmelden")
    before = cookie(app, victim)
    # an attacker plants a session id of their choice before the victim signs in
    with victim.session_transaction() as s:
        s[SESSION_KEY] = "vom-angreifer-gesetzt"
    planted = cookie(app, victim)
    assert sign_in(victim).status_code == 302
    after = cookie(app, victim)
    sid = session_id(victim)
    assert after not in (before, planted)
    assert sid and sid != "vom-angreifer-gesetzt" and len(sid) >= 40
    assert db.scalar(select(func.count()).select_from(UserSession).where(UserSession.token_hash == _hash(sid))) == 1
    assert victim.get("/").status_code == 200

    for old in (before, planted):  # the cookies from before sign-in stay anonymous
        attacker = app.test_client()
        attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], old)
        response = attacker.get("/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/anmelden")

    # a second sign-in of the same person gets yet another session id
    other = app.test_client()
    sign_in(other)
    assert session_id(other) != sid

    # after sign-out, a copy of the signed-in cookie is useless and its record is gone
    stolen = app.test_client()
    stolen.set_cookie(app.config["SESSION_COOKIE_NAME"], after)
    assert stolen.get("/").status_code == 200
    assert victim.post("/auth/abmelden", data={"csrf_token": token_of(victim, "/")}).status_code == 302
    assert stolen.get("/").status_code == 302
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(UserSession).where(UserSession.token_hash == _hash(sid))) == 0


def test_wrong_password_gives_the_german_message_and_no_session(app):
    client = app.test_client()
    response = sign_in(client, password="falsch")
    assert response.status_code == 401
    assert "Die Anmeldung hat nicht geklappt. Bitte prüfen Sie Benutzername und Passwort." in response.get_data(as_text=True)
    assert session_id(client) is None


BAD_NEXT = [
    "//evil.example", "///evil.example", "////evil.example/", "//evil.example/%2f..",
    "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\\/evil.example", "/ /\\evil.example",
    "https://evil.example", "http://evil.example/", "HTTPS://evil.example", "https:evil.example",
    "https:/evil.example", "ftp://evil.example", "//evil.example:443@portal", "http://portal@evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "javascript://%0aalert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "%2F%2Fevil.example", "%2f%2fevil.example", "%5C%5Cevil.example", "%68ttps://evil.example",
    "evil.example", "@evil.example", ".evil.example", "../evil.example",
    " //evil.example", "\t//evil.example", "\n//evil.example", "/\t/evil.example", "/\r\n/evil.example",
    "/%0d%0aSet-Cookie:%20x=1\r\nX: y", "/\x00//evil.example", "\x00/evil",
    "\uff0f\uff0fevil.example", "\u2215\u2215evil.example", "\u3002evil.example",
    "\u202e//evil.example", "\u00a0//evil.example", "\ufeff//evil.example",
    "/" + "a" * 2100,
]


@pytest.mark.parametrize("bad", BAD_NEXT, ids=[repr(b)[:40] for b in BAD_NEXT])
def test_no_open_redirect_after_sign_in(app, bad):
    client = app.test_client()
    page = client.get("/auth/anmelden", query_string={"next": bad})
    response = sign_in(client, next_url=bad)
    assert 'name="next" type="hidden" value=""' in page.get_data(as_text=True)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_inside_the_portal_is_kept(app):
    client = app.test_client()
    response = sign_in(client, next_url="/barrierefreiheit?teil=kontakt")
    assert response.headers["Location"] == "/barrierefreiheit?teil=kontakt"


def test_no_open_redirect_when_extending_the_session(app):
    client = app.test_client()
    sign_in(client)
    for bad in BAD_NEXT:
        response = client.post("/auth/sitzung/verlaengern", data={"csrf_token": token_of(client, "/"), "next": bad})
        if "\x00" in bad:  # the portal refuses any form with a NUL character before the view runs
            assert response.status_code == 400 and "Location" not in response.headers, repr(bad)
            continue
        assert response.status_code == 302 and response.headers["Location"] == "/", repr(bad)


def test_anonymous_redirect_to_sign_in_keeps_only_the_own_path(app):
    client = app.test_client()
    response = client.get("/admin/oe?x=1")
    assert response.headers["Location"] == "/auth/anmelden?next=/admin/oe?x%3D1"


def test_extending_the_session_answers_json_for_the_warning_script(app, db):
    client = app.test_client()
    sign_in(client)
    sid = session_id(client)
    record = db.scalar(select(UserSession).where(UserSession.token_hash == _hash(sid)))
    from datetime import timedelta

    from portal.db import utcnow

    record.last_seen_at = utcnow() - timedelta(minutes=50)
    db.commit()
    response = client.post("/auth/sitzung/verlaengern", data={"csrf_token": token_of(client, "/")},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.is_json
    db.expire_all()
    seen = db.get(UserSession, record.id).last_seen_at
    expires = response.get_json()["expires_at"]
    assert seen.replace(tzinfo=seen.tzinfo or UTC) > utcnow() - timedelta(seconds=30)
    assert datetime.fromisoformat(expires) > utcnow() + timedelta(minutes=59)
