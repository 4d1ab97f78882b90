"""Roster and training imports: all rows or none, every bad line named, idempotent."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.training import Person, RosterEntry, Training
from tests.conftest import csrf_token_from
from tests.support import training_scenario as sc

HEADER = "personalnummer;nachname;vorname;oe;zielgruppe;beginn;ende"
GOOD = "\r\n".join([
    HEADER,
    "100001;Müller;Jörg;Amt 50;Führungskraft;01.01.2022;",
    "100001;Müller;Jörg;Amt 50;Bürgerkontakt;2022-01-01;",
    "100002;Nguyễn;Thảo;Amt 51;Öffentlichkeitsarbeit;01.03.2023;31.12.2026",
]) + "\r\n"


# the Personalamt's personnel records: a roster only lists persons known from there
PERSONS = "\r\n".join([
    "personalnummer;nachname;vorname;oe",
    "100001;Müller;Jörg;Amt 50",
    "100002;Nguyễn;Thảo;Amt 51",
    "100003;Schulz;Eva;Amt 51",
    "100004;Zhang;Wei;Amt 51",
    *(f"10000{n};Person;{n};Amt 50" for n in range(5, 10)),
    "200001;Schmidt;Ida;Amt 50",
]) + "\r\n"


@pytest.fixture
def staff(runner, db, tmp_path):
    sc.unit(db, "Amt 50"), sc.unit(db, "Amt 51")
    db.commit()
    result = runner.invoke(args=["person", "import", _write(tmp_path, "personal.csv", PERSONS)])
    assert result.exit_code == 0, result.output
    assert "Übernommen: 10 neu, 0 geändert, 0 unverändert." in result.output
    return _count(db, Person)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def test_cli_roster_import_dry_run_then_real_then_again(runner, db, tmp_path, staff):
    path = _write(tmp_path, "liste.csv", "\ufeff" + GOOD)
    result = runner.invoke(args=["roster", "import", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Nur geprüft (nichts gespeichert): 3 neu, 0 geändert, 0 unverändert." in result.output
    assert _count(db, RosterEntry) == 0
    result = runner.invoke(args=["roster", "import", path, "--einzeln"])
    assert result.exit_code == 0, result.output
    assert "Übernommen: 3 neu, 0 geändert, 0 unverändert." in result.output
    assert "Zeile 2: neu – 100001 Müller, Führungskraft, Amt 50" in result.output
    db.expire_all()
    assert _count(db, RosterEntry) == 3 and _count(db, Person) == staff
    person = db.scalar(select(Person).where(Person.personnel_number == "100002"))
    assert (person.last_name, person.first_name) == ("Nguyễn", "Thảo")
    # the same file again changes nothing
    result = runner.invoke(args=["roster", "import", path])
    assert "Übernommen: 0 neu, 0 geändert, 3 unverändert." in result.output
    assert _count(db, RosterEntry) == 3
    # an end date set later is a change
    changed = GOOD.replace("2022-01-01;", "2022-01-01;30.06.2026")
    result = runner.invoke(args=["roster", "import", _write(tmp_path, "liste2.csv", changed)])
    assert "Übernommen: 0 neu, 1 geändert, 2 unverändert." in result.output
    db.expire_all()
    entry = db.scalar(select(RosterEntry).where(RosterEntry.target_group == "buergerkontakt"))
    assert entry.ends_on.isoformat() == "2026-06-30"
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "roster_imported").order_by(AuditEvent.id)).all()
    assert [json.loads(e.detail)["neu"] for e in events] == [3, 0, 0]
    assert json.loads(events[2].detail)["geaendert"] == 1


def test_comma_separated_and_xlsx(runner, db, tmp_path, staff):
    comma = GOOD.replace(";", ",")
    result = runner.invoke(args=["roster", "import", _write(tmp_path, "liste.csv", comma)])
    assert "3 neu" in result.output
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append(["100003", "Schulz", "Eva", "Amt 51", "Bürgerkontakt", "15.02.2024", None])
    from datetime import datetime

    ws.append(["100004", "Zhang", "Wei", "Amt 51", "Führungskraft", datetime(2024, 2, 15), datetime(2026, 1, 31)])
    buf = io.BytesIO()
    wb.save(buf)
    result = runner.invoke(args=["roster", "import", _write(tmp_path, "liste.xlsx", buf.getvalue())])
    assert result.exit_code == 0, result.output
    assert "2 neu" in result.output
    assert _count(db, RosterEntry) == 5


BAD = "\r\n".join([
    HEADER,
    "100001;Müller;Jörg;Amt 50;Führungskraft;01.01.2022;",          # 2 good
    "100002;Ohne;OE;Amt 999;Bürgerkontakt;01.01.2022;",               # 3 unknown OE
    "100003;Falsch;Gruppe;Amt 50;Hausmeister;01.01.2022;",            # 4 unknown group
    "100004;Datum;Kaputt;Amt 50;Bürgerkontakt;31.02.2022;",           # 5 impossible date
    "100005;Ende;Vorher;Amt 50;Bürgerkontakt;01.01.2023;31.12.2022",  # 6 end before begin
    "100001;Müller;Jörg;Amt 50;Führungskraft;2022-01-01;",            # 7 duplicate of line 2
    ";Ohne;Nummer;Amt 50;Bürgerkontakt;01.01.2022;",                  # 8 missing personnel number
    "100006;=HYPERLINK(\"x\");Eva;Amt 50;Bürgerkontakt;01.01.2022;",   # 9 formula
    "100007;@Summe;Eva;Amt 50;Bürgerkontakt;01.01.2022;",             # 10 formula
]) + "\r\n"


def test_every_bad_line_is_named_and_nothing_is_stored(runner, db, tmp_path, staff):
    result = runner.invoke(args=["roster", "import", _write(tmp_path, "fehler.csv", BAD)])
    assert result.exit_code != 0
    out = result.output
    assert "fehler.csv: Die Datei wurde nicht übernommen, nichts wurde gespeichert." in out
    assert "Zeile 3: Die OE „Amt 999“ ist unbekannt." in out
    assert "Zeile 4: Die Zielgruppe „Hausmeister“ ist unbekannt." in out
    assert "Zeile 5: Der Beginn „31.02.2022“ ist kein gültiges Datum (TT.MM.JJJJ)." in out
    assert "Zeile 6: Das Ende liegt vor dem Beginn." in out
    assert "Zeile 7: Dieselbe Person, OE, Zielgruppe und derselbe Beginn stehen schon in Zeile 2." in out
    assert "Zeile 8: Die Personalnummer fehlt." in out
    assert "Zeile 9: Die Spalte „nachname“ beginnt mit = + - oder @ (nicht erlaubt)." in out
    assert "Zeile 10: Die Spalte „nachname“ beginnt mit = + - oder @ (nicht erlaubt)." in out
    assert "Zeile 2" not in out.replace("in Zeile 2", "")
    assert _count(db, RosterEntry) == 0 and _count(db, Person) == staff


@pytest.mark.parametrize(("content", "message"), [
    ("", "Die Datei ist leer."),
    ("personalnummer;name;oe\r\n1;x;Amt 50\r\n", "Die Kopfzeile passt nicht. Erwartet: „personalnummer;nachname;vorname;oe;zielgruppe;beginn;ende“"),
    (HEADER + "\r\n", "Die Datei enthält keine Datenzeilen."),
    (b"PK\x03\x04kaputt", "Die Datei ist keine gültige Excel-Datei (XLSX)."),
    ("\xfe\xff".encode("latin-1") + b"x;y", "Die Datei ist nicht in UTF-8 gespeichert."),
])
def test_empty_file_and_wrong_header(runner, db, tmp_path, content, message):
    name = "x.xlsx" if isinstance(content, bytes) and content.startswith(b"PK") else "x.csv"
    result = runner.invoke(args=["roster", "import", _write(tmp_path, name, content)])
    assert result.exit_code != 0
    assert message in result.output
    assert _count(db, RosterEntry) == 0


def test_browser_import_for_the_own_oe(client, db, login_as, staff):
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    token = csrf_token_from(client.get("/trainings/liste/import").get_data(as_text=True))
    response = client.post("/trainings/liste/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(GOOD.encode()), "liste.csv")})
    html = response.get_data(as_text=True)
    # line 4 belongs to Amt 51: the officer of Amt 50 may not import it; nothing is stored
    assert response.status_code == 200
    assert "Zeile 4: Die OE „Amt 51“ ist nicht Ihre OE (Amt 50)." in html
    assert _count(db, RosterEntry) == 0
    own = "\r\n".join(GOOD.split("\r\n")[:3]) + "\r\n"
    response = client.post("/trainings/liste/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(own.encode()), "liste.csv"), "dry_run": "y"})
    assert "Prüfung ohne Fehler: 2 neu, 0 geändert, 0 unverändert. Es wurde nichts gespeichert." in response.get_data(as_text=True)
    assert _count(db, RosterEntry) == 0
    response = client.post("/trainings/liste/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(own.encode()), "liste.csv")})
    assert response.status_code == 302
    assert _count(db, RosterEntry) == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Müller, Jörg" in page and "Import abgeschlossen: 2 neu" in page


def test_roster_edit_in_the_browser(client, db, login_as, staff):
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    token = csrf_token_from(client.get("/trainings/liste/neu").get_data(as_text=True))
    a50 = sc.unit(db, "Amt 50")
    data = {"csrf_token": token, "org_unit_id": a50.id, "personnel_number": "200001", "last_name": "Schmidt",
            "first_name": "Ida", "target_group": "buergerkontakt", "begins_on": "01.01.2024", "ends_on": "31.12.2023"}
    response = client.post("/trainings/liste/neu", data=data)
    assert "Das Ende liegt vor dem Beginn." in response.get_data(as_text=True)
    assert 'value="Schmidt"' in response.get_data(as_text=True)
    data["ends_on"] = ""
    assert client.post("/trainings/liste/neu", data=data).status_code == 302
    response = client.post("/trainings/liste/neu", data=data)
    assert "Diese Person steht mit dieser Zielgruppe und diesem Beginn schon in der Liste." in response.get_data(as_text=True)
    entry = db.scalars(select(RosterEntry)).one()
    response = client.post(f"/trainings/liste/eintrag/{entry.id}", data={
        "csrf_token": token, "target_group": "fuehrungskraft", "begins_on": "01.01.2024", "ends_on": "30.09.2026"})
    assert response.status_code == 302
    db.expire_all()
    entry = db.get(RosterEntry, entry.id)
    assert (entry.target_group, entry.ends_on.isoformat()) == ("fuehrungskraft", "2026-09-30")
    assert client.post(f"/trainings/liste/eintrag/{entry.id}/loeschen", data={"csrf_token": token}).status_code == 302
    assert _count(db, RosterEntry) == 0
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("roster_entry_%")).order_by(AuditEvent.id)).all()
    assert actions == ["roster_entry_added", "roster_entry_changed", "roster_entry_deleted"]


TRAININGS = "\r\n".join([
    "personalnummer;titel;anbieter;datum;stunden;inhalte;format",
    'T-001;Interkulturelle Öffnung;Fortbildungsprogramm;12.03.2024;7,5;"interkulturell, demokratisch";Präsenz',
    "T-002;Spanisch;VHS;2024-05-01;40;mehrsprachigkeit;Sprachkurs",
]) + "\r\n"


def test_trainings_import_is_recognised_and_idempotent(runner, db, tmp_path):
    sc.build(db)
    db.commit()
    before = _count(db, Training)
    path = _write(tmp_path, "programm.csv", TRAININGS)
    result = runner.invoke(args=["trainings", "import", path, "--dry-run"])
    assert "Nur geprüft (nichts gespeichert): 2 neu" in result.output
    assert _count(db, Training) == before
    result = runner.invoke(args=["trainings", "import", path])
    assert result.exit_code == 0, result.output
    assert "Übernommen: 2 neu, 0 geändert, 0 unverändert." in result.output
    db.expire_all()
    t = db.scalar(select(Training).where(Training.title == "Interkulturelle Öffnung", Training.hours == 7.5))
    assert t.state == "accepted" and t.source == "import" and t.contents == {"interkulturell", "demokratisch"}
    result = runner.invoke(args=["trainings", "import", path])
    assert "Übernommen: 0 neu, 0 geändert, 2 unverändert." in result.output
    assert _count(db, Training) == before + 2


def test_trainings_import_bad_lines(runner, db, tmp_path):
    sc.build(db)
    db.commit()
    before = _count(db, Training)
    bad = "\r\n".join([
        "personalnummer;titel;anbieter;datum;stunden;inhalte;format",
        "T-001;Gut;Anbieter;12.03.2024;6;interkulturell;Online",
        "999999;Unbekannt;Anbieter;12.03.2024;6;interkulturell;Online",
        "T-001;Stunden;Anbieter;12.03.2024;sechs;interkulturell;Online",
        "T-001;Inhalt;Anbieter;12.03.2024;6;kochen;Online",
        "T-001;Format;Anbieter;12.03.2024;6;demokratisch;Brieftaube",
        "T-001;Datum;Anbieter;32.01.2024;6;demokratisch;Online",
        "T-001;+Formel;Anbieter;12.03.2024;6;demokratisch;Online",
    ]) + "\r\n"
    result = runner.invoke(args=["trainings", "import", _write(tmp_path, "bad.csv", bad)])
    assert result.exit_code != 0
    out = result.output
    assert "Zeile 3: Die Personalnummer „999999“ ist unbekannt" in out
    assert "Zeile 4: Die Stunden „sechs“ sind keine gültige Zahl" in out
    assert "Zeile 5: Die Inhalte „kochen“ sind ungültig." in out
    assert "Zeile 6: Das Format „Brieftaube“ ist unbekannt." in out
    assert "Zeile 7: Das Datum „32.01.2024“ ist kein gültiges Datum" in out
    assert "Zeile 8: Die Spalte „titel“ beginnt mit = + - oder @" in out
    assert "Zeile 2:" not in out
    assert _count(db, Training) == before


def test_roster_import_does_not_query_per_row(app, db, sql_statements):
    from portal.trainings.imports import import_roster

    a50 = sc.unit(db, "Amt 50")
    for n, first in ((20, 300000), (200, 400000)):  # known from the personnel records
        db.add_all(Person(personnel_number=str(first + i), last_name=f"Name {i}", org_unit_id=a50.id) for i in range(n))
    db.commit()

    def roster(n: int, first: int) -> bytes:
        rows = [f"{first + i};Name {i};Vor;Amt 50;Bürgerkontakt;01.01.2022;" for i in range(n)]
        return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()

    counts = {}
    for n, first in ((20, 300000), (200, 400000)):
        data = roster(n, first)
        sql_statements.reset()
        assert import_roster(db, data, "liste.csv", None).added == n
        db.commit()
        added = sum(1 for q in sql_statements.statements if q.lstrip().upper().startswith("SELECT"))
        sql_statements.reset()
        assert import_roster(db, data, "liste.csv", None).unchanged == n
        again = len(sql_statements.statements)
        sql_statements.reset()
        import_roster(db, data, "liste.csv", None, dry_run=True)
        counts[n] = (added, again, len(sql_statements.statements))
        db.rollback()
    # the same few queries whatever the size: reading on a first import (the ORM's INSERTs are
    # its own business), everything on a re-import and a dry run
    assert counts[200] == counts[20], counts


def test_a_roster_over_the_upload_limit_is_refused_not_cut_off(client, db, login_as, app):
    login_as("integrationsbuero", oe="INAUSLB")
    token = csrf_token_from(client.get("/trainings/liste/import?oe=" + str(sc.unit(db, "Amt 50").id)).get_data(as_text=True))
    limit = app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    line = "100009;Kurz;Kai;Amt 50;Bürgerkontakt;01.01.2022;31.12.2026\r\n"
    rows = line * (limit // len(line) + 5)  # the cut at the limit would fall inside a row
    data = (HEADER + "\r\n" + rows).encode()
    assert limit < len(data) < app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/trainings/liste/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(data), "liste.csv")})
    assert response.status_code == 200
    assert "Die Datei ist größer als 2 MB und wurde nicht übernommen." in response.get_data(as_text=True)
    assert _count(db, RosterEntry) == 0


def test_a_big_import_refreshes_the_planner_statistics(app, db, monkeypatch):
    from sqlalchemy import text

    from portal.trainings import imports

    a50 = sc.unit(db, "Amt 50")
    for i in range(40):  # in the personnel records, of Amt 50: the roster takes only those
        p = sc.person(db, str(500000 + i), f"Name {i}", "Vor")
        p.org_unit_id, p.oe_source = a50.id, "personalamt"
    db.commit()
    monkeypatch.setattr(imports, "ANALYZE_AFTER_ROWS", 30)
    rows = [f"{500000 + i};Name {i};Vor;Amt 50;Bürgerkontakt;01.01.2022;" for i in range(40)]
    assert imports.import_roster(db, ("\r\n".join([HEADER, *rows]) + "\r\n").encode(), "liste.csv", None).added == 40
    db.commit()
    counted = db.scalar(text("SELECT COUNT(*) FROM roster_entries"))
    assert counted >= 40
    if db.get_bind().dialect.name == "postgresql":
        planned = db.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'roster_entries'"))
        assert planned == counted
    else:  # sqlite_stat1's first number of a table's row is its row count
        stat = db.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'roster_entries' LIMIT 1"))
        assert stat is not None and int(stat.split()[0]) == counted
