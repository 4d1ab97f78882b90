"""Reminders to the OEs before a reporting period's Stichtag, via the outbox (each once)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import mail
from portal.measures.services import units_missing_reports
from portal.models.measure import ReportingPeriod
from portal.models.people import Role, User, UserRole
from portal.templating import plural


@dataclass
class ReminderResult:
    periods: int = 0
    units: int = 0
    enqueued: int = 0


def enqueue_reminders(db: Session, days: int, today: date | None = None) -> ReminderResult:
    """Open periods whose Stichtag is within `days`: remind the OE-Verantwortliche of every OE
    that has measure parts not yet submitted. The outbox key makes each reminder unique per
    period, OE and person, so running the command daily sends nothing twice."""
    today = today or date.today()
    result = ReminderResult()
    periods = db.scalars(select(ReportingPeriod).where(
        ReportingPeriod.is_open.is_(True), ReportingPeriod.cutoff_on >= today,
        ReportingPeriod.cutoff_on <= today + timedelta(days=days)).order_by(ReportingPeriod.cutoff_on)).all()
    for period in periods:
        result.periods += 1
        missing = {unit.id: (unit, expected, done) for unit, expected, done in units_missing_reports(db, period.id)}
        if not missing:
            continue
        people = db.scalars(
            select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.OE_VERANTWORTLICHE, User.org_unit_id.in_(missing), User.email.is_not(None))
            .order_by(User.id)
        ).unique().all()
        result.units += len(missing)
        left = (period.cutoff_on - today).days
        for person in people:
            unit, expected, done = missing[person.org_unit_id]
            body = "\n".join([
                f"Guten Tag {person.display_name},",
                "",
                f"der Stichtag des Berichtszeitraums „{period.name}“ ist der {period.cutoff_on:%d.%m.%Y} "
                f"({'heute' if left == 0 else 'morgen' if left == 1 else f'in {left} Tagen'}).",
                f"Für {unit.label} {'ist' if done == 1 else 'sind'} {done} von {plural(expected, 'Maßnahmenteil', 'Maßnahmenteilen')} "
                f"eingereicht; {expected - done} {'fehlt' if expected - done == 1 else 'fehlen'} noch.",
            ])
            body = mail.explained(
                [body], link=mail.portal_url("measures.mine"), link_text="Zu „Meine Maßnahmen“",
                next_step="Bitte melden Sie sich im Portal an und reichen Sie die fehlenden Sachstandsberichte ein "
                          "(„Meine Maßnahmen“). Ist der Stand unverändert, genügt ein Klick auf „unverändert bestätigen“.",
                reason=f"Sie sind OE-Verantwortliche*r für {unit.label}, und der Stichtag steht bevor.")
            if mail.enqueue(db, key=f"reminder:period:{period.id}:{unit.id}:{person.id}", kind="reminder",
                            subject=f"Erinnerung: Sachstandsberichte bis {period.cutoff_on:%d.%m.%Y}",
                            body=body, recipient=person):
                result.enqueued += 1
    return result
