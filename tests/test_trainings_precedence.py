"""A Führungskraft counts once, as Führungskraft – also when the other group is in another OE.

Someone who is Führungskraft (active on the Stichtag) in any OE counts only in the
Führungskräfte row of each OE where they hold an active Führungskraft entry, never in a
Beschäftigte row, and is judged everywhere by the Führungskraft content rule. The table,
the page behind every number, the person page, the employee's own page and the CSV say
the same, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.people import User
from portal.models.training import Person, RosterEntry, Training
from tests.test_trainings_independent import FK, STAFF, _browser_rows, _cell_page, _sign_in, _unit

A, B = "Amt 97", "Amt 98"
S = date(2026, 12, 31)
DAY_BEFORE, DAY_AFTER = date(2026, 12, 30), date(2027, 1, 1)
SINCE = date(2020, 1, 1)


def build(db: Session) -> dict[str, Person]:
    units = {code: _unit(db, code) for code in (A, B)}
    persons: dict[str, Person] = {}

    def person(key: str, *entries: tuple[str, str, date | None, date | None]) -> None:
        p = Person(personnel_number=f"PR-{key}", last_name=f"Vorrang{key}", first_name="Kim")
        db.add(p)
        db.flush()
        persons[key] = p
        for code, group, begins, ends in entries:
            db.add(RosterEntry(person_id=p.id, org_unit_id=units[code].id, target_group=group,
                               begins_on=begins or SINCE, ends_on=ends))

    def training(who: str, title: str, content: str, state: str = "accepted") -> None:
        db.add(Training(person_id=persons[who].id, title=title, provider="Anbieter", completed_on=date(2023, 5, 2),
                        hours=Decimal("8"), format="praesenz", internal=True, source="import", state=state,
                        **{f"c_{content}": True}))

    # Führungskraft in A, Bürgerkontakt in B, only a language course
    person("X01", (A, "fuehrungskraft", None, None), (B, "buergerkontakt", None, None))
    training("X01", "Spanisch A1", "mehrsprachigkeit")
    # Führungskraft in both OEs (and Öffentlichkeitsarbeit in B), interkulturell
    person("X02", (A, "fuehrungskraft", None, None), (B, "fuehrungskraft", None, None),
           (B, "oeffentlichkeitsarbeit", None, None))
    training("X02", "Interkulturelle Öffnung", "interkulturell")
    # no Führungskraft anywhere: Beschäftigte in both OEs (unchanged)
    person("X03", (A, "buergerkontakt", None, None), (B, "oeffentlichkeitsarbeit", None, None))
    training("X03", "Arabisch A2", "mehrsprachigkeit")
    # Führungskraft in A until the day before the Stichtag, Bürgerkontakt in B
    person("X04", (A, "fuehrungskraft", None, DAY_BEFORE), (B, "buergerkontakt", None, None))
    training("X04", "Türkisch A1", "mehrsprachigkeit")
    # Führungskraft in B from the day after the Stichtag, Bürgerkontakt in A
    person("X05", (B, "fuehrungskraft", DAY_AFTER, None), (A, "buergerkontakt", None, None))
    training("X05", "Leichte Sprache", "buergernah")
    # Führungskraft in B until the Stichtag itself, Bürgerkontakt in A; a certificate in review
    person("X06", (B, "fuehrungskraft", None, S), (A, "buergerkontakt", None, None))
    training("X06", "Englisch B1", "mehrsprachigkeit")
    training("X06", "Demokratie stärken", "demokratisch", state="submitted")
    db.commit()
    return persons


# Personen, demokratisch, interkulturell, Mehrsprachigkeit, bürgernah, erfüllt, nicht erfüllt, in Prüfung
EXPECTED = {
    (A, FK): [2, 0, 1, 1, 0, 1, 1, 0],  # X01 (not fulfilled: language course), X02
    (A, STAFF): [2, 0, 0, 1, 1, 2, 0, 0],  # X03, X05 – not X06 (Führungskraft in B)
    (B, FK): [2, 0, 1, 1, 0, 1, 1, 1],  # X02, X06 (pending)
    (B, STAFF): [2, 0, 0, 2, 0, 2, 0, 0],  # X03, X04 – not X01, not X02
    ("Gesamt", FK): [3, 0, 1, 2, 0, 1, 2, 1],
    ("Gesamt", STAFF): [3, 0, 0, 2, 1, 3, 0, 0],
}
MEMBERS = {  # (OE, row) → persons, fulfilled
    (A, FK): ({"X01", "X02"}, {"X02"}),
    (A, STAFF): ({"X03", "X05"}, {"X03", "X05"}),
    (B, FK): ({"X02", "X06"}, {"X02"}),
    (B, STAFF): ({"X03", "X04"}, {"X03", "X04"}),
    ("Gesamt", FK): ({"X01", "X02", "X06"}, {"X02"}),
    ("Gesamt", STAFF): ({"X03", "X04", "X05"}, {"X03", "X04", "X05"}),
}
# the day after: X05 has become Führungskraft in B, X06 is no longer one
EXPECTED_DAY_AFTER = {
    (A, FK): [2, 0, 1, 1, 0, 1, 1, 0],
    (A, STAFF): [2, 0, 0, 2, 0, 2, 0, 0],  # X03, X06
    (B, FK): [2, 0, 1, 0, 1, 1, 1, 0],  # X02, X05 (Leichte Sprache does not fit)
    (B, STAFF): [2, 0, 0, 2, 0, 2, 0, 0],  # X03, X04
    ("Gesamt", FK): [3, 0, 1, 1, 1, 1, 2, 0],
    ("Gesamt", STAFF): [3, 0, 0, 3, 0, 3, 0, 0],
}


def _numbers(rows) -> dict[tuple[str, str], list[int]]:  # noqa: ANN001
    return {key: [int(n) for n in v[0]] for key, v in rows.items() if key in EXPECTED}


def _verdict(page: str) -> str:
    return re.search(r'<p class="ampel ampel-\w+">([^<]+)</p>', page).group(1)


def test_a_lead_counts_once_as_lead_across_oes(any_backend_app, tmp_path):
    db = any_backend_app.extensions["portal.db"].new_session()
    build(db)
    office = _sign_in(any_backend_app, db, "pr-buero", "integrationsbuero", "INAUSLB")
    rows = _browser_rows(office.get("/trainings/auswertung?stichtag=31.12.2026").get_data(as_text=True))
    assert _numbers(rows) == EXPECTED
    later = _browser_rows(office.get("/trainings/auswertung?stichtag=01.01.2027").get_data(as_text=True))
    assert _numbers(later) == EXPECTED_DAY_AFTER

    # the persons behind each row, and each person page says what the cell says
    for key, (persons, fulfilled) in MEMBERS.items():
        numbers, links, _ = rows[key]
        assert _cell_page(office.get(links[0]).get_data(as_text=True))[0] == {f"PR-{k}" for k in persons}, key
        assert _cell_page(office.get(links[5]).get_data(as_text=True))[0] == {f"PR-{k}" for k in fulfilled}, key
        if numbers[6] != "0":
            cell_html = office.get(links[6]).get_data(as_text=True)
            assert _cell_page(cell_html)[0] == {f"PR-{k}" for k in persons - fulfilled}, key
            assert "nicht erfüllt: " in cell_html and ">erfüllt: " not in cell_html
        for column, want in ((5, "Auftrag erfüllt"), (6, "Auftrag noch nicht erfüllt")):
            if numbers[column] == "0":
                continue
            cell_html = office.get(links[column]).get_data(as_text=True)
            for href in set(re.findall(r'href="(/trainings/person/\d+\?stichtag=2026-12-31)"', cell_html)):
                page = office.get(href).get_data(as_text=True)
                verdict = _verdict(page)
                assert verdict == want or (want != "Auftrag erfüllt" and verdict == "Nachweis in Prüfung"), (key, href)

    # X01's page: counted as Führungskraft, the language course does not fit, only in Amt 97
    x01 = db.scalar(select(Person).where(Person.personnel_number == "PR-X01"))
    page = office.get(f"/trainings/person/{x01.id}?stichtag=2026-12-31").get_data(as_text=True)
    assert _verdict(page) == "Auftrag noch nicht erfüllt"
    assert "gezählt als <strong>Führungskräfte</strong>" in page
    assert f"Gezählt in: {A}." in page
    assert "nein: Inhalt passt nicht zur Zielgruppe Führungskraft" in page

    # X01's own page says the same
    db.expire_all()
    own = _sign_in(any_backend_app, db, "pr-x01", "beschaeftigte", A)
    user = db.scalar(select(User).where(User.username == "pr-x01"))
    user.personnel_number = "PR-X01"
    db.commit()
    mine = own.get("/trainings/").get_data(as_text=True)
    assert _verdict(mine) == "Auftrag noch nicht erfüllt"
    assert "gezählt als <strong>Führungskräfte</strong>" in mine

    # the CSV download and the report command show the same numbers
    download = office.get("/trainings/auswertung/export/csv?stichtag=2026-12-31").data.decode("utf-8-sig")
    got = {(r[0], r[1]): [int(v) for v in r[2:]] for r in csv.reader(download.split("\r\n")[1:-1], delimiter=";")}
    assert {k: v for k, v in got.items() if k in EXPECTED} == EXPECTED
    out = tmp_path / "b.csv"
    result = any_backend_app.test_cli_runner().invoke(
        args=["report", "compliance", "--format", "csv", "--oe", B, "-o", str(out)])
    assert result.exit_code == 0, result.output
    one = list(csv.reader(out.read_bytes().decode("utf-8-sig").split("\r\n")[1:-1], delimiter=";"))
    assert one == [[B, FK, *map(str, EXPECTED[(B, FK)])], [B, STAFF, *map(str, EXPECTED[(B, STAFF)])]]

    # the training officer of Amt 98 sees the same own-OE rows (X01 is not theirs to count)
    officer = _sign_in(any_backend_app, db, "pr-fb98", "fortbildungsbeauftragte", B)
    own_rows = _browser_rows(officer.get("/trainings/auswertung").get_data(as_text=True))
    assert _numbers(own_rows) == {(B, FK): EXPECTED[(B, FK)], (B, STAFF): EXPECTED[(B, STAFF)]}
    staff_cell = officer.get(own_rows[(B, STAFF)][1][0]).get_data(as_text=True)
    assert _cell_page(staff_cell)[0] == {"PR-X03", "PR-X04"}
    db.close()
