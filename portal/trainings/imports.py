"""Roster import and import of records from the central training programme.

Both: CSV (``;`` or ``,``, UTF-8 with or without BOM) or XLSX; every row is checked
first and every bad line is reported; nothing is stored unless all rows are good
(one flush; the view or command commits once). Importing the same file twice
changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal import audit
from portal.domain import Refused
from portal.imports import (
    ImportErrors, ImportResult, Progress, Row, TableError, counted, parse_date, read_table, starts_like_formula,
)
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.models.training import CONTENTS, FORMATS, TARGET_GROUPS, Person, RosterEntry, Training
from portal.models.workflow import State
from portal.trainings.services import SUBJECT, foreign_number_message, may_list, unknown_number_message
from portal.workflow import transition

# After an import of this many rows PostgreSQL's statistics are refreshed at once: until
# autovacuum's next ANALYZE the planner would count with the tables as they were before
# (for a first import: empty), and the Auswertungstabelle's plan depends on those counts.
ANALYZE_AFTER_ROWS = 1000

ROSTER_HEADER = ["personalnummer", "nachname", "vorname", "oe", "zielgruppe", "beginn", "ende"]
TRAININGS_HEADER = ["personalnummer", "titel", "anbieter", "datum", "stunden", "inhalte", "format"]

_GROUP_WORDS = {
    "fuehrungskraft": ("führungskraft", "führungskräfte", "fuehrungskraft", "fuehrungskraefte"),
    "buergerkontakt": ("bürgerkontakt", "buergerkontakt", "beschäftigte mit bürgerkontakt"),
    "oeffentlichkeitsarbeit": ("öffentlichkeitsarbeit", "oeffentlichkeitsarbeit", "medien- und öffentlichkeitsarbeit",
                               "medien-/öffentlichkeitsarbeit"),
}
GROUP_BY_WORD = {word: key for key, words in _GROUP_WORDS.items() for word in words}
FORMAT_BY_WORD = {label.lower(): key for key, label in FORMATS.items()} | {key: key for key in FORMATS} | {
    "präsenzschulung": "praesenz", "online-schulung": "online", "fachtag": "fachtag", "fachkongress": "fachtag",
    "fachtagung": "fachtag", "e-learning": "elearning",
}


class ImportRefused(Refused):
    """The whole file is refused; `messages` names every bad line; `read`: the data rows read."""

    def __init__(self, messages: list[str], read: int | None = None) -> None:
        super().__init__(messages)
        self.read = read




def _read(data: bytes, filename: str, header: list[str]) -> list[Row]:
    try:
        rows = read_table(data, filename, header)
    except TableError as exc:
        raise ImportRefused([str(exc)]) from exc
    if not rows:
        raise ImportRefused(["Die Datei enthält keine Datenzeilen."])
    return rows


def _formula_cells(row: Row, errors: ImportErrors) -> bool:
    bad = [name for name, value in row.values.items() if name != "__extra__" and starts_like_formula(value)]
    for name in bad:
        errors.add(row.line, f"Die Spalte „{name}“ beginnt mit = + - oder @ (nicht erlaubt).")
    if row.values.get("__extra__"):
        errors.add(row.line, "Die Zeile hat mehr Spalten als die Kopfzeile.")
    return bool(bad)


def _person_columns(row: Row, units: dict[str, OrgUnit], errors: ImportErrors) -> tuple[str, OrgUnit | None, bool]:
    """(personnel number, OE, bad) with the checks every import of persons shares; errors are added."""
    v = row.values
    number = v["personalnummer"].strip()
    bad = True
    if not number:
        errors.add(row.line, "Die Personalnummer fehlt.")
    elif len(number) > 40:
        errors.add(row.line, "Die Personalnummer ist zu lang (höchstens 40 Zeichen).")
    else:
        bad = False
    if not v["nachname"].strip():
        errors.add(row.line, "Der Nachname fehlt.")
        bad = True
    unit = units.get(_norm(v["oe"]))
    if unit is None:
        errors.add(row.line, f"Die OE „{v['oe']}“ ist unbekannt." if v["oe"] else "Die OE fehlt.")
        bad = True
    return number, unit, bad


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


# --- roster ---------------------------------------------------------------------

@dataclass
class _RosterRow:
    line: int
    pn: str
    last: str
    first: str
    unit: OrgUnit
    group: str
    begins: date
    ends: date | None


def import_roster(db: Session, data: bytes, filename: str, actor: User | None = None, *,
                  only_org_unit: OrgUnit | None = None, dry_run: bool = False, progress: Progress = None) -> ImportResult:
    rows = _read(data, filename, ROSTER_HEADER)
    units = {_norm(u.code): u for u in db.scalars(select(OrgUnit))}
    errors = ImportErrors()
    good: list[_RosterRow] = []
    seen: dict[tuple[str, int, str, date], int] = {}
    for row in rows:
        v = row.values
        if _formula_cells(row, errors):
            continue
        pn, unit, bad = _person_columns(row, units, errors)
        if unit is not None and only_org_unit is not None and unit.id != only_org_unit.id:
            errors.add(row.line, f"Die OE „{unit.code}“ ist nicht Ihre OE ({only_org_unit.code}).")
            bad = True
        group = GROUP_BY_WORD.get(_norm(v["zielgruppe"]))
        if group is None:
            errors.add(row.line, f"Die Zielgruppe „{v['zielgruppe']}“ ist unbekannt. Erlaubt: "
                       + ", ".join(TARGET_GROUPS.values()) + ".")
            bad = True
        begins = parse_date(v["beginn"])
        if begins is None:
            errors.add(row.line, f"Der Beginn „{v['beginn']}“ ist kein gültiges Datum (TT.MM.JJJJ)." if v["beginn"]
                       else "Der Beginn fehlt.")
            bad = True
        ends = None
        if v["ende"]:
            ends = parse_date(v["ende"])
            if ends is None:
                errors.add(row.line, f"Das Ende „{v['ende']}“ ist kein gültiges Datum (TT.MM.JJJJ).")
                bad = True
            elif begins is not None and ends < begins:
                errors.add(row.line, "Das Ende liegt vor dem Beginn.")
                bad = True
        if bad:
            continue
        key = (pn, unit.id, group, begins)
        if key in seen:
            errors.add(row.line, f"Dieselbe Person, OE, Zielgruppe und derselbe Beginn stehen schon in Zeile {seen[key]}.")
            continue
        seen[key] = row.line
        good.append(_RosterRow(row.line, pn, v["nachname"], v["vorname"], unit, group, begins, ends))
    # persons come from the personnel records only: an unknown number or (for a training
    # officer) another OE's person refuses the whole file; the message never names the person
    persons = {p.personnel_number: p for p in db.scalars(select(Person).where(Person.personnel_number.in_({r.pn for r in good})))}
    for r in good:
        person = persons.get(r.pn)
        if person is None:
            errors.add(r.line, unknown_number_message(r.pn))
        elif not may_list(person, r.unit, only_org_unit is not None):
            errors.add(r.line, foreign_number_message(r.pn, r.unit))
    if errors:
        raise ImportRefused(errors.messages, len(rows))

    result = ImportResult(read=len(rows))
    # two queries for the whole file: the persons (above), then their entries (no query per row)
    number_of = {p.id: number for number, p in persons.items()}
    existing = {
        (number_of[e.person_id], e.org_unit_id, e.target_group, e.begins_on): e
        for e in db.scalars(select(RosterEntry).where(RosterEntry.person_id.in_(number_of)))
    } if number_of else {}
    for r in counted(good, progress):
        entry = existing.get((r.pn, r.unit.id, r.group, r.begins))
        person = persons[r.pn]  # the name stays as the personnel records have it
        if entry is None:
            result.added += 1
            result.lines.append(f"Zeile {r.line}: neu – {r.pn} {person.last_name}, {TARGET_GROUPS[r.group]}, {r.unit.code}")
        elif entry.ends_on != r.ends:
            result.changed += 1
            result.lines.append(f"Zeile {r.line}: geändert – {r.pn} {person.last_name}, {TARGET_GROUPS[r.group]}, {r.unit.code}")
        else:
            result.unchanged += 1
        if dry_run:
            continue
        if entry is None:
            entry = RosterEntry(person=person, org_unit_id=r.unit.id, target_group=r.group, begins_on=r.begins, ends_on=r.ends)
            db.add(entry)
            existing[(r.pn, r.unit.id, r.group, r.begins)] = entry
        elif entry.ends_on != r.ends:
            entry.ends_on = r.ends
    if not dry_run:
        db.flush()
        audit.record(db, "roster_imported", actor=actor, object_type="RosterImport",
                     org_unit_code=only_org_unit.code if only_org_unit else None,
                     detail={"datei": filename, "neu": result.added, "geaendert": result.changed,
                             "unveraendert": result.unchanged, "aenderungen": result.lines[:500]})
        refresh_statistics(db, ("persons", "roster_entries"), result.added + result.changed)
    return result


# --- trainings from the central programme ------------------------------------------

_CONTENT_WORDS = {"interkulturell": "interkulturell", "demokratisch": "demokratisch",
                  "mehrsprachigkeit": "mehrsprachigkeit", "buergernah": "buergernah", "bürgernah": "buergernah"}


def parse_hours(text: str) -> Decimal | None:
    text = (text or "").strip().replace(" ", "")
    if not re.fullmatch(r"\d{1,4}([.,]\d{1,2})?", text):
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value > 0 else None


def import_trainings(db: Session, data: bytes, filename: str, actor: User | None = None, *, dry_run: bool = False,
                     progress: Progress = None) -> ImportResult:
    rows = _read(data, filename, TRAININGS_HEADER)
    numbers = {r.values["personalnummer"].strip() for r in rows}
    persons = {p.personnel_number: p for p in db.scalars(select(Person).where(Person.personnel_number.in_(numbers)))}
    errors = ImportErrors()
    good: list[tuple[int, Person, dict]] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        v = row.values
        if _formula_cells(row, errors):
            continue
        bad = False
        person = persons.get(v["personalnummer"].strip())
        if not v["personalnummer"].strip():
            errors.add(row.line, "Die Personalnummer fehlt.")
            bad = True
        elif person is None:
            errors.add(row.line, f"Die Personalnummer „{v['personalnummer']}“ ist unbekannt (sie steht in keiner Zielgruppenliste).")
            bad = True
        if not v["titel"]:
            errors.add(row.line, "Der Titel fehlt.")
            bad = True
        if not v["anbieter"]:
            errors.add(row.line, "Der Anbieter fehlt.")
            bad = True
        day = parse_date(v["datum"])
        if day is None:
            errors.add(row.line, f"Das Datum „{v['datum']}“ ist kein gültiges Datum (TT.MM.JJJJ).")
            bad = True
        hours = parse_hours(v["stunden"])
        if hours is None:
            errors.add(row.line, f"Die Stunden „{v['stunden']}“ sind keine gültige Zahl (zum Beispiel 6 oder 7,5).")
            bad = True
        words = [_norm(w) for w in v["inhalte"].split(",") if w.strip()]
        contents = {_CONTENT_WORDS.get(w) for w in words}
        if not words or None in contents:
            errors.add(row.line, f"Die Inhalte „{v['inhalte']}“ sind ungültig. Erlaubt: interkulturell, demokratisch, "
                       "mehrsprachigkeit, buergernah (durch Komma getrennt).")
            bad = True
        fmt = FORMAT_BY_WORD.get(_norm(v["format"]))
        if fmt is None:
            errors.add(row.line, f"Das Format „{v['format']}“ ist unbekannt. Erlaubt: " + ", ".join(FORMATS.values()) + ".")
            bad = True
        if bad:
            continue
        key = (person.id, v["titel"], day, hours)
        if key in seen:
            errors.add(row.line, f"Dieselbe Schulung steht schon in Zeile {seen[key]}.")
            continue
        seen[key] = row.line
        good.append((row.line, person, {"title": v["titel"][:300], "provider": v["anbieter"][:300], "completed_on": day,
                                        "hours": hours, "contents": contents, "format": fmt}))
    if errors:
        raise ImportRefused(errors.messages, len(rows))

    existing = {
        (t.person_id, t.title, t.completed_on, Decimal(t.hours).quantize(Decimal("0.01")))
        for t in db.scalars(select(Training).where(Training.source == "import",
                                                    Training.person_id.in_({p.id for _, p, _ in good})))
    }
    result = ImportResult(read=len(rows))
    for line, person, fields in counted(good, progress):
        key = (person.id, fields["title"], fields["completed_on"], fields["hours"].quantize(Decimal("0.01")))
        if key in existing:
            result.unchanged += 1
            continue
        existing.add(key)
        result.added += 1
        result.lines.append(f"Zeile {line}: neu – {person.personnel_number} „{fields['title']}“ am {fields['completed_on']:%d.%m.%Y}")
        if dry_run:
            continue
        contents = fields.pop("contents")
        training = Training(person_id=person.id, source="import", internal=True,
                            submitted_by_id=actor.id if actor else None,
                            **fields, **{f"c_{c}": c in contents for c in CONTENTS})
        db.add(training)
        transition(db, training, State.ACCEPTED, actor, subject_type=SUBJECT,
                   comment="aus dem zentralen Fortbildungsprogramm übernommen")
    if not dry_run:
        db.flush()
        audit.record(db, "trainings_imported", actor=actor, object_type="TrainingImport",
                     detail={"datei": filename, "neu": result.added, "unveraendert": result.unchanged,
                             "aenderungen": result.lines[:500]})
        refresh_statistics(db, ("trainings",), result.added)
    return result


def refresh_statistics(db: Session, tables: tuple[str, ...], rows: int) -> None:
    """ANALYZE the tables after a big import (in the import's transaction): PostgreSQL's
    planner statistics, and SQLite's `sqlite_stat1` for its query planner."""
    if rows < ANALYZE_AFTER_ROWS:
        return
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ANALYZE " + ", ".join(tables)))
    else:  # SQLite analyses one table per statement
        for table in tables:
            db.execute(text(f"ANALYZE {table}"))
