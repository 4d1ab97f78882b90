"""Demo data for `make run`: an open and a closed reporting period, with accepted
reports of Amt 50 and Amt 51 in the closed one so the council table has content."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.measures.services import find_report, rows_for_unit
from portal.models.measure import MeasureReport, MeasureReportVersion, ReportingPeriod
from portal.models.org import OrgUnit

PERIODS = [("Zwischenbericht 2024", date(2024, 12, 31), False), ("Abschlussbericht 2026", date(2026, 12, 31), True)]
LIGHTS = ["in_umsetzung", "umgesetzt", "in_umsetzung", "offen"]


def load_demo(db: Session) -> str:
    periods = {}
    for name, cutoff, is_open in PERIODS:
        period = db.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))
        if period is None:
            period = ReportingPeriod(name=name, cutoff_on=cutoff, is_open=is_open)
            db.add(period)
            db.flush()
        periods[name] = period
    closed = periods["Zwischenbericht 2024"]
    added = 0
    for code in ("Amt 50", "Amt 51"):
        unit = db.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if unit is None:
            continue
        for index, row in enumerate(rows_for_unit(db, unit.id)):
            if find_report(db, closed, row, unit) is not None:
                continue
            light = LIGHTS[index % len(LIGHTS)]
            report = MeasureReport(
                period_id=closed.id, measure_row_id=row.id, org_unit_id=unit.id, state="accepted", light=light,
                clarification_needed=index % 7 == 3,
                progress=f"Stand zum 31.12.2024 (Demodaten): Maßnahme {row.measure.field.number}.{row.measure.number} ist "
                         + {"offen": "noch nicht begonnen.", "in_umsetzung": "begonnen.", "umgesetzt": "abgeschlossen."}[light],
                next_steps="Fortsetzung wie geplant." if light != "umgesetzt" else "",
            )
            db.add(report)
            db.flush()
            db.add(MeasureReportVersion(report_id=report.id, version=1, light=light,
                                        clarification_needed=report.clarification_needed, progress=report.progress,
                                        next_steps=report.next_steps))
            added += 1
    db.flush()
    return f"Maßnahmenberichte (Demo): {len(periods)} Berichtszeiträume, {added} angenommene Berichte neu"
