"""The training part of the dossier: the OE's rows of the compliance table (the very
rows of ``portal.trainings.tables.compliance_table``), for the integration office the
persons who have not yet fulfilled the mandate, and which certificate files were
deleted after the retention period (the records and counts stay)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.org import OrgUnit
from portal.models.training import Person, RosterEntry, Training
from portal.review.dossier import DossierContext, DossierPart
from portal.trainings import rules
from portal.trainings.exports import cell_members
from portal.trainings.tables import HEADER, compliance_table

NOT_FULFILLED_HEADER = ["Personalnummer", "Name", "Zielgruppe", "Zeile der Tabelle", "Nachweis in Prüfung"]
PURGED_HEADER = ["Nachweis-ID", "Schulung", "Person", "Datei gelöscht am"]
PURGED_HEADER_NUMBERS = ["Nachweis-ID", "Schulung", "Datei gelöscht am"]


def compliance_rows(db: Session, context: DossierContext, unit: OrgUnit) -> list:
    """The OE's rows of the compliance table; for many dossiers the table is built once."""
    if "compliance" not in context.cache:
        context.cache["compliance"] = {}
        if context.many:
            for row in compliance_table(db):
                context.cache["compliance"].setdefault(row.org_unit_id, []).append(row)
    cached = context.cache["compliance"]
    if unit.id not in cached:
        cached[unit.id] = compliance_table(db, org_unit=unit)
    return cached[unit.id]


def _not_fulfilled(db: Session, unit: OrgUnit) -> list[list]:
    lines = []
    for row in (rules.ROW_LEAD, rules.ROW_STAFF):
        for m in cell_members(db, unit, row, "nicht-erfuellt", rules.DEFAULT_CUTOFF).persons:
            lines.append([m.person.personnel_number, m.person.full_name, ", ".join(m.groups), rules.ROW_LABELS[row],
                          "ja" if m.result.pending else ""])
    return lines


def _purged(db: Session, unit: OrgUnit, detailed: bool) -> list[list]:
    in_roster = select(RosterEntry.person_id).where(RosterEntry.org_unit_id == unit.id)
    rows = db.execute(
        select(Training.id, Training.title, Person.last_name, Person.first_name, Training.file_deleted_at)
        .join(Person, Person.id == Training.person_id)
        .where(Training.file_deleted_at.is_not(None), Training.person_id.in_(in_roster))
        .order_by(Training.file_deleted_at, Training.id)
    ).all()
    if detailed:
        return [[tid, title, f"{last}, {first}" if first else last, at] for tid, title, last, first, at in rows]
    return [[tid, title, at] for tid, title, _last, _first, at in rows]


def training_part(db: Session, context: DossierContext, unit: OrgUnit) -> DossierPart:
    rows = compliance_rows(db, context, unit)
    tables = [("Schulungsauftrag", HEADER, [r.values() for r in rows])]
    notes = [f"Stichtag {rules.DEFAULT_CUTOFF:%d.%m.%Y}. Gezählt wird wie in der Auswertungstabelle des Personalamts."]
    if any(r.note for r in rows):
        notes.append(f"Für {unit.code} gibt es noch keine Zielgruppenliste.")
    if context.detailed:
        tables.append(("Auftrag noch nicht erfüllt", NOT_FULFILLED_HEADER, _not_fulfilled(db, unit)))
    else:
        notes.append("Namen von Personen stehen nur im Dossier des Integrationsbüros.")
    purged = _purged(db, unit, context.detailed)
    notes.append(f"Nach Ablauf der Aufbewahrungsfrist gelöschte Nachweis-Dateien: {len(purged)} "
                 "(die Nachweise selbst, die Entscheidungen und alle Zahlen bleiben erhalten).")
    if purged:
        tables.append(("Gelöschte Nachweis-Dateien", PURGED_HEADER if context.detailed else PURGED_HEADER_NUMBERS, purged))
    return DossierPart("Schulungsauftrag", tables, notes)

