"""Exports of the Auswertungstabelle (CSV, XLSX, PDF) and the members behind one cell."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.db import utcnow
from portal.exports.download import MIMETYPES
from portal.exports.local_time import write_csv, write_xlsx
from portal.models.org import OrgUnit
from portal.models.training import Person, RosterEntry, Training
from portal.templating import de_datetime
from portal.trainings import concept, rules
from portal.trainings.tables import CITYWIDE, HEADER, NO_ROSTER, compliance_table, table_values

FORMATS = ("csv", "xlsx", "pdf")
TITLE = "Auswertungstabelle Schulungsauftrag"
# what each column and row means, on the XLSX's "Hinweise" sheet
DEFINITIONS = [
    ["Personen", "Beschäftigte*r mit einem Eintrag in der Zielgruppenliste der OE, der am Stichtag gilt. "
                 "Wer in irgendeiner OE Führungskraft ist, zählt nur in der Zeile Führungskräfte der OE, "
                 "in denen sie oder er Führungskraft ist."],
    ["Schulungen (je Inhalt)", "Anzahl der anerkannten Schulungen mit diesem Inhalt: mindestens 6 Stunden, "
                               "abgeschlossen zwischen dem 01.01.2021 und dem Stichtag. Eine Schulung mit zwei "
                               "Inhalten zählt in beiden Spalten."],
    ["Auftrag erfüllt", "Personen mit mindestens einer solchen Schulung, deren Inhalt zu ihrer Zielgruppe passt "
                        "(Führungskräfte: interkulturelle oder demokratische Kompetenz)."],
    ["Auftrag nicht erfüllt", "Personen ohne eine solche Schulung (Personen minus Auftrag erfüllt)."],
    ["Nachweise in Prüfung", "Personen, deren Auftrag noch nicht erfüllt ist und von denen ein Nachweis geprüft wird."],
    [CITYWIDE, "Die ganze Stadtverwaltung: jede Person zählt einmal, auch wenn sie in mehreren OE steht."],
    [NO_ROSTER, "Die OE hat keine Zielgruppenliste hochgeladen; ihre Zeilen zeigen deshalb 0."],
]


def filename(fmt: str, cutoff: date, scope: OrgUnit | None) -> str:
    where = (scope.code if scope else CITYWIDE).replace(" ", "-")
    return f"auswertung-schulungsauftrag-{where}-{cutoff:%Y-%m-%d}.{fmt}"


def render(db: Session, fmt: str, cutoff: date, scope: OrgUnit | None,
           progress: Callable[[int, int], None] | None = None) -> tuple[bytes, str, str]:
    """(bytes, file name, mimetype) of the table in `fmt`; `progress(done, total)` after each step."""
    step = progress or (lambda done, total: None)
    step(0, 2)
    rows = compliance_table(db, cutoff, scope)
    step(1, 2)
    values = table_values(rows)
    if fmt == "csv":
        data = write_csv(HEADER, values)
    elif fmt == "xlsx":
        notes = [[r.oe_code, r.note] for r in rows if r.note and r.row == rules.ROW_LEAD]
        sheets: list[tuple[str, list[str], Any]] = [("Auswertung", HEADER, values)]
        sheets.append(("Hinweise", ["OE", "Hinweis"], notes + [["Stichtag", cutoff], ["Erstellt", _now_text()]]
                       + DEFINITIONS + concept.festlegungen_lines()))
        data = write_xlsx(sheets, title=TITLE)
    elif fmt == "pdf":
        from portal.exports.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint loads only when a PDF is made

        data = render_pdf("pdf/trainings_compliance.html", rows=rows, header=HEADER, cutoff=cutoff, scope=scope,
                          generated=_now_text(), title=TITLE, no_roster=NO_ROSTER, concept=concept)
    else:
        raise ValueError(fmt)
    return data, filename(fmt, cutoff, scope), MIMETYPES[fmt]


def _now_text() -> str:
    return de_datetime(utcnow())


@dataclass
class Member:
    person: Person
    result: rules.PersonResult
    groups: list[str]


@dataclass
class CellPage:
    """One page of the persons and certificates behind a number, with the totals."""
    persons: list[Member]
    trainings: list[Training]
    total_persons: int
    total_trainings: int


def cell_members(db: Session, unit: OrgUnit | None, row: str, column: str, cutoff: date,
                 page: int = 1, page_size: int | None = None) -> CellPage:
    """The persons (and, for a Schulungen column or "Nachweise in Prüfung", the certificates) behind one number.

    Both lists are paged alike (`page` from 1; all when `page_size` is None); persons by name,
    certificates by date. Only the persons of the page are loaded and judged.
    """
    cell = rules.cell_persons(db, unit.id if unit else None, row, cutoff)
    if column == "erfuellt":
        cell = [c for c in cell if c.fulfilled]
    elif column == "nicht-erfuellt":
        cell = [c for c in cell if not c.fulfilled]
    elif column == "pruefung":
        cell = [c for c in cell if c.pending and not c.fulfilled]
    training_ids: list[int] = []
    if column == "pruefung" and cell:
        # the certificates awaiting review behind "Nachweise in Prüfung"
        training_ids = list(db.scalars(select(Training.id).where(
            Training.person_id.in_([c.person_id for c in cell]), Training.state == "submitted",
        ).order_by(Training.completed_on, Training.id)))
    if column in rules.CONTENTS_ORDER:
        cell = [c for c in cell if c.trainings_by_content[column]]  # counted by the same condition
        training_ids = rules.cell_training_ids(db, [c.person_id for c in cell], column, cutoff)
    person_ids = [c.person_id for c in cell]
    total_persons, total_trainings = len(person_ids), len(training_ids)
    if page_size is not None:  # training ids are in date order; persons get ordered by name first
        start = (page - 1) * page_size
        training_ids = training_ids[start:start + page_size]
        person_ids = _by_name(db, person_ids)[start:start + page_size]
    trainings = list(db.scalars(select(Training).where(Training.id.in_(training_ids))
                                .order_by(Training.completed_on, Training.id))) if training_ids else []
    return CellPage(_members(db, person_ids, unit, cutoff), trainings, total_persons, total_trainings)


def _by_name(db: Session, person_ids: list[int]) -> list[int]:
    if not person_ids:
        return []
    return list(db.scalars(select(Person.id).where(Person.id.in_(person_ids))
                           .order_by(Person.last_name, Person.first_name, Person.id)))


def _members(db: Session, person_ids: list[int], unit: OrgUnit | None, cutoff: date) -> list[Member]:
    if not person_ids:
        return []
    persons = db.scalars(select(Person).where(Person.id.in_(person_ids))
                         .order_by(Person.last_name, Person.first_name, Person.id)).all()
    entries: dict[int, list[RosterEntry]] = defaultdict(list)
    for e in db.scalars(select(RosterEntry).where(RosterEntry.person_id.in_(person_ids))):
        entries[e.person_id].append(e)
    trainings: dict[int, list[Training]] = defaultdict(list)
    loaded = db.scalars(select(Training).where(Training.person_id.in_(person_ids)).order_by(Training.completed_on)).all()
    replaced = {t.replaces_id for t in loaded if t.replaces_id}  # a correction is the same person's
    for t in loaded:
        if t.id not in replaced:
            trainings[t.person_id].append(t)
    members = []
    for p in persons:
        groups = rules.groups_on(entries[p.id], cutoff, unit.id if unit else None)  # shown: this OE's groups
        members.append(Member(p, rules.judge(entries[p.id], trainings[p.id], cutoff), rules.group_labels(groups)))
    return members


def citywide_job(db: Session, params: dict[str, Any], progress: Callable[[int, int], None]) -> tuple[bytes, str]:
    """The table of the whole administration as an export job (portal/exports/citywide.py)."""
    data, name, _ = render(db, params["fmt"], date.fromisoformat(params["stichtag"]), None, progress)
    return data, name


def citywide_job_downloaded(db: Session, params: dict[str, Any]) -> None:
    audit.record_read(db, "compliance_exported", org_unit_code=None,
                      detail={"format": params["fmt"], "stichtag": params["stichtag"], "oe": "Gesamt"})
