"""The start page's "what next" section: a fixed number of statements per page."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from portal.models.people import Role, User
from portal.models.workflow import State
from portal.review import services


@dataclass
class StartInfo:
    counts: dict[str, int] | None = None  # office: open items per kind
    drafts: list[services.QueueItem] = field(default_factory=list)
    returned: list[services.QueueItem] = field(default_factory=list)
    period: Any = None
    days_left: int | None = None
    parts_expected: int = 0
    parts_submitted: int = 0
    mandate: list[Any] = field(default_factory=list)  # the OE's rows of the compliance table
    extra: dict[str, Any] = field(default_factory=dict)  # HTML a feature adds below (key → markup)

    @property
    def has_content(self) -> bool:
        return bool(self.counts is not None or self.drafts or self.returned or self.period or self.mandate or self.extra)

    @property
    def parts_missing(self) -> int:
        return self.parts_expected - self.parts_submitted


# feature name → builder(db, user, info) filling its fields of the start info (`Feature.start_info`)
BUILDERS: dict[str, Callable[[Session, User, StartInfo], None]] = {}


def start_info(db: Session, user: User) -> StartInfo:
    info = StartInfo()
    if user.has_role(Role.INTEGRATIONSBUERO):
        info.counts = services.kind_counts(db, user)
    items = services.own_items(db, user, (State.DRAFT.value, State.RETURNED.value))
    info.drafts = [i for i in items if i.state == State.DRAFT.value]
    info.returned = [i for i in items if i.state == State.RETURNED.value]
    for build in BUILDERS.values():
        build(db, user, info)
    return info
