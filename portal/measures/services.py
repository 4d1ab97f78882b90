"""Measures: edit the catalogue, manage periods, write, submit and review OE reports,
set the working group's assessment. Services add and flush; the caller commits once.

Rules (documented in docs and the README glossary):

* "alle Ämter und Eigenbetriebe" / "alle Eigenbetriebe" lead = every OE of kind Amt
  and/or Eigenbetrieb that is active (not retired) when the report is written or the
  period is evaluated.
* Every lead OE of a measure row reports for that row (also for "federführend" with
  several named OEs).
* A new report starts pre-filled from the OE's newest accepted report for the same
  row in an earlier period (by Stichtag).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import Session

from portal import audit
from portal.auth.permissions import rows_led_by
from portal.db import utcnow
from portal.domain import DomainError
from portal.measures.catalogue import _row_state, apply_row, format_leads
from portal.models.measure import (
    LEAD_ALL_SCOPES,
    LIGHT_ORDER,
    GroupAssessment,
    Measure,
    MeasureReport,
    MeasureReportVersion,
    MeasureRow,
    MeasureRowLead,
    ReportingPeriod,
    TrafficLight,
)
from portal.models.org import OrgUnit
from portal.models.people import Role, User
from portal.models.workflow import State
from portal.workflow import TransitionError, transition

SUBJECT = "measure_report"


class MeasureError(DomainError):
    """A refused step, with a German message; `field` names the form field it is about, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


MSG_DONE_WITHOUT_PROGRESS = ("Bitte beschreiben Sie im Sachstand, was umgesetzt wurde: Ein Bericht „umgesetzt“ "
                             "braucht einen Sachstand.")


# ---------------------------------------------------------------- lights

def least_advanced(lights: list[str | None]) -> str | None:
    """The least advanced of the given lights (None entries ignored)."""
    known = [TrafficLight(light) for light in lights if light]
    if not known:
        return None
    return min(known, key=LIGHT_ORDER.index).value


# ---------------------------------------------------------------- who leads what

def expected_pairs():  # noqa: ANN201 - a selectable of (measure_row_id, org_unit_id)
    """Every (row, OE) that must report: named leads plus the "alle …" OEs active now."""
    named = select(MeasureRowLead.measure_row_id.label("measure_row_id"),
                   MeasureRowLead.org_unit_id.label("org_unit_id"))
    parts = [named]
    for scope, kinds in LEAD_ALL_SCOPES.items():
        parts.append(
            select(MeasureRow.id.label("measure_row_id"), OrgUnit.id.label("org_unit_id"))
            .join(OrgUnit, and_(OrgUnit.kind.in_(kinds), OrgUnit.retired_on.is_(None)))
            .where(MeasureRow.lead_all_scope == scope)
        )
    return union(*parts).subquery("expected_pairs")


def report_progress(period_id: int, org_unit_id: int | None = None):  # noqa: ANN201 - a Select
    """(org_unit_id, expected, reported) per OE that leads a part: its parts to report in the
    period and those with a submitted or accepted report. The one definition of "reported" for
    the start page, the reminders and the council's list of missing reports."""
    pairs = expected_pairs()
    stmt = (
        select(pairs.c.org_unit_id.label("org_unit_id"), func.count().label("expected"),
               func.count(MeasureReport.id).label("reported"))
        .select_from(pairs)
        .outerjoin(MeasureReport, and_(
            MeasureReport.period_id == period_id, MeasureReport.measure_row_id == pairs.c.measure_row_id,
            MeasureReport.org_unit_id == pairs.c.org_unit_id,
            MeasureReport.state.in_([State.SUBMITTED.value, State.ACCEPTED.value])))
        .group_by(pairs.c.org_unit_id)
    )
    return stmt if org_unit_id is None else stmt.where(pairs.c.org_unit_id == org_unit_id)


def units_missing_reports(db: Session, period_id: int) -> list[tuple[OrgUnit, int, int]]:
    """(OE, expected, reported) of every OE with parts still to report, by OE code."""
    progress = report_progress(period_id).subquery()
    return [(unit, expected, reported) for unit, expected, reported in db.execute(
        select(OrgUnit, progress.c.expected, progress.c.reported)
        .join(progress, progress.c.org_unit_id == OrgUnit.id)
        .where(progress.c.reported < progress.c.expected)
        .order_by(OrgUnit.code))]


def lead_units_by_row(db: Session, rows: list[MeasureRow]) -> dict[int, list[OrgUnit]]:
    """The OEs that lead each row now: the named ones in plan order, then the active OEs
    of the "alle …" kinds in code order (one query for all rows)."""
    active = list(db.scalars(select(OrgUnit).where(OrgUnit.retired_on.is_(None)).order_by(OrgUnit.code)))
    result = {}
    for row in rows:
        units = list(row.lead_units)
        if row.lead_all_scope:
            kinds = LEAD_ALL_SCOPES[row.lead_all_scope]
            units += [u for u in active if u.kind in kinds and u not in units]
        result[row.id] = units
    return result


def rows_for_unit(db: Session, org_unit_id: int) -> list[MeasureRow]:
    """The rows an OE leads ("Meine Maßnahmen"), in catalogue order."""
    rows = list(db.scalars(rows_led_by(org_unit_id)))
    rows.sort(key=lambda r: (r.measure.sort_key, r.position))
    return rows


# ---------------------------------------------------------------- catalogue edits

def update_measure(db: Session, measure: Measure, *, title: str, content: str, goal: str | None) -> bool:
    before = {"titel": measure.title, "inhalt": measure.content, "ziel": measure.goal}
    measure.title, measure.content, measure.goal = title.strip(), content.strip(), (goal or "").strip() or None
    after = {"titel": measure.title, "inhalt": measure.content, "ziel": measure.goal}
    if before == after:
        return False
    db.flush()
    changed = {k: {"vorher": before[k], "nachher": after[k]} for k in before if before[k] != after[k]}
    audit.record(db, "measure_updated", obj=measure, detail={"massnahme": measure.label, "aenderungen": changed})
    return True


def update_row(db: Session, row: MeasureRow, parsed) -> bool:  # noqa: ANN001 - catalogue.ParsedRow
    before_state, before_text = _row_state(row), {"federfuehrend": format_leads(row), "beteiligte": row.participants,
                                                   "termin": row.deadline, "prioritaet": row.priority, "inhalt": row.content}
    apply_row(row, parsed)
    db.flush()
    if _row_state(row) == before_state:
        return False
    after_text = {"federfuehrend": format_leads(row), "beteiligte": row.participants, "termin": row.deadline,
                  "prioritaet": row.priority, "inhalt": row.content}
    audit.record(db, "measure_row_updated", obj=row, detail={
        "massnahme": row.measure.label, "teil": row.position,
        "aenderungen": {k: {"vorher": before_text[k], "nachher": after_text[k]} for k in before_text if before_text[k] != after_text[k]},
    })
    return True


# ---------------------------------------------------------------- periods

def open_period_now(db: Session) -> ReportingPeriod | None:
    return db.scalar(select(ReportingPeriod).where(ReportingPeriod.is_open.is_(True)).order_by(ReportingPeriod.cutoff_on.desc()))


def create_period(db: Session, name: str, cutoff_on: date) -> ReportingPeriod:
    name = " ".join(name.split())
    if db.scalar(select(ReportingPeriod.id).where(func.lower(ReportingPeriod.name) == name.lower())):
        raise MeasureError(f"Einen Berichtszeitraum „{name}“ gibt es schon.")
    period = ReportingPeriod(name=name, cutoff_on=cutoff_on, is_open=False)
    db.add(period)
    db.flush()
    audit.record(db, "reporting_period_created", obj=period, detail={"name": name, "stichtag": cutoff_on.isoformat()})
    return period


def open_period(db: Session, period: ReportingPeriod) -> None:
    other = open_period_now(db)
    if other is not None and other.id != period.id:
        raise MeasureError(f"Es ist schon ein Berichtszeitraum offen: „{other.name}“. Bitte schließen Sie ihn zuerst.")
    if period.is_open:
        return
    period.is_open = True
    period.opened_at = utcnow()
    db.flush()
    audit.record(db, "reporting_period_opened", obj=period, detail={"name": period.name})


def close_period(db: Session, period: ReportingPeriod) -> None:
    if not period.is_open:
        return
    period.is_open = False
    period.closed_at = utcnow()
    db.flush()
    audit.record(db, "reporting_period_closed", obj=period, detail={"name": period.name})


# ---------------------------------------------------------------- OE reports

@dataclass
class ReportData:
    light: str | None
    clarification_needed: bool
    progress: str
    next_steps: str


def find_report(db: Session, period: ReportingPeriod, row: MeasureRow, unit: OrgUnit) -> MeasureReport | None:
    return db.scalar(select(MeasureReport).where(
        MeasureReport.period_id == period.id, MeasureReport.measure_row_id == row.id, MeasureReport.org_unit_id == unit.id))


def last_accepted(db: Session, period: ReportingPeriod, row: MeasureRow, unit: OrgUnit) -> MeasureReport | None:
    """The OE's newest accepted report for this row in another period."""
    return db.scalar(
        select(MeasureReport).join(ReportingPeriod, ReportingPeriod.id == MeasureReport.period_id)
        .where(MeasureReport.measure_row_id == row.id, MeasureReport.org_unit_id == unit.id,
               MeasureReport.state == State.ACCEPTED.value, MeasureReport.period_id != period.id)
        .order_by(ReportingPeriod.cutoff_on.desc(), MeasureReport.id.desc()).limit(1)
    )


def last_accepted_by_row(db: Session, period: ReportingPeriod, unit: OrgUnit) -> dict[int, MeasureReport]:
    """For every row: the OE's newest accepted report in another period (one query)."""
    reports = db.scalars(
        select(MeasureReport).join(ReportingPeriod, ReportingPeriod.id == MeasureReport.period_id)
        .where(MeasureReport.org_unit_id == unit.id, MeasureReport.state == State.ACCEPTED.value,
               MeasureReport.period_id != period.id)
        .order_by(ReportingPeriod.cutoff_on.desc(), MeasureReport.id.desc())
    )
    newest: dict[int, MeasureReport] = {}
    for report in reports:
        newest.setdefault(report.measure_row_id, report)
    return newest


def prefill(previous: MeasureReport | None) -> ReportData:
    """A new report starts from the OE's last accepted one (see last_accepted)."""
    if previous is None:
        return ReportData(None, False, "", "")
    return ReportData(previous.light, previous.clarification_needed, previous.progress, previous.next_steps)


def same_content(report: MeasureReport, data: ReportData) -> bool:
    """The report holds exactly what the form says (a second click on the same form)."""
    return (report.light, bool(report.clarification_needed), report.progress, report.next_steps) == (
        data.light, bool(data.clarification_needed), (data.progress or "").strip(), (data.next_steps or "").strip())


def is_writable(period: ReportingPeriod, report: MeasureReport | None) -> bool:
    """Open period, and no report yet or one still a draft or returned."""
    return period.is_open and (report is None or report.state in (State.DRAFT.value, State.RETURNED.value))


def _ensure_writable(period: ReportingPeriod, report: MeasureReport | None) -> None:
    if is_writable(period, report):
        return
    if not period.is_open:
        raise MeasureError(f"Der Berichtszeitraum „{period.name}“ ist geschlossen. Berichte sind nicht mehr möglich.")
    if report is not None and report.state in (State.SUBMITTED.value, State.ACCEPTED.value):
        raise MeasureError("Der Bericht ist schon eingereicht und kann nicht mehr geändert werden.")


def save_draft(db: Session, period: ReportingPeriod, row: MeasureRow, unit: OrgUnit, data: ReportData, actor: User,
               *, unchanged: bool = False) -> MeasureReport:
    report = find_report(db, period, row, unit)
    _ensure_writable(period, report)
    if data.light is not None:
        TrafficLight(data.light)  # raises on an unknown value
    if report is None:
        previous = last_accepted(db, period, row, unit)
        report = MeasureReport(period_id=period.id, measure_row_id=row.id, org_unit_id=unit.id, state=State.DRAFT.value,
                               prefilled_from_id=previous.id if previous else None)
        db.add(report)
    report.light = data.light
    report.clarification_needed = bool(data.clarification_needed)
    report.progress = (data.progress or "").strip()
    report.next_steps = (data.next_steps or "").strip()
    report.unchanged = unchanged
    report.updated_by_id = actor.id
    db.flush()
    audit.record(db, "measure_report_saved", obj=report, org_unit_code=unit.code,
                 detail={"zeitraum": period.name, "massnahme": row.measure.label, "teil": row.position, "ampel": report.light})
    return report


def not_ready(light: str | None, progress: str | None) -> MeasureError | None:
    """Why a report with this light and Sachstand cannot be submitted (None: it can)."""
    if not light:
        return MeasureError("Bitte wählen Sie den Erfüllungsstand (Ampel) aus.", field="light")
    if light == TrafficLight.DONE.value and not (progress or "").strip():
        return MeasureError(MSG_DONE_WITHOUT_PROGRESS, field="progress")
    return None


def submit(db: Session, report: MeasureReport, actor: User) -> None:
    _ensure_writable(report.period, None)
    if problem := not_ready(report.light, report.progress):
        raise problem
    try:
        transition(db, report, State.SUBMITTED, actor, subject_type=SUBJECT, org_unit_code=report.org_unit.code)
    except TransitionError as exc:
        raise MeasureError(str(exc)) from exc
    number = len(report.versions) + 1
    db.add(MeasureReportVersion(report=report, version=number, light=report.light,
                                clarification_needed=report.clarification_needed, progress=report.progress,
                                next_steps=report.next_steps, unchanged=report.unchanged, submitted_by_id=actor.id))
    db.flush()


def confirm_unchanged(db: Session, period: ReportingPeriod, row: MeasureRow, unit: OrgUnit, actor: User) -> MeasureReport:
    """One click: take over the last accepted report unchanged and submit it."""
    previous = last_accepted(db, period, row, unit)
    if previous is None:
        raise MeasureError("Es gibt keinen angenommenen Bericht aus einem früheren Zeitraum, den Sie bestätigen könnten.")
    data = ReportData(previous.light, previous.clarification_needed, previous.progress, previous.next_steps)
    report = save_draft(db, period, row, unit, data, actor, unchanged=True)
    submit(db, report, actor)
    return report


def submit_all(db: Session, period: ReportingPeriod, unit: OrgUnit, actor: User) -> tuple[int, int]:
    """Submit every draft or returned report of the OE in the period that can be submitted.

    Returns (submitted, left as draft because the light is missing or "umgesetzt" has no Sachstand)."""
    _ensure_writable(period, None)
    reports = db.scalars(select(MeasureReport).where(
        MeasureReport.period_id == period.id, MeasureReport.org_unit_id == unit.id,
        MeasureReport.state.in_([State.DRAFT.value, State.RETURNED.value])).order_by(MeasureReport.id)).all()
    done = skipped = 0
    for report in reports:
        if not_ready(report.light, report.progress):
            skipped += 1
            continue
        submit(db, report, actor)
        done += 1
    return done, skipped


def accept(db: Session, report: MeasureReport, actor: User, comment: str | None = None) -> None:
    try:
        transition(db, report, State.ACCEPTED, actor, subject_type=SUBJECT, comment=comment, org_unit_code=report.org_unit.code)
    except TransitionError as exc:
        raise MeasureError(str(exc)) from exc
    report.review_comment = (comment or "").strip() or None
    db.flush()


def return_report(db: Session, report: MeasureReport, actor: User, comment: str) -> None:
    if not report.period.is_open:
        raise MeasureError("Der Berichtszeitraum ist geschlossen; die OE könnte den Bericht nicht mehr ändern.")
    try:
        transition(db, report, State.RETURNED, actor, subject_type=SUBJECT, comment=comment, org_unit_code=report.org_unit.code)
    except TransitionError as exc:
        raise MeasureError(str(exc)) from exc
    report.review_comment = comment.strip()
    db.flush()


# ---------------------------------------------------------------- AG assessment

def reported_light(db: Session, period: ReportingPeriod, measure: Measure) -> str | None:
    """The least advanced light of the OEs' submitted or accepted reports for the measure."""
    lights = db.scalars(
        select(MeasureReport.light).join(MeasureRow, MeasureRow.id == MeasureReport.measure_row_id)
        .where(MeasureReport.period_id == period.id, MeasureRow.measure_id == measure.id,
               MeasureReport.state.in_([State.SUBMITTED.value, State.ACCEPTED.value]))
    ).all()
    return least_advanced(list(lights))


def assess(db: Session, period: ReportingPeriod, measure: Measure, light: str, comment: str | None, actor: User) -> GroupAssessment:
    TrafficLight(light)
    group = next((g for g in measure.field.working_groups if g.code in actor.working_groups), None)
    if group is None:
        raise MeasureError("Diese Maßnahme gehört nicht zu einem Handlungsfeld Ihrer Arbeitsgruppe.")
    reported = reported_light(db, period, measure)
    comment = (comment or "").strip() or None
    if light != reported and not comment:
        raise MeasureError("Ihre Bewertung weicht von den Berichten der OE ab. Bitte begründen Sie sie kurz.", field="comment")
    assessment = GroupAssessment(period_id=period.id, measure_id=measure.id, working_group_id=group.id, light=light,
                                 comment=comment, reported_light=reported, set_by_id=actor.id)
    db.add(assessment)
    db.flush()
    audit.record(db, "group_assessment_set", obj=assessment, detail={
        "zeitraum": period.name, "massnahme": measure.label, "ampel": light, "oe_ampel": reported, "kommentar": comment,
        "arbeitsgruppe": group.code})
    return assessment


def start_info(db: Session, user: User, info: Any) -> None:
    """The start page (portal/review/start.py): the open period, days left, the OE's parts reported."""
    if not user.has_role(Role.OE_VERANTWORTLICHE) or user.org_unit_id is None:
        return
    info.period = open_period_now(db)
    if info.period is not None:
        info.days_left = (info.period.cutoff_on - date.today()).days
        period_id, unit_id = info.period.id, user.org_unit_id
        info.parts_expected, info.parts_submitted = info.kept.get(
            ("report_progress", period_id, unit_id), lambda: unit_report_progress(db, period_id, unit_id))


def unit_report_progress(db: Session, period_id: int, org_unit_id: int) -> tuple[int, int]:
    """(parts to report, parts submitted or accepted) of one OE."""
    row = db.execute(report_progress(period_id, org_unit_id)).first()
    return (row.expected, row.reported) if row else (0, 0)
