"""State changes: allowed steps only, comments where needed, event log, notification."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import workflow
from portal.models.notification import Notification
from portal.models.workflow import State


class Thing:
    """A stand-in subject: transition() only needs `id` and `state`."""

    def __init__(self, id_: int) -> None:
        self.id = id_
        self.state = State.DRAFT.value


def test_steps_comments_history_and_notification(app, db, make_user):
    author = make_user("autorin")
    author.email = "autorin@dresden.test"
    office = make_user("buero", roles=("integrationsbuero",))
    db.commit()
    thing = Thing(4711)
    with app.test_request_context():
        workflow.transition(db, thing, State.SUBMITTED, author, subject_type="probe")
        with pytest.raises(workflow.TransitionError, match="Begründung"):
            workflow.transition(db, thing, State.RETURNED, office, subject_type="probe", comment="  ")
        workflow.transition(db, thing, State.RETURNED, office, subject_type="probe", comment="Datum fehlt")
        with pytest.raises(workflow.TransitionError, match="nicht möglich"):
            workflow.transition(db, thing, State.ACCEPTED, office, subject_type="probe")
        workflow.transition(db, thing, State.SUBMITTED, author, subject_type="probe")
        workflow.transition(db, thing, State.ACCEPTED, office, subject_type="probe")
        with pytest.raises(workflow.TransitionError):
            workflow.transition(db, thing, State.RETURNED, office, subject_type="probe", comment="zu spät")
    db.commit()
    steps = [(e.from_state, e.to_state, e.comment) for e in workflow.history(db, "probe", 4711)]
    assert steps == [
        ("draft", "submitted", None),
        ("submitted", "returned", "Datum fehlt"),
        ("returned", "submitted", None),
        ("submitted", "accepted", None),
    ]
    notes = db.scalars(select(Notification).order_by(Notification.id)).all()
    assert [n.subject for n in notes] == ["Ihre Einreichung wurde zurückgegeben", "Ihre Einreichung wurde angenommen"]
    assert all(n.recipient_email == "autorin@dresden.test" for n in notes)
    assert "Datum fehlt" in notes[0].body
