"""Start page: what this person has to do next, with a fixed number of statements."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import org_unit
from tests.measures_support import make_period
from tests.review_support import first_rows, person, report, selbstcheck, training


def test_office_sees_queue_counts(client, login_as, db):
    a50 = org_unit(db, "Amt 50")
    period = make_period(db, "Bericht 2026", date(2026, 12, 31), True)
    for row in first_rows(db, 3):
        report(db, period, row, a50)
    selbstcheck(db, a50, 2025)
    login_as("integrationsbuero")
    html = client.get("/").get_data(as_text=True)
    assert "Wartet auf Prüfung durch das Integrationsbüro" in html
    assert '<a href="/review/?art=selbstcheck">Selbstchecks</a></th><td class="num">1</td>' in html
    assert '<a href="/review/?art=measure_report">Sachstandsberichte zu Maßnahmen</a></th><td class="num">3</td>' in html


def test_oe_sees_returned_items_with_comments_drafts_and_the_deadline(client, login_as, db):
    a50, a51 = org_unit(db, "Amt 50"), org_unit(db, "Amt 51")
    cutoff = date.today() + timedelta(days=10)
    period = make_period(db, "Bericht Test", cutoff, True)
    rows = first_rows(db, 2)
    returned = report(db, period, rows[0], a50, state="returned", comment="Bitte den Sachstand ergänzen")
    sc = selbstcheck(db, a50, 2026, state="draft")
    report(db, period, rows[1], a51, state="returned", comment="Fremde OE")
    login_as("oe_verantwortliche", oe="Amt 50")
    html = client.get("/").get_data(as_text=True)
    assert "Zurückgegeben – bitte überarbeiten (1)" in html
    assert f'href="/measures/pruefung/{returned.id}"' in html and "„Bitte den Sachstand ergänzen“" in html
    assert "Fremde OE" not in html
    assert "Entwürfe, noch nicht eingereicht (1)" in html and f'href="/selbstcheck/{sc.id}"' in html
    assert f"Stichtag {cutoff:%d.%m.%Y} (noch 10 Tage)" in html


@pytest.mark.parametrize("role", ["integrationsbuero", "oe_verantwortliche", "fortbildungsbeauftragte", "beschaeftigte"])
def test_start_page_and_queue_run_a_fixed_number_of_statements(client, login_as, db, sql_statements, role):
    """Ten times more items must not mean more SQL statements (no query per row)."""
    a50 = org_unit(db, "Amt 50")
    period = make_period(db, "Bericht 2026", date.today() + timedelta(days=30), True)
    rows = first_rows(db, 40)
    login_as(role, oe="Amt 50")

    def count(path: str) -> int:
        sql_statements.reset()
        response = client.get(path)
        assert response.status_code == (200 if role == "integrationsbuero" or path == "/" else 403)
        return len(sql_statements)

    def arrange(some_rows, year):  # noqa: ANN001
        for row in some_rows:
            report(db, period, row, a50, state="returned", comment="Bitte ergänzen")
            report(db, period, row, org_unit(db, "Amt 51"), state="submitted", unchanged=True)
            someone = person(db, f"S{row.id}", f"Person {row.id}", a50)
            training(db, someone, state="submitted")
            training(db, someone, state="returned", comment="Datei fehlt")
        selbstcheck(db, a50, year, state="draft")

    arrange(rows[:2], 2020)
    few = count("/"), count("/review/?status=zurueckgegeben"), count("/review/")
    arrange(rows[2:40], 2021)
    many = count("/"), count("/review/?status=zurueckgegeben"), count("/review/")
    assert many == few


def test_training_officer_sees_the_mandate_status_and_employee_the_returned_certificate(client, login_as, db, make_user):
    a50 = org_unit(db, "Amt 50")
    done = person(db, "P-1", "Fertig", a50)
    training(db, done, state="accepted")
    mine = person(db, "P-2", "Selbst", a50)
    returned = training(db, mine, state="returned", comment="Bitte das Datum ergänzen")
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    html = client.get("/").get_data(as_text=True)
    assert "Schulungsauftrag Ihrer OE (Stichtag 31.12.2026)" in html
    assert ('<tr><th scope="row">Beschäftigte</th><td class="num">2</td><td class="num">1</td>'
            '<td class="num">1</td><td class="num">0</td></tr>') in html
    employee = make_user("selbst", roles=(), oe="Amt 50", personnel_number="P-2")
    login_as(user=employee)
    html = client.get("/").get_data(as_text=True)
    assert "Zurückgegeben – bitte überarbeiten (1)" in html
    assert f'href="/trainings/nachweis/{returned.id}"' in html and "„Bitte das Datum ergänzen“" in html
    assert "Schulungsauftrag Ihrer OE" not in html
