"""State transitions of submissions: the only place a state changes.

Each transition checks the allowed source states, sets the new state, appends a
:class:`WorkflowEvent` (who, when, from, to, why) and an audit entry. A return or a
rejection needs a comment.
"""
from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.db import utcnow
from portal.models.people import User
from portal.models.workflow import State, WorkflowEvent

# which state may follow which
TRANSITIONS: dict[State, set[State]] = {
    State.DRAFT: {State.SUBMITTED},
    State.SUBMITTED: {State.ACCEPTED, State.RETURNED, State.REJECTED},
    State.RETURNED: {State.SUBMITTED, State.DRAFT},
    State.ACCEPTED: set(),
    State.REJECTED: set(),
}
NEEDS_COMMENT = {State.RETURNED, State.REJECTED}


class TransitionError(ValueError):
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


def history(db: Session, subject_type: str, subject_id: int) -> list[WorkflowEvent]:
    return list(
        db.scalars(
            select(WorkflowEvent)
            .where(WorkflowEvent.subject_type == subject_type, WorkflowEvent.subject_id == subject_id)
            .order_by(WorkflowEvent.at, WorkflowEvent.id)
        )
    )


def _label(state: State) -> str:
    from portal.models.workflow import STATE_LABELS

    return STATE_LABELS[state]
