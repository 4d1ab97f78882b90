"""State transitions of submissions: the only place a state changes.

Each transition checks the allowed source states, sets the new state, appends a
:class:`WorkflowEvent` (who, when, from, to, why) and an audit entry. A return or a
rejection needs a comment.
"""
from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit, mail
from portal.db import utcnow
from portal.domain import DomainError
from portal.models.measure import MeasureReport
from portal.models.people import User
from portal.models.workflow import STATE_LABELS, State, WorkflowEvent

# which state may follow which
TRANSITIONS: dict[State, set[State]] = {
    State.DRAFT: {State.SUBMITTED},
    State.SUBMITTED: {State.ACCEPTED, State.RETURNED, State.REJECTED},
    State.RETURNED: {State.SUBMITTED, State.DRAFT},
    State.ACCEPTED: set(),
    State.REJECTED: set(),
}
NEEDS_COMMENT = {State.RETURNED, State.REJECTED}
DECISIONS = {State.ACCEPTED, State.RETURNED, State.REJECTED}

# how a kind of submission is named in a notification ("Ihr Selbstcheck …")
SUBJECT_NAMES: dict[str, str] = {
    "training": "Ihr Schulungsnachweis",
    "selbstcheck": "Ihr Selbstcheck",
    "measure_report": "Ihr Sachstandsbericht zur Maßnahme",
}


class TransitionError(DomainError):
    """A step that is not allowed from the current state (German message)."""


class Subject(Protocol):
    id: int
    state: str


def transition(
    db: Session,
    subject: Any,
    to_state: State,
    actor: User | None,
    *,
    subject_type: str,
    comment: str | None = None,
    org_unit_code: str | None = None,
    allowed: dict[State, set[State]] | None = None,
) -> WorkflowEvent:
    current = State(subject.state) if subject.state else None
    rules = allowed or TRANSITIONS
    if current is not None and to_state not in rules.get(current, set()):
        raise TransitionError(
            f"Dieser Schritt ist nicht möglich: Der Stand ist „{_label(current)}“."
        )
    comment = (comment or "").strip() or None
    if to_state in NEEDS_COMMENT and not comment:
        raise TransitionError("Bitte geben Sie eine Begründung an.")
    subject.state = to_state.value
    if hasattr(subject, "state_changed_at"):
        subject.state_changed_at = utcnow()
    db.flush()
    event = WorkflowEvent(
        subject_type=subject_type,
        subject_id=subject.id,
        from_state=current.value if current else None,
        to_state=to_state.value,
        actor_id=actor.id if actor else None,
        comment=comment,
    )
    db.add(event)
    if to_state in DECISIONS and current is not None:  # created decided (an import): nobody submitted it
        db.flush()  # the notification names the event
        notify_submitter(db, subject_type, subject.id, to_state, comment, event.id)
    audit.record(
        db,
        f"{subject_type}_{to_state.value}",
        object_type=subject_type,
        object_id=subject.id,
        org_unit_code=org_unit_code,
        actor=actor,
        detail={"von": current.value if current else None, "nach": to_state.value, "kommentar": comment},
    )
    return event


def notify_submitter(db: Session, subject_type: str, subject_id: int, to_state: State,
                     comment: str | None, event_id: int) -> None:
    """Tell the person who last submitted the item about the decision (via the outbox)."""
    submitted = db.scalar(
        select(WorkflowEvent)
        .where(WorkflowEvent.subject_type == subject_type, WorkflowEvent.subject_id == subject_id,
               WorkflowEvent.to_state == State.SUBMITTED.value)
        .order_by(WorkflowEvent.at.desc(), WorkflowEvent.id.desc())
        .limit(1)
    )
    if submitted is None or submitted.actor is None:
        return
    name = SUBJECT_NAMES.get(subject_type, "Ihre Einreichung")
    state = STATE_LABELS[to_state]
    lines = [f"Guten Tag {submitted.actor.display_name},", "", f"{name} (Nr. {subject_id}) wurde {state}."]
    if comment:
        lines += ["", "Begründung bzw. Hinweis des Integrationsbüros:", comment]
    body = mail.explained(lines, next_step=NEXT_STEPS.get(to_state, NEXT_STEPS[State.ACCEPTED]),
                          link=_item_url(db, subject_type, subject_id),
                          reason=f"Sie haben {name[4:] if name.startswith('Ihr') else name} im Portal eingereicht; "
                                 "das Integrationsbüro hat darüber entschieden.")
    mail.enqueue(
        db,
        key=f"decision:{subject_type}:{subject_id}:{event_id}",
        kind=f"decision_{to_state.value}",
        subject=f"{name} wurde {state}",
        body=body,
        recipient=submitted.actor,
    )


NEXT_STEPS = {
    State.RETURNED: "Bitte melden Sie sich im Portal an, korrigieren Sie die Angaben und reichen Sie sie erneut ein.",
    State.REJECTED: "Der Nachweis zählt nicht für den Schulungsauftrag. Bei Fragen wenden Sie sich an das "
                    "Integrationsbüro; einen anderen Nachweis können Sie jederzeit hochladen.",
    State.ACCEPTED: "Nichts – die Entscheidung ist gespeichert und zählt in den Auswertungen.",
}


def _item_url(db: Session, subject_type: str, subject_id: int) -> str | None:
    """The page of the decided item, as the person who submitted it opens it."""
    if subject_type == "training":
        return mail.portal_url("trainings.certificate", training_id=subject_id)
    if subject_type == "selbstcheck":
        return mail.portal_url("selbstcheck.show", sc_id=subject_id)
    if subject_type == "measure_report":
        report = db.get(MeasureReport, subject_id)
        if report is not None:
            return mail.portal_url("measures.report", period_id=report.period_id, row_id=report.measure_row_id)
    return None


def history(db: Session, subject_type: str, subject_id: int) -> list[WorkflowEvent]:
    return list(
        db.scalars(
            select(WorkflowEvent)
            .where(WorkflowEvent.subject_type == subject_type, WorkflowEvent.subject_id == subject_id)
            .order_by(WorkflowEvent.at, WorkflowEvent.id)
        )
    )


def _label(state: State) -> str:
    return STATE_LABELS[state]
