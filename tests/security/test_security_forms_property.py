"""Property-based: generated values (Hypothesis) posted with a valid CSRF token to every
POST route as every kind of person. Never a 500; and when the portal refuses the
input (4xx, the form again with errors, or a redirect with an error message),
not a single row was written.

The fields come from the forms the pages actually show (read from the HTML of every
GET page, as a person with every role), so a new form is covered without a list."""
from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security import expectations as ex
from tests.security.expectations import EVERY_ROLE
from tests.support.forms import Field, post_forms
from tests.support.routes import collection_app, params, require, routes, url_for_route

_APP, _BROKEN = collection_app()
ROUTES = routes(_APP) if _APP else []
POST_ROUTES = [r for r in ROUTES if "POST" in r.methods]
EXAMPLES = 6

NASTY = [
    "", " ", "0", "-1", "1e309", "NaN", "99999999999999999999999", "31.02.2026", "2026-02-30", "00.00.0000",
    "=1+1", "@SUM(A1)", "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "\u202e", "../../etc/passwd",
    "Ä" * 300, "x" * 5000, "Amt 50", "amt 50", "  Amt 50  ", "\r\n", "🙂",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=60), st.dates().map(lambda d: d.strftime("%d.%m.%Y")))
upload = st.tuples(st.binary(max_size=300), st.sampled_from(["nachweis.pdf", "../../x.pdf", "a.svg", "b.html", "leer", "x.pdf\x00.exe"]))


def field_values(f: Field) -> st.SearchStrategy:
    if f.kind == "file":
        return upload
    if f.options and f.kind in ("select", "radio", "checkbox", "hidden"):
        return st.one_of(st.sampled_from(f.options), text)
    return text


def form_strategy(fields: dict[str, Field]) -> st.SearchStrategy:
    """Each known field: a value or left out; plus sometimes a field nobody expects."""
    parts = {name: st.one_of(st.none(), field_values(f)) for name, f in fields.items() if not name.endswith("csrf_token")}
    extra = st.dictionaries(st.sampled_from(["unbekannt", "id", "user_id", "org_unit_id", "state"]), text, max_size=2)
    return st.tuples(st.fixed_dictionaries(parts), extra)


_FORMS: dict[str, dict[str, Field]] = {}


def discovered_forms(app, db, person) -> dict[str, dict[str, Field]]:
    """endpoint → fields, from every GET page (object pages with an arranged object)."""
    if _FORMS:
        return _FORMS
    user = person(EVERY_ROLE)
    adapter = app.url_map.bind("localhost")
    for route in ROUTES:
        if not route.gets:
            continue
        values = ex.OBJECT_ROUTES[route.endpoint].arrange(db) if route.object_route else {}
        db.commit()
        path = url_for_route(app, route.endpoint, values)
        response = user.client.get(path)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        for form in post_forms(response.get_data(as_text=True), path):
            try:
                endpoint, _ = adapter.match(urlsplit(form.action).path, method="POST")
            except Exception:  # noqa: BLE001 - a form posting elsewhere is none of ours
                continue
            _FORMS.setdefault(endpoint, {}).update(form.fields)
    for page in ("/auth/anmelden",):
        for form in post_forms(person("anonym").client.get(page).get_data(as_text=True), page):
            _FORMS.setdefault(adapter.match(form.action, method="POST")[0], {}).update(form.fields)
    return _FORMS


def refused(response, client) -> bool:
    if response.status_code >= 400:
        return True
    body = response.get_data(as_text=True)
    if response.status_code == 200 and ('id="error-summary"' in body or 'class="field-error"' in body):
        return True
    if response.status_code in (302, 303):
        with client.session_transaction() as s:
            return any(category == "error" for category, _ in s.get("_flashes", []))
    return False


def test_every_form_is_found():
    """The discovery must see the forms of the foundation (and later every feature's)."""
    assert {r.endpoint for r in POST_ROUTES} >= {"auth.login", "auth.logout", "admin.org_unit_new", "admin.org_unit_edit"}


@pytest.mark.parametrize("route", params(POST_ROUTES, _BROKEN, lambda r: r.endpoint))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_generated_input_never_breaks_a_form_or_half_writes(route, data, app, db, person, row_counts):
    require(route, _BROKEN)
    forms = discovered_forms(app, db, person)
    if route.endpoint not in ("auth.logout", "auth.extend", "admin.org_unit_reactivate"):
        assert route.endpoint in forms, f"kein Formular zeigt auf {route.endpoint}"
    fields = forms.get(route.endpoint, {})
    values, extra = data.draw(form_strategy(fields), label="Formular")
    values = {k: v for k, v in values.items() if v is not None} | extra
    url_values = ex.OBJECT_ROUTES[route.endpoint].arrange(db) if route.object_route else {}
    db.commit()
    url = url_for_route(app, route.endpoint, url_values)
    allowed_writes = ex.writes_when_refused(route)
    for name in ex.PRINCIPALS:
        p = person(name)
        # every CSRF field of the form (prefixed forms have their own) gets a valid token
        payload = {name: p.csrf_token for name in fields if name.endswith("csrf_token")} | {"csrf_token": p.csrf_token}
        for key, value in values.items():
            payload[key] = (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
        before = row_counts()
        response = p.client.post(url, data=payload, content_type="multipart/form-data")
        assert response.status_code < 500, f"{url} als {name}: {response.status_code} mit {values!r}"
        if refused(response, p.client):
            after = row_counts()
            changed = {t for t in after if after[t] != before[t]} - allowed_writes
            assert not changed, f"{url} als {name} abgelehnt ({response.status_code}), aber geschrieben in {changed}: {values!r}"
        text = response.get_data(as_text=True)
        assert not re.search(r"Traceback|sqlalchemy\.|IntegrityError", text), f"{url} als {name}"
