"""Fixtures of the security suite: one signed-in test client per kind of person."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import Base
from portal.models.people import ROLES
from tests.security.expectations import EVERY_ROLE, OWN_OE, PERSONNEL_NUMBERS, PRINCIPALS

_EVERY_ROLE_SPEC = (tuple(r if r != "ag_leitung" else "ag_leitung:AG1" for r in ROLES if r != "beschaeftigte"), OWN_OE)

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Person:
    name: str
    client: FlaskClient
    csrf_token: str


@pytest.fixture
def person(app: Flask, login_as: Callable, make_user: Callable) -> Callable[[str], Person]:
    """person("admin") → a fresh client signed in as that kind of person (see PRINCIPALS),
    with a CSRF token of its session. The same user record is reused within a test.
    person(EVERY_ROLE) holds every role."""
    users: dict[str, object] = {}

    def _person(name: str) -> Person:
        spec = _EVERY_ROLE_SPEC if name == EVERY_ROLE else PRINCIPALS[name]
        client = app.test_client()
        if spec is None:
            page = client.get("/auth/anmelden")
        else:
            roles, oe = spec
            if name not in users:
                users[name] = make_user(username=f"sicherheit-{name}", roles=roles, oe=oe,
                                        personnel_number=PERSONNEL_NUMBERS.get(name, f"SICH-{name}"))
            login_as(user=users[name], test_client=client)
            page = client.get("/barrierefreiheit")
        match = _TOKEN.search(page.get_data(as_text=True))
        assert match, f"keine CSRF-Marke für {name}"
        return Person(name, client, match.group(1) or match.group(2))

    return _person


@pytest.fixture
def row_counts(db: Session) -> Callable[[], dict[str, int]]:
    """Rows per table, to prove that a refused request wrote nothing."""

    def _count() -> dict[str, int]:
        db.expire_all()
        return {t.name: db.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}

    return _count


@pytest.fixture
def row_counts_any() -> Callable[[Flask], dict[str, int]]:
    """Rows per table of any app (for tests on any_backend_app)."""

    def _count(app: Flask) -> dict[str, int]:
        session = app.extensions["portal.db"].new_session()
        try:
            return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
        finally:
            session.close()

    return _count
