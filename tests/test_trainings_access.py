"""Who may see what: role × object, foreign OE, guessed ids, downloads audited."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.training import Training
from tests.support import training_scenario as sc
from tests.test_trainings_uploads import PDF, form_data


@pytest.fixture
def world(client, db, login_as, make_user, csrf):
    """Scenario people; P-1 (in Amt 50 as T-001) uploads a certificate with a non-ASCII name."""
    P = sc.build(db)
    db.commit()
    owner = make_user(username="eins", personnel_number="T-001", oe="Amt 50")
    login_as(user=owner)
    token = csrf("/trainings/nachweis/neu")
    response = client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "Zertifikat Grüße.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    training = db.scalar(select(Training).where(Training.person_id == P["p1"].id, Training.source == "upload"))
    return {"P": P, "owner": owner, "training": training}


def _downloads(db) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "certificate_downloaded"))


def test_download_is_an_attachment_with_rfc5987_name_and_audited(client, db, world):
    t = world["training"]
    response = client.get(f"/trainings/nachweis/{t.id}/datei")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Zertifikat Grüße.pdf', safe='')}" in disposition
    assert 'filename="Zertifikat Gr__e.pdf"' in disposition
    assert _downloads(db) == 1


@pytest.mark.parametrize(("roles", "oe", "status"), [
    (("fortbildungsbeauftragte",), "Amt 50", 200),   # the OE's training officer
    (("integrationsbuero",), "INAUSLB", 200),
    (("fortbildungsbeauftragte",), "Amt 51", 404),   # another OE's officer
    (("personalamt",), "Amt 10", 404),              # aggregates only
    (("admin",), "Amt 10", 404),
    (("beschaeftigte",), "Amt 50", 404),            # a colleague
    (("oe_verantwortliche",), "Amt 50", 404),
])
def test_download_and_certificate_page_by_role(client, db, login_as, world, roles, oe, status):
    t = world["training"]
    login_as(*roles, oe=oe)
    before = _downloads(db)
    assert client.get(f"/trainings/nachweis/{t.id}/datei").status_code == status
    assert client.get(f"/trainings/nachweis/{t.id}").status_code == status
    assert _downloads(db) == before + (1 if status == 200 else 0)


def test_guessed_ids_answer_404(client, login_as, world):
    login_as("fortbildungsbeauftragte", oe="Amt 51")
    for path in ("/trainings/nachweis/999999", "/trainings/nachweis/999999/datei", "/trainings/person/999999",
                 "/trainings/liste/eintrag/999999", "/trainings/nachweis/999999/korrigieren"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(("roles", "oe", "p1", "p12"), [
    (("fortbildungsbeauftragte",), "Amt 50", 200, 404),
    (("fortbildungsbeauftragte",), "Amt 51", 404, 200),
    (("integrationsbuero",), "INAUSLB", 200, 200),
    (("personalamt",), "Amt 10", 403, 403),
    (("beschaeftigte",), "Amt 50", 403, 403),
])
def test_person_pages(client, login_as, world, roles, oe, p1, p12):
    P = world["P"]
    login_as(*roles, oe=oe)
    assert client.get(f"/trainings/person/{P['p1'].id}").status_code == p1
    assert client.get(f"/trainings/person/{P['p12'].id}").status_code == p12


def test_roster_of_another_oe_is_not_reachable(client, db, login_as, world):
    a50 = sc.unit(db, "Amt 50")
    from portal.models.training import RosterEntry

    entry_id = db.scalar(select(RosterEntry.id).where(RosterEntry.person_id == world["P"]["p1"].id))
    login_as("fortbildungsbeauftragte", oe="Amt 51")
    page = client.get("/trainings/liste").get_data(as_text=True)
    assert "Zwölf" in page and "Eins" not in page
    assert client.get(f"/trainings/liste?oe={a50.id}").status_code == 404
    assert client.get(f"/trainings/liste/eintrag/{entry_id}").status_code == 404
    token = __import__("tests.conftest", fromlist=["csrf_token_from"]).csrf_token_from(client.get("/trainings/liste/neu").get_data(as_text=True))
    response = client.post(f"/trainings/liste/eintrag/{entry_id}/loeschen", data={"csrf_token": token})
    assert response.status_code == 404
    # the form offers only the own OE; a forged OE id is refused
    response = client.post("/trainings/liste/neu", data={"csrf_token": token, "org_unit_id": a50.id, "personnel_number": "X1",
                                                         "last_name": "Fremd", "target_group": "buergerkontakt", "begins_on": "01.01.2025"})
    assert response.status_code == 200
    assert "Bitte wählen Sie einen der angebotenen Werte." in response.get_data(as_text=True)
    assert "X1" not in {p.personnel_number for p in db.scalars(select(__import__("portal.models.training", fromlist=["Person"]).Person))}


def test_table_scope_and_cells_by_role(client, db, login_as, world):
    a50, a51 = sc.unit(db, "Amt 50"), sc.unit(db, "Amt 51")
    login_as("personalamt", oe="Amt 10")
    page = client.get("/trainings/auswertung").get_data(as_text=True)
    assert "Gesamt" in page and "Amt 51" in page
    assert "/trainings/auswertung/zelle" not in page  # numbers only
    assert client.get(f"/trainings/auswertung/zelle?oe={a50.id}&zeile=beschaeftigte&spalte=personen").status_code == 403
    login_as("fortbildungsbeauftragte", oe="Amt 51")
    page = client.get("/trainings/auswertung").get_data(as_text=True)
    assert "Amt 51" in page and "Amt 50" not in page and "Gesamt" not in page
    assert f"oe={a51.id}" in page
    assert client.get(f"/trainings/auswertung/zelle?oe={a50.id}&zeile=beschaeftigte&spalte=personen").status_code == 404
    assert client.get("/trainings/auswertung/zelle?oe=gesamt&zeile=beschaeftigte&spalte=personen").status_code == 403
    assert client.get(f"/trainings/auswertung/zelle?oe={a51.id}&zeile=beschaeftigte&spalte=personen").status_code == 200
    login_as("beschaeftigte", oe="Amt 50")
    assert client.get("/trainings/auswertung").status_code == 403
    assert client.get("/trainings/pruefung").status_code == 403
    assert client.get("/trainings/auswertung/export/csv").status_code == 403


def test_integration_office_opens_the_persons_behind_a_number(client, db, login_as, world):
    a50 = sc.unit(db, "Amt 50")
    login_as("integrationsbuero", oe="INAUSLB")
    page = client.get(f"/trainings/auswertung/zelle?oe={a50.id}&zeile=beschaeftigte&spalte=pruefung&stichtag=2026-12-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Vier, Test" in html and "Nachweis in Prüfung" in html and "Personen hinter dieser Zahl (1)" in html
    html = client.get(f"/trainings/auswertung/zelle?oe={a50.id}&zeile=fuehrungskraefte&spalte=nicht-erfuellt").get_data(as_text=True)
    assert "Personen hinter dieser Zahl (2)" in html
    assert "Inhalt passt nicht zur Zielgruppe Führungskraft" in html and "zu kurz (5,99 Std.)" in html
    html = client.get("/trainings/auswertung/zelle?oe=gesamt&zeile=beschaeftigte&spalte=buergernah").get_data(as_text=True)
    assert "Schulungen hinter dieser Zahl (2)" in html and "Leichte Sprache und Demokratie" in html and "Bürgernah" in html


def test_officer_without_a_known_oe_sees_nothing(client, login_as, world):
    login_as("fortbildungsbeauftragte", oe=None)
    assert client.get("/trainings/liste").status_code == 403
    assert client.get("/trainings/auswertung").status_code == 403
    assert client.get("/trainings/auswertung/export/csv").status_code == 403
    assert client.get(f"/trainings/person/{world['P']['p1'].id}").status_code == 404
    assert client.get(f"/trainings/nachweis/{world['training'].id}/datei").status_code == 404
