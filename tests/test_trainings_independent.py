"""An independent scenario for the Auswertungstabelle, written from the requirement text.

Stichtag 30.06.2026 (not the default). For every row the persons and trainings behind
each number are written out by hand (MEMBERS); the numbers are their counts. The test
reads them back through the public surfaces only: the browser table and the page
behind every number, `portal report compliance` as CSV and XLSX, on SQLite and
PostgreSQL.
"""
from __future__ import annotations

import csv
import html as htmllib
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.sessions import SESSION_KEY, _hash
from portal.models.org import OrgUnit
from portal.models.people import User, UserRole, UserSession
from portal.models.training import Person, RosterEntry, Training
from tests.support.requirements import require_binary

S = date(2026, 6, 30)  # the Stichtag of this scenario
DAY_BEFORE, DAY_AFTER = date(2026, 6, 29), date(2026, 7, 1)
A, B, C, D = "Amt 91", "Amt 92", "Amt 93", "Amt 94"  # C: no roster; D: only a roster entry that ended
HEADER_LINE = ("OE;Zielgruppe;Personen;Schulungen demokratische Kompetenz;Schulungen interkulturelle Kompetenz;"
               "Schulungen Mehrsprachigkeit;Schulungen bürgernahe Kommunikation;Auftrag erfüllt;Auftrag nicht erfüllt;"
               "Nachweise in Prüfung")
FK, STAFF = "Führungskräfte", "Beschäftigte"
CONTENT_COLUMNS = ("demokratisch", "interkulturell", "mehrsprachigkeit", "buergernah")


# --- the scenario ------------------------------------------------------------------

def _unit(db: Session, code: str) -> OrgUnit:
    unit = db.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        unit = OrgUnit(code=code, name=f"Prüfamt {code}", kind="Amt")
        db.add(unit)
        db.flush()
    return unit


def build(db: Session) -> tuple[dict[str, OrgUnit], dict[str, Person], dict[str, Training]]:
    units = {code: _unit(db, code) for code in (A, B, C, D)}
    persons: dict[str, Person] = {}
    trainings: dict[str, Training] = {}

    def person(key: str, *entries: tuple[str, str, date, date | None]) -> None:
        # the personnel records name the OE of the person's first entry
        p = Person(personnel_number=f"IV-{key}", last_name=f"Prüf{key}", first_name="Vera",
                   org_unit_id=units[entries[0][0]].id if entries else None)
        db.add(p)
        db.flush()
        persons[key] = p
        for code, group, begins, ends in entries:
            db.add(RosterEntry(person_id=p.id, org_unit_id=units[code].id, target_group=group,
                               begins_on=begins, ends_on=ends))

    def training(key: str, who: str, on: date, hours: str, *contents: str, state: str = "accepted",
                 source: str = "import", comment: str | None = None) -> None:
        t = Training(person_id=persons[who].id, title=f"Schulung {key}", provider="Anbieter", completed_on=on,
                     hours=Decimal(hours), format="praesenz", internal=source == "import", source=source, state=state,
                     decision_comment=comment, file_name=f"{key}.pdf" if source == "upload" else None,
                     file_original_name=f"Zertifikat {key}.pdf" if source == "upload" else None,
                     file_type="application/pdf" if source == "upload" else None,
                     file_size=2048 if source == "upload" else None,
                     **{f"c_{c}": True for c in contents})
        db.add(t)
        db.flush()
        trainings[key] = t

    since = date(2020, 1, 1)
    fk = lambda code=A, begins=since, ends=None: (code, "fuehrungskraft", begins, ends)  # noqa: E731
    bk = lambda code=A, begins=since, ends=None: (code, "buergerkontakt", begins, ends)  # noqa: E731
    oa = lambda code=A, begins=since, ends=None: (code, "oeffentlichkeitsarbeit", begins, ends)  # noqa: E731

    person("A01", fk()); training("t01", "A01", date(2021, 1, 1), "6", "demokratisch")            # exactly 6 h, first day
    person("A02", fk()); training("t02", "A02", date(2024, 3, 1), "5.99", "interkulturell")       # too short
    person("A03", fk()); training("t03", "A03", date(2020, 12, 31), "6", "interkulturell")        # before 2021
    person("A04", bk()); training("t04", "A04", S, "6", "mehrsprachigkeit")                       # on the Stichtag
    person("A05", bk()); training("t05", "A05", DAY_AFTER, "8", "buergernah")                     # the day after
    person("A06", bk(begins=DAY_AFTER)); training("t06", "A06", date(2022, 5, 5), "6", "demokratisch")  # joins after
    person("A07", bk(ends=DAY_BEFORE)); training("t07", "A07", date(2022, 5, 5), "6", "interkulturell")  # left before
    person("A08", oa(ends=S)); training("t08", "A08", date(2022, 5, 5), "6", "interkulturell")    # leaves on the Stichtag
    person("A09", bk(begins=S))                                                                    # joins on the Stichtag
    person("A10", fk(), bk()); training("t10", "A10", date(2023, 3, 3), "7", "demokratisch")      # lead + Bürgerkontakt
    person("A11", fk()); training("t11", "A11", date(2022, 2, 2), "10", "mehrsprachigkeit")       # lead, wrong content
    person("A12", bk()); training("t12", "A12", date(2021, 3, 1), "6", "buergernah", source="upload")  # upload, recognised
    person("A13", bk()); training("t13", "A13", date(2023, 4, 4), "6", "interkulturell", "mehrsprachigkeit")  # two contents
    person("A14", bk()); training("t14", "A14", date(2023, 1, 1), "8", "interkulturell", state="returned",
                                  source="upload", comment="Datei unlesbar")
    person("A15", bk()); training("t15", "A15", date(2023, 1, 1), "8", "interkulturell", state="rejected",
                                  source="upload", comment="kein Bezug zum Auftrag")
    person("A16", bk()); training("t16", "A16", date(2024, 1, 1), "8", "interkulturell", state="submitted", source="upload")
    person("A17", bk()); training("t17", "A17", date(2022, 6, 6), "6", "demokratisch")            # fulfilled ...
    training("t17b", "A17", date(2025, 1, 1), "8", "interkulturell", state="submitted", source="upload")  # ... and pending
    person("A18", fk()); training("t18", "A18", date(2025, 2, 2), "8", "demokratisch", state="submitted", source="upload")
    person("A19", bk(), oa(code=B)); training("t19", "A19", date(2022, 9, 9), "6", "interkulturell")  # two OEs
    person("B01", fk(code=B)); training("t21", "B01", date(2025, 5, 5), "6", "interkulturell")
    person("B02", bk(code=B)); training("t22", "B02", date(2021, 5, 5), "6", "demokratisch")
    training("t22b", "B02", date(2022, 5, 5), "7", "demokratisch")                                # two trainings
    person("B03", fk(code=B)); training("t23", "B03", date(2024, 4, 4), "5", "demokratisch", state="submitted",
                                        source="upload")                                          # pending, too short
    person("D01", bk(code=D, ends=date(2025, 12, 31))); training("t31", "D01", date(2022, 1, 1), "6", "demokratisch")
    db.commit()
    return units, persons, trainings


@dataclass
class Cell:
    persons: set[str]
    fulfilled: set[str]
    pending: set[str] = field(default_factory=set)
    trainings: dict[str, set[str]] = field(default_factory=dict)  # content → training keys
    pending_certificates: set[str] = field(default_factory=set)  # behind "Nachweise in Prüfung"

    def numbers(self) -> list[int]:
        return [len(self.persons), *[len(self.trainings.get(c, set())) for c in CONTENT_COLUMNS],
                len(self.fulfilled), len(self.persons - self.fulfilled), len(self.pending)]


def _persons(text: str) -> set[str]:
    return set(text.split())


# Hand-computed from the requirement, Stichtag 30.06.2026.
MEMBERS: dict[tuple[str, str], Cell] = {
    (A, FK): Cell(_persons("A01 A02 A03 A10 A11 A18"), _persons("A01 A10"), {"A18"},
                  {"demokratisch": {"t01", "t10"}, "mehrsprachigkeit": {"t11"}}, {"t18"}),
    (A, STAFF): Cell(_persons("A04 A05 A08 A09 A12 A13 A14 A15 A16 A17 A19"),
                     _persons("A04 A08 A12 A13 A17 A19"), {"A16"},
                     {"demokratisch": {"t17"}, "interkulturell": {"t08", "t13", "t19"},
                      "mehrsprachigkeit": {"t04", "t13"}, "buergernah": {"t12"}}, {"t16"}),
    (B, FK): Cell(_persons("B01 B03"), {"B01"}, {"B03"}, {"interkulturell": {"t21"}}, {"t23"}),
    (B, STAFF): Cell(_persons("A19 B02"), _persons("A19 B02"), set(),
                     {"demokratisch": {"t22", "t22b"}, "interkulturell": {"t19"}}),
    (C, FK): Cell(set(), set()),
    (C, STAFF): Cell(set(), set()),
    (D, FK): Cell(set(), set()),
    (D, STAFF): Cell(set(), set()),
}
# Citywide: every person once (A19 is in two OEs), every training once.
MEMBERS[("Gesamt", FK)] = Cell(
    MEMBERS[(A, FK)].persons | MEMBERS[(B, FK)].persons, MEMBERS[(A, FK)].fulfilled | MEMBERS[(B, FK)].fulfilled,
    {"A18", "B03"}, {"demokratisch": {"t01", "t10"}, "interkulturell": {"t21"}, "mehrsprachigkeit": {"t11"}},
    {"t18", "t23"})
MEMBERS[("Gesamt", STAFF)] = Cell(
    MEMBERS[(A, STAFF)].persons | MEMBERS[(B, STAFF)].persons,
    MEMBERS[(A, STAFF)].fulfilled | MEMBERS[(B, STAFF)].fulfilled, {"A16"},
    {"demokratisch": {"t17", "t22", "t22b"}, "interkulturell": {"t08", "t13", "t19"},
     "mehrsprachigkeit": {"t04", "t13"}, "buergernah": {"t12"}}, {"t16"})

EXPECTED = {key: cell.numbers() for key, cell in MEMBERS.items()}


def test_the_hand_computed_table_is_what_the_rules_say():
    """Spelled out once more as plain numbers, so a slip in MEMBERS shows."""
    assert EXPECTED == {
        (A, FK): [6, 2, 0, 1, 0, 2, 4, 1],
        (A, STAFF): [11, 1, 3, 2, 1, 6, 5, 1],
        (B, FK): [2, 0, 1, 0, 0, 1, 1, 1],
        (B, STAFF): [2, 2, 1, 0, 0, 2, 0, 0],
        (C, FK): [0] * 8, (C, STAFF): [0] * 8, (D, FK): [0] * 8, (D, STAFF): [0] * 8,
        ("Gesamt", FK): [8, 2, 1, 1, 0, 3, 5, 2],
        ("Gesamt", STAFF): [12, 3, 3, 2, 1, 7, 5, 1],
    }


# --- helpers: sign-in on either backend, parsing --------------------------------------

def _sign_in(app: Flask, db: Session, username: str, role: str, oe: str):
    user = User(external_id=f"iv-{username}", dn=f"uid={username},ou=people,dc=test", username=username,
                display_name=username.title(), personnel_number=f"IV-U-{username}", oe_value=oe)
    user.org_unit = _unit(db, oe)
    user.role_grants.append(UserRole(role=role, scope=""))
    db.add(user)
    token = secrets.token_urlsafe(24)
    db.flush()
    db.add(UserSession(token_hash=_hash(token), user_id=user.id))
    db.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess[SESSION_KEY] = token
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
    return client


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _browser_rows(page: str) -> dict[tuple[str, str], tuple[list[str], list[str | None], str]]:
    """(OE, Zielgruppe) → (numbers as shown, link of each number or None, OE cell text)."""
    rows = {}
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
        oe_text = _text(cells[0])
        oe = re.sub(r"\s*\(keine Zielgruppenliste\)$", "", oe_text)
        links = [htmllib.unescape(m.group(1)) if (m := re.search(r'href="([^"]+)"', c)) else None for c in cells[2:]]
        rows[(oe, _text(cells[1]))] = ([_text(c) for c in cells[2:]], links, oe_text)
    return rows


def _links(page: str) -> set[str]:
    """The person pages and certificates a cell page links to."""
    body = page.split("<main", 1)[-1]
    return {htmllib.unescape(h) for h in re.findall(r'href="(/trainings/(?:person|nachweis)/[^"]+)"', body)}


def _cell_page(page: str) -> tuple[set[str], set[str]]:
    """(personnel numbers in the persons table, training titles in the trainings table)."""
    tables = re.findall(r"<table>(.*?)</table>", page, re.S)
    persons: set[str] = set()
    titles: set[str] = set()
    for table in tables:
        caption = _text(re.search(r"<caption>(.*?)</caption>", table, re.S).group(1))
        rows = [re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S) for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
        rows = [r for r in rows if r]
        if caption.startswith("Personen"):
            persons = {_text(r[1]) for r in rows}
            assert caption == f"Personen hinter dieser Zahl ({len(rows)})"
        else:
            titles = {_text(r[1]) for r in rows}
            assert caption.endswith(f"hinter dieser Zahl ({len(rows)})")
    return persons, titles


COLUMN_KEYS = ["personen", *CONTENT_COLUMNS, "erfuellt", "nicht-erfuellt", "pruefung"]


def _expected_behind(cell: Cell, column: str) -> tuple[set[str], set[str]]:
    """The personnel numbers and training titles a number must open."""
    pn = lambda keys: {f"IV-{k}" for k in keys}  # noqa: E731
    if column == "personen":
        return pn(cell.persons), set()
    if column == "erfuellt":
        return pn(cell.fulfilled), set()
    if column == "nicht-erfuellt":
        return pn(cell.persons - cell.fulfilled), set()
    if column == "pruefung":  # the persons and their certificates awaiting review
        return pn(cell.pending), {f"Schulung {k}" for k in cell.pending_certificates}
    keys = cell.trainings.get(column, set())
    return pn({_owner(t) for t in keys}), {f"Schulung {k}" for k in keys}


_OWNERS: dict[str, str] = {}


def _owner(training_key: str) -> str:
    return _OWNERS[training_key]


def _remember_owners(persons: dict[str, Person], trainings: dict[str, Training]) -> None:
    by_id = {p.id: k for k, p in persons.items()}
    _OWNERS.update({k: by_id[t.person_id] for k, t in trainings.items()})


def _check_rows(got: dict[tuple[str, str], list[str]], all_codes: list[str]) -> None:
    for key, numbers in EXPECTED.items():
        assert got[key] == [str(n) for n in numbers], key
    for (oe, group), numbers in got.items():
        values = [int(n) for n in numbers]
        assert values[0] == values[5] + values[6], (oe, group)  # Personen = erfüllt + nicht erfüllt
        if oe not in (A, B, "Gesamt"):
            assert values == [0] * 8, (oe, group)  # no other roster in this scenario
    assert sorted({oe for oe, _ in got}) == sorted([*all_codes, "Gesamt"])


def _active_codes(db: Session) -> list[str]:
    return list(db.scalars(select(OrgUnit.code).where(OrgUnit.retired_on.is_(None))))


# --- the browser ---------------------------------------------------------------------

def test_browser_table_and_every_number_behind_it(any_backend_app):
    db = any_backend_app.extensions["portal.db"].new_session()
    units, persons, trainings = build(db)
    _remember_owners(persons, trainings)
    office = _sign_in(any_backend_app, db, "iv-buero", "integrationsbuero", "INAUSLB")
    page = office.get("/trainings/auswertung?stichtag=30.06.2026").get_data(as_text=True)
    assert "Stichtag 30.06.2026" in page
    rows = _browser_rows(page)
    _check_rows({k: v[0] for k, v in rows.items()}, _active_codes(db))
    assert rows[(C, FK)][2] == rows[(C, STAFF)][2] == f"{C} (keine Zielgruppenliste)"
    assert rows[(A, FK)][2] == A
    keys = list(rows)
    assert keys[-2:] == [("Gesamt", FK), ("Gesamt", STAFF)]

    # every non-zero number is a link that opens exactly the persons and trainings behind it
    opened = 0
    behind: set[str] = set()
    for key, cell in MEMBERS.items():
        numbers, links, _ = rows[key]
        for column, number, link in zip(COLUMN_KEYS, numbers, links, strict=True):
            if number == "0":
                assert link is None, (key, column)
                continue
            assert link is not None, (key, column)
            response = office.get(link)
            assert response.status_code == 200, (key, column, link)
            cell_html = response.get_data(as_text=True)
            got_persons, got_titles = _cell_page(cell_html)
            behind |= _links(cell_html)
            want_persons, want_titles = _expected_behind(cell, column)
            assert got_persons == want_persons, (key, column)
            assert got_titles == want_titles, (key, column)
            assert len(want_titles if column in CONTENT_COLUMNS else want_persons) == int(number)
            opened += 1
    assert opened == 38
    # ... and from there the person pages and certificates open for the office
    assert len([h for h in behind if h.startswith("/trainings/person/")]) == len(
        {p for c in MEMBERS.values() for p in c.persons})
    assert len([h for h in behind if h.startswith("/trainings/nachweis/")]) == len(
        {t for c in MEMBERS.values() for ts in [*c.trainings.values(), c.pending_certificates] for t in ts})
    for href in behind:
        assert office.get(href).status_code == 200, href

    # the training officer of Amt 91: own OE only, every number opens too
    officer = _sign_in(any_backend_app, db, "iv-fb91", "fortbildungsbeauftragte", A)
    own = _browser_rows(officer.get("/trainings/auswertung?stichtag=2026-06-30").get_data(as_text=True))
    assert list(own) == [(A, FK), (A, STAFF)]
    for key in own:
        assert own[key][0] == [str(n) for n in EXPECTED[key]]
        for column, number, link in zip(COLUMN_KEYS, *own[key][:2], strict=True):
            assert (link is None) == (number == "0"), (key, column)
            if link:
                cell_html = officer.get(link).get_data(as_text=True)
                assert _cell_page(cell_html) == _expected_behind(MEMBERS[key], column)
                for href in _links(cell_html):
                    assert officer.get(href).status_code == 200, href
    foreign = f"/trainings/auswertung/zelle?oe={units[B].id}&zeile=fuehrungskraefte&spalte=personen&stichtag=2026-06-30"
    assert officer.get(foreign).status_code == 404
    citywide = "/trainings/auswertung/zelle?oe=gesamt&zeile=fuehrungskraefte&spalte=personen&stichtag=2026-06-30"
    assert officer.get(citywide).status_code == 403

    # the Personalamt: the same numbers, and nothing behind them
    hr = _sign_in(any_backend_app, db, "iv-pa", "personalamt", "Amt 10")
    hr_page = hr.get("/trainings/auswertung?stichtag=30.06.2026").get_data(as_text=True)
    hr_rows = _browser_rows(hr_page)
    assert {k: v[0] for k, v in hr_rows.items()} == {k: v[0] for k, v in rows.items()}
    assert "/auswertung/zelle" not in hr_page
    assert all(link is None for _, links, _ in hr_rows.values() for link in links)
    own_cell = f"/trainings/auswertung/zelle?oe={units[A].id}&zeile=fuehrungskraefte&spalte=personen&stichtag=2026-06-30"
    assert hr.get(own_cell).status_code == 403
    assert hr.get(citywide).status_code == 403
    for href in behind:  # no person page, no certificate
        assert hr.get(href).status_code in (403, 404), href
    db.close()


# --- the report command: CSV and XLSX -------------------------------------------------

def _report(app: Flask, tmp_path: Path, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"auswertung.{fmt}"
    result = app.test_cli_runner().invoke(args=["report", "compliance", "--format", fmt, *extra, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_report_csv_and_xlsx(any_backend_app, tmp_path):
    db = any_backend_app.extensions["portal.db"].new_session()
    build(db)
    codes = _active_codes(db)

    raw = _report(any_backend_app, tmp_path, "csv", "--stichtag", "2026-06-30").read_bytes()
    office = _sign_in(any_backend_app, db, "iv-buero", "integrationsbuero", "INAUSLB")
    download = office.get("/trainings/auswertung/export/csv?stichtag=2026-06-30")
    assert download.status_code == 200 and download.data == raw
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert lines[0] == HEADER_LINE
    parsed = list(csv.reader(lines[1:], delimiter=";"))
    assert all(len(r) == 10 for r in parsed)
    got = {(r[0], r[1]): r[2:] for r in parsed}
    assert len(got) == len(parsed) == 2 * (len(codes) + 1)
    _check_rows(got, codes)
    assert parsed[-2][:2] == ["Gesamt", FK] and parsed[-1][:2] == ["Gesamt", STAFF]

    book = load_workbook(_report(any_backend_app, tmp_path, "xlsx", "--stichtag", "2026-06-30"))
    sheet = book.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ";".join(values[0]) == HEADER_LINE
    assert all(isinstance(v, int) for r in values[1:] for v in r[2:])
    _check_rows({(r[0], r[1]): [str(v) for v in r[2:]] for r in values[1:]}, codes)

    # the PDF shows the same rows
    require_binary("pdftotext", shutil.which("pdftotext"))
    pdf = _report(any_backend_app, tmp_path, "pdf", "--stichtag", "2026-06-30").read_bytes()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Stichtag 30.06.2026" in text
    flat = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]
    for (oe, group), numbers in EXPECTED.items():  # the note may wrap onto the next line
        assert any(line[0].startswith(oe) and line[-9:] == [group, *map(str, numbers)] for line in flat), (oe, group)
    lines = text.splitlines()
    c_line = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{C} (keine"))
    assert lines[c_line + 1].strip() == "Zielgruppenliste)"

    # one OE only
    one = _report(any_backend_app, tmp_path, "csv", "--stichtag", "2026-06-30", "--oe", "amt 91").read_bytes()
    one_rows = list(csv.reader(one.decode("utf-8-sig").split("\r\n")[1:-1], delimiter=";"))
    assert one_rows == [[A, FK, *map(str, EXPECTED[(A, FK)])], [A, STAFF, *map(str, EXPECTED[(A, STAFF)])]]

    # the default Stichtag 31.12.2026: A05's training (01.07.2026) counts, A06 has joined, A08 has left
    default = _report(any_backend_app, tmp_path, "csv").read_bytes()
    rows = {(r[0], r[1]): r[2:] for r in csv.reader(default.decode("utf-8-sig").split("\r\n")[1:-1], delimiter=";")}
    assert rows[(A, STAFF)] == ["11", "2", "2", "2", "2", "7", "4", "1"]
    assert rows[(A, FK)] == [str(n) for n in EXPECTED[(A, FK)]]
    db.close()


def test_imported_trainings_are_recognised_and_counted(any_backend_app, tmp_path):
    """`portal trainings import`: A09 (joined on the Stichtag) and A02 (only 5,99 h so far) fulfil."""
    db = any_backend_app.extensions["portal.db"].new_session()
    build(db)
    source = tmp_path / "programm.csv"
    source.write_text(
        "personalnummer;titel;anbieter;datum;stunden;inhalte;format\n"
        "IV-A09;Leichte Sprache;Fortbildungsprogramm;30.06.2026;6;buergernah;Präsenz\n"
        "IV-A02;Interkulturelle Öffnung;Fortbildungsprogramm;2026-01-15;6,0;interkulturell,demokratisch;Online\n"
        "IV-A03;Zu spät;Fortbildungsprogramm;01.07.2026;8;demokratisch;Präsenz\n",
        encoding="utf-8-sig")
    runner = any_backend_app.test_cli_runner()
    result = runner.invoke(args=["trainings", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["trainings", "import", str(source)]).exit_code == 0  # twice changes nothing
    rows = {(r[0], r[1]): [int(v) for v in r[2:]] for r in csv.reader(
        _report(any_backend_app, tmp_path, "csv", "--stichtag", "2026-06-30").read_bytes()
        .decode("utf-8-sig").split("\r\n")[1:-1], delimiter=";")}
    # A02's training has two contents: it counts in both columns of the Führungskräfte row
    assert rows[(A, FK)] == [6, 3, 1, 1, 0, 3, 3, 1]
    assert rows[(A, STAFF)] == [11, 1, 3, 2, 2, 7, 4, 1]
    assert rows[("Gesamt", FK)] == [8, 3, 2, 1, 0, 4, 4, 2]
    assert rows[("Gesamt", STAFF)] == [12, 3, 3, 2, 2, 8, 4, 1]
    db.close()
