"""The Auswertungstabelle as rows, built once for the browser, CSV, XLSX and PDF.

Each row keeps the OE id and row key behind its numbers, so every number can be
opened (:func:`portal.trainings.rules.cell_persons`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.org import OrgUnit
from portal.models.people import Role, User
from portal.models.training import RosterEntry
from portal.trainings.rules import (
    DEFAULT_CUTOFF,
    ROW_LABELS,
    ROW_LEAD,
    ROW_STAFF,
    Counts,
    compliance_counts,
    person_id_range,
)

HEADER = [
    "OE",
    "Zielgruppe",
    "Personen",
    "Schulungen demokratische Kompetenz",
    "Schulungen interkulturelle Kompetenz",
    "Schulungen Mehrsprachigkeit",
    "Schulungen bürgernahe Kommunikation",
    "Auftrag erfüllt",
    "Auftrag nicht erfüllt",
    "Nachweise in Prüfung",
]
# the columns behind the numbers, in HEADER order from "Personen" on
COLUMNS = [
    ("personen", "persons"),
    ("demokratisch", "n_demokratisch"),
    ("interkulturell", "n_interkulturell"),
    ("mehrsprachigkeit", "n_mehrsprachigkeit"),
    ("buergernah", "n_buergernah"),
    ("erfuellt", "fulfilled"),
    ("nicht-erfuellt", "not_fulfilled"),
    ("pruefung", "pending"),
]
COLUMN_LABELS = dict(zip([c for c, _ in COLUMNS], HEADER[2:], strict=True))
CITYWIDE = "Gesamt"
NO_ROSTER = "keine Zielgruppenliste"


@dataclass(frozen=True)
class TableRow:
    oe_code: str
    org_unit_id: int | None  # None = citywide
    row: str  # ROW_LEAD / ROW_STAFF
    counts: Counts
    note: str | None = None

    @property
    def label(self) -> str:
        return ROW_LABELS[self.row]

    @property
    def numbers(self) -> list[tuple[str, int]]:
        """(column key, value) for every number of the row."""
        return [(key, getattr(self.counts, attr)) for key, attr in COLUMNS]

    def values(self) -> list[Any]:
        return [self.oe_code, self.label, *[v for _, v in self.numbers]]


def compliance_table(db: Session, cutoff: date = DEFAULT_CUTOFF, org_unit: OrgUnit | None = None) -> list[TableRow]:
    """Rows per OE (every OE of the directory, or only `org_unit`), then the citywide rows."""
    stmt = select(OrgUnit.id, OrgUnit.code, OrgUnit.retired_on).order_by(OrgUnit.code)
    if org_unit is not None:
        units = db.execute(stmt.where(OrgUnit.id == org_unit.id)).all()
        counts = compliance_counts(db, cutoff, org_unit.id)
    else:
        # the range of person ids the citywide counts need on PostgreSQL comes with the OE list:
        # one round trip instead of two (16,000 persons: 0.4 of 16 ms)
        with_range = db.execute(stmt.add_columns(*person_id_range())).all()
        units = [(unit_id, code, retired_on) for unit_id, code, retired_on, _low, _high in with_range]
        person_ids = (with_range[0][3], with_range[0][4]) if with_range else (None, None)
        counts = compliance_counts(db, cutoff, person_ids=person_ids)
    # an OE with persons counted has a roster; only the others are looked up (one query, and none when
    # every OE counts somebody: a look-up per OE cost a scan of the roster for each of them)
    with_roster = {unit_id for unit_id, _row in counts if unit_id is not None}
    others = [unit_id for unit_id, _code, _retired in units if unit_id not in with_roster]
    if others:
        with_roster.update(db.scalars(select(RosterEntry.org_unit_id).where(RosterEntry.org_unit_id.in_(others))
                                      .distinct()))
    rows: list[TableRow] = []
    for unit_id, code, retired_on in units:
        listed = unit_id in with_roster
        if org_unit is None and not (retired_on is None or retired_on > cutoff or listed):
            continue
        note = None if listed else NO_ROSTER
        for key in (ROW_LEAD, ROW_STAFF):
            rows.append(TableRow(code, unit_id, key, counts.get((unit_id, key), Counts()), note))
    if org_unit is None:
        for key in (ROW_LEAD, ROW_STAFF):
            rows.append(TableRow(CITYWIDE, None, key, counts.get((None, key), Counts())))
    return rows


def table_values(rows: list[TableRow]) -> list[list[Any]]:
    return [r.values() for r in rows]


def start_info(db: Session, user: User, info: Any) -> None:
    """The start page (portal/review/start.py): the OE's rows of the compliance table."""
    if user.has_role(Role.OE_VERANTWORTLICHE, Role.FORTBILDUNGSBEAUFTRAGTE) and user.org_unit is not None:
        unit = user.org_unit
        info.mandate = info.kept.get(("mandate", unit.id), lambda: compliance_table(db, org_unit=unit))
