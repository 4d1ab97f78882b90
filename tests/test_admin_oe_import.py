"""The city's OE list read from a file (`portal oe import`, /admin/oe/einlesen): new codes are
created, names and kinds of known ones updated, nothing deleted; one bad row refuses the file."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models.audit import AuditEvent
from portal.models.org import OrgUnit

GOOD = ("kuerzel;name;art\n"
        "Amt 30;Rechtsamt;Amt\n"          # known code, name was empty
        "amt 50;;\n"                       # known (other case), empty cells: unchanged
        "Abt 50.1;Abteilung Soziale Leistungen;\n"  # new, no kind given: Sonstige
        "SG 51.23;Sachgebiet Integration;Sonstige\n")


def _write(tmp_path, text: str, name: str = "oe.csv"):
    path = tmp_path / name
    path.write_bytes(("\ufeff" + text).encode())
    return path


def _units(db) -> dict[str, tuple[str | None, str]]:
    db.expire_all()
    return {u.code: (u.name, u.kind) for u in db.scalars(select(OrgUnit))}


def test_the_command_adds_and_updates_units_and_a_second_run_changes_nothing(app, db, tmp_path):
    runner = app.test_cli_runner()
    before = _units(db)
    path = _write(tmp_path, GOOD)

    dry = runner.invoke(args=["oe", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == ["Gelesen: 4 Datenzeilen, abgelehnt: 0.",
                                       "Nur geprüft (nichts gespeichert): 2 neu, 1 geändert, 1 unverändert."]
    assert _units(db) == before

    result = runner.invoke(args=["oe", "import", str(path), "--einzeln"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Zeile 2: Amt 30 geändert (Name: – → Rechtsamt)",
        "Zeile 4: Abt 50.1 neu (Sonstige, Abteilung Soziale Leistungen)",
        "Zeile 5: SG 51.23 neu (Sonstige, Sachgebiet Integration)",
        "Gelesen: 4 Datenzeilen, abgelehnt: 0.",
        "Übernommen: 2 neu, 1 geändert, 1 unverändert.",
    ]
    units = _units(db)
    assert units["Amt 30"] == ("Rechtsamt", "Amt")
    assert units["Amt 50"] == ("Sozialamt", "Amt")  # empty cells leave the stored values
    assert units["Abt 50.1"] == ("Abteilung Soziale Leistungen", "Sonstige")
    assert len(units) == len(before) + 2  # nothing deleted
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "org_units_imported")).one()
    assert '"neu": 2' in event.detail and '"geaendert": 1' in event.detail

    again = runner.invoke(args=["oe", "import", str(path)])
    assert again.exit_code == 0 and "Übernommen: 0 neu, 0 geändert, 4 unverändert." in again.output
    assert _units(db) == units


def test_one_bad_row_refuses_the_whole_file_with_every_reason(app, db, tmp_path):
    before = _units(db)
    path = _write(tmp_path, "kuerzel;name;art\n"
                            "Amt 99;Neues Amt;Amt\n"
                            ";Ohne Kürzel;Amt\n"
                            "Amt 98;Amt;Behörde\n"
                            "AMT 99;Doppelt;Amt\n"
                            "Amt 97;=HYPERLINK(1);Amt\n"
                            "<b>;Markup;Amt\n")
    result = app.test_cli_runner().invoke(args=["oe", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "oe.csv: Die Datei wurde nicht übernommen, nichts wurde gespeichert.",
        "Zeile 3: Das Kürzel fehlt.",
        "Zeile 4: Die Art „Behörde“ gibt es nicht. Erlaubt: Amt, Eigenbetrieb, Geschäftsbereich, Stadtbezirksamt, "
        "Ortschaft, Stabsstelle, Sonstige.",
        "Zeile 5: Das Kürzel „AMT 99“ steht schon in Zeile 2.",
        "Zeile 6: Die Spalte „name“ beginnt mit = + - oder @ (nicht erlaubt).",
        "Zeile 7: Das Kürzel „<b>“ ist ungültig: höchstens 40 Zeichen, nur Buchstaben, Ziffern, Leerzeichen, Punkt, "
        "Bindestrich und Schrägstrich.",
        "Gelesen: 6 Datenzeilen, abgelehnt: 5 Zeilen (Zeilen 3–7).",
    ]
    assert _units(db) == before
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "org_units_imported")) == 0

    wrong_header = _write(tmp_path, "code;name\nAmt 99;x\n", "kopf.csv")
    refused = app.test_cli_runner().invoke(args=["oe", "import", str(wrong_header)])
    assert refused.exit_code == 1 and "kopf.csv: Die Datei wurde nicht übernommen" in refused.output
    assert _units(db) == before


def test_the_admin_page_reads_the_list_and_offers_the_template(client, db, login_as, csrf):
    login_as("admin")
    page = client.get("/admin/oe").get_data(as_text=True)
    assert 'href="/admin/oe/einlesen"' in page
    token = csrf("/admin/oe/einlesen")
    response = client.post("/admin/oe/einlesen", data={"csrf_token": token, "file": (io.BytesIO(GOOD.encode()), "oe.csv")})
    assert response.status_code == 200
    assert "OE-Liste übernommen: 2 neu, 1 geändert, 1 unverändert." in response.get_data(as_text=True)
    assert _units(db)["SG 51.23"] == ("Sachgebiet Integration", "Sonstige")

    bad = client.post("/admin/oe/einlesen", data={"csrf_token": token,
                                                  "file": (io.BytesIO(b"kuerzel;name;art\nAmt 96;x;Behoerde\n"), "oe.csv")})
    text = bad.get_data(as_text=True)
    assert "Die Datei wurde nicht übernommen" in text and "Zeile 2: Die Art „Behoerde“ gibt es nicht." in text
    assert "Amt 96" not in _units(db)

    template = client.get("/admin/oe/vorlage.xlsx")
    rows = list(load_workbook(io.BytesIO(template.data), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("kuerzel", "name", "art") and rows[1] == ("Amt 50", "Sozialamt", "Amt")


def test_only_the_admin_reads_the_list(client, login_as):
    for role in ("integrationsbuero", "personalamt", "oe_verantwortliche"):
        login_as(role)
        assert client.get("/admin/oe/einlesen").status_code == 403
        assert client.get("/admin/oe/vorlage.csv").status_code == 403
