"""The integration office's queue: every kind in one list, filters, counts, paging, roles."""
from __future__ import annotations

import re
from datetime import date

import pytest

from portal.review import services
from tests.conftest import org_unit
from tests.measures_support import make_period
from tests.review_support import first_rows, person, report, selbstcheck, training


@pytest.fixture
def arranged(db):
    a50, a51 = org_unit(db, "Amt 50"), org_unit(db, "Amt 51")
    period = make_period(db, "Bericht 2026", date(2026, 12, 31), True)
    rows = first_rows(db, 4)
    items = {
        "sc_old": selbstcheck(db, a50, 2025, days_ago=30),
        "sc_new": selbstcheck(db, a51, 2026, days_ago=1),
        "sc_returned": selbstcheck(db, a51, 2024, state="returned", days_ago=5, comment="Bitte Frage 3 ergänzen"),
        "sc_draft": selbstcheck(db, a50, 2026, state="draft"),
        "mr_unchanged": report(db, period, rows[0], a50, unchanged=True, days_ago=20),
        "mr_changed": report(db, period, rows[1], a50, days_ago=10),
        "mr_51": report(db, period, rows[2], a51, unchanged=True, days_ago=2),
        "mr_accepted": report(db, period, rows[3], a51, state="accepted", days_ago=40),
    }
    mueller = person(db, "P100", "Müller", a51)
    items["tr_old"] = training(db, mueller, days_ago=50)
    items["tr_returned"] = training(db, mueller, state="returned", days_ago=7, comment="Datei unleserlich")
    return items


def item_ids(html: str) -> list[str]:
    return re.findall(r'href="/(selbstcheck|measures/pruefung|trainings/nachweis)/(\d+)"', html)


def test_queue_lists_every_open_item_oldest_first_with_counts(client, login_as, arranged):
    login_as("integrationsbuero")
    html = client.get("/review/").get_data(as_text=True)
    a = arranged
    assert item_ids(html) == [("trainings/nachweis", str(a["tr_old"].id)),
                              ("selbstcheck", str(a["sc_old"].id)), ("measures/pruefung", str(a["mr_unchanged"].id)),
                              ("measures/pruefung", str(a["mr_changed"].id)), ("measures/pruefung", str(a["mr_51"].id)),
                              ("selbstcheck", str(a["sc_new"].id))]
    assert "Einträge, älteste zuerst (6)" in html
    assert "Nachweis „Interkulturelle Kompetenz“ – Müller, Alex" in html
    counts = dict(re.findall(r'art=(\w+)">[^<]+</a></th><td class="num">(\d+)</td>', html))
    assert counts == {"training": "1", "selbstcheck": "2", "measure_report": "3"}


def test_filters_by_kind_oe_status_and_age(client, login_as, arranged):
    login_as("integrationsbuero")
    a = arranged
    html = client.get("/review/?art=selbstcheck").get_data(as_text=True)
    assert item_ids(html) == [("selbstcheck", str(a["sc_old"].id)), ("selbstcheck", str(a["sc_new"].id))]
    html = client.get("/review/?oe=amt+51").get_data(as_text=True)
    assert item_ids(html) == [("trainings/nachweis", str(a["tr_old"].id)), ("measures/pruefung", str(a["mr_51"].id)),
                              ("selbstcheck", str(a["sc_new"].id))]
    assert item_ids(client.get("/review/?oe=Amt+50&art=training").get_data(as_text=True)) == []
    html = client.get("/review/?alter=10").get_data(as_text=True)
    assert [i for _, i in item_ids(html)] == [str(a["tr_old"].id), str(a["sc_old"].id), str(a["mr_unchanged"].id),
                                              str(a["mr_changed"].id)]
    html = client.get("/review/?status=zurueckgegeben").get_data(as_text=True)
    assert item_ids(html) == [("trainings/nachweis", str(a["tr_returned"].id)), ("selbstcheck", str(a["sc_returned"].id))]
    assert "„Bitte Frage 3 ergänzen“" in html and "„Datei unleserlich“" in html
    bad = client.get("/review/?alter=abc").get_data(as_text=True)
    assert "Einträge, älteste zuerst (6)" in bad  # an unreadable filter shows everything, with the message
    assert "Bitte eine ganze Zahl von Tagen angeben, zum Beispiel 14." in bad


def test_pages_have_stable_links(client, login_as, db, arranged, monkeypatch):
    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    login_as("integrationsbuero")
    first = client.get("/review/?art=measure_report").get_data(as_text=True)
    assert "Seite 1 von 2" in first
    assert 'href="/review/?seite=2&amp;art=measure_report"' in first
    second = client.get("/review/?seite=2&art=measure_report").get_data(as_text=True)
    assert item_ids(second) == [("measures/pruefung", str(arranged["mr_51"].id))]


@pytest.mark.parametrize("roles", [("oe_verantwortliche",), ("beschaeftigte",), ("ag_leitung:AG1",), ("personalamt",),
                                   ("admin",), ("fortbildungsbeauftragte",)])
def test_only_the_office_opens_the_queue(client, login_as, arranged, roles):
    login_as(*roles)
    assert client.get("/review/").status_code == 403


def test_queue_sees_only_what_the_scoping_queries_allow(db, make_user, arranged):
    """The providers start from the features' visible_… queries: an OE sees only its own items."""
    oe = make_user("oe51", roles=("oe_verantwortliche",), oe="Amt 51")
    page = services.queue_page(db, oe, services.QueueFilter(states=("submitted", "returned", "draft")))
    assert {(i.kind, i.item_id) for i in page.items} == {
        ("selbstcheck", arranged["sc_new"].id), ("selbstcheck", arranged["sc_returned"].id),
        ("measure_report", arranged["mr_51"].id)}
    nobody = make_user("niemand", roles=(), oe="Amt 51")
    assert services.queue_page(db, nobody, services.QueueFilter()).total == 0
    officer = make_user("fb51", roles=("fortbildungsbeauftragte",), oe="Amt 51")
    page = services.queue_page(db, officer, services.QueueFilter(states=("submitted", "returned")))
    assert {(i.kind, i.item_id) for i in page.items} == {("training", arranged["tr_old"].id),
                                                          ("training", arranged["tr_returned"].id)}
    officer50 = make_user("fb50", roles=("fortbildungsbeauftragte",), oe="Amt 50")
    assert services.queue_page(db, officer50, services.QueueFilter()).total == 0
    own = make_user("mueller", roles=(), oe="Amt 51", personnel_number="P100")
    assert [(i.kind, i.comment) for i in services.own_items(db, own, ("returned",))] == [("training", "Datei unleserlich")]


def test_each_certificate_shows_the_oe_of_its_own_person(db, make_user, arranged):
    a50 = org_unit(db, "Amt 50")
    other = person(db, "P200", "Schmidt", a50)
    training(db, other, days_ago=60)
    office = make_user("buero", roles=("integrationsbuero",))
    items = services.queue_page(db, office, services.QueueFilter(kinds=("training",))).items
    assert [(i.oe_code, i.title) for i in items] == [
        ("Amt 50", "Nachweis „Interkulturelle Kompetenz“ – Schmidt, Alex"),
        ("Amt 51", "Nachweis „Interkulturelle Kompetenz“ – Müller, Alex")]
