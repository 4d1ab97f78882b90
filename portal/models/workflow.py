"""Workflow states shared by every kind of submission, and the event log of each step.

State changes happen only in services, and each appends a :class:`WorkflowEvent`
(DESIGN habit 5): who, when, from which state to which, and why.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.models.people import User


class State(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # e.g. a training that is not recognised


STATE_LABELS = {
    State.DRAFT: "Entwurf",
    State.SUBMITTED: "eingereicht",
    State.RETURNED: "zurückgegeben",
    State.ACCEPTED: "angenommen",
    State.REJECTED: "nicht anerkannt",
}


class WorkflowEvent(Base):
    """One step of one submission (subject = kind + id)."""

    __tablename__ = "workflow_events"
    __table_args__ = (Index("ix_workflow_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column()
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="joined")
