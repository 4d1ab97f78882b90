"""Demo data for `make run`: two periods and accepted reports of Amt 50 and Amt 51."""
from __future__ import annotations

from sqlalchemy import func, select

from portal import demo
from portal.models.measure import MeasureReport, ReportingPeriod
from tests.measures_support import expected_keys


def test_demo_periods_and_reports_are_loaded_once(app, db):
    with app.app_context():
        from portal.db import get_session

        session = get_session()
        first = demo.load(session)
        again = demo.load(session)
        session.commit()
    expected = len(expected_keys("Amt 50")) + len(expected_keys("Amt 51"))
    assert f"Maßnahmenberichte (Demo): 2 Berichtszeiträume, {expected} angenommene Berichte neu" in first
    assert "Maßnahmenberichte (Demo): 2 Berichtszeiträume, 0 angenommene Berichte neu" in again
    periods = [(p.name, p.cutoff_on.isoformat(), p.is_open) for p in db.scalars(select(ReportingPeriod).order_by(ReportingPeriod.id))]
    assert periods == [("Zwischenbericht 2024", "2024-12-31", False), ("Abschlussbericht 2026", "2026-12-31", True)]
    assert db.scalar(select(func.count()).select_from(MeasureReport).where(MeasureReport.state == "accepted")) == expected
