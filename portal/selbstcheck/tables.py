"""Rows of the yearly Selbstcheck overview, built once for the page, CSV and XLSX.

Every row keeps the ids behind its numbers (OE, Selbstcheck, version, previous year's
version). Two queries per overview: the year and the year before, each joined to
the latest submitted version of every Selbstcheck.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from portal import audit
from portal.auth.permissions import visible_org_units
from portal.exports.local_time import write_csv, write_xlsx
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.models.selbstcheck import Selbstcheck, SelbstcheckVersion
from portal.models.workflow import STATE_LABELS, State

COLOR_LABELS = {"rot": "Rot", "gelb": "Gelb", "gruen": "Grün"}


@dataclass
class OverviewRow:
    org_unit_id: int
    org_unit_code: str
    org_unit_name: str | None
    sub_unit: str = ""
    selbstcheck_id: int | None = None
    state: str | None = None  # None: not started
    version_id: int | None = None
    version_number: int | None = None
    total: int | None = None
    color: str | None = None
    band_label: str | None = None
    subtotals: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # code -> (name, points, max)
    previous_selbstcheck_id: int | None = None
    previous_version_id: int | None = None
    previous_total: int | None = None

    @property
    def submitted(self) -> bool:
        return self.version_id is not None

    @property
    def difference(self) -> int | None:
        if self.total is None or self.previous_total is None:
            return None
        return self.total - self.previous_total

    @property
    def state_label(self) -> str:
        if self.state is None:
            return "nicht begonnen"
        return STATE_LABELS[State(self.state)]


def _latest_versions(year: int):  # noqa: ANN202
    latest = (
        select(SelbstcheckVersion.selbstcheck_id, func.max(SelbstcheckVersion.number).label("number"))
        .join(Selbstcheck, Selbstcheck.id == SelbstcheckVersion.selbstcheck_id)
        .where(Selbstcheck.reporting_year == year)
        .group_by(SelbstcheckVersion.selbstcheck_id)
        .subquery()
    )
    return latest


def overview_rows(db: Session, year: int, user: User) -> list[OverviewRow]:
    """One row per Selbstcheck of `year`, plus one per active OE without any — of the OEs `user` may see."""
    latest = _latest_versions(year)
    visible_units = visible_org_units(user).with_only_columns(OrgUnit.id).order_by(None)
    stmt = (
        select(
            OrgUnit.id, OrgUnit.code, OrgUnit.name,
            Selbstcheck.id, Selbstcheck.sub_unit, Selbstcheck.state,
            SelbstcheckVersion.id, SelbstcheckVersion.number, SelbstcheckVersion.total,
            SelbstcheckVersion.color, SelbstcheckVersion.result_json,
        )
        .select_from(OrgUnit)
        .outerjoin(Selbstcheck, and_(Selbstcheck.org_unit_id == OrgUnit.id, Selbstcheck.reporting_year == year))
        .outerjoin(latest, latest.c.selbstcheck_id == Selbstcheck.id)
        .outerjoin(SelbstcheckVersion, and_(SelbstcheckVersion.selbstcheck_id == latest.c.selbstcheck_id,
                                            SelbstcheckVersion.number == latest.c.number))
        .where(or_(OrgUnit.retired_on.is_(None), Selbstcheck.id.is_not(None)))
        .where(OrgUnit.id.in_(visible_units))
        .order_by(OrgUnit.code, Selbstcheck.sub_unit)
    )
    rows: list[OverviewRow] = []
    for unit_id, code, name, sc_id, sub, state, v_id, v_no, total, color, result_json in db.execute(stmt):
        row = OverviewRow(unit_id, code, name, sub or "", sc_id, state, v_id, v_no, total, color)
        if result_json:
            result = json.loads(result_json)
            row.band_label = result["band"]["label"]
            row.subtotals = {c["code"]: (c["name"], c["points"], c["max_points"]) for c in result["categories"]}
        rows.append(row)

    previous = _previous_totals(db, year - 1)
    for row in rows:
        match = previous.get((row.org_unit_id, row.sub_unit))
        if match:
            row.previous_selbstcheck_id, row.previous_version_id, row.previous_total = match
    return rows


def _previous_totals(db: Session, year: int) -> dict[tuple[int, str], tuple[int, int, int]]:
    latest = _latest_versions(year)
    stmt = (
        select(Selbstcheck.org_unit_id, Selbstcheck.sub_unit, Selbstcheck.id, SelbstcheckVersion.id, SelbstcheckVersion.total)
        .join(latest, latest.c.selbstcheck_id == Selbstcheck.id)
        .join(SelbstcheckVersion, and_(SelbstcheckVersion.selbstcheck_id == latest.c.selbstcheck_id,
                                       SelbstcheckVersion.number == latest.c.number))
    )
    return {(unit_id, sub or ""): (sc_id, v_id, total) for unit_id, sub, sc_id, v_id, total in db.execute(stmt)}


def years_with_data(db: Session) -> list[int]:
    return list(db.scalars(select(Selbstcheck.reporting_year).distinct().order_by(Selbstcheck.reporting_year.desc())))


def category_columns(rows: list[OverviewRow]) -> list[tuple[str, str]]:
    """(code, name) of every category that occurs, in order of first appearance."""
    seen: dict[str, str] = {}
    for row in rows:
        for code, (name, _points, _max) in row.subtotals.items():
            seen.setdefault(code, name)
    return list(seen.items())


def summary(rows: list[OverviewRow]) -> dict[str, int]:
    counts = {"rot": 0, "gelb": 0, "gruen": 0, "offen": 0, "zu_pruefen": 0}
    for row in rows:
        if not row.submitted:
            counts["offen"] += 1
        elif row.color in counts:
            counts[row.color] += 1
        if row.state == State.SUBMITTED.value:
            counts["zu_pruefen"] += 1
    return counts


def table(rows: list[OverviewRow], year: int) -> tuple[list[str], list[list[Any]]]:
    categories = category_columns(rows)
    header = ["OE", "Name der OE", "Teilbereich", "Stand", "Eingereicht", "Fassung", "Punkte gesamt", "Farbe"]
    header += [f"Zwischenergebnis {name}" for _code, name in categories]
    header += [f"Punkte {year - 1}", f"Differenz zu {year - 1}", "Selbstcheck-ID", "Fassungs-ID", f"Fassungs-ID {year - 1}"]
    body = []
    for r in rows:
        line: list[Any] = [r.org_unit_code, r.org_unit_name, r.sub_unit or None, r.state_label,
                           "ja" if r.submitted else "nein", r.version_number, r.total, COLOR_LABELS.get(r.color or "")]
        line += [r.subtotals[code][1] if code in r.subtotals else None for code, _name in categories]
        line += [r.previous_total, r.difference, r.selbstcheck_id, r.version_id, r.previous_version_id]
        body.append(line)
    return header, body


def export(rows: list[OverviewRow], year: int, fmt: str) -> bytes:
    header, body = table(rows, year)
    if fmt == "csv":
        return write_csv(header, body)
    return write_xlsx([(f"Selbstcheck {year}", header, body)], title=f"Selbstcheck – Übersicht {year}",
                      legend=legend(year))


def legend(year: int) -> list[tuple[str, str]]:
    """What the columns of the overview mean (the XLSX's sheet "Erläuterungen")."""
    return [
        ("Stand", "Bearbeitungsstand des Selbstchecks der OE für das Berichtsjahr."),
        ("Eingereicht", "ja: die OE hat mindestens eine Fassung eingereicht; die Zahlen stammen aus der letzten."),
        ("Fassung", "Nummer der zuletzt eingereichten Fassung."),
        ("Punkte gesamt", "Summe der Punkte aller Aussagen (je Aussage 5 bis 1)."),
        ("Farbe", "Farbe nach der Farbskala der Fragebogen-Fassung, mit der eingereicht wurde."),
        ("Zwischenergebnis", "Summe der Punkte je Kategorie des Fragebogens."),
        (f"Differenz zu {year - 1}", f"Punkte gesamt {year} minus Punkte gesamt {year - 1}."),
        ("Selbstcheck-ID, Fassungs-ID", "Nummern im Portal, um eine Zeile wiederzufinden."),
    ]


def overview_job(db: Session, params: dict[str, Any], progress: Callable[[int, int], None]) -> tuple[bytes, str]:
    """The overview as an export job (portal/exports/citywide.py): the OEs the person who asked may see."""
    user = db.get(User, int(params["user_id"]))
    if user is None:
        raise LookupError("Person nicht gefunden")
    year, fmt = int(params["jahr"]), params["fmt"]
    progress(0, 2)
    rows = overview_rows(db, year, user)
    progress(1, 2)
    return export(rows, year, fmt), f"Selbstcheck_Uebersicht_{year}.{fmt}"


def overview_job_downloaded(db: Session, params: dict[str, Any]) -> None:
    audit.record_read(db, "selbstcheck_overview_export", detail={"jahr": int(params["jahr"]), "format": params["fmt"]})
