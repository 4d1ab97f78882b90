"""A built scenario for the Auswertungstabelle: every rule boundary once.

Stichtag 31.12.2026. The expected table is written out by hand in EXPECTED.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from portal.models.org import OrgUnit
from portal.models.training import Person, RosterEntry, Training

CUTOFF = date(2026, 12, 31)


def unit(db: Session, code: str) -> OrgUnit:
    from tests.conftest import org_unit

    return org_unit(db, code)


def person(db: Session, pn: str, last: str, first: str = "Test") -> Person:
    p = Person(personnel_number=pn, last_name=last, first_name=first)
    db.add(p)
    db.flush()
    return p


def entry(db: Session, p: Person, oe: OrgUnit, group: str, begins: date = date(2020, 1, 1), ends: date | None = None) -> RosterEntry:
    if p.org_unit_id is None:  # the personnel records name the OE of the person's first entry
        p.org_unit_id, p.oe_source = oe.id, "personalamt"
    e = RosterEntry(person_id=p.id, org_unit_id=oe.id, target_group=group, begins_on=begins, ends_on=ends)
    db.add(e)
    db.flush()
    return e


def training(db: Session, p: Person, *, on: date, hours: str, contents: tuple[str, ...], state: str = "accepted",
             title: str = "Schulung", comment: str | None = None, source: str = "import") -> Training:
    t = Training(
        person_id=p.id, title=title, provider="Fortbildungsprogramm", completed_on=on, hours=Decimal(hours),
        format="praesenz", internal=True, source=source, state=state, decision_comment=comment,
        file_name="x.pdf" if source == "upload" else None,
        **{f"c_{c}": True for c in contents},
    )
    db.add(t)
    db.flush()
    return t


def build(db: Session) -> dict[str, Person]:
    a50, a51 = unit(db, "Amt 50"), unit(db, "Amt 51")
    P = {}
    P["p1"] = p = person(db, "T-001", "Eins")
    entry(db, p, a50, "fuehrungskraft")
    training(db, p, on=date(2021, 1, 1), hours="6", contents=("interkulturell",), title="Interkulturelle Öffnung")
    P["p2"] = p = person(db, "T-002", "Zwei")  # lead in 50 and Bürgerkontakt in 50 and 51: counts only as lead in 50
    entry(db, p, a50, "fuehrungskraft")
    entry(db, p, a50, "buergerkontakt")
    entry(db, p, a51, "buergerkontakt")
    training(db, p, on=date(2023, 5, 2), hours="8", contents=("mehrsprachigkeit",), title="Spanisch A1")
    P["p3"] = p = person(db, "T-003", "Drei")
    entry(db, p, a50, "fuehrungskraft")
    training(db, p, on=date(2024, 3, 1), hours="5.99", contents=("demokratisch",), title="Zivilcourage kurz")
    P["p4"] = p = person(db, "T-004", "Vier")
    entry(db, p, a50, "buergerkontakt")
    training(db, p, on=date(2020, 12, 31), hours="6", contents=("interkulturell",), title="Alt")
    training(db, p, on=date(2025, 6, 1), hours="7", contents=("interkulturell",), state="submitted", title="Neu", source="upload")
    P["p5"] = p = person(db, "T-005", "Fünf")
    entry(db, p, a50, "oeffentlichkeitsarbeit")
    training(db, p, on=CUTOFF, hours="6", contents=("demokratisch", "buergernah"), title="Leichte Sprache und Demokratie")
    P["p6"] = p = person(db, "T-006", "Sechs")
    entry(db, p, a50, "buergerkontakt")
    training(db, p, on=date(2027, 1, 1), hours="6", contents=("interkulturell",), title="Zu spät")
    P["p7"] = p = person(db, "T-007", "Sieben")  # leaver the day before the Stichtag
    entry(db, p, a50, "buergerkontakt", ends=date(2026, 12, 30))
    training(db, p, on=date(2022, 1, 1), hours="6", contents=("interkulturell",))
    P["p8"] = p = person(db, "T-008", "Acht")  # joiner the day after
    entry(db, p, a50, "buergerkontakt", begins=date(2027, 1, 1))
    P["p9"] = p = person(db, "T-009", "Neun")  # leaves on the Stichtag itself
    entry(db, p, a50, "buergerkontakt", ends=CUTOFF)
    P["p10"] = p = person(db, "T-010", "Zehn")
    entry(db, p, a50, "buergerkontakt", begins=CUTOFF)
    training(db, p, on=date(2022, 2, 2), hours="6", contents=("buergernah",), title="Bürgernah")
    training(db, p, on=date(2025, 2, 2), hours="6", contents=("buergernah",), state="submitted", title="Noch eine", source="upload")
    P["p11"] = p = person(db, "T-011", "Elf")
    entry(db, p, a50, "buergerkontakt")
    training(db, p, on=date(2023, 1, 1), hours="8", contents=("interkulturell",), state="rejected", comment="kein Bezug", source="upload")
    training(db, p, on=date(2023, 1, 1), hours="8", contents=("interkulturell",), state="returned", comment="Datei unlesbar", source="upload")
    P["p12"] = p = person(db, "T-012", "Zwölf")
    entry(db, p, a51, "fuehrungskraft")
    training(db, p, on=date(2024, 1, 1), hours="7", contents=("demokratisch",))
    db.flush()
    return P


# OE, Zielgruppe, Personen, demo, inter, mehr, bürgernah, erfüllt, nicht erfüllt, in Prüfung
EXPECTED = {
    ("Amt 50", "Führungskräfte"): [3, 0, 1, 1, 0, 1, 2, 0],
    ("Amt 50", "Beschäftigte"): [6, 1, 0, 0, 2, 2, 4, 1],
    ("Amt 51", "Führungskräfte"): [1, 1, 0, 0, 0, 1, 0, 0],
    ("Amt 51", "Beschäftigte"): [0, 0, 0, 0, 0, 0, 0, 0],  # P2 is Führungskraft in Amt 50: not here
    ("Gesamt", "Führungskräfte"): [4, 1, 1, 1, 0, 2, 2, 0],
    ("Gesamt", "Beschäftigte"): [6, 1, 0, 0, 2, 2, 4, 1],
}
