"""Destructive steps ask first, on a page of their own (no JavaScript needed): deleting a
roster entry and closing a reporting period. Only the confirmation's POST changes anything."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from portal.models.measure import MeasureReport, ReportingPeriod
from portal.models.training import RosterEntry
from tests import conftest
from tests.measures_support import make_period, row_of
from tests.support import training_scenario as sc
from tests.test_measures_reporting import post_report


def _form_posting_to(html: str, action: str) -> str | None:
    match = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    return match.group(1) if match else None


def test_deleting_a_roster_entry_asks_first(client, db, login_as):
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    token = conftest.csrf_token_from(client.get("/trainings/liste/neu").get_data(as_text=True))
    a50 = sc.unit(db, "Amt 50")
    known = sc.person(db, "200001", "Schmidt", "Ida")  # in the personnel records, of Amt 50
    known.org_unit_id, known.oe_source = a50.id, "personalamt"
    db.flush()
    client.post("/trainings/liste/neu", data={"csrf_token": token, "org_unit_id": a50.id, "personnel_number": "200001",
                                              "last_name": "Schmidt", "first_name": "Ida", "target_group": "buergerkontakt",
                                              "begins_on": "01.01.2024"})
    entry = db.scalars(select(RosterEntry)).one()
    confirm_url = f"/trainings/liste/eintrag/{entry.id}/loeschen"
    edit = client.get(f"/trainings/liste/eintrag/{entry.id}").get_data(as_text=True)
    assert f'<a href="{confirm_url}" class="button danger">Eintrag löschen…</a>' in edit
    assert _form_posting_to(edit, confirm_url) is None  # the edit page itself deletes nothing

    page = client.get(confirm_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Eintrag löschen?</h1>" in html
    assert "Schmidt, Ida (Personalnummer 200001)" in html and "Bürgerkontakt" in html and "ab 01.01.2024" in html
    assert "Wer ausscheidet, bekommt besser ein Ende-Datum" in html
    form = _form_posting_to(html, confirm_url)
    assert form is not None and "Ja, Eintrag löschen" in form
    assert f'<a href="/trainings/liste/eintrag/{entry.id}">Nein, zurück</a>' in html
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(RosterEntry)) == 1  # looking changed nothing

    response = client.post(confirm_url, data={"csrf_token": conftest.csrf_token_from(html)})
    assert response.status_code == 302
    assert db.scalar(select(func.count()).select_from(RosterEntry)) == 0


def test_closing_a_period_asks_first_and_says_what_is_left(client, db, login_as, csrf):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    login_as("oe_verantwortliche", oe="Amt 51")
    post_report(client, csrf, period, row_of(db, "jugendhilfe", 7), light="offen", aktion="entwurf")
    login_as("integrationsbuero", oe="INAUSLB")
    confirm_url = f"/measures/zeitraeume/{period.id}/schliessen"
    listing = client.get("/measures/zeitraeume").get_data(as_text=True)
    assert re.search(rf'<a href="{confirm_url}" class="button secondary">Schließen…<span class="visually-hidden"> '
                     r"Abschlussbericht 2026</span></a>", listing)
    assert _form_posting_to(listing, confirm_url) is None

    page = client.get(confirm_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Berichtszeitraum „Abschlussbericht 2026“ schließen?</h1>" in html
    assert "Danach können die OE keine Berichte mehr speichern oder einreichen." in html
    assert "1 Bericht ist noch nicht eingereicht (Entwurf oder zurückgegeben) und bleibt es." in html
    form = _form_posting_to(html, confirm_url)
    assert form is not None and "Ja, Berichtszeitraum schließen" in form
    db.expire_all()
    assert db.get(ReportingPeriod, period.id).is_open  # looking changed nothing

    response = client.post(confirm_url, data={"csrf_token": conftest.csrf_token_from(html)})
    assert response.status_code == 302
    db.expire_all()
    assert not db.get(ReportingPeriod, period.id).is_open
    assert db.scalar(select(func.count()).select_from(MeasureReport)) == 1
    # a closed period has nothing to confirm
    assert client.get(confirm_url).status_code == 302
