"""The measure catalogue in the database: loaded by setup, exported, imported (all or nothing)."""
from __future__ import annotations

import csv
import io
from collections import Counter

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal import reference
from portal.measures.catalogue import HEADER
from portal.models.audit import AuditEvent
from portal.models.measure import ActionField, Measure, MeasureRow, WorkingGroup
from tests.test_catalogue_data import EXPECTED_PER_FIELD, EXPECTED_PER_PART

FIELD_NAMES = {
    "sprache": "Spracherwerb und Sprachförderung",
    "arbeit": "Arbeit, Wirtschaft, Berufsausbildung und Studium",
    "wohnen": "Wohnen",
    "fruehe-bildung": "Frühkindliche Bildung",
    "schulische-bildung": "Schulische Bildung",
    "jugendhilfe": "Kinder- und Jugendhilfe",
    "teilhabe": "Gesellschaftliche und soziale Integration, Selbstorganisation und politische Teilhabe",
    "soziale-beratung": "Soziale Beratung und Betreuung",
    "gesundheit-sport": "Gesundheit und Sport",
    "vielfalt": "Kulturelle und religiöse Vielfalt",
    "verwaltung": "Interkulturelle Orientierung und Öffnung der Stadtverwaltung",
}


def export(runner, tmp_path, fmt="csv", name="katalog"):
    target = tmp_path / f"{name}.{fmt}"
    result = runner.invoke(args=["catalogue", "export", "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"150 Zeilen nach {target} geschrieben."
    return target


def csv_rows(path):
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, r, strict=True)) for r in rows[1:]]


def find(rows, field, nr, part=""):
    hits = [r for r in rows if r["handlungsfeld"] == FIELD_NAMES[field] and r["teilfeld"] == part and r["nr"] == nr]
    assert len(hits) == 1, (field, nr, part, len(hits))
    return hits[0]


def test_setup_loaded_the_whole_catalogue_and_the_working_groups(db):
    assert db.scalar(select(func.count()).select_from(Measure)) == 144
    assert db.scalar(select(func.count()).select_from(MeasureRow)) == 150
    groups = {g.code: [f.code for f in g.fields] for g in db.scalars(select(WorkingGroup))}
    assert groups == {
        "AG1": ["sprache", "arbeit", "wohnen", "soziale-beratung"],
        "AG2": ["fruehe-bildung", "schulische-bildung", "jugendhilfe"],
        "AG3": ["teilhabe", "gesundheit-sport", "vielfalt"],
        "KG": ["verwaltung"],
    }
    parts = {f.code: f.parts for f in db.scalars(select(ActionField)) if f.parts}
    assert parts == {"gesundheit-sport": ["Gesundheit", "Sport"], "vielfalt": ["Kulturelle Vielfalt", "Religiöse Vielfalt"]}


def test_export_has_every_measure_per_field_as_in_the_seed(runner, tmp_path):
    rows = csv_rows(export(runner, tmp_path))
    assert len(rows) == 150
    main = [r for r in rows if "(Teil" not in r["nr"]]
    by_name = {name: code for code, name in FIELD_NAMES.items()}
    assert Counter(by_name[r["handlungsfeld"]] for r in main) == EXPECTED_PER_FIELD
    per_part = Counter((by_name[r["handlungsfeld"]], r["teilfeld"]) for r in main if r["teilfeld"])
    assert per_part == EXPECTED_PER_PART
    extra = [(by_name[r["handlungsfeld"]], r["teilfeld"], r["nr"]) for r in rows if "(Teil" in r["nr"]]
    assert extra == [("wohnen", "", "3 (Teil 2)"), ("teilhabe", "", "1 (Teil 2)"), ("soziale-beratung", "", "3 (Teil 2)"),
                     ("gesundheit-sport", "Gesundheit", "4 (Teil 2)"), ("verwaltung", "", "10 (Teil 2)"),
                     ("verwaltung", "", "10 (Teil 3)")]
    assert all(r["massnahme"] == "" for r in rows if "(Teil" in r["nr"])


def test_export_measures_field_by_field(runner, tmp_path):
    rows = csv_rows(export(runner, tmp_path))
    r = find(rows, "sprache", "2")
    assert r["massnahme"] == "Unterstützung der Arbeit der ehrenamtlichen Stadtteilbündnisse sowie der Migrantenorganisationen und -gruppen"
    assert r["federfuehrend"] == "Amt 15, Amt 50 (federführend im Zuständigkeitsbereich)"
    assert r["beteiligte"] == "INAUSLB, ehrenamtliche Stadtteilbündnisse, MSA, Migrantenorganisationen, weitere Beteiligte"
    assert (r["termin"], r["prioritaet"]) == ("2022 bis 2026", "sehr hoch")

    r = find(rows, "sprache", "3")
    assert r["inhalt"].startswith("'- Gewährleistung einer bedarfsgerechten finanziellen Förderung\n- Prüfung")  # neutralised for Excel

    r = find(rows, "wohnen", "3")
    assert (r["federfuehrend"], r["beteiligte"], r["termin"], r["prioritaet"]) == ("Amt 50 (federführend)", "Amt 13, Beratungsangebote der Integrationsarbeit, Migrantenorganisationen, ehrenamtliche Stadtteilbündnisse, Verbraucherzentrale, weitere Beteiligte", "2022 bis 2025", "hoch")
    r = find(rows, "wohnen", "3 (Teil 2)")
    assert (r["federfuehrend"], r["beteiligte"], r["termin"]) == ("INAUSLB (federführend)", "Amt 50, Amt 61, weitere Beteiligte", "2024")
    assert "„Orientierungshilfe Wohnen“" in r["inhalt"]

    r = find(rows, "schulische-bildung", "1")
    assert (r["federfuehrend"], r["beteiligte"]) == ("Amt 40", "")

    r = find(rows, "jugendhilfe", "7")
    assert (r["federfuehrend"], r["prioritaet"]) == ("Amt 51 (federführend)", "mittel")

    r = find(rows, "gesundheit-sport", "5", "Sport")
    assert (r["massnahme"], r["federfuehrend"], r["termin"], r["prioritaet"]) == (
        "Neugestaltung der Sportdatenbank", "EB 17, EB 52 (federführend im Zuständigkeitsbereich)", "ab 2023", "hoch")

    r = find(rows, "vielfalt", "2", "Religiöse Vielfalt")
    assert r["federfuehrend"] == "Amt 41, Amt 42, Amt 43, Amt 50, Amt 51, Amt 61 (federführend im Zuständigkeitsbereich)"

    r = find(rows, "verwaltung", "1")
    assert r["federfuehrend"] == "alle Ämter und Eigenbetriebe (federführend im Zuständigkeitsbereich)"
    r = find(rows, "verwaltung", "11")
    assert r["federfuehrend"] == ("alle Ämter und Eigenbetriebe, Stadtbezirksämter, Amt 15, Amt 41, Amt 50, EB 52, Amt 53, GB 3 "
                                  "(federführend im Zuständigkeitsbereich)")
    assert [find(rows, "verwaltung", nr)["termin"] for nr in ("10", "10 (Teil 2)", "10 (Teil 3)")] == ["2023", "2022", "2022 bis 2026"]
    # the plan marks no lead here ("alle Eigenbetriebe")
    assert find(rows, "verwaltung", "21")["federfuehrend"] == "alle Eigenbetriebe (federführend: nicht festgelegt)"


def test_round_trip_csv_gives_the_identical_file(runner, tmp_path, db):
    first = export(runner, tmp_path, name="eins")
    result = runner.invoke(args=["catalogue", "import", str(first)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("Gespeichert: 0 neu, 0 geändert, 144 unverändert.")
    second = export(runner, tmp_path, name="zwei")
    assert first.read_bytes() == second.read_bytes()


def test_round_trip_xlsx_gives_the_same_cells(runner, tmp_path):
    first = export(runner, tmp_path, "xlsx", name="eins")
    result = runner.invoke(args=["catalogue", "import", str(first)])
    assert result.exit_code == 0, result.output
    second = export(runner, tmp_path, "xlsx", name="zwei")

    def cells(path):
        ws = load_workbook(path, read_only=True).worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]

    a, b = cells(first), cells(second)
    assert len(a) == 151 and a == b
    assert a[0] == HEADER


def test_import_changes_measures_and_audits(runner, tmp_path, db):
    path = export(runner, tmp_path)
    text = path.read_bytes().decode("utf-8-sig")
    text = text.replace("Neugestaltung der Sportdatenbank", "Neugestaltung der Sportdatenbank (neu)")
    text = text.replace("Amt 51 (federführend);Träger der Kinder- und Jugendhilfe, weitere Beteiligte;2022 bis 2026;mittel",
                        "Amt 51 (federführend);Träger der Kinder- und Jugendhilfe, weitere Beteiligte;ab 2024;hoch")
    path.write_bytes(("\ufeff" + text).encode())

    dry = runner.invoke(args=["catalogue", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    # the summary only, no line per measure (--einzeln adds those)
    assert dry.output.splitlines() == ["Probelauf: 0 neu, 2 geändert, 142 unverändert. Nichts gespeichert."]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Measure).where(Measure.title.like("%(neu)"))) == 0

    result = runner.invoke(args=["catalogue", "import", str(path), "--einzeln"])
    assert result.exit_code == 0, result.output
    assert "Maßnahme 9.5 (Sport) geändert" in result.output
    assert "Gespeichert: 0 neu, 2 geändert, 142 unverändert." in result.output
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Measure).where(Measure.title == "Neugestaltung der Sportdatenbank (neu)")) == 1
    row = db.scalars(select(MeasureRow).join(Measure).join(ActionField).where(ActionField.code == "jugendhilfe", Measure.number == 7)).one()
    assert (row.deadline, row.end_year, row.priority) == ("ab 2024", 2026, "hoch")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "catalogue_imported")).one()
    assert '"geaendert": 2' in event.detail


def _bad(runner, tmp_path, db, text, expected_lines):
    path = tmp_path / "kaputt.csv"
    path.write_bytes(("\ufeff" + text).encode())
    before = db.scalar(select(func.count()).select_from(Measure))
    result = runner.invoke(args=["catalogue", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == ["kaputt.csv: nichts gespeichert.", *expected_lines]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Measure)) == before
    assert db.scalar(select(func.count()).select_from(Measure).where(Measure.title.like("Geändert%"))) == 0
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "catalogue_imported")) == 0


HEAD = ";".join(HEADER) + "\r\n"


def test_import_refuses_duplicate_number_unknown_oe_and_priority(runner, tmp_path, db):
    text = HEAD + (
        "Wohnen;;1;Geändert eins;Inhalt;Amt 50 (federführend);;2022 bis 2026;hoch\r\n"
        "Wohnen;;1;Geändert doppelt;Inhalt;Amt 50;;2022;hoch\r\n"
        "Wohnen;;2;Geändert zwei;Inhalt;Amt 99, Amt 50 (federführend);;2022;hoch\r\n"
        "Wohnen;;3;Geändert drei;Inhalt;Amt 50;;2022;dringend\r\n"
        "Wohnen;;4;Geändert vier;Inhalt;Amt 50;;irgendwann;hoch\r\n"
        "Wohnen;;5 (Teil 2);;Inhalt;Amt 50;;2022;hoch\r\n"
        "Wohnen;Sport;6;Geändert;Inhalt;Amt 50;;2022;hoch\r\n"
    )
    _bad(runner, tmp_path, db, text, [
        "Zeile 3: Die Nummer „1“ gibt es im Handlungsfeld „Wohnen“ schon in Zeile 2.",
        "Zeile 4: Unbekannte OE „Amt 99“. Bitte das Kürzel aus dem OE-Verzeichnis verwenden.",
        "Zeile 5: Die Priorität „dringend“ ist unbekannt. Möglich: sehr hoch, hoch, mittel.",
        "Zeile 6: Der Termin „irgendwann“ ist nicht lesbar. Möglich: „2024“, „2022 bis 2026“, „bis 2025“, „bis 12/2025“, "
        "„3. Quartal 2025“, „2. Halbjahr 2025“, „bis 30.06.2025“, „ab 2023“ oder „fortlaufend“.",
        "Zeile 7: „5 (Teil 2)“ muss direkt nach Maßnahme 5 (oder deren Teil 1) stehen.",
        "Zeile 8: Das Handlungsfeld „Wohnen“ hat keine Teilfelder; bitte „teilfeld“ leer lassen.",
    ])


def test_import_refuses_a_wrong_header(runner, tmp_path, db):
    text = "feld;nr;titel\r\nWohnen;1;Geändert\r\n"
    _bad(runner, tmp_path, db, text, [
        "Die Kopfzeile passt nicht. Erwartet: „" + ";".join(HEADER) + "“, gefunden: „feld;nr;titel“."])


def test_setup_is_idempotent_and_keeps_edits(db, app):
    measure = db.scalars(select(Measure).join(ActionField).where(ActionField.code == "wohnen", Measure.number == 1)).one()
    measure.title = "Im Browser geändert"
    extra = db.scalars(select(Measure).join(ActionField).where(ActionField.code == "wohnen", Measure.number == 9)).one()
    db.delete(extra)
    db.commit()
    with app.app_context():
        from portal.db import get_session

        session = get_session()
        lines = reference.load_all(session)
        session.commit()
    (catalogue_line,) = [line for line in lines if line.startswith("Maßnahmenkatalog:")]
    assert catalogue_line.startswith("Maßnahmenkatalog: 1 neu, 144 insgesamt; 1 Maßnahme weicht vom mitgelieferten Katalog ab "
                                     "(nicht überschrieben): 3.1. ")
    db.expire_all()
    assert db.get(Measure, measure.id).title == "Im Browser geändert"
    lines_again = []
    with app.app_context():
        from portal.db import get_session

        session = get_session()
        lines_again = reference.load_all(session)
        session.commit()
    assert [line for line in lines_again if line.startswith("Maßnahmenkatalog: 0 neu, 144 insgesamt; 1 Maßnahme weicht")]


def test_import_refuses_to_drop_a_part_that_has_reports(runner, tmp_path, db):
    from datetime import date

    from portal.models.org import OrgUnit
    from tests.measures_support import accepted_report, make_period, row_of

    path = export(runner, tmp_path)
    period = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    inauslb = db.scalars(select(OrgUnit).where(OrgUnit.code == "INAUSLB")).one()
    accepted_report(db, period, row_of(db, "wohnen", 3, position=2), inauslb, "umgesetzt")
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    (index,) = [i for i, line in enumerate(lines) if line.startswith("Wohnen;;3 (Teil 2);")]
    del lines[index]
    text = "\r\n".join(lines)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    line = next(reader.line_num for r in reader if r[:3] == ["Wohnen", "", "3"])  # as the reader counts lines
    bad = tmp_path / "ohne-teil.csv"
    bad.write_bytes(("\ufeff" + text).encode())
    result = runner.invoke(args=["catalogue", "import", str(bad)])
    assert result.exit_code == 1
    messages = result.output.strip().splitlines()
    assert messages[0] == "ohne-teil.csv: nichts gespeichert."
    assert len(messages) == 2
    assert messages[1] == f"Zeile {line}: Maßnahme 3 hätte weniger Teile, aber zu den fehlenden Teilen gibt es schon Berichte."
    db.expire_all()
    assert len(row_of(db, "wohnen", 3).measure.rows) == 2
