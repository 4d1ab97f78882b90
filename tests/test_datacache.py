"""Kept start-page figures (portal/datacache.py): never stale after a write by another app instance."""
from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
import re
import secrets
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from portal import create_app
from portal.auth.sessions import SESSION_KEY, _hash
from portal.datacache import FigureCache
from portal.db import get_session, utcnow
from portal.models.data_version import DataVersion
from portal.models.org import OrgUnit
from portal.models.people import User, UserRole, UserSession
from portal.models.training import Person, RosterEntry, Training
from tests.conftest import BASE_CONFIG, csrf_token_from
from tests.test_notifications_exactly_once import fresh_database

PDF = b"%PDF-1.4\n" + b"% Teilnahmebescheinigung " * 200 + b"\n%%EOF\n"
WAITING = re.compile(r'<a href="/review/\?art=training">Schulungsnachweise</a></th><td class="num">(\d+)</td>')
STAFF_ROW = re.compile(r'<tr><th scope="row">Beschäftigte</th><td class="num">(\d+)</td><td class="num">(\d+)</td>'
                       r'<td class="num">(\d+)</td><td class="num">(\d+)</td></tr>')


def _instance(url: str, tmp_path) -> Flask:
    return create_app({**BASE_CONFIG, "DATABASE_URL": url, "UPLOAD_DIR": str(tmp_path / "uploads")})


@contextmanager
def _instances(request, tmp_path, backend: str, count: int) -> Iterator[tuple[Flask, ...]]:  # noqa: ANN001
    """`count` app instances (servers) on one fresh database."""
    url = fresh_database(request, backend, tmp_path)
    servers = tuple(_instance(url, tmp_path) for _ in range(count))
    try:
        yield servers
    finally:
        for app in servers:
            app.extensions["portal.db"].dispose()


def _two_instances(request, tmp_path, backend: str):  # noqa: ANN001, ANN202
    """Two app instances (two servers) on one fresh database."""
    return _instances(request, tmp_path, backend, 2)


def _signed_in(app: Flask, user_id: int) -> FlaskClient:
    token = secrets.token_urlsafe(24)
    with app.app_context():
        db = get_session()
        db.add(UserSession(token_hash=_hash(token), user_id=user_id))
        db.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess[SESSION_KEY] = token
        sess["_user_id"] = str(user_id)
        sess["_fresh"] = True
    return client


def _arrange(app: Flask) -> tuple[int, int, int]:
    """Amt 50 with one employee (one certificate waiting), the office and the OE's training officer."""
    with app.app_context():
        db = get_session()
        unit = OrgUnit(code="Amt 50", name="Amt 50", kind="Amt")
        person = Person(personnel_number="P-1", last_name="Muster", first_name="Erika", org_unit=unit)
        db.add_all([unit, person, RosterEntry(person=person, org_unit=unit, target_group="buergerkontakt",
                                              begins_on=date(2024, 1, 1))])
        db.flush()
        db.add(Training(person_id=person.id, title="Schon da", provider="Anbieter", completed_on=date(2025, 3, 1),
                        hours=Decimal(8), c_interkulturell=True, format="praesenz", internal=True, source="import",
                        state="submitted"))
        users = []
        for name, role, number in (("buero", "integrationsbuero", None), ("fobi", "fortbildungsbeauftragte", None),
                                   ("erika", "beschaeftigte", "P-1")):
            user = User(external_id=name, dn=f"uid={name}", username=name, display_name=name.title(),
                        personnel_number=number, org_unit=unit)
            user.role_grants.append(UserRole(role=role, scope=""))
            db.add(user)
            users.append(user)
        db.commit()
        return users[0].id, users[1].id, users[2].id


def _statements(app: Flask) -> list[str]:
    seen: list[str] = []
    event.listen(app.extensions["portal.db"].engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement))
    return seen


def _numbers(pattern: re.Pattern, html: str) -> tuple[int, ...]:
    match = pattern.search(html)
    assert match, html[html.find("<main"):]
    return tuple(int(n) for n in match.groups())


def _waiting(client: FlaskClient) -> int:
    return _numbers(WAITING, client.get("/").get_data(as_text=True))[0]


def _mandate(client: FlaskClient) -> tuple[int, ...]:
    """(persons, fulfilled, not fulfilled, with a certificate in review) of the OE's staff row."""
    return _numbers(STAFF_ROW, client.get("/").get_data(as_text=True))


def _upload(employee: FlaskClient) -> None:
    """The employee hands in a certificate (a write through the pages)."""
    form = employee.get("/trainings/nachweis/neu").get_data(as_text=True)
    answer = employee.post("/trainings/nachweis/neu", data={
        "csrf_token": csrf_token_from(form), "title": "Interkulturelle Kompetenz", "provider": "Volkshochschule",
        "completed_on": "14.03.2025", "hours": "8", "contents": ["interkulturell"], "format": "praesenz",
        "internal": "extern", "file": (io.BytesIO(PDF), "nachweis.pdf")}, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_write_through_one_instance_is_on_the_next_start_page_of_another(request, tmp_path, backend):
    with _two_instances(request, tmp_path, backend) as (server_a, server_b):
        office_id, officer_id, employee_id = _arrange(server_a)
        office_b, officer_b = _signed_in(server_b, office_id), _signed_in(server_b, officer_id)
        employee_a = _signed_in(server_a, employee_id)
        seen = _statements(server_b)

        assert _waiting(office_b) == 1
        assert _mandate(officer_b) == (1, 0, 1, 1)
        seen.clear()
        assert _waiting(office_b) == 1
        # nothing written since: the figures kept for this data version, no counting again
        assert not [s for s in seen if "count(" in s.lower()], seen

        _upload(employee_a)

        # the very next start page on the other instance counts the new certificate
        assert _waiting(office_b) == 2

        with server_a.app_context():  # a write without any page: straight through the session and committed
            db = get_session()
            db.scalar(select(Training).where(Training.title == "Schon da")).state = "accepted"
            db.commit()
        assert _waiting(office_b) == 1
        assert _mandate(officer_b) == (1, 1, 0, 0)  # fulfilled now: nothing counts as in review


QUEUE_TOTAL = re.compile(r"Einträge, älteste zuerst \((\d+)\)")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_review_queue_counts_again_only_after_a_write_through_any_instance(request, tmp_path, backend):
    with _two_instances(request, tmp_path, backend) as (server_a, server_b):
        office_id, _officer_id, employee_id = _arrange(server_a)
        office_b, employee_a = _signed_in(server_b, office_id), _signed_in(server_a, employee_id)
        seen = _statements(server_b)

        def total() -> int:
            return _numbers(QUEUE_TOTAL, office_b.get("/review/").get_data(as_text=True))[0]

        assert total() == 1
        seen.clear()
        assert total() == 1
        assert not [s for s in seen if "count(" in s.lower()], seen  # kept for this data version
        assert [s for s in seen if "FROM trainings" in s], seen  # the page's entries are read every time

        _upload(employee_a)
        seen.clear()
        assert total() == 2  # the next queue page on the other instance counts the new certificate
        assert [s for s in seen if "count(" in s.lower()], seen
        assert _numbers(QUEUE_TOTAL, office_b.get("/review/?alter=7").get_data(as_text=True))[0] == 0
        for _ in range(2):  # a typed OE code is never kept (every variant would take a place in the cache)
            seen.clear()
            assert _numbers(QUEUE_TOTAL, office_b.get("/review/?oe=Amt+50").get_data(as_text=True))[0] == 2
            assert [s for s in seen if "count(" in s.lower()], seen


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_version_moves_only_with_a_committed_write_of_portal_data(request, tmp_path, backend):
    with _instances(request, tmp_path, backend, 1) as (app,):
        office_id, _officer_id, _employee_id = _arrange(app)
        with app.app_context():
            db = get_session()

            def version() -> int:
                db.rollback()
                return db.scalar(select(DataVersion.version))

            start = version()
            db.add(UserSession(token_hash=_hash("x"), user_id=office_id))  # a sign-in is no data change
            db.commit()
            assert version() == start
            office = db.get(User, office_id)
            office.last_login_at = utcnow()  # what a sign-in writes on the account: bookkeeping only
            db.commit()
            assert version() == start
            db.get(User, office_id).display_name = "Neuer Name"  # a real change to the account counts
            db.commit()
            assert version() == start + 1
            start += 1
            db.scalar(select(OrgUnit)).name = "Amt für Test"
            db.flush()
            db.rollback()  # rolled back: nothing changed
            assert version() == start
            db.scalar(select(OrgUnit)).name = "Amt für Test"
            db.commit()
            assert version() == start + 1


def test_kept_figures_belong_to_one_version():
    cache = FigureCache(max_entries=2)
    computed = []

    def compute(value):
        return lambda: computed.append(value) or value

    assert cache.get(7, "a", compute(1)) == 1
    assert cache.get(7, "a", compute(2)) == 1  # kept
    assert cache.get(8, "a", compute(3)) == 3  # a new version computes again
    cache.get(8, "b", compute(4))
    cache.get(8, "c", compute(5))
    assert cache.get(8, "a", compute(6)) == 6  # the oldest entry made room
    assert computed == [1, 3, 4, 5, 6]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kept_queue_counts_are_each_users_own_at_one_data_version(request, tmp_path, backend):
    """The kept counts are keyed by what the user may see: at one data version the office and a
    person who may see none of the waiting items each get their own numbers, both from the cache."""
    from portal.review import services

    with _instances(request, tmp_path, backend, 1) as (app,):
        office_id, _officer_id, _employee_id = _arrange(app)
        with app.app_context():
            db = get_session()
            other = User(external_id="max", dn="uid=max", username="max", display_name="Max",
                         personnel_number="P-2", org_unit=db.get(User, office_id).org_unit)
            other.role_grants.append(UserRole(role="beschaeftigte", scope=""))
            db.add(other)
            db.commit()
            office = db.get(User, office_id)
            seen = _statements(app)

            def training_count(user: User) -> int:
                return services.queue_page(db, user, services.QueueFilter(), keep_counts=True).counts["training"]

            assert (training_count(office), training_count(other)) == (1, 0)
            seen.clear()
            assert (training_count(office), training_count(other)) == (1, 0)
            assert not [s for s in seen if "count(" in s.lower()], seen  # both kept, each under its own key
