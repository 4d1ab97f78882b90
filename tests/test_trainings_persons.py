"""Who may act for a person: persons and their current OE come from the directory and the
Personalamt; a training officer's roster holds only the own OE's persons; every transfer is
audited; an officer sees only the records stored for the own OE."""
from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.training import Person, RosterEntry, Training
from portal.trainings import persons, services
from portal.trainings.imports import ImportRefused, import_roster
from tests.conftest import csrf_token_from
from tests.support import training_scenario as sc
from tests.test_trainings_uploads import PDF, form_data

ROSTER_HEADER = "personalnummer;nachname;vorname;oe;zielgruppe;beginn;ende"
PERSONS_HEADER = "personalnummer;nachname;vorname;oe"


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _transfers(db) -> list[dict]:
    return [json.loads(e.detail) for e in db.scalars(
        select(AuditEvent).where(AuditEvent.action == "person_transferred").order_by(AuditEvent.id))]


@pytest.fixture
def staff(db):
    """Personnel records: Alma in Amt 50, Bruno in Amt 51 (with a certificate recorded there)."""
    a50, a51 = sc.unit(db, "Amt 50"), sc.unit(db, "Amt 51")
    alma = Person(personnel_number="P-50", last_name="Alma", first_name="Ada")
    bruno = Person(personnel_number="P-51", last_name="Bruno", first_name="Ben")
    db.add_all([alma, bruno])
    db.flush()
    persons.set_current_oe(db, alma, a50, "personalamt")
    persons.set_current_oe(db, bruno, a51, "personalamt")
    sc.entry(db, bruno, a51, "buergerkontakt", begins=date(2023, 1, 1))
    old = sc.training(db, bruno, on=date(2024, 5, 1), hours="8", contents=("interkulturell",), title="Recorded in 51")
    db.commit()
    return {"a50": a50, "a51": a51, "alma": alma, "bruno": bruno, "old": old}


# --- the rule in the services ------------------------------------------------------------

def test_officer_cannot_list_another_oes_person_or_an_unknown_number(db, staff):
    with pytest.raises(services.RosterError) as foreign:
        services.add_entry(db, personnel_number="P-51", org_unit=staff["a50"], target_group="buergerkontakt",
                           begins_on=date(2000, 1, 1), ends_on=date(2000, 1, 1))
    assert str(foreign.value).startswith("Die Personalnummer P-51 gehört laut Personalbestand nicht zu Amt 50.")
    assert "Bruno" not in str(foreign.value) and "Amt 51" not in str(foreign.value)
    with pytest.raises(services.RosterError) as unknown:
        services.add_entry(db, personnel_number="NIRGENDS-1", org_unit=staff["a50"], target_group="buergerkontakt",
                           begins_on=date(2024, 1, 1), ends_on=None)
    assert str(unknown.value).startswith("Die Personalnummer NIRGENDS-1 ist im Personalbestand nicht bekannt.")
    db.rollback()
    assert _count(db, RosterEntry) == 1 and _count(db, Person) == 2
    # the own OE's person is fine
    entry = services.add_entry(db, personnel_number="P-50", org_unit=staff["a50"], target_group="fuehrungskraft",
                               begins_on=date(2024, 1, 1), ends_on=None)
    assert entry.person_id == staff["alma"].id
    # the integration office (citywide) may list a known person in any OE, but never an unknown one
    services.add_entry(db, personnel_number="P-51", org_unit=staff["a50"], target_group="buergerkontakt",
                       begins_on=date(2024, 1, 1), ends_on=None, restricted=False)
    with pytest.raises(services.RosterError):
        services.add_entry(db, personnel_number="NIRGENDS-1", org_unit=staff["a50"], target_group="buergerkontakt",
                           begins_on=date(2024, 1, 1), ends_on=None, restricted=False)


def test_officer_import_with_a_foreign_or_unknown_row_is_refused_whole_and_renames_nobody(db, staff):
    data = _csv(ROSTER_HEADER,
                "P-50;Anders;Name;Amt 50;Bürgerkontakt;01.01.2024;",
                "P-51;Überschrieben;Neu;Amt 50;Bürgerkontakt;01.01.2000;01.01.2000",
                "NIRGENDS-2;Phantom;Paul;Amt 50;Bürgerkontakt;01.01.2024;")
    with pytest.raises(ImportRefused) as refused:
        import_roster(db, data, "liste.csv", None, only_org_unit=staff["a50"])
    assert refused.value.messages == [
        "Zeile 3: " + services.foreign_number_message("P-51", staff["a50"]),
        "Zeile 4: " + services.unknown_number_message("NIRGENDS-2"),
    ]
    assert "Bruno" not in " ".join(refused.value.messages)
    db.rollback()
    assert _count(db, RosterEntry) == 1 and _count(db, Person) == 2
    # only the own OE's row: stored, and the name in the file is not taken over
    result = import_roster(db, _csv(ROSTER_HEADER, "P-50;Anders;Name;Amt 50;Bürgerkontakt;01.01.2024;"), "liste.csv",
                           None, only_org_unit=staff["a50"])
    assert result.added == 1 and result.lines == ["Zeile 2: neu – P-50 Alma, Bürgerkontakt, Amt 50"]
    db.commit()
    db.expire_all()
    assert (staff["alma"].last_name, staff["alma"].first_name) == ("Alma", "Ada")
    assert (staff["bruno"].last_name, staff["bruno"].first_name) == ("Bruno", "Ben")


# --- the personnel master import ------------------------------------------------------------

def test_persons_import_creates_renames_and_transfers_with_audit(runner, db, staff, tmp_path):
    bruno = staff["bruno"]
    sc.entry(db, bruno, staff["a51"], "fuehrungskraft", begins=date.today() + timedelta(days=30))  # would begin later
    db.commit()
    path = tmp_path / "personal.csv"
    path.write_bytes(_csv(PERSONS_HEADER, "P-50;Alma-Neu;Ada;Amt 50", "P-51;Bruno;Ben;amt 50", "P-99;Neu;Nina;Amt 51"))
    before = len(_transfers(db))
    result = runner.invoke(args=["person", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Nur geprüft (nichts gespeichert): 1 neu, 2 geändert, 0 unverändert." in result.output
    db.expire_all()
    assert len(_transfers(db)) == before and bruno.org_unit.code == "Amt 51" and _count(db, Person) == 2
    result = runner.invoke(args=["person", "import", str(path), "--einzeln"])
    assert result.exit_code == 0, result.output
    assert "Zeile 2: geändert – P-50 Alma-Neu: Name" in result.output
    assert "Zeile 3: geändert – P-51 Bruno: OE Amt 51 → Amt 50" in result.output
    assert "Zeile 4: neu – P-99 Neu, Amt 51" in result.output
    assert "Übernommen: 1 neu, 2 geändert, 0 unverändert." in result.output
    db.expire_all()
    assert (bruno.org_unit.code, bruno.oe_source) == ("Amt 50", "personalamt")
    assert db.scalar(select(Person).where(Person.personnel_number == "P-50")).last_name == "Alma-Neu"
    # the open entry in the old OE ends the day before; the one that had not begun is gone
    entries = db.scalars(select(RosterEntry).where(RosterEntry.person_id == bruno.id)).all()
    assert [(e.org_unit.code, e.begins_on, e.ends_on) for e in entries] == [
        ("Amt 51", date(2023, 1, 1), date.today() - timedelta(days=1))]
    moves = _transfers(db)[before:]
    assert [(m["personalnummer"], m["von"], m["nach"], m["quelle"]) for m in moves] == [
        ("P-51", "Amt 51", "Amt 50", "personalamt"), ("P-99", None, "Amt 51", "personalamt")]
    assert len(moves[0]["beendete_eintraege"]) == 2
    # the same file again: nothing changes, no new transfer
    result = runner.invoke(args=["person", "import", str(path)])
    assert "Übernommen: 0 neu, 0 geändert, 3 unverändert." in result.output
    assert len(_transfers(db)) == before + 2


def test_persons_import_bad_lines_store_nothing(runner, db, staff, tmp_path):
    path = tmp_path / "personal.csv"
    path.write_bytes(_csv(PERSONS_HEADER, "P-50;Alma;Ada;Amt 51", ";Ohne;Nummer;Amt 50", "P-70;;Vorname;Amt 50",
                          "P-71;Ort;Los;Amt 999", "P-50;Doppelt;D;Amt 50", "P-72;=HYPERLINK(1);X;Amt 50"))
    result = runner.invoke(args=["person", "import", str(path)])
    assert result.exit_code != 0
    out = result.output
    assert "personal.csv: Die Datei wurde nicht übernommen, nichts wurde gespeichert." in out
    assert "Zeile 3: Die Personalnummer fehlt." in out
    assert "Zeile 4: Der Nachname fehlt." in out
    assert "Zeile 5: Die OE „Amt 999“ ist unbekannt." in out
    assert "Zeile 6: Die Personalnummer P-50 steht schon in Zeile 2." in out
    assert "Zeile 7: Die Spalte „nachname“ beginnt mit = + - oder @ (nicht erlaubt)." in out
    db.expire_all()
    assert staff["alma"].org_unit.code == "Amt 50" and _count(db, Person) == 2


def test_sign_in_sync_creates_and_moves_the_person(db, staff, make_user):
    user = make_user(username="neu", personnel_number="P-77", oe="Amt 51", name="Nora Neu")
    person = persons.sync_from_directory(db, user)
    assert (person.last_name, person.first_name, person.org_unit.code, person.oe_source) == ("Neu", "Nora", "Amt 51", "verzeichnis")
    assert persons.sync_from_directory(db, make_user(username="x", personnel_number="P-78"), create=False) is None
    mover = make_user(username="bruno", personnel_number="P-51", oe="Amt 50")
    persons.sync_from_directory(db, mover, create=False)
    db.commit()
    assert staff["bruno"].org_unit_id == staff["a50"].id
    assert (staff["bruno"].last_name, staff["bruno"].oe_source) == ("Bruno", "verzeichnis")  # the name stays
    assert [(t["personalnummer"], t["von"], t["nach"], t["quelle"]) for t in _transfers(db)][-2:] == [
        ("P-77", None, "Amt 51", "verzeichnis"), ("P-51", "Amt 51", "Amt 50", "verzeichnis")]


# --- what an officer sees ----------------------------------------------------------------------

def test_after_a_move_the_old_officer_loses_access_and_the_new_one_sees_only_new_records(
        client, db, staff, login_as, make_user, csrf):
    bruno, old = staff["bruno"], staff["old"]
    assert old.org_unit_id == staff["a51"].id  # recorded for the OE the person belonged to
    officer51 = make_user(username="fobi51", roles=("fortbildungsbeauftragte",), oe="Amt 51")
    officer50 = make_user(username="fobi50", roles=("fortbildungsbeauftragte",), oe="Amt 50")
    login_as(user=officer51)
    assert client.get(f"/trainings/person/{bruno.id}").status_code == 200
    assert client.get(f"/trainings/nachweis/{old.id}").status_code == 200
    persons.set_current_oe(db, db.get(Person, bruno.id), staff["a50"], "personalamt")
    db.commit()
    assert client.get(f"/trainings/person/{bruno.id}").status_code == 404
    assert client.get(f"/trainings/nachweis/{old.id}").status_code == 404
    login_as(user=officer50)
    page = client.get(f"/trainings/person/{bruno.id}").get_data(as_text=True)
    assert "Bruno, Ben" in page and "Recorded in 51" not in page
    assert "Dazu 1 Nachweis aus der Zeit, als die Person zu einer anderen OE gehörte." in page
    assert client.get(f"/trainings/nachweis/{old.id}").status_code == 404
    # on the new OE's roster the old record still fulfils the mandate, but is not shown to the officer
    services.add_entry(db, personnel_number="P-51", org_unit=staff["a50"], target_group="buergerkontakt",
                       begins_on=date.today(), ends_on=None)
    db.commit()
    cell = client.get(f"/trainings/auswertung/zelle?oe={staff['a50'].id}&zeile=beschaeftigte&spalte=interkulturell")
    html = cell.get_data(as_text=True)
    assert "Schulungen hinter dieser Zahl (1)" in html and "Recorded in 51" not in html
    assert "Nachweis aus der Zeit in einer anderen OE" in html
    assert "erfüllt: erfüllt durch einen Nachweis, der erfasst wurde, als die Person zu einer anderen OE gehörte" in html
    token = csrf(f"/trainings/person/{bruno.id}/nachweis/neu")
    response = client.post(f"/trainings/person/{bruno.id}/nachweis/neu", data=form_data(token, (PDF, "neu.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    new = db.scalar(select(Training).where(Training.person_id == bruno.id, Training.id != old.id))
    assert new.org_unit_id == staff["a50"].id
    assert client.get(f"/trainings/nachweis/{new.id}/datei").status_code == 200
    page = client.get(f"/trainings/person/{bruno.id}").get_data(as_text=True)
    assert "Interkulturelle Öffnung" in page and "Recorded in 51" not in page
    # the person and the office still see everything
    login_as("integrationsbuero", oe="INAUSLB")
    page = client.get(f"/trainings/person/{bruno.id}").get_data(as_text=True)
    assert "Recorded in 51" in page and "Interkulturelle Öffnung" in page


def test_roster_form_refuses_a_foreign_number_without_naming_the_person(client, db, staff, login_as):
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    token = csrf_token_from(client.get("/trainings/liste/neu").get_data(as_text=True))
    data = {"csrf_token": token, "org_unit_id": staff["a50"].id, "personnel_number": "P-51", "last_name": "X",
            "target_group": "buergerkontakt", "begins_on": "01.01.2000", "ends_on": "01.01.2000"}
    html = client.post("/trainings/liste/neu", data=data).get_data(as_text=True)
    assert "Die Personalnummer P-51 gehört laut Personalbestand nicht zu Amt 50." in html
    assert "Bruno" not in html
    assert _count(db, RosterEntry) == 1
    assert client.get(f"/trainings/person/{staff['bruno'].id}").status_code == 404
    upload = client.post("/trainings/liste/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(_csv(ROSTER_HEADER, "P-51;Bruno;Ben;Amt 50;Bürgerkontakt;01.01.2000;")),
                                      "liste.csv")})
    assert "Zeile 2: Die Personalnummer P-51 gehört laut Personalbestand nicht zu Amt 50." in upload.get_data(as_text=True)
    assert _count(db, RosterEntry) == 1
