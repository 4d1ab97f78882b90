"""Exports of the Auswertungstabelle (CSV, XLSX, PDF) and the members behind one cell."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.exports.writers import write_csv, write_xlsx
from portal.models.org import OrgUnit
from portal.models.training import Person, RosterEntry, Training
from portal.trainings import rules
from portal.trainings.tables import CITYWIDE, HEADER, NO_ROSTER, compliance_table, table_values

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
TITLE = "Auswertungstabelle Schulungsauftrag"


def filename(fmt: str, cutoff: date, scope: OrgUnit | None) -> str:
    where = (scope.code if scope else CITYWIDE).replace(" ", "-")
    return f"auswertung-schulungsauftrag-{where}-{cutoff:%Y-%m-%d}.{fmt}"


def render(db: Session, fmt: str, cutoff: date, scope: OrgUnit | None) -> tuple[bytes, str, str]:
    """(bytes, file name, mimetype) of the table in `fmt`."""
    rows = compliance_table(db, cutoff, scope)
    values = table_values(rows)
    if fmt == "csv":
        data = write_csv(HEADER, values)
    elif fmt == "xlsx":
        notes = [[r.oe_code, r.note] for r in rows if r.note and r.row == rules.ROW_LEAD]
        sheets: list[tuple[str, list[str], Any]] = [("Auswertung", HEADER, values)]
        sheets.append(("Hinweise", ["OE", "Hinweis"], notes + [["Stichtag", cutoff], ["Erstellt", _now_text()]]))
        data = write_xlsx(sheets, title=TITLE)
    elif fmt == "pdf":
        from portal.exports.pdf import render_pdf

        data = render_pdf("pdf/trainings_compliance.html", rows=rows, header=HEADER, cutoff=cutoff, scope=scope,
                          generated=_now_text(), title=TITLE, no_roster=NO_ROSTER)
    else:
        raise ValueError(fmt)
    return data, filename(fmt, cutoff, scope), FORMATS[fmt]


def _now_text() -> str:
    from portal.templating import de_datetime

    return de_datetime(utcnow())


@dataclass
class Member:
    person: Person
    result: rules.PersonResult
    groups: list[str]


def cell_members(db: Session, unit: OrgUnit | None, row: str, column: str, cutoff: date) -> tuple[list[Member], list[Training]]:
    """The persons (and, for a Schulungen column or "Nachweise in Prüfung", the certificates) behind one number."""
    cell = rules.cell_persons(db, unit.id if unit else None, row, cutoff)
    if column == "erfuellt":
        cell = [c for c in cell if c.fulfilled]
    elif column == "nicht-erfuellt":
        cell = [c for c in cell if not c.fulfilled]
    elif column == "pruefung":
        cell = [c for c in cell if c.pending and not c.fulfilled]
    trainings: list[Training] = []
    if column == "pruefung" and cell:
        # the certificates awaiting review behind "Nachweise in Prüfung"
        trainings = list(db.scalars(select(Training).where(
            Training.person_id.in_([c.person_id for c in cell]), Training.state == "submitted",
        ).order_by(Training.completed_on, Training.id)))
    if column in rules.CONTENTS_ORDER:
        ids = rules.cell_training_ids(db, [c.person_id for c in cell], column, cutoff)
        trainings = list(db.scalars(select(Training).where(Training.id.in_(ids)).order_by(Training.completed_on, Training.id))) if ids else []
        with_training = {t.person_id for t in trainings}
        cell = [c for c in cell if c.person_id in with_training]
    return _members(db, [c.person_id for c in cell], unit, cutoff), trainings


def _members(db: Session, person_ids: list[int], unit: OrgUnit | None, cutoff: date) -> list[Member]:
    if not person_ids:
        return []
    persons = db.scalars(select(Person).where(Person.id.in_(person_ids)).order_by(Person.last_name, Person.first_name)).all()
    entries: dict[int, list[RosterEntry]] = defaultdict(list)
    for e in db.scalars(select(RosterEntry).where(RosterEntry.person_id.in_(person_ids))):
        entries[e.person_id].append(e)
    trainings: dict[int, list[Training]] = defaultdict(list)
    replaced = set(db.scalars(select(Training.replaces_id).where(Training.replaces_id.is_not(None))))
    for t in db.scalars(select(Training).where(Training.person_id.in_(person_ids)).order_by(Training.completed_on)):
        if t.id not in replaced:
            trainings[t.person_id].append(t)
    members = []
    for p in persons:
        groups = rules.groups_on(entries[p.id], cutoff, unit.id if unit else None)
        members.append(Member(p, rules.judge_person(groups, trainings[p.id], cutoff), rules.group_labels(groups)))
    return members
