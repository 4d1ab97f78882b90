"""Arranging helpers for the measures tests (plain functions, no product logic)."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from portal.models.measure import ActionField, Measure, MeasureReport, MeasureRow, ReportingPeriod

CATALOGUE = json.loads((Path(__file__).resolve().parents[1] / "portal/data/catalogue/aktionsplan-2022-2026.json").read_text("utf-8"))
ORG_UNITS = {u["code"]: u for u in json.loads((Path(__file__).resolve().parents[1] / "portal/data/org_units.json").read_text("utf-8"))}
SCOPE_KINDS = {"Ämter und Eigenbetriebe": {"Amt", "Eigenbetrieb"}, "Eigenbetriebe": {"Eigenbetrieb"}}


def expected_keys(code: str) -> set[tuple[str, str, int, int]]:
    """(field, part, number, position) of every row the OE leads, read from the shipped JSON."""
    kind = ORG_UNITS[code]["kind"]
    keys = set()
    for m in CATALOGUE["measures"]:
        for position, row in enumerate(m["rows"], start=1):
            scope = row["lead_all_scope"] if row["lead_all_units"] else None
            if code in row["lead_oes"] or (scope and kind in SCOPE_KINDS[scope]):
                keys.add((m["field"], m["part"] or "", int(m["number"]), position))
    return keys


def row_of(db, field: str, number: int, position: int = 1, part: str = "") -> MeasureRow:
    return db.scalars(
        select(MeasureRow).join(Measure).join(ActionField)
        .where(ActionField.code == field, Measure.part == part, Measure.number == number, MeasureRow.position == position)
    ).one()


def row_key(row: MeasureRow) -> tuple[str, str, int, int]:
    return (row.measure.field.code, row.measure.part, row.measure.number, row.position)


def make_period(db, name: str, cutoff: date, is_open: bool) -> ReportingPeriod:
    period = ReportingPeriod(name=name, cutoff_on=cutoff, is_open=is_open)
    db.add(period)
    db.commit()
    return period


def accepted_report(db, period, row, unit, light: str, *, clarification=False, progress="", next_steps="") -> MeasureReport:
    report = MeasureReport(period_id=period.id, measure_row_id=row.id, org_unit_id=unit.id, state="accepted", light=light,
                           clarification_needed=clarification, progress=progress, next_steps=next_steps)
    db.add(report)
    db.commit()
    return report


def report_links(html: str, period_id: int) -> set[int]:
    return {int(x) for x in re.findall(rf'href="/measures/bericht/{period_id}/(\d+)"', html)}


def stand_from(html: str) -> str:
    """The version an edit form carries (hidden field "stand")."""
    match = re.search(r'id="stand" name="stand" type="hidden" value="([^"]*)"', html)
    assert match, "Formular ohne Stand"
    return match.group(1)
