"""Generated values posted to every form of the portal: never a 500, and a refused
form writes nothing.

The POST routes come from the URL map (so a new form is fuzzed the moment it exists),
the field names from the form on the route's page, the objects from the security
table (tests/security/expectations.py). The person holds every role in the own OE."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security import expectations as ex
from tests.security.conftest import EVERY_ROLE
from tests.support.routes import collection_app, routes, url_for_route

_APP, _BROKEN = collection_app()
POST_ROUTES = [r for r in (routes(_APP) if _APP else []) if "POST" in r.methods and r.endpoint != "auth.login"]
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
# names posted to forms that have no page of their own (decisions, reviews, confirmations)
COMMON_NAMES = ["aktion", "decision", "comment", "fassung", "stand", "bearbeitungsstand", "light", "next"]

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "1e309", "NaN", "31.02.2026", "2026-13-01",
                     "01.01.0001", "=1+1", "../../etc/passwd", "<script>x</script>", "y", "on", "annehmen",
                     "zurueckgeben", "einreichen", "entwurf", "gruen", "rot", "ab 2023", "alle Ämter und Eigenbetriebe"]),
    st.integers(-(2**63), 2**63).map(str),
)


def _field_names(client, route, url: str) -> list[str]:
    names: set[str] = set()
    if route.gets:
        page = client.get(url)
        assert page.status_code == 200, f"GET {url}: {page.status_code}"
        names = set(NAME.findall(page.get_data(as_text=True))) - {"csrf_token"}
        assert names, f"GET {url}: keine Formularfelder gefunden"
    return sorted(names | set(COMMON_NAMES))


@pytest.mark.parametrize("route", POST_ROUTES, ids=[r.endpoint for r in POST_ROUTES])
def test_generated_form_values_never_give_a_500(route, app, db, person, row_counts):
    url = url_for_route(app, route.endpoint, ex.arrange(app, db, route))
    user = person(EVERY_ROLE)
    names = _field_names(user.client, route, url)

    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(values=st.dictionaries(st.sampled_from(names), st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=len(names)))
    def post(values):
        before = row_counts()
        response = user.client.post(url, data={**values, "csrf_token": user.csrf_token})
        assert response.status_code < 500, f"POST {url} {values!r}: {response.status_code}"
        if response.status_code in (400, 401, 403, 404, 413):  # refused: nothing stored
            changed = {t for t, n in row_counts().items() if before.get(t) != n} - {"audit_events"}
            assert not changed, f"POST {url} {values!r}: {response.status_code}, geändert: {changed}"

    post()
