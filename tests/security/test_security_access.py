"""Every route × every kind of person × every method: the answer the table expects.

The routes come from the URL map, the expectations from the views' access rules and
tests/security/expectations.py — a new route is covered the moment it exists, and a
new object route without an entry fails here with a message saying what to add."""
from __future__ import annotations

import pytest

from tests.security import expectations as ex
from tests.support.routes import collection_app, params, require, routes, url_for_route

_APP, _BROKEN = collection_app()
ROUTES = routes(_APP) if _APP else []
CASES = [(r, m) for r in ROUTES for m in r.methods]
GUESSED_ID = 987654


def _case_id(case) -> str:
    route, method = case
    return f"{method} {route.endpoint}"


def test_the_app_starts_and_every_route_has_an_access_rule():
    assert _BROKEN is None, _BROKEN
    assert ROUTES, "keine Routen gefunden"


def test_every_object_route_has_an_entry_in_the_table():
    assert _BROKEN is None, _BROKEN
    missing = [f"{r.endpoint} ({r.rule})" for r in ROUTES if r.arguments and r.endpoint not in ex.OBJECT_ROUTES]
    assert missing == [], (
        "Routen mit Argumenten ohne Eintrag in tests/security/expectations.py OBJECT_ROUTES: " + ", ".join(missing)
    )
    stale = sorted(set(ex.OBJECT_ROUTES) - {r.endpoint for r in ROUTES})
    assert stale == [], f"OBJECT_ROUTES nennt Routen, die es nicht gibt: {stale}"


def _request(person, method: str, url: str):
    data = {"csrf_token": person.csrf_token} if method != "GET" else None
    return person.client.open(url, method=method, data=data)


@pytest.mark.parametrize("case", params(CASES, _BROKEN, _case_id))
def test_route_answers_every_person_as_expected(case, app, db, person):
    require(case, _BROKEN)
    route, method = case
    want = ex.expected(route, method)  # fails with a clear message when the table lacks an entry
    fresh = route.arguments and ex.OBJECT_ROUTES[route.endpoint].fresh
    url = url_for_route(app, route.endpoint, ex.arrange(app, db, route))
    wrong = []
    for name in ex.PRINCIPALS:
        if fresh:
            url = url_for_route(app, route.endpoint, ex.arrange(app, db, route))
        response = _request(person(name), method, url)
        if not ex.matches(want[name], response.status_code):
            wrong.append(f"{name}: {response.status_code} statt {want[name]}")
        if response.status_code == 302 and name == "anonym" and method == "GET" and want[name] == 302:
            assert response.headers["Location"].startswith("/auth/anmelden?next="), url
        assert response.status_code < 500, f"{method} {url} als {name}: {response.status_code}"
    assert wrong == [], f"{method} {url} ({route.endpoint}): " + "; ".join(wrong)


OBJECT_CASES = [c for c in CASES if c[0].object_route]


@pytest.mark.parametrize("case", params(OBJECT_CASES, _BROKEN, _case_id))
def test_a_guessed_id_gives_404_to_everyone_who_would_get_through(case, app, db, person):
    require(case, _BROKEN)
    route, method = case
    ex.expected(route, method)  # the route is in the security table (raises otherwise)
    values = ex.arrange(app, db, route)
    guessed = {k: (GUESSED_ID if isinstance(v, int) else v) for k, v in values.items()}
    url = url_for_route(app, route.endpoint, guessed)
    # who the route's access rule stops keeps that answer; everyone past it gets 404
    # (the object is looked up before any check of the object itself)
    rule = ex.from_access_rule(route, method)
    wrong = []
    for name in ex.PRINCIPALS:
        expect = rule[name] if rule[name] in (302, 401, 403) else 404
        status = _request(person(name), method, url).status_code
        if status != expect:
            wrong.append(f"{name}: {status} statt {expect}")
    assert wrong == [], f"{method} {url}: " + "; ".join(wrong)


QUERY_CASES = sorted(ex.QUERY_ROUTES)


@pytest.mark.parametrize("endpoint", QUERY_CASES)
def test_the_oe_in_the_query_does_not_open_another_oe(endpoint, app, db, person):
    values_of, want = ex.QUERY_ROUTES[endpoint]
    with app.app_context():
        values = values_of(db)
    db.commit()
    url = url_for_route(app, endpoint, values)
    wrong = []
    for name in ex.PRINCIPALS:
        response = _request(person(name), "GET", url)
        if not ex.matches(want[name], response.status_code):
            wrong.append(f"{name}: {response.status_code} statt {want[name]}")
        elif name == "fremde_oe" and response.status_code == 200 and ex.OWN_OE in response.get_data(as_text=True):
            wrong.append(f"{name}: sieht {ex.OWN_OE}")
    assert wrong == [], f"GET {url}: " + "; ".join(wrong)
