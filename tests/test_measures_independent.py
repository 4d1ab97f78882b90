"""An independent reading of the council table: one period played through the real pages
(OE reports, review, AG assessment), then the page, CSV, XLSX and PDF checked cell by cell
against values worked out here from the shipped catalogue JSON and the rules in
docs/measures.md — not from the product's own table code.

Scenario (period "Zwischenbericht 2025", Stichtag 31.12.2025, open):

* Spracherwerb 2 — Amt 15 and Amt 50 lead, each in its area: Amt 15 "umgesetzt", Amt 50
  "in Umsetzung" with Klärungsbedarf; both accepted; AG 1 agrees ("in Umsetzung", no reason).
* Arbeit 5 (Termin 2022 bis 2023, so overdue) — Amt 50 and Amt 80 in their areas: Amt 50
  "Umsetzung offen" accepted, Amt 80's report returned with a comment; AG 1 differs
  ("in Umsetzung", reason required and given).
* Wohnen 3 — Amt 50 leaves a draft of the main row; INAUSLB reports part 2 (Termin 2024)
  "umgesetzt", accepted: an overdue-by-date part that is done and so not listed.
* Kinder- und Jugendhilfe 7 — Amt 51 confirms its accepted 2024 report "unverändert".
* Interkulturelle Öffnung 16 — "alle Ämter und Eigenbetriebe": Amt 10 "umgesetzt" and Amt 40
  "in Umsetzung", accepted; every other Amt and Eigenbetrieb has not reported.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.models.measure import GroupAssessment, MeasureReport
from portal.models.org import OrgUnit
from tests.measures_support import accepted_report, make_period, row_of, stand_from
from tests.support.requirements import require_binary

DATA = Path(__file__).resolve().parents[1] / "portal" / "data"
PLAN = json.loads((DATA / "catalogue" / "aktionsplan-2022-2026.json").read_text("utf-8"))
UNITS = json.loads((DATA / "org_units.json").read_text("utf-8"))
FIELD_NAME = {f["code"]: f["name"] for f in PLAN["fields"]}
FIELD_NUMBER = {f["code"]: f["number"] for f in PLAN["fields"]}
WORDS = {"offen": "Umsetzung offen", "in_umsetzung": "in Umsetzung", "umgesetzt": "umgesetzt"}
ORDER = ["offen", "in_umsetzung", "umgesetzt"]
KINDS = {"Ämter und Eigenbetriebe": {"Amt", "Eigenbetrieb"}, "Eigenbetriebe": {"Eigenbetrieb"}}
HEADER = ["Handlungsfeld", "Teilfeld", "Nr.", "Maßnahme", "Verantwortung", "Termin", "Priorität", "Erfüllungsstand",
          "Klärungsbedarf", "Inhalt, Erläuterungen", "Ziel", "Zwischenüberschrift"]


def unit(db, code):
    return db.scalars(select(OrgUnit).where(OrgUnit.code == code)).one()


def spec(field, number, part=None):
    return next(m for m in PLAN["measures"] if m["field"] == field and m["number"] == str(number) and m["part"] == part)


def leads(row):
    """OE codes that lead a catalogue row (named, plus every OE of the "alle …" kinds)."""
    codes = list(row["lead_oes"])
    if row["lead_all_units"]:
        codes += [u["code"] for u in UNITS if u["kind"] in KINDS[row["lead_all_scope"]] and u["code"] not in codes]
    return codes


def responsibility(row):
    """The Verantwortung cell as the docs describe it: the plan's wording; without it the leads
    with their mode, then the participants."""
    if row.get("responsibility"):
        return row["responsibility"]
    names = ([f"alle {row['lead_all_scope']}"] if row["lead_all_units"] else []) + row["lead_oes"]
    suffix = {"federführend": " (federführend)", "federführend im Zuständigkeitsbereich": " (federführend im Zuständigkeitsbereich)",
              "allein": "", "nicht festgelegt": " (federführend: nicht festgelegt)"}[row["lead_mode"]]
    text = ", ".join(names) + suffix
    return f"{text}, {row['participants']}" if row["participants"] else text


# ---------------------------------------------------------------- playing the period through the pages

def post_report(client, csrf, period, row, **data):
    path = f"/measures/bericht/{period.id}/{row.id}"
    page = client.get(path).get_data(as_text=True)
    form = {"csrf_token": csrf(path), "stand": stand_from(page) if 'name="stand"' in page else "",
            "clarification_needed": "nein", "progress": "", "next_steps": "", **data}
    return client.post(path, data=form)


def review(client, csrf, report_id, action, comment=""):
    path = f"/measures/pruefung/{report_id}"
    return client.post(path, data={"csrf_token": csrf(path), "aktion": action, "comment": comment})


def assess(client, csrf, period, measure, light, comment=""):
    token = csrf(f"/measures/zeitraeume/{period.id}/uebersicht?feld={measure.field.code}")
    return client.post(f"/measures/zeitraeume/{period.id}/bewertung/{measure.id}",
                       data={"csrf_token": token, f"m{measure.id}-light": light, f"m{measure.id}-comment": comment})


def report_of(db, period, row, code):
    db.expire_all()
    return db.scalars(select(MeasureReport).where(MeasureReport.period_id == period.id, MeasureReport.measure_row_id == row.id,
                                                  MeasureReport.org_unit_id == unit(db, code).id)).one()


@pytest.fixture
def scenario(client, db, login_as, csrf, make_user):
    old = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    period = make_period(db, "Zwischenbericht 2025", date(2025, 12, 31), True)
    rows = {
        "sprache2": row_of(db, "sprache", 2), "arbeit5": row_of(db, "arbeit", 5), "wohnen3": row_of(db, "wohnen", 3),
        "wohnen3.2": row_of(db, "wohnen", 3, 2), "jugend7": row_of(db, "jugendhilfe", 7), "verw16": row_of(db, "verwaltung", 16),
    }
    accepted_report(db, old, rows["jugend7"], unit(db, "Amt 51"), "umgesetzt", progress="Alle Gruppen laufen.")
    users = {code: make_user(username=f"oe-{code.replace(' ', '').lower()}", roles=("oe_verantwortliche",), oe=code)
             for code in ("Amt 15", "Amt 50", "Amt 80", "Amt 51", "Amt 10", "Amt 40", "INAUSLB")}
    office = make_user(username="buero", roles=("integrationsbuero",), oe="INAUSLB")
    ag1 = make_user(username="ag1", roles=("ag_leitung:AG1",), oe="Amt 50", name="Antje Arbeitsgruppe")

    def as_oe(code, row, **data):
        login_as(user=users[code])
        assert post_report(client, csrf, period, rows[row], **data).status_code == 302

    as_oe("Amt 15", "sprache2", light="umgesetzt", progress="Angebote laufen.", aktion="einreichen")
    as_oe("Amt 50", "sprache2", light="in_umsetzung", clarification_needed="ja", progress="Förderrichtlinie offen.", aktion="einreichen")
    as_oe("Amt 50", "arbeit5", light="offen", aktion="einreichen")
    as_oe("Amt 50", "wohnen3", light="umgesetzt", progress="Entwurf", aktion="entwurf")
    as_oe("Amt 80", "arbeit5", light="umgesetzt", progress="Mentorenprogramm abgeschlossen.", aktion="einreichen")
    as_oe("INAUSLB", "wohnen3.2", light="umgesetzt", progress="Orientierungshilfe ist online.", aktion="einreichen")
    as_oe("Amt 10", "verw16", light="umgesetzt", progress="Leitbild beschlossen.", aktion="einreichen")
    as_oe("Amt 40", "verw16", light="in_umsetzung", aktion="einreichen")
    login_as(user=users["Amt 51"])
    token = csrf("/measures/meine")
    assert client.post(f"/measures/bericht/{period.id}/{rows['jugend7'].id}/unveraendert", data={"csrf_token": token}).status_code == 302

    login_as(user=office)
    for code, row in (("Amt 15", "sprache2"), ("Amt 50", "sprache2"), ("Amt 50", "arbeit5"), ("INAUSLB", "wohnen3.2"),
                      ("Amt 51", "jugend7"), ("Amt 10", "verw16"), ("Amt 40", "verw16")):
        assert review(client, csrf, report_of(db, period, rows[row], code).id, "annehmen").status_code == 302
    returned = report_of(db, period, rows["arbeit5"], "Amt 80")
    assert review(client, csrf, returned.id, "zurueckgeben", "Bitte den Stand der Mentoren ergänzen.").status_code == 302

    login_as(user=ag1)
    assert assess(client, csrf, period, rows["sprache2"].measure, "in_umsetzung").status_code == 302
    response = assess(client, csrf, period, rows["arbeit5"].measure, "in_umsetzung")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Die Bewertung wurde nicht gespeichert" in page
    assert "Begründung: Ihre Bewertung weicht von den Berichten der OE ab. Bitte begründen Sie sie kurz.</a>" in page
    assess(client, csrf, period, rows["arbeit5"].measure, "in_umsetzung", "Mentorenprogramm läuft, Bericht von Amt 80 fehlt noch.")
    login_as(user=office)
    return {"period": period, "old": old, "rows": rows, "users": users, "office": office, "ag1": ag1}


# ---------------------------------------------------------------- the expected table, worked out independently

LIGHTS = {  # (field, part, number, position) → (light or None, Klärungsbedarf)
    ("sprache", None, 2, 1): ("in_umsetzung", True),  # AG agrees with the least advanced OE light
    ("arbeit", None, 5, 1): ("in_umsetzung", False),  # AG differs from "Umsetzung offen"
    ("wohnen", None, 3, 1): (None, False),  # a draft does not count
    ("wohnen", None, 3, 2): ("umgesetzt", False),
    ("jugendhilfe", None, 7, 1): ("umgesetzt", False),  # confirmed unchanged, accepted
    ("verwaltung", None, 16, 1): ("in_umsetzung", False),  # least advanced of umgesetzt / in Umsetzung
}
REPORTED = {  # OE → rows with a submitted or accepted report in the period
    "Amt 15": 1, "Amt 50": 2, "INAUSLB": 1, "Amt 51": 1, "Amt 10": 1, "Amt 40": 1,
}


def expected_lines():
    lines = []
    parts = {f["code"]: f["parts"] for f in PLAN["fields"]}
    for m in sorted(PLAN["measures"], key=lambda m: (FIELD_NUMBER[m["field"]], parts[m["field"]].index(m["part"]) if m["part"] else -1,
                                                     int(m["number"]))):
        for position, row in enumerate(m["rows"], start=1):
            light, clarification = LIGHTS.get((m["field"], m["part"], int(m["number"]), position), (None, False))
            nr = m["number"] if position == 1 else f"{m['number']} (Teil {position})"
            content = m["content"] if position == 1 else (row["content"] or "")
            word = WORDS[light] if light else "kein Bericht"
            lines.append({
                "cells": [FIELD_NAME[m["field"]], m["part"] or "", nr,
                          m["title"] if position == 1 else (row["content"] or ""), responsibility(row), row["deadline"],
                          row["priority"] or "", word, "ja" if clarification else "", content,
                          "\n\n".join(m["goals"]), m.get("heading") or ""],
                # the page in the plan's layout: Maßnahme only on the main row, the content in its own column
                "page": [FIELD_NAME[m["field"]], m["part"] or "", nr, m["title"] if position == 1 else "", content,
                         responsibility(row), row["deadline"], row["priority"] or "", word, "ja" if clarification else ""],
                "end_year": row["end_year"], "light": light,
            })
    return lines


def norm(text):
    return " ".join(str(text or "").split())


def test_expected_lines_cover_the_plan():
    lines = expected_lines()
    assert len(lines) == 150
    assert [line["cells"][2] for line in lines[:6]] == ["1", "2", "3", "4", "5", "6"]
    sport = [line["cells"][1] for line in lines if line["cells"][0] == "Gesundheit und Sport"]
    assert sport == ["Gesundheit"] * 11 + ["Sport"] * 11  # Gesundheit 4 has a part 2


# ---------------------------------------------------------------- page, CSV, XLSX, PDF

def page_lines(html):
    lines = []
    for caption, body in re.findall(r'<table class="council">\s*<caption>(.*?): Erfüllungsstand zum [^<]*</caption>(.*?)</table>', html, re.S):
        field, _, part = unescape(caption).partition(" – ")
        for nr, cells in re.findall(r'<tr data-measure="\d+" data-row="\d+">\s*<th scope="row">([^<]*)</th>(.*?)</tr>', body, re.S):
            tds = re.findall(r"<td[^>]*>(.*?)</td>\s*(?=<td|$)", cells, re.S)
            status = tds[5]
            spans = re.findall(r'<span class="ampel ampel-(rot|gelb|gruen)">([^<]*)</span>', status)
            word = spans[0][1] if spans else unescape(re.sub(r"<[^>]+>", "", status.replace("Klärungsbedarf", ""))).strip()
            responsible = re.sub(r'<br><span class="hint-inline">\(federführend: nicht festgelegt\)</span>', "", tds[2])
            lines.append({
                "cells": [field, part, unescape(nr), norm(unescape(tds[0])), norm(unescape(re.sub(r"<[^>]+>", " ", tds[1]))),
                          norm(unescape(responsible)), unescape(tds[3]), unescape(tds[4]), word, "ja" if "Klärungsbedarf" in status else ""],
                "lead_not_set": "(federführend: nicht festgelegt)" in tds[2],
                "colour": spans[0][0] if spans else None,
            })
    return lines


def comparable(cells):
    return [norm(c) for c in cells]


def unquoted(cells):
    """The writers put an apostrophe before text a spreadsheet would run as a formula ("- …")."""
    return comparable(c[1:] if isinstance(c, str) and c.startswith("'-") else c for c in cells)


def test_council_page_cell_by_cell(client, scenario):
    html = client.get(f"/measures/zeitraeume/{scenario['period'].id}/ratstabelle").get_data(as_text=True)
    got = page_lines(html)
    want = expected_lines()
    # lists lose their "- " marks on the page (they are HTML lists there)
    assert [comparable(g["cells"]) for g in got] == [comparable(re.sub(r"(^|\n) *- ", r"\1", str(c)) for c in w["page"]) for w in want]
    assert sum(g["lead_not_set"] for g in got) == sum(r["lead_mode"] == "nicht festgelegt" for m in PLAN["measures"] for r in m["rows"]) == 7
    # the colour always comes with its word, and the word matches the colour
    colours = {"Umsetzung offen": "rot", "in Umsetzung": "gelb", "umgesetzt": "gruen", "kein Bericht": None}
    assert all(colours[g["cells"][8]] == g["colour"] for g in got)
    assert re.findall(r'<span class="ampel ampel-\w+">\s*</span>', html) == []
    by_nr = {(g["cells"][0], g["cells"][2]): g["cells"] for g in got}
    assert by_nr[("Spracherwerb und Sprachförderung", "2")][5:] == [
        "Amt 15, 50 (federführend im Zuständigkeitsbereich), INAUSLB, ehrenamtliche Stadtteilbündnisse, MSA, "
        "Migrantenorganisationen, weitere Beteiligte", "2022 bis 2026", "sehr hoch", "in Umsetzung", "ja"]
    assert by_nr[("Interkulturelle Orientierung und Öffnung der Stadtverwaltung", "16")][5:] == [
        "alle Ämter und Eigenbetriebe", "2022 bis 2026", "hoch", "in Umsetzung", ""]


def read_xlsx(data):
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_csv_and_xlsx_from_the_command_cell_by_cell(runner, scenario, tmp_path):
    period = scenario["period"]
    want = [comparable(w["cells"]) for w in expected_lines()]
    for fmt in ("csv", "xlsx", "pdf"):
        result = runner.invoke(args=["report", "measures", "--period", str(period.id), "--format", fmt, "-o", str(tmp_path / f"t.{fmt}")])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"Tabelle für „Zwischenbericht 2025“ nach {tmp_path / f't.{fmt}'} geschrieben."
    rows = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == HEADER
    # CSV: a cell that a spreadsheet would run as a formula gets a leading apostrophe
    assert [unquoted(r) for r in rows[1:]] == want
    sheets = read_xlsx((tmp_path / "t.xlsx").read_bytes())
    assert sheets["Ratstabelle"][0] == HEADER
    assert [unquoted(r) for r in sheets["Ratstabelle"][1:]] == want
    assert {r[7] for r in sheets["Ratstabelle"][1:]} == {"in Umsetzung", "umgesetzt", "kein Bericht"}


def expected_counts():
    per_field = {}
    for m in PLAN["measures"]:
        lights = [LIGHTS.get((m["field"], m["part"], int(m["number"]), p), (None, False))[0] for p in range(1, len(m["rows"]) + 1)]
        known = [x for x in lights if x]
        light = min(known, key=ORDER.index) if known else None
        if (m["field"], m["number"]) in {("sprache", "2"), ("arbeit", "5")}:
            light = "in_umsetzung"  # the AG's light counts for the measure
        counts = per_field.setdefault(m["field"], {"offen": 0, "in_umsetzung": 0, "umgesetzt": 0, None: 0})
        counts[light] += 1
    rows = []
    for code in sorted(per_field, key=FIELD_NUMBER.get):
        c = per_field[code]
        rows.append([f"{FIELD_NUMBER[code]}. {FIELD_NAME[code]}", c["offen"], c["in_umsetzung"], c["umgesetzt"], c[None], sum(c.values())])
    rows.append(["Gesamt", *[sum(r[i] for r in rows) for i in range(1, 6)]])
    return rows


def expected_overdue(cutoff):
    """A deadline is due on 31.12. of its end year; passed when that day lies before the
    Stichtag (on the day itself it is due, not passed); "ab …" has no end (docs/measures.md)."""
    return [[w["cells"][0], w["cells"][1], w["cells"][2], w["cells"][3], w["cells"][4], w["cells"][5], w["cells"][7]]
            for w in expected_lines()
            if not w["cells"][5].startswith("ab ") and date(w["end_year"], 12, 31) < cutoff and w["light"] != "umgesetzt"]


def expected_missing():
    due = {}
    for m in PLAN["measures"]:
        for row in m["rows"]:
            for code in leads(row):
                due[code] = due.get(code, 0) + 1
    names = {u["code"]: u["name"] or "" for u in UNITS}
    return [[code, names[code], n, REPORTED.get(code, 0), n - REPORTED.get(code, 0)]
            for code, n in sorted(due.items()) if n > REPORTED.get(code, 0)]


def test_counts_overdue_and_missing_in_xlsx_and_page(client, scenario):
    period = scenario["period"]
    counts = expected_counts()
    assert counts[0] == ["1. Spracherwerb und Sprachförderung", 0, 1, 0, 5, 6]
    assert counts[-1] == ["Gesamt", 0, 3, 2, 139, 144]  # Sprache 2, Arbeit 5, Verwaltung 16; Jugendhilfe 7 and Wohnen 3 (part 2)
    overdue = expected_overdue(date(2025, 12, 31))
    assert [o[2] for o in overdue if o[0] == "Arbeit, Wirtschaft, Berufsausbildung und Studium"] == ["2", "3", "5", "6", "9", "10", "11"]  # not 12: "2022 bis 2025" is due on the Stichtag
    assert ["Wohnen", "", "3 (Teil 2)"] not in [o[:3] for o in overdue]  # Termin 2024, but umgesetzt
    missing = expected_missing()
    by_code = {m[0]: m for m in missing}
    assert by_code["Amt 15"][3] == 1  # Spracherwerb 2; its other rows are open
    assert by_code["Amt 10"][3] == 1 and by_code["Amt 50"][3] == 2  # a draft does not count
    assert by_code["Amt 80"][2:] == [by_code["Amt 80"][2], 0, by_code["Amt 80"][2]]  # its only report was returned
    assert by_code["EB 52"][3] == 0

    sheets = read_xlsx(client.get(f"/measures/zeitraeume/{period.id}/ratstabelle.xlsx").data)
    assert sheets["Stand je Handlungsfeld"][1:] == counts
    assert [unquoted(r) for r in sheets["Termin überschritten"][1:]] == [comparable(o) for o in overdue]
    assert sheets["Fehlende Berichte"][1:] == missing

    html = client.get(f"/measures/zeitraeume/{period.id}/auswertung").get_data(as_text=True)
    page_counts = [[unescape(h), *map(int, re.findall(r'<td class="num">(\d+)</td>', cells))]
                   for h, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td class="num">\d+</td>)+)</tr>', html)]
    assert page_counts == counts
    overdue_nrs = re.findall(r'<tr><td>[^<]*</td><th scope="row">([^<]+)</th>', html)
    assert overdue_nrs == [o[2] for o in overdue]
    page_missing = [[unescape(c), unescape(n), int(a), int(b), int(d)] for c, n, a, b, d in re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td><td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td></tr>', html)]
    assert page_missing == missing


def test_pdf_has_every_row_with_its_word(client, scenario):
    require_binary("pdftotext (poppler-utils)", shutil.which("pdftotext"))
    data = client.get(f"/measures/zeitraeume/{scenario['period'].id}/ratstabelle.pdf").data
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    council, _, rest = text.partition("Maßnahmen nach Erfüllungsstand und Handlungsfeld")
    legend, _, council = council.partition("interner Klärungsbedarf")  # the legend's last line
    assert "● Umsetzung offen" in legend and "● in Umsetzung" in legend and "● umgesetzt" in legend
    want = expected_lines()
    words = re.findall(r"● (Umsetzung offen|in Umsetzung|umgesetzt)|(kein Bericht)", council)
    assert [a or b for a, b in words] == [w["cells"][7] for w in want]
    assert council.count("●") == sum(1 for w in want if w["light"])  # never a dot without its word
    assert council.count("Klärungsbedarf") == 1
    overdue_part = rest.split("Termin überschritten und nicht umgesetzt")[1].split("OE, die noch nicht berichtet haben")[0]
    assert f"({len(expected_overdue(date(2025, 12, 31)))})" in overdue_part.splitlines()[0]
    missing_part = rest.split("OE, die noch nicht berichtet haben")[1]
    for code, _, due, done, left in expected_missing():
        assert re.search(rf"^\s*{re.escape(code)}\s.*\b{due}\s+{done}\s+{left}\s*$", missing_part, re.M), code


def test_pdf_overdue_list_names_the_part_of_a_split_field(client, scenario):
    """Gesundheit 4 and Sport 4 are different measures; the PDF must say which one is overdue."""
    require_binary("pdftotext (poppler-utils)", shutil.which("pdftotext"))
    data = client.get(f"/measures/zeitraeume/{scenario['period'].id}/ratstabelle.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()  # reading order
    overdue_part = text.split("Termin überschritten und nicht umgesetzt")[1].split("OE, die noch nicht berichtet haben")[0]
    expected_parts = [o[1] for o in expected_overdue(date(2025, 12, 31)) if o[1]]
    assert expected_parts  # e.g. Gesundheit 4 (Teil 2), Termin 2024
    found = re.findall(r"–\s+(Gesundheit|Sport|Kulturelle|Religiöse)\b", overdue_part)
    assert found == [part.split()[0] for part in expected_parts]


# ---------------------------------------------------------------- the consolidated view and the stored trail

def test_overview_shows_both_lights_and_who_set_what(client, db, login_as, scenario):
    period = scenario["period"]
    login_as(user=scenario["ag1"])
    html = client.get(f"/measures/zeitraeume/{period.id}/uebersicht?feld=arbeit").get_data(as_text=True)
    section = html.split(f'id="massnahme-{scenario["rows"]["arbeit5"].measure_id}"')[1].split("</section>")[0]
    assert "Stand nach den Berichten der OE (eingereicht oder angenommen, der am wenigsten fortgeschrittene zählt): " \
           '<span class="ampel ampel-rot">Umsetzung offen</span>' in section
    assert 'Bewertung der Arbeitsgruppe: <span class="ampel ampel-gelb">in Umsetzung</span> – gesetzt von Antje Arbeitsgruppe (AG1)' in section
    assert "Begründung: „Mentorenprogramm läuft, Bericht von Amt 80 fehlt noch.“" in section
    assert "<td>Amt 80</td><td>zurückgegeben</td>" in section
    db.expire_all()
    stored = db.scalars(select(GroupAssessment).where(GroupAssessment.period_id == period.id).order_by(GroupAssessment.id)).all()
    assert [(a.measure_id, a.light, a.reported_light, a.comment) for a in stored] == [
        (scenario["rows"]["sprache2"].measure_id, "in_umsetzung", "in_umsetzung", None),
        (scenario["rows"]["arbeit5"].measure_id, "in_umsetzung", "offen", "Mentorenprogramm läuft, Bericht von Amt 80 fehlt noch."),
    ]
    confirmed = report_of(db, period, scenario["rows"]["jugend7"], "Amt 51")
    assert (confirmed.state, confirmed.light, confirmed.unchanged, confirmed.progress) == ("accepted", "umgesetzt", True, "Alle Gruppen laufen.")


# ---------------------------------------------------------------- access

def test_oe_reports_only_its_own_parts_and_reports(client, db, login_as, csrf, scenario):
    period, rows, users = scenario["period"], scenario["rows"], scenario["users"]
    before = db.scalar(select(func.count()).select_from(MeasureReport))
    amt50_report = report_of(db, period, rows["sprache2"], "Amt 50")
    login_as(user=users["Amt 80"])
    token = csrf("/measures/meine")
    for row_id in (rows["sprache2"].id, rows["wohnen3.2"].id, rows["jugend7"].id, 987654):
        assert client.get(f"/measures/bericht/{period.id}/{row_id}").status_code == 404
        data = {"csrf_token": token, "light": "umgesetzt", "clarification_needed": "nein", "aktion": "einreichen"}
        assert client.post(f"/measures/bericht/{period.id}/{row_id}", data=data).status_code == 404
    # another OE's report on a shared row: neither readable nor reviewable
    assert client.get(f"/measures/pruefung/{amt50_report.id}").status_code == 404
    assert client.post(f"/measures/pruefung/{amt50_report.id}", data={"csrf_token": token, "aktion": "annehmen"}).status_code == 404
    # its own returned report: readable, but an OE cannot accept it
    own = report_of(db, period, rows["arbeit5"], "Amt 80")
    assert client.get(f"/measures/pruefung/{own.id}").status_code == 200
    assert client.post(f"/measures/pruefung/{own.id}", data={"csrf_token": token, "aktion": "annehmen"}).status_code == 403
    # Amt 15 shares Spracherwerb 2 with Amt 50 and sees only its own report there
    login_as(user=users["Amt 15"])
    page = client.get(f"/measures/bericht/{period.id}/{rows['sprache2'].id}").get_data(as_text=True)
    assert "Angebote laufen." in page and "Förderrichtlinie offen." not in page
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(MeasureReport)) == before
    assert report_of(db, period, rows["arbeit5"], "Amt 80").state == "returned"


def test_ag_leitung_assesses_only_its_fields(client, db, login_as, csrf, scenario, make_user):
    period, rows = scenario["period"], scenario["rows"]
    before = db.scalar(select(func.count()).select_from(GroupAssessment))
    login_as("ag_leitung:AG2", oe="Amt 51", username="ag2")
    assert assess(client, csrf, period, rows["arbeit5"].measure, "umgesetzt", "x").status_code == 403
    # reports of another group's field stay hidden, also by guessed id; its own field's are readable
    assert client.get(f"/measures/pruefung/{report_of(db, period, rows['sprache2'], 'Amt 50').id}").status_code == 404
    assert client.get(f"/measures/pruefung/{report_of(db, period, rows['jugend7'], 'Amt 51').id}").status_code == 200
    assert assess(client, csrf, period, rows["verw16"].measure, "umgesetzt", "x").status_code == 403
    login_as(user=scenario["ag1"])
    assert assess(client, csrf, period, rows["jugend7"].measure, "umgesetzt", "x").status_code == 403
    login_as("ag_leitung:KG", oe="INAUSLB", username="kg")
    assert assess(client, csrf, period, rows["sprache2"].measure, "umgesetzt", "x").status_code == 403
    assert assess(client, csrf, period, rows["verw16"].measure, "in_umsetzung").status_code == 302  # agrees: no reason needed
    login_as("oe_verantwortliche", oe="Amt 50", username="oe50b")
    assert assess(client, csrf, period, rows["sprache2"].measure, "umgesetzt", "x").status_code == 403
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(GroupAssessment)) == before + 1


def test_closed_period_refuses_every_way_of_reporting(client, db, login_as, csrf, scenario):
    period, rows, users = scenario["period"], scenario["rows"], scenario["users"]
    token = csrf("/measures/zeitraeume")
    assert client.post(f"/measures/zeitraeume/{period.id}/schliessen", data={"csrf_token": token}).status_code == 302
    db.expire_all()
    snapshot = sorted((r.id, r.state, r.light, r.progress) for r in db.scalars(select(MeasureReport)))
    login_as(user=users["Amt 80"])
    response = post_report(client, csrf, period, rows["arbeit5"], light="in_umsetzung", progress="Nachtrag", aktion="einreichen")
    assert response.status_code == 302
    assert "Der Berichtszeitraum „Zwischenbericht 2025“ ist geschlossen. Es wurde nichts gespeichert." in client.get("/measures/meine").get_data(as_text=True)
    login_as(user=users["Amt 50"])
    post_report(client, csrf, period, rows["wohnen3"], light="umgesetzt", aktion="einreichen")
    token = csrf("/measures/meine")
    client.post("/measures/meine/einreichen", data={"csrf_token": token})
    assert "Zurzeit ist kein Berichtszeitraum offen." in client.get("/measures/meine").get_data(as_text=True)
    login_as(user=users["Amt 51"])
    token = csrf("/measures/meine")
    client.post(f"/measures/bericht/{period.id}/{rows['jugend7'].id}/unveraendert", data={"csrf_token": token})
    db.expire_all()
    assert sorted((r.id, r.state, r.light, r.progress) for r in db.scalars(select(MeasureReport))) == snapshot
