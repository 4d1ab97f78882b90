"""Measure status reports in the review queue (portal/review/providers.py)."""
from __future__ import annotations

from sqlalchemy import Select, case, func, literal, null
from sqlalchemy.orm import aliased

from portal.auth.permissions import visible_measure_reports
from portal.models.measure import ActionField, Measure, MeasureReport, MeasureRow, ReportingPeriod
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.review.providers import UNCHANGED_FLAG, Provider, columns, oe_items, text_of


def queue_select(user: User) -> Select:
    unit = aliased(OrgUnit)
    part = case((MeasureRow.position > 1, literal(" (Teil ") + text_of(MeasureRow.position) + literal(")")), else_=literal(""))
    title = (literal("Maßnahme ") + text_of(ActionField.number) + literal(".") + text_of(Measure.number) + part
             + literal(" – ") + ReportingPeriod.name)
    return (
        visible_measure_reports(user)
        .with_only_columns(*columns(
            "measure_report", MeasureReport.id, MeasureReport.org_unit_id, unit.code, MeasureReport.state,
            func.coalesce(MeasureReport.state_changed_at, MeasureReport.updated_at), title,
            case((MeasureReport.unchanged.is_(True), literal(UNCHANGED_FLAG)), else_=text_of(null())),
            MeasureReport.review_comment), maintain_column_froms=True)
        .join(unit, unit.id == MeasureReport.org_unit_id)
        .join(MeasureRow, MeasureRow.id == MeasureReport.measure_row_id)
        .join(Measure, Measure.id == MeasureRow.measure_id)
        .join(ActionField, ActionField.id == Measure.action_field_id)
        .join(ReportingPeriod, ReportingPeriod.id == MeasureReport.period_id)
    )


PROVIDER = Provider("measure_report", "Sachstandsberichte zu Maßnahmen", queue_select, "measures.review", "report_id",
                    mine=oe_items)
