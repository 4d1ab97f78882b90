"""CSRF on every POST route, security headers on every response, error pages without
internals, and no way out of the static/download folders through a path argument."""
from __future__ import annotations

import re

import pytest

from portal.errors import MESSAGES
from tests.security import expectations as ex
from tests.security.expectations import EVERY_ROLE
from tests.support.routes import collection_app, params, require, routes, url_for_route

_APP, _BROKEN = collection_app()
ROUTES = routes(_APP) if _APP else []
POST_ROUTES = [r for r in ROUTES if "POST" in r.methods]
GET_ROUTES = [r for r in ROUTES if r.gets]
CSRF_TEXT = "Sicherheitsmerkmal fehlt oder ist abgelaufen"


def _url(app, db, route, values=None):
    if values is None:
        values = ex.arrange(app, db, route)
    return url_for_route(app, route.endpoint, values)


# --- CSRF ------------------------------------------------------------------------

@pytest.mark.parametrize("route", params(POST_ROUTES, _BROKEN, lambda r: r.endpoint))
def test_post_without_a_valid_csrf_token_is_refused_and_writes_nothing(route, app, db, person, row_counts):
    require(route, _BROKEN)
    url = _url(app, db, route)
    who = "anonym" if route.access and route.access[0] == "public" else EVERY_ROLE
    p = person(who)
    other = person(who)  # a token of another session must not work either
    for label, data in (
        ("ohne Marke", {}),
        ("falsche Marke", {"csrf_token": "IjAwMDAi.Z2ZnZg.abcdefghijklmnopqrstuvwxyz0"}),
        ("Marke einer anderen Sitzung", {"csrf_token": other.csrf_token}),
    ):
        before = row_counts()
        response = p.client.post(url, data=data)
        assert response.status_code == 400, f"{url} {label}: {response.status_code}"
        assert CSRF_TEXT in response.get_data(as_text=True), f"{url} {label}"
        assert row_counts() == before, f"{url} {label}: Daten geändert"
    # the same request with the token gets through the CSRF check (it may still be a bad request)
    assert CSRF_TEXT not in p.client.post(url, data={"csrf_token": p.csrf_token}).get_data(as_text=True), url


# --- security headers ------------------------------------------------------------------

def assert_security_headers(response, what: str) -> None:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    for part in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert part in csp, f"{what}: CSP ohne {part!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert h.get("X-Content-Type-Options") == "nosniff", what
    assert h.get("X-Frame-Options") == "DENY", what
    assert h.get("Referrer-Policy") == "same-origin", what
    assert "camera=()" in h.get("Permissions-Policy", ""), what
    assert h.get("Cross-Origin-Opener-Policy") == "same-origin", what
    if not what.startswith("GET /static/"):
        assert h.get("Cache-Control") == "no-store", f"{what}: Cache-Control {h.get('Cache-Control')}"


def test_security_headers_on_every_get_route_for_every_person(app, db, person):
    checked = 0
    for route in GET_ROUTES:
        url = _url(app, db, route)
        for who in (*ex.PRINCIPALS, EVERY_ROLE):
            response = person(who).client.get(url)
            assert_security_headers(response, f"GET {url} als {who} ({response.status_code})")
            checked += 1
    assert checked >= len(GET_ROUTES) * len(ex.PRINCIPALS)


def test_security_headers_on_errors_redirects_and_static_files(app, person):
    anon = person("anonym")
    for method, url in (("GET", "/gibt-es-nicht"), ("POST", "/"), ("POST", "/auth/abmelden"),
                        ("GET", "/static/css/portal.css"), ("GET", "/static/fehlt.css"), ("GET", "/admin/")):
        response = anon.client.open(url, method=method)
        assert_security_headers(response, f"{method} {url} ({response.status_code})")


def test_https_requests_get_strict_transport_security(client):
    response = client.get("/auth/anmelden", base_url="https://portal.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/auth/anmelden").headers


def test_session_cookie_is_httponly_and_samesite(app, client):
    client.get("/auth/anmelden")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    from portal import config

    assert config.SETTINGS["SESSION_COOKIE_SECURE"].default is True  # production default: only over HTTPS


# --- error pages --------------------------------------------------------------------

INTERNALS = re.compile(
    r"Traceback|File \"|line \d+|sqlalchemy|werkzeug|jinja2|/srv/portal/|site-packages|portal/\w+\.py|"
    r"SELECT |Exception|Error:|interner Geheimtext|debugger",
    re.IGNORECASE,
)


def test_error_pages_are_german_and_show_no_internals(app, person):
    @app.route("/kaputt-fuer-test")
    def broken():  # noqa: ANN202 - a deliberately broken view
        raise RuntimeError("interner Geheimtext aus /srv/portal/secret.py SELECT * FROM users")

    broken._portal_access = ("signed_in",)
    anon, user = person("anonym"), person("beschaeftigte")
    cases = [
        (anon.client.get("/gibt-es-nicht"), 404),
        (anon.client.post("/auth/anmelden"), 400),  # no CSRF token
        (anon.client.put("/auth/anmelden"), 405),
        (anon.client.post("/auth/anmelden", data={"x": "y" * (3 * 1024 * 1024)}), 413),
        (user.client.get("/admin/"), 403),
        (user.client.get("/kaputt-fuer-test"), 500),
    ]
    assert not app.debug
    for response, status in cases:
        assert response.status_code == status
        text = response.get_data(as_text=True)
        title = MESSAGES[status][0]
        assert f"<h1>{title}</h1>" in text, status
        assert f"Fehlercode: {status}" in text
        assert '<html lang="de">' in text
        found = INTERNALS.search(text)
        assert found is None, f"{status}: verrät {found.group(0)!r}"
        assert app.config["SECRET_KEY"] not in text


# --- path traversal -------------------------------------------------------------------

TRAVERSAL = [
    "../../portal/__init__.py",
    "../__init__.py",
    "..%2f..%2f__init__.py",
    "%2e%2e/%2e%2e/__init__.py",
    "%2e%2e%2f%2e%2e%2f__init__.py",
    "%252e%252e%252f__init__.py",
    "..%c0%af..%c0%af__init__.py",
    "..\\..\\__init__.py",
    "..%5c..%5c__init__.py",
    "....//....//__init__.py",
    "css/../../__init__.py",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "../../../../../../../../etc/passwd",
    "css/portal.css%00.png",
    "css/%00../../__init__.py",
    "~/.bashrc",
    "file:///etc/passwd",
]
SECRET_CONTENT = re.compile(r"def create_app|root:x:0:0|import ")


def _with_path(rule: str, arg: str, payload: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?" + re.escape(arg) + r">", payload, rule)


def test_static_files_cannot_leave_the_static_folder(person):
    anon = person("anonym")
    for payload in TRAVERSAL:
        response = anon.client.get("/static/" + payload, follow_redirects=True)
        assert response.status_code in (400, 404), f"/static/{payload}: {response.status_code}"
        assert response.request.path.startswith("/static/"), payload
        assert not SECRET_CONTENT.search(response.get_data(as_text=True)), payload


PATH_ROUTES = [r for r in ROUTES if r.path_arguments]
# Routes with a <path:…> argument or an argument named like a file, besides /static (tested above).
# Downloads are addressed by ids, so there are none; a new one must be added here and is then traversed.
KNOWN_PATH_ROUTES: list[str] = []


def test_routes_with_a_path_or_file_name_stay_inside_their_folder(app, db, person):
    """Every route with a path or file-name argument is known and keeps inside its folder."""
    assert sorted(r.rule for r in PATH_ROUTES) == KNOWN_PATH_ROUTES, (
        "Neue Route mit Pfad- oder Dateinamen-Argument: in KNOWN_PATH_ROUTES aufnehmen, sie wird dann geprüft")
    assert len(ROUTES) > 50  # the crawl found the portal's routes (an empty crawl would prove nothing)
    user = person(EVERY_ROLE)
    for route in PATH_ROUTES:
        _traverse(route, app, db, user)


def _traverse(route, app, db, user) -> None:
    values = ex.arrange(app, db, route)
    for arg in route.path_arguments:
        for payload in TRAVERSAL:
            url = route.rule
            for name, value in values.items():
                url = _with_path(url, name, str(value))
            url = _with_path(url, arg, payload)
            response = user.client.get(url, follow_redirects=True)
            assert response.status_code in (400, 403, 404), f"{url}: {response.status_code}"
            assert not SECRET_CONTENT.search(response.get_data(as_text=True)), url


def test_path_arguments_are_recognised():
    from werkzeug.routing import Map, Rule

    from tests.support.routes import _route

    probe = type("App", (), {"view_functions": {}})()
    rules = Map([Rule("/d/<path:p>", endpoint="a"), Rule("/n/<int:id>/<filename>", endpoint="b"), Rule("/x/<int:id>", endpoint="c")])
    found = {r.endpoint: _route(probe, r).path_arguments for r in rules.iter_rules()}
    assert found == {"a": ("p",), "b": ("filename",), "c": ()}


# --- NUL bytes ----------------------------------------------------------------------

def test_nul_bytes_in_any_input_are_refused_on_every_backend(any_backend_app, row_counts_any):
    """PostgreSQL cannot store NUL; without this a form with one answered 500."""
    app = any_backend_app
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/auth/anmelden").get_data(as_text=True)).group(1)
    from portal.auth.services import MSG_FAILED
    from portal.security import NUL_MESSAGE

    before = row_counts_any(app)
    for response in (
        client.get("/admin/protokoll?action=%00"),
        client.get("/trainings/?x=%00"),
    ):
        assert response.status_code == 400
        assert NUL_MESSAGE in response.get_data(as_text=True)
    assert row_counts_any(app) == before
    # the sign-in form answers every unusable input with its one generic message (issue:
    # "each gives one generic German message"); a failed attempt is counted, nothing else
    for data in ({"username": "anna\x00", "password": "x"}, {"username": "anna", "password": "x", "next": "/\x00"}):
        response = client.post("/auth/anmelden", data={"csrf_token": token, **data})
        assert response.status_code == 401 and MSG_FAILED in response.get_data(as_text=True)
        assert "Location" not in response.headers
    page = client.get("/auth/anmelden?next=%00")
    assert page.status_code == 200 and 'name="next" type="hidden" value=""' in page.get_data(as_text=True)


def test_nul_bytes_in_an_admin_form_are_refused_not_stored(any_backend_app, row_counts_any):
    from portal.auth.sessions import SESSION_KEY, _hash
    from portal.models.org import OrgUnit
    from portal.models.people import User, UserRole, UserSession

    app = any_backend_app
    db = app.extensions["portal.db"].new_session()
    user = User(external_id="nul-admin", dn="uid=nul", username="nul-admin", display_name="Admin")
    user.role_grants.append(UserRole(role="admin", scope=""))
    unit = OrgUnit(code="Amt NUL", name="Test", kind="Amt")
    db.add_all([user, unit])
    db.flush()
    db.add(UserSession(token_hash=_hash("nul-token"), user_id=user.id))
    db.commit()
    client = app.test_client()
    with client.session_transaction() as s:
        s[SESSION_KEY] = "nul-token"
        s["_user_id"] = str(user.id)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    before = row_counts_any(app)
    response = client.post(f"/admin/oe/{unit.id}", data={"csrf_token": token, "code": "Amt NUL", "kind": "Amt", "note": "\x00"})
    assert response.status_code == 400
    assert row_counts_any(app) == before
    db.expire_all()
    assert db.get(OrgUnit, unit.id).note is None
    db.close()
