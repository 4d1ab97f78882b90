"""Who a person is and which OE they belong to now: from the directory and the Personalamt.

A roster never creates a person, renames one or moves one to another OE. Persons and
their current OE come from two authoritative sources:

* the directory: at every sign-in the OE attribute of the account becomes the current OE of
  the person with the account's personnel number (a person is created at the first own upload);
* the personnel master import of the Personalamt (``portal persons import``).

Every change of a person's OE is a transfer: it is written to the audit log
("person_transferred") and ends the person's open roster entries in the old OE on the
day before, so the old OE's list and table no longer count them and its training
officer no longer sees them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.db import utcnow
from portal.imports import ImportErrors, ImportResult, Progress, counted
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.models.training import OE_SOURCES, Person, RosterEntry
from portal.trainings import services
from portal.trainings.imports import ImportRefused, _formula_cells, _norm, _person_columns, _read

PERSONS_HEADER = ["personalnummer", "nachname", "vorname", "oe"]


def set_current_oe(db: Session, person: Person, unit: OrgUnit | None, source: str, *, actor: User | None = None,
                   effective_on: date | None = None) -> bool:
    """Record `unit` as the person's current OE (confirmed now). True when the OE changed."""
    if source not in OE_SOURCES:
        raise ValueError(source)
    person.oe_confirmed_at = utcnow()
    new_id = unit.id if unit is not None else None
    if person.org_unit_id == new_id:
        person.oe_source = source
        return False
    old = db.get(OrgUnit, person.org_unit_id) if person.org_unit_id is not None else None
    person.org_unit_id, person.org_unit, person.oe_source = new_id, unit, source
    day = effective_on or date.today()
    ended = _end_entries(db, person, old, day) if old is not None else []
    db.flush()
    audit.record(db, "person_transferred", obj=person, actor=actor, org_unit_code=unit.code if unit else None,
                 detail={"personalnummer": person.personnel_number, "von": old.code if old else None,
                         "nach": unit.code if unit else None, "quelle": source, "ab": day.isoformat(),
                         "beendete_eintraege": ended})
    return True


def _end_entries(db: Session, person: Person, old: OrgUnit, day: date) -> list[int]:
    """End the person's roster entries in `old` that are open on `day` (the day before); entries
    that would only begin later are removed. Returns the ids of the entries touched."""
    touched = []
    last_day = day - timedelta(days=1)
    for entry in db.scalars(select(RosterEntry).where(RosterEntry.person_id == person.id,
                                                       RosterEntry.org_unit_id == old.id)):
        if entry.ends_on is not None and entry.ends_on <= last_day:
            continue
        touched.append(entry.id)
        if entry.begins_on > last_day:
            db.delete(entry)
        else:
            entry.ends_on = last_day
    return touched


def _split_name(display_name: str) -> tuple[str, str]:
    """(last name, first name) from a display name "Vorname Nachname"."""
    first, _, last = " ".join((display_name or "").split()).rpartition(" ")
    return last, first


def sync_from_directory(db: Session, user: User, create: bool = True, directory_changed: bool = True) -> Person | None:
    """The account's personnel number and OE are the person's; a new person is created only
    with `create` (the first own upload; a sign-in alone keeps only known persons current).

    The directory moves a person only when its OE for the account is news (`directory_changed`:
    a first sign-in, or another OE than at the last one); otherwise a later move by the
    Personalamt stands, even while the directory still names the old OE."""
    number = (user.personnel_number or "").strip()
    if not number or user.org_unit_id is None:
        return None
    person = db.scalar(select(Person).where(Person.personnel_number == number))
    if person is None and not create:
        return None
    if person is not None and person.org_unit_id not in (None, user.org_unit_id) and not directory_changed:
        return person
    if person is None:
        last, first = _split_name(user.display_name)
        person = Person(personnel_number=number, last_name=last[:120], first_name=first[:120])
        db.add(person)
        db.flush()
        audit.record(db, "person_created", obj=person, actor=user, org_unit_code=user.oe_code,
                     detail={"personalnummer": number, "quelle": "verzeichnis"})
    set_current_oe(db, person, user.org_unit, "verzeichnis", actor=user)
    return person


# --- the personnel master import of the Personalamt --------------------------------------

@dataclass
class _PersonRow:
    line: int
    number: str
    last: str
    first: str
    unit: OrgUnit


def import_persons(db: Session, data: bytes, filename: str, actor: User | None = None, *,
                   dry_run: bool = False, progress: Progress = None) -> ImportResult:
    """Personalnummer, Nachname, Vorname, OE for every employee: all rows or none.

    New numbers become persons; names and OEs of known persons are updated (a new OE is a
    transfer). Persons missing from the file are left as they are.
    """
    rows = _read(data, filename, PERSONS_HEADER)
    units = {_norm(u.code): u for u in db.scalars(select(OrgUnit))}
    errors = ImportErrors()
    good: list[_PersonRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        if _formula_cells(row, errors):
            continue
        number, unit, bad = _person_columns(row, units, errors)
        if len(v["nachname"]) > 120 or len(v["vorname"]) > 120:
            errors.add(row.line, "Der Name ist zu lang (höchstens 120 Zeichen je Spalte).")
            bad = True
        if unit is not None and unit.retired_on is not None:
            errors.add(row.line, f"Die OE „{unit.code}“ ist aufgelöst.")
            bad = True
        if bad:
            continue
        if number in seen:
            errors.add(row.line, f"Die Personalnummer {number} steht schon in Zeile {seen[number]}.")
            continue
        seen[number] = row.line
        good.append(_PersonRow(row.line, number, v["nachname"].strip(), v["vorname"].strip(), unit))
    if errors:
        raise ImportRefused(errors.messages, len(rows))

    known = {p.personnel_number: p for p in db.scalars(select(Person).where(Person.personnel_number.in_(seen)))}
    result = ImportResult(read=len(rows))
    for r in counted(good, progress):
        person = known.get(r.number)
        if person is None:
            result.added += 1
            result.lines.append(f"Zeile {r.line}: neu – {r.number} {r.last}, {r.unit.code}")
            if not dry_run:
                person = Person(personnel_number=r.number, last_name=r.last, first_name=r.first)
                db.add(person)
                db.flush()
                audit.record(db, "person_created", obj=person, actor=actor, org_unit_code=r.unit.code,
                             detail={"personalnummer": r.number, "quelle": "personalamt"})
                set_current_oe(db, person, r.unit, "personalamt", actor=actor)
            continue
        renamed = (person.last_name, person.first_name) != (r.last, r.first)
        moved = person.org_unit_id != r.unit.id
        if not (renamed or moved):
            result.unchanged += 1
            if not dry_run:
                set_current_oe(db, person, r.unit, "personalamt", actor=actor)  # confirmed today
            continue
        result.changed += 1
        what = []
        if moved:
            old = person.org_unit.code if person.org_unit else "ohne OE"
            what.append(f"OE {old} → {r.unit.code}")
        if renamed:
            what.append("Name")
        result.lines.append(f"Zeile {r.line}: geändert – {r.number} {r.last}: " + ", ".join(what))
        if dry_run:
            continue
        if renamed:
            audit.record(db, "person_renamed", obj=person, actor=actor, org_unit_code=r.unit.code,
                         detail={"personalnummer": r.number, "vorher": person.full_name, "quelle": "personalamt"})
            person.last_name, person.first_name = r.last, r.first
        set_current_oe(db, person, r.unit, "personalamt", actor=actor)
    if not dry_run:
        db.flush()
        audit.record(db, "persons_imported", actor=actor, object_type="PersonsImport",
                     detail={"datei": filename, "neu": result.added, "geaendert": result.changed,
                             "unveraendert": result.unchanged, "aenderungen": result.lines[:500]})
    return result


def person_for_user(db: Session, user: User, create: bool = False) -> Person | None:
    """The person of a signed-in user (matched by personnel number; created from the directory entry)."""
    person = services.person_by_number(db, user.personnel_number, with_entries=True)
    if person is None and create and user.personnel_number:
        person = sync_from_directory(db, user)
        if person is None:  # the account names no known OE: a person without OE
            last, first = _split_name(user.display_name)
            person = Person(personnel_number=user.personnel_number.strip(), last_name=last, first_name=first)
            db.add(person)
            db.flush()
            audit.record(db, "person_created", obj=person, detail={"personalnummer": person.personnel_number})
    return person
