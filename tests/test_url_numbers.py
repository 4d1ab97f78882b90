"""Huge numbers in paths and query strings answer 404 or a German 400, never a 500 (on SQLite an
integer beyond 64 bits raised OverflowError)."""
from __future__ import annotations

import re

import pytest

from tests.support.routes import routes

HUGE = "99999999999999999999"
ROLES = ("admin", "integrationsbuero", "personalamt", "fortbildungsbeauftragte", "oe_verantwortliche",
         "ag_leitung:AG1")
QUERY = f"?seite={HUGE}&oe={HUGE}&zeitraum={HUGE}&fassung={HUGE}&jahr={HUGE}"


def _path(rule: str, value: str) -> str:
    path = re.sub(r"<int(?:\([^)]*\))?:[a-z_]+>", value, rule)
    return re.sub(r"<(?:string:|path:)?([a-z_]+)>", lambda m: "pdf" if m.group(1) == "fmt" else "x", path)


@pytest.fixture
def everyone(login_as, client):
    login_as(*ROLES, oe="Amt 50")
    return client


def test_huge_ids_in_every_path_are_not_found(app, everyone):
    checked = 0
    for route in routes(app):
        if not route.object_route:
            continue
        for method in route.methods:
            response = everyone.open(_path(route.rule, HUGE), method=method)
            assert response.status_code == 404, (method, route.rule, response.status_code)
            assert "Seite nicht gefunden" in response.get_data(as_text=True)
            checked += 1
    assert checked > 40


def test_huge_numbers_in_query_strings_are_a_german_400(app, everyone):
    checked = 0
    for route in routes(app):
        if not route.gets or route.access == ("public",):
            continue
        path = _path(route.rule, "1")
        response = everyone.get(path + QUERY)
        assert response.status_code < 500, (route.rule, response.status_code)
        if response.status_code == 400:
            assert "im Link ist zu groß" in response.get_data(as_text=True)
            checked += 1
    assert checked > 30


@pytest.mark.parametrize("url", ["/trainings/pruefung", "/trainings/liste", "/admin/protokoll", "/measures/pruefung",
                                 "/gremien/", "/review/"])
def test_each_page_parameter(app, everyone, url):
    for name in ("seite", "oe", "zeitraum"):
        response = everyone.get(f"{url}?{name}={HUGE}")
        assert response.status_code == 400, (url, name)
        assert f"Die Zahl „{name}“ im Link ist zu groß." in response.get_data(as_text=True)
        assert "Content-Security-Policy" in response.headers
    assert everyone.get(f"{url}?seite=2").status_code == 200
