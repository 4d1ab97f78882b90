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


def person(db, number: str, last: str, unit=None, first: str = "Alex"):
    from datetime import date

    from portal.models.training import Person, RosterEntry

    p = db.scalar(select(Person).where(Person.personnel_number == number))
    if p is None:
        p = Person(personnel_number=number, last_name=last, first_name=first)
        db.add(p)
        db.flush()
    if unit is not None:
        if p.org_unit_id is None:  # the personnel records name the OE of the person's first entry
            p.org_unit_id, p.oe_source = unit.id, "personalamt"
        db.add(RosterEntry(person_id=p.id, org_unit_id=unit.id, target_group="buergerkontakt", begins_on=date(2024, 1, 1)))
    db.commit()
    return p


def training(db, p, state: str = "submitted", days_ago: int = 0, title: str = "Interkulturelle Kompetenz",
             comment: str | None = None, submitter=None, file_name: str | None = None):
    from datetime import date
    from decimal import Decimal

    from portal.models.training import Training

    t = Training(person_id=p.id, title=title, provider="Volkshochschule", completed_on=date(2025, 3, 1),
                 hours=Decimal(8), c_interkulturell=True, format="praesenz", source="upload" if file_name else "import",
                 file_name=file_name, state=state, decision_comment=comment, submitted_at=at(days_ago),
                 state_changed_at=at(days_ago), submitted_by_id=submitter.id if submitter else None)
    db.add(t)
    db.flush()
    if submitter is not None:
        db.add(WorkflowEvent(subject_type="training", subject_id=t.id, from_state=None, to_state="submitted",
                             actor_id=submitter.id))
    db.commit()
    return t
