"""Arranging helpers for the review tests (plain rows, no product logic)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.db import utcnow
from portal.models.measure import MeasureReport, MeasureRow
from portal.models.selbstcheck import QuestionnaireVersion, Selbstcheck
from portal.models.workflow import WorkflowEvent


def selbstcheck(db, unit, year: int, state: str = "submitted", days_ago: int = 0, comment: str | None = None,
                submitter=None) -> Selbstcheck:
    qv = db.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.valid_from)).first()
    sc = Selbstcheck(org_unit_id=unit.id, reporting_year=year, questionnaire_version_id=qv.id, state=state,
                     state_changed_at=utcnow() - timedelta(days=days_ago), review_comment=comment)
    db.add(sc)
    db.flush()
    if submitter is not None:
        db.add(WorkflowEvent(subject_type="selbstcheck", subject_id=sc.id, from_state="draft", to_state="submitted",
                             actor_id=submitter.id))
    db.commit()
    return sc


def first_rows(db, n: int) -> list[MeasureRow]:
    return list(db.scalars(select(MeasureRow).order_by(MeasureRow.id).limit(n)))


def report(db, period, row, unit, state: str = "submitted", *, unchanged: bool = False, light: str = "in_umsetzung",
           days_ago: int = 0, comment: str | None = None, submitter=None) -> MeasureReport:
    r = MeasureReport(period_id=period.id, measure_row_id=row.id, org_unit_id=unit.id, state=state, light=light,
                      unchanged=unchanged, review_comment=comment,
                      state_changed_at=utcnow() - timedelta(days=days_ago))
    db.add(r)
    db.flush()
    if submitter is not None:
        db.add(WorkflowEvent(subject_type="measure_report", subject_id=r.id, from_state="draft", to_state="submitted",
                             actor_id=submitter.id))
    db.commit()
    return r


def at(days_ago: int) -> datetime:
    return utcnow() - timedelta(days=days_ago)


def scored_selbstcheck(db, unit, year: int, point: int, state: str = "accepted") -> Selbstcheck:
    """A Selbstcheck with one submitted version, every statement answered with `point`."""
    import json

    from portal.models.selbstcheck import SelbstcheckVersion
    from portal.selbstcheck import scoring

    sc = selbstcheck(db, unit, year, state=state)
    qv = sc.questionnaire
    definition = qv.definition
    points = {int(q["number"]): point for q in definition["questions"]}
    evaluation = scoring.evaluate(definition, points, qv.bands)
    db.add(SelbstcheckVersion(selbstcheck_id=sc.id, number=1, questionnaire_version_id=qv.id,
                              answers_json=json.dumps({f"q{n}": p for n, p in points.items()}),
                              result_json=json.dumps(evaluation.as_dict()), total=evaluation.total,
                              color=evaluation.band.color))
    db.commit()
    return sc
